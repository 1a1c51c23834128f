#!/usr/bin/env bash
# Set everything up (once) and run the product: Odoo with Entro's addons on
# http://127.0.0.1:8069, in a database with demo data (ENTRO_DB, default "entro"),
# and sandbox shops fed by Shopee, Lazada and TikTok Shop emulators on 127.0.0.1:8911,
# 8912 and 8913, so that orders flow.
# Stop it with Ctrl-C; PostgreSQL is stopped again if this script started it.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

DB=${ENTRO_DB:-entro}
PORT=${ENTRO_HTTP_PORT:-8069}
# The sandbox: a Shopee emulator on loopback feeding a demo shop (ENTRO_SANDBOX=0: none).
SANDBOX=${ENTRO_SANDBOX:-1}
EMULATOR_PORT=${ENTRO_EMULATOR_PORT:-8911}
ODOO_PID=
EMULATOR_PIDS=()
cleanup() {
    local pid
    for pid in "${EMULATOR_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    if [ -n "$ODOO_PID" ] && kill -0 "$ODOO_PID" 2>/dev/null; then
        # Odoo stops gracefully on a first signal, at once on a second; a shutdown
        # still waiting after that (a request or job thread stuck) is ended.
        kill -TERM "$ODOO_PID" 2>/dev/null || true
        local waited
        for waited in $(seq 1 40); do
            kill -0 "$ODOO_PID" 2>/dev/null || break
            [ "$waited" = 20 ] && kill -TERM "$ODOO_PID" 2>/dev/null
            sleep 0.5
        done
        kill -0 "$ODOO_PID" 2>/dev/null && kill -KILL "$ODOO_PID" 2>/dev/null
        wait "$ODOO_PID" 2>/dev/null || true
    fi
    entro_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

entro_bootstrap

STAMP=$ENTRO_STATE/db-$DB.addons
FP=$(addons_fingerprint)
if ! db_exists "$DB"; then
    TEMPLATE=$(template_db demo)
    log "creating the database $DB (with demo data) from $TEMPLATE"
    clone_db "$TEMPLATE" "$DB"
    run_odoo "$ENTRO_STATE/log/install.log" -d "$DB" -i "$ENTRO_ADDONS" --stop-after-init \
        --no-http || die "installing the addons failed; see $ENTRO_STATE/log/install.log"
    echo "$FP" >"$STAMP"
elif [ "$(cat "$STAMP" 2>/dev/null)" != "$FP" ]; then
    log "the addons changed since the last run: updating them in $DB"
    run_odoo "$ENTRO_STATE/log/install.log" -d "$DB" -u "$ENTRO_ADDONS" --stop-after-init \
        --no-http || die "updating the addons failed; see $ENTRO_STATE/log/install.log"
    echo "$FP" >"$STAMP"
fi

LOGF=$ENTRO_STATE/log/odoo.log
log "starting Odoo (log: $LOGF)"
# shellcheck disable=SC2086
$ODOO_BIN -c "$ODOO_RC" -d "$DB" --db-filter="^$DB\$" --http-port="$PORT" --logfile="$LOGF" &
ODOO_PID=$!
for _ in $(seq 1 120); do
    kill -0 "$ODOO_PID" 2>/dev/null || die "Odoo stopped while starting; see $LOGF"
    if "$VENV/bin/python" -c "import sys, xmlrpc.client as x; x.ServerProxy(sys.argv[1]).version()" \
        "http://127.0.0.1:$PORT/xmlrpc/2/common" >/dev/null 2>&1; then
        break
    fi
    sleep 1
done
SANDBOX_LINE="Sandbox:           off (ENTRO_SANDBOX=0)"
EVERY=${ENTRO_SANDBOX_EVERY:-20}
# Shopee and Lazada pay their completed orders out this often (seconds; 0: never)
SETTLE_EVERY=${ENTRO_SANDBOX_SETTLE_EVERY:-60}
# start_sandbox PLATFORM PORT APP_KEY APP_SECRET EMULATOR_ARGS...: an emulator, then
# a shop connected to it. Fake credentials, known to the emulator only.
start_sandbox() {
    local platform=$1 port=$2 key=$3 secret=$4
    shift 4
    (cd "$ENTRO_ROOT" && exec "$VENV/bin/python" -m tests.emulators "$platform" \
        --port "$port" "$@" --orders 20 --items 12 --seed 1 --push-every "$EVERY" \
        --push-url "http://127.0.0.1:$PORT/entro/webhook/$platform") \
        >"$ENTRO_STATE/log/emulator-$platform.log" 2>&1 &
    EMULATOR_PIDS+=($!)
    sleep 1
    (cd "$ENTRO_ROOT" && "$VENV/bin/python" setup/sandbox.py "http://127.0.0.1:$PORT" "$DB" \
        "$platform" "http://127.0.0.1:$port" "$key" "$secret" 12 1) \
        >>"$ENTRO_STATE/log/sandbox.log" 2>&1
}
if [ "$SANDBOX" = 1 ]; then
    : >"$ENTRO_STATE/log/sandbox.log"
    ok=()
    start_sandbox shopee "$EMULATOR_PORT" 2001887 sandbox-partner-key \
        --partner-id 2001887 --partner-key sandbox-partner-key \
        --settle-every "$SETTLE_EVERY" && ok+=(Shopee)
    start_sandbox lazada "$((EMULATOR_PORT + 1))" 100200 sandbox-app-secret \
        --app-key 100200 --app-secret sandbox-app-secret \
        --settle-every "$SETTLE_EVERY" && ok+=(Lazada)
    start_sandbox tiktok "$((EMULATOR_PORT + 2))" sandbox-tiktok-key sandbox-tiktok-secret \
        --app-key sandbox-tiktok-key --app-secret sandbox-tiktok-secret && ok+=(TikTok)
    # Tiki: the port after TikTok's; no pushes, Odoo pulls the emulator's event queue
    start_sandbox tiki "$((EMULATOR_PORT + 3))" sandbox-tiki-client sandbox-tiki-secret \
        --client-id sandbox-tiki-client --client-secret sandbox-tiki-secret && ok+=(Tiki)
    if [ ${#ok[@]} -gt 0 ]; then
        SANDBOX_LINE="Sandbox:           ${ok[*]} shops fed by emulators (a new order every $EVERY s): Marketplaces > Orders"
    fi
    if [ ${#ok[@]} -lt 4 ]; then
        SANDBOX_LINE="$SANDBOX_LINE; set-up problems in $ENTRO_STATE/log/sandbox.log"
    fi
fi
cat >&2 <<BANNER

  Entro is running:  http://127.0.0.1:$PORT   (database: $DB)
  Log in as:         admin / admin
  XML-RPC:           http://127.0.0.1:$PORT/xmlrpc/2/object
  $SANDBOX_LINE
  Odoo's log:        $LOGF
  Stop:              Ctrl-C

BANNER
wait "$ODOO_PID"
