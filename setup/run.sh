#!/usr/bin/env bash
# Set everything up (once) and run the product: Odoo with Entro's addons on
# http://127.0.0.1:8069, in a database with demo data (ENTRO_DB, default "entro").
# Stop it with Ctrl-C; PostgreSQL is stopped again if this script started it.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

DB=${ENTRO_DB:-entro}
PORT=${ENTRO_HTTP_PORT:-8069}
ODOO_PID=
cleanup() {
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
cat >&2 <<BANNER

  Entro is running:  http://127.0.0.1:$PORT   (database: $DB)
  Log in as:         admin / admin
  XML-RPC:           http://127.0.0.1:$PORT/xmlrpc/2/object
  Odoo's log:        $LOGF
  Stop:              Ctrl-C

BANNER
wait "$ODOO_PID"
