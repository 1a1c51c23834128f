#!/usr/bin/env bash
# Benchmarks (not part of the test run): bash bench/run.sh import_throughput [--orders N]
# Each prints its figures with a ratio against a baseline measured in the same run,
# and writes them to bench/results/<name>.json.
source "$(dirname "${BASH_SOURCE[0]}")/../setup/bootstrap.sh"
trap entro_cleanup EXIT
entro_bootstrap
NAME=${1:?usage: bench/run.sh import_throughput [options]}
shift
DB=entro_bench
clone_db "$(template_db nodemo)" "$DB"
run_odoo "$ENTRO_STATE/log/bench-install.log" -d "$DB" -i "$ENTRO_ADDONS" --stop-after-init \
    --no-http --without-demo=all || die "install failed; see $ENTRO_STATE/log/bench-install.log"
mkdir -p "$ENTRO_ROOT/bench/results"
cd "$ENTRO_ROOT"
export ENTRO_BENCH_DB=$DB ODOO_TREE VENV ENTRO_STATE
"$VENV/bin/python" -m "bench.$NAME" "$@"
rc=$?
drop_db "$DB"
exit $rc
