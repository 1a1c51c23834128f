#!/usr/bin/env bash
# Set everything up (once) and run the product: Odoo with Entro's addons on
# http://127.0.0.1:8069, in a database with demo data (ENTRO_DB, default "entro"),
# and a sandbox shop fed by a Shopee emulator on 127.0.0.1:8911, so that orders flow.
# Stop it with Ctrl-C; PostgreSQL is stopped again if this script started it.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

DB=${ENTRO_DB:-entro}
PORT=${ENTRO_HTTP_PORT:-8069}
# The sandbox: a Shopee emulator on loopback feeding a demo shop (ENTRO_SANDBOX=0: none).
SANDBOX=${ENTRO_SANDBOX:-1}
EMULATOR_PORT=${ENTRO_EMULATOR_PORT:-8911}
ODOO_PID=
EMULATOR_PID=
cleanup() {
    if [ -n "$EMULATOR_PID" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill -TERM "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    if [ -n "$ODOO_PID" ] && kill -0 "$ODOO_PID" 2>/dev/null; then
        kill -TERM "$ODOO_PID" 2>/dev/null || true
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
if [ "$SANDBOX" = 1 ]; then
    # A fake partner key, known to the emulator only.
    (cd "$ENTRO_ROOT" && exec "$VENV/bin/python" -m tests.emulators shopee \
        --port "$EMULATOR_PORT" --partner-id 2001887 --partner-key sandbox-partner-key \
        --orders 20 --items 12 --seed 1 --push-every "${ENTRO_SANDBOX_EVERY:-20}" \
        --push-url "http://127.0.0.1:$PORT/entro/webhook/shopee") \
        >"$ENTRO_STATE/log/emulator.log" 2>&1 &
    EMULATOR_PID=$!
    sleep 1
    if (cd "$ENTRO_ROOT" && "$VENV/bin/python" setup/sandbox.py "http://127.0.0.1:$PORT" "$DB" \
        "http://127.0.0.1:$EMULATOR_PORT" 2001887 sandbox-partner-key 12 1) \
        >"$ENTRO_STATE/log/sandbox.log" 2>&1; then
        SANDBOX_LINE="Sandbox:           shop 'Shopee Sandbox' fed by a Shopee emulator (a new order every ${ENTRO_SANDBOX_EVERY:-20} s): Marketplaces > Orders"
    else
        SANDBOX_LINE="Sandbox:           could not be set up; see $ENTRO_STATE/log/sandbox.log"
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
