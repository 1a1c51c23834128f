#!/usr/bin/env bash
# Run the addons' own Odoo tests with Odoo's runner, odoo-bin --test-enable.
#
#   setup/odoo_tests.sh                                   the three addons
#   setup/odoo_tests.sh entro_marketplace [entro_billing]  these (spaces or commas)
#
# Each run clones the template (no demo data) into a fresh database, then
#   odoo-bin --test-enable --stop-after-init -i <addons> --test-tags /<addon>,...
# installs the addons and runs the test cases their tests/__init__.py imports, and only
# theirs. Red when odoo-bin fails, when a test fails or errors, when none ran, or when
# Odoo's runner or loading logs an error. The database is dropped after a green run,
# kept after a red one (ENTRO_KEEP_DB=1 keeps it always). The whole suite, cross-addon
# tests and the platform layer's plain pytest tests included, is setup/test.sh.
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"

T0=$SECONDS
RESULT=1
finish() {
    local rc=$?
    [ "$RESULT" = 0 ] && [ "$rc" != 0 ] && RESULT=$rc
    if [ "$RESULT" = 0 ] && [ -z "${ENTRO_KEEP_DB:-}" ] && [ -n "${DB:-}" ]; then
        drop_db "$DB" 2>/dev/null || true
    elif [ -n "${DB:-}" ]; then
        log "kept the database $DB for inspection"
    fi
    entro_cleanup
    if [ "$RESULT" = 0 ]; then
        printf '\n\033[1;32m[entro] ODOO TESTS PASSED\033[0m in %d s\n' "$((SECONDS - T0))" >&2
    else
        printf '\n\033[1;31m[entro] ODOO TESTS FAILED (exit %s)\033[0m after %d s -- this run is RED\n' \
            "$RESULT" "$((SECONDS - T0))" >&2
    fi
    exit "$RESULT"
}
trap finish EXIT
trap 'exit 130' INT TERM

ADDONS=$(printf '%s' "${*:-$ENTRO_ADDONS}" | tr ' ' ',' | tr -s ',')
ADDONS=${ADDONS#,}
ADDONS=${ADDONS%,}
TAGS=
for addon in ${ADDONS//,/ }; do
    [ -f "$ENTRO_ROOT/$addon/__manifest__.py" ] || die "$addon is not an addon of this repository"
    TAGS+=",/$addon"
done
TAGS=${TAGS#,}

entro_bootstrap

DB=${ENTRO_ODOO_TEST_DB:-entro_odoo_tests_$(fingerprint "$ENTRO_ROOT")}
TEMPLATE=$(template_db nodemo)
log "fresh database $DB from $TEMPLATE"
clone_db "$TEMPLATE" "$DB"

free_port() {
    "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
LOG=$ENTRO_STATE/log/odoo-tests.log
log "odoo-bin --test-enable -i $ADDONS --test-tags $TAGS (log: $LOG)"
t=$SECONDS
# No queue_job runner: the tests run their jobs themselves, in their own transaction.
set +e
ODOO_QUEUE_JOB_CHANNELS=root:0 run_odoo "$LOG" -d "$DB" -i "$ADDONS" --test-enable \
    --test-tags "$TAGS" --stop-after-init --without-demo=all --max-cron-threads=0 \
    --http-interface=127.0.0.1 --http-port="$(free_port)" --gevent-port="$(free_port)"
ODOO_RC_EXIT=$?
set -e
log "odoo-bin exited with $ODOO_RC_EXIT after $((SECONDS - t)) s"

# "N failed, M error(s) of T tests when loading database ..." (odoo.tests.result)
SUMMARY=$(grep -E 'odoo\.tests\.result: .* tests when loading database' "$LOG" | tail -n 1 || true)
grep -E 'odoo\.service\.server: [0-9]+ post-tests in|Module .* loaded in .* test\)' "$LOG" >&2 || true
printf '%s\n' "${SUMMARY:-no test summary in the log}" >&2
# Errors of the runner, the loading, the server or a test itself (FAIL:/ERROR: lines
# name the test's module). Errors the code under test logs on purpose (a failed
# renewal, a refused webhook) are the tests' business: Odoo counts what fails.
LEVEL='^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) [^ ]+ '
ERRORS=$(grep -E "$LEVEL(odoo\.(tests|modules|service)[.:]|odoo\.addons\.[a-z_]+\.tests[.:]|[^ ]+: (FAIL|ERROR):)" "$LOG" || true)
if [ -n "$ERRORS" ]; then
    printf '%s\n' "$ERRORS" | head -n 40 >&2
    die "the runner logged errors (above; full log: $LOG)"
fi
[ "$ODOO_RC_EXIT" = 0 ] || die "odoo-bin failed; see $LOG"
[[ "$SUMMARY" =~ ' 0 failed, 0 error(s) of '([0-9]+)' tests' ]] ||
    die "tests failed or did not report; see $LOG"
[ "${BASH_REMATCH[1]}" -gt 0 ] || die "no test ran; see $LOG"
RESULT=0
