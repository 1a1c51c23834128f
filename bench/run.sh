#!/usr/bin/env bash
# Benchmarks (not part of the test run), one command each:
#   bash bench/run.sh import_throughput [--orders N] [--platform P] [--config one-job|defaults|both]
#   bash bench/run.sh stock_push [--quants N] [--changes N]
#   bash bench/run.sh latency [--events N] [--rate R]
#   bash bench/run.sh memory [--orders N]
#   bash bench/run.sh scale_out [--orders N]
# Each prints its figures with a ratio against a baseline measured in the same run,
# and writes them to bench/results/<name>.json. The database is this checkout's own
# and benchmark (entro_bench_<fingerprint>_<name>), dropped at the end; ports are
# ephemeral: two benchmarks of one checkout may run side by side.
source "$(dirname "${BASH_SOURCE[0]}")/../setup/bootstrap.sh"
entro_bootstrap
NAME=${1:?usage: bench/run.sh import_throughput|stock_push|latency|memory|scale_out [options]}
shift
DB=entro_bench_$(fingerprint "$ENTRO_ROOT")_$NAME
trap 'drop_db "$DB" 2>/dev/null; entro_cleanup' EXIT
clone_db "$(template_db nodemo)" "$DB"
run_odoo "$ENTRO_STATE/log/bench-install-$NAME.log" -d "$DB" -i "$ENTRO_ADDONS" --stop-after-init \
    --no-http --without-demo=all || die "install failed; see $ENTRO_STATE/log/bench-install-$NAME.log"
mkdir -p "$ENTRO_ROOT/bench/results"
cd "$ENTRO_ROOT"
export ENTRO_BENCH_DB=$DB ODOO_TREE VENV ENTRO_STATE
"$VENV/bin/python" -m "bench.$NAME" "$@"
exit $?
