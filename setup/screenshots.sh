#!/usr/bin/env bash
# Retake the README's screenshots (docs/img/*.png) from the sandbox, so they show the
# product as it is: runs setup/run.sh on a database of its own (ENTRO_DB, default
# entro_screenshots) and another port, waits until every sandbox shop has orders, then
# setup/screenshots.py opens the pages in headless Chromium. Stops what it started.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
entro_bootstrap
have chromedriver || apt_install chromium chromium-driver

export ENTRO_DB=${ENTRO_DB:-entro_screenshots}
export ENTRO_HTTP_PORT=${ENTRO_HTTP_PORT:-8079}
export ENTRO_EMULATOR_PORT=${ENTRO_EMULATOR_PORT:-8931}
export ENTRO_SANDBOX_EVERY=${ENTRO_SANDBOX_EVERY:-5}
OUT=${1:-$ENTRO_ROOT/docs/img}
URL=http://127.0.0.1:$ENTRO_HTTP_PORT
RUN_PID=
stop_sandbox() {
    if [ -n "$RUN_PID" ] && kill -0 "$RUN_PID" 2>/dev/null; then
        kill -TERM "$RUN_PID" 2>/dev/null || true
        wait "$RUN_PID" 2>/dev/null || true
    fi
    entro_cleanup
}
trap stop_sandbox EXIT
trap 'exit 130' INT TERM

bash "$ENTRO_ROOT/setup/run.sh" >"$ENTRO_STATE/log/screenshots-run.log" 2>&1 &
RUN_PID=$!
log "sandbox starting on $URL (log: $ENTRO_STATE/log/screenshots-run.log)"
# Ready when the sandbox's four shops are connected and each has imported orders (the
# emulators start with 20 each).
SHOPS=${ENTRO_SCREENSHOT_SHOPS:-4}
for _ in $(seq 1 300); do
    kill -0 "$RUN_PID" 2>/dev/null || die "the sandbox stopped; see $ENTRO_STATE/log/screenshots-run.log"
    shops=$("$VENV/bin/python" - "$URL" "$ENTRO_DB" "$SHOPS" <<'PY' 2>/dev/null || true
import sys, xmlrpc.client as x
url, db = sys.argv[1:3]
uid = x.ServerProxy(f"{url}/xmlrpc/2/common").authenticate(db, "admin", "admin", {})
m = x.ServerProxy(f"{url}/xmlrpc/2/object")
shops = m.execute_kw(db, uid, "admin", "entro.marketplace.shop", "search", [[]])
fed = [s for s in shops if m.execute_kw(db, uid, "admin", "entro.marketplace.order",
       "search_count", [[("shop_id", "=", s), ("sale_order_id", "!=", False)]])]
print(len(shops) if len(shops) >= int(sys.argv[3]) and len(fed) == len(shops) else 0)
PY
)
    [ "${shops:-0}" -gt 0 ] && break
    sleep 2
done
[ "${shops:-0}" -gt 0 ] || die "the sandbox shops had no orders after 10 minutes"
log "$shops sandbox shops have orders; taking the screenshots"
"$VENV/bin/python" "$ENTRO_ROOT/setup/screenshots.py" "$URL" "$ENTRO_DB" "$OUT" ||
    die "taking the screenshots failed"
log "screenshots in $OUT"
