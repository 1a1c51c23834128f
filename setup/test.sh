#!/usr/bin/env bash
# Set everything up (once) and run Entro's whole test suite on a fresh database.
#
#   setup/test.sh                      the whole suite (what CI runs)
#   setup/test.sh PATH... [PYTEST_ARGS] only these tests, e.g. setup/test.sh tests/test_install.py -k menu
#
# Each run clones a template (Odoo's modules we depend on, no demo data) into a fresh
# database, installs our three addons into it (failing on any warning or error in the
# install log), then runs pytest-odoo over every addon's tests and tests/. The databases
# are dropped after a green run, kept after a red one (ENTRO_KEEP_DB=1 keeps them always).
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

T0=$SECONDS
RESULT=1
finish() {
    local rc=$?
    [ "$RESULT" = 0 ] && [ "$rc" != 0 ] && RESULT=$rc
    if [ "$RESULT" = 0 ] && [ -z "${ENTRO_KEEP_DB:-}" ] && [ -n "${DB:-}" ]; then
        drop_db "$DB" 2>/dev/null || true
        drop_db "${DB}_rpc" 2>/dev/null || true
    elif [ -n "${DB:-}" ]; then
        log "kept the databases $DB and ${DB}_rpc for inspection"
    fi
    entro_cleanup
    if [ "$RESULT" = 0 ]; then
        printf '\n\033[1;32m[entro] TESTS PASSED\033[0m in %d s\n' "$((SECONDS - T0))" >&2
    else
        printf '\n\033[1;31m[entro] TESTS FAILED (exit %s)\033[0m after %d s -- this run is RED\n' \
            "$RESULT" "$((SECONDS - T0))" >&2
    fi
    exit "$RESULT"
}
trap finish EXIT
trap 'exit 130' INT TERM

entro_bootstrap
# The browser tours (HttpCase.start_tour) run in headless Chromium, from Debian.
have chromium || have chromium-browser || have google-chrome || apt_install chromium

DB=${ENTRO_TEST_DB:-entro_test_$(fingerprint "$ENTRO_ROOT")}
TEMPLATE=$(template_db nodemo)
log "fresh test database $DB from $TEMPLATE"
clone_db "$TEMPLATE" "$DB"

INSTALL_LOG=$ENTRO_STATE/log/test-install.log
log "installing $ENTRO_ADDONS (log: $INSTALL_LOG)"
t=$SECONDS
run_odoo "$INSTALL_LOG" -d "$DB" -i "$ENTRO_ADDONS" --stop-after-init --no-http \
    --without-demo=all || die "installing the addons failed; see $INSTALL_LOG"
PROBLEMS=$(log_problems "$INSTALL_LOG")
if [ -n "$PROBLEMS" ]; then
    printf '%s\n' "$PROBLEMS" >&2
    die "installing the addons logged warnings or errors (above; full log: $INSTALL_LOG)"
fi
log "installed in $((SECONDS - t)) s, with a clean log"
# A test database: its shops may call the platform emulators on loopback (any API
# host other than a platform's own needs this system parameter; tests that check
# the refusal unset it).
bash "$ENTRO_ROOT/setup/postgres.sh" psql -d "$DB" -qAt -v ON_ERROR_STOP=1 -c "
    INSERT INTO ir_config_parameter (key, value, create_uid, write_uid, create_date, write_date)
    VALUES ('entro_marketplace.allow_custom_api_hosts', 'True', 1, 1, now(), now())
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value" >/dev/null
# A copy for the XML-RPC server of tests/conftest.py: what its clients commit stays there.
RPC_DB=${DB}_rpc
clone_db "$DB" "$RPC_DB"

cd "$ENTRO_ROOT"
if [ $# -eq 0 ]; then
    set -- entro_marketplace entro_billing entro_privacy entro_support entro_marketplace_vn_einvoice tests
fi
export ENTRO_TEST_DB=$DB ENTRO_RPC_DB=$RPC_DB ENTRO_STATE ENTRO_ROOT ODOO_TREE VENV
set +e
# No queue_job runner inside the pytest process: tests that need one start a real server.
ODOO_QUEUE_JOB_CHANNELS=root:0 "$VENV/bin/python" -m pytest -p no:cacheprovider --odoo-config="$ODOO_RC" --odoo-database="$DB" \
    --odoo-http --odoo-log-level="${ENTRO_TEST_LOG_LEVEL:-warn}" "$@"
RESULT=$?
set -e
