"""The README's table of figures, from the bench/results/*.json of the last runs.

python -m bench.table        (no database needed)
"""

import json
import sys

from bench.common import ROOT


def load(name):
    path = ROOT / "bench" / "results" / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def load_of(result):
    value = result.get("loadavg") or result.get("machine", {}).get("loadavg_at_end")
    return value[0] if value else "?"


def rows():
    labels = {"shopee": "Shopee", "lazada": "Lazada", "tiktok": "TikTok Shop"}
    for name in ("shopee", "lazada", "tiktok", "tiki"):
        result = load("import_throughput" + ("" if name == "shopee" else f"_{name}"))
        if not result or "flow_orders_per_s" not in result:  # defaults only
            continue
        label = labels.get(name, name.capitalize())
        setup = f"{label}, {result['orders']:,} orders, one job at a time"
        yield (
            f"import throughput, {setup}",
            f"{result['flow_orders_per_s']} orders/s",
            f"per-order ORM floor {result['floor_orders_per_s']} orders/s",
            result["ratio_to_floor"],
            "-",
            load_of(result),
        )
        if result.get("batched_floor_orders_per_s"):
            as_user = result.get("batched_floor_as_user_orders_per_s")
            yield (
                f"import throughput against the batched floor, {setup}",
                (
                    f"{result['flow_orders_per_s']} orders/s (import jobs alone: "
                    f"{result.get('import_jobs_ratio_to_batched_floor', '?')} of the "
                    "floor)"
                ),
                f"batched ORM floor {result['batched_floor_orders_per_s']} orders/s"
                + (f" ({as_user} as the queuing user)" if as_user else ""),
                f"{result['ratio_to_batched_floor']}"
                + (f" ({result['ratio_to_batched_floor_as_user']})" if as_user else ""),
                "≥ 0.9",
                load_of(result),
            )
        if result.get("round_ratios"):
            spread = result["round_ratios"]
            yield (
                (
                    f"each round of {result['round_orders']:,} orders against its "
                    f"own batched floor, {setup}"
                ),
                f"median {spread['median']}",
                f"slowest round {spread['min']}, fastest {spread['max']}",
                spread["median"],
                "-",
                load_of(result),
            )
        if result.get("median_batch_ratio"):
            batches = result["batch_seconds"]
            yield (
                f"one batch of 50 against one import job, medians, {setup}",
                f"import job {batches['import_jobs']['median']} s",
                f"batched ORM floor {batches['batched_floor']['median']} s",
                result["median_batch_ratio"],
                "-",
                load_of(result),
            )
        against = result.get("against") or {}
        if against.get("ratio"):
            yield (
                f"import throughput against the code of {against['ref']}, {setup}",
                f"{result['flow_orders_per_s']} orders/s",
                (
                    f"{against['ref']}: {against['flow_orders_per_s']} orders/s "
                    f"(per-order floors: {result['floor_orders_per_s']} and "
                    f"{against.get('floor_orders_per_s')})"
                ),
                against["ratio"],
                "≥ 1.5",
                f"{load_of(result)}; {load_of(against)}",
            )
        yield (
            f"API calls per 1,000 orders, {label}",
            result["api_calls_per_1000_orders"],
            f"minimum {result['api_minimum_per_1000_orders']}",
            result["api_ratio_to_minimum"],
            "≤ 1.05",
            load_of(result),
        )
    yield from defaults_rows()
    result = load("stock_push")
    if result:
        timing = result["adjustment_s"]
        yield (
            (
                f"inventory adjustment of {result['quants_adjusted']:,} quants, "
                "listing hook now (before)"
            ),
            f"{timing['after']} s ({timing['before']} s)",
            f"no shop pushing {timing['floor']} s",
            (
                f"{result['hook_overhead_ratio_to_floor']['after']} "
                f"({result['hook_overhead_ratio_to_floor']['before']})"
            ),
            "-",
            load_of(result),
        )
        yield (
            (
                f"API calls per 1,000 stock changes "
                f"({result['stock_changes_per_platform']})"
            ),
            result["api_calls_per_1000_stock_changes"],
            f"minimum {result['api_minimum_per_1000_stock_changes']}",
            result["api_ratio_to_minimum"],
            "≤ 1.05",
            load_of(result),
        )
    result = load("latency")
    if result:
        row = result["webhook_to_confirmed"]
        yield (
            (
                f"webhook → sale order confirmed, {row['events']} events at "
                f"{result['rate_per_s']}/s, 1 worker"
            ),
            f"p50 {row['p50_s']} s, p95 {row['p95_s']} s",
            "-",
            "-",
            "p95 ≤ 5 s",
            load_of(row),
        )
        for row in result["stock_to_platform"].values():
            yield (
                (
                    "stock change → platform updated, push delay "
                    f"{row['push_delay_s']} s, {row['events']} events"
                ),
                f"p50 {row['p50_s']} s, p95 {row['p95_s']} s",
                f"the delay, {row['baseline_s']} s",
                "-",
                "p95 ≤ 10 s",
                load_of(row),
            )
    result = load("memory")
    if result:
        extrapolated = result.get("extrapolated_growth_at_50000_mb")
        yield (
            f"peak RSS growth importing {result['orders']:,} orders, "
            + (
                f"{result['workers']} worker processes"
                if isinstance(result.get("workers"), int)
                else "1 worker"
            ),
            f"{result['peak_growth_mb']} MB"
            + (
                f" (→ {extrapolated} MB at 50,000, extrapolated)"
                if extrapolated
                else ""
            ),
            f"after warm-up {result['rss_baseline_after_warm_up_mb']} MB",
            "-",
            "≤ 150 MB",
            load_of(result),
        )
    result = load("scale_out")
    if result:
        for label, run in result["runs"].items():
            yield (
                f"scale-out, {result['orders']:,} orders, {label}",
                f"{run['orders_per_s']} orders/s",
                "1 worker",
                result["speed_up"][label],
                "-",
                run["loadavg"][0] if run.get("loadavg") else "?",
            )


def defaults_rows():
    """The import with the shipped channels and two worker processes."""
    labels = {"shopee": "Shopee", "lazada": "Lazada", "tiktok": "TikTok Shop"}
    for name in ("shopee", "lazada", "tiktok", "tiki"):
        result = load("import_throughput" + ("" if name == "shopee" else f"_{name}"))
        result = (result or {}).get("defaults")
        if not result:
            continue
        label = labels.get(name, name.capitalize())
        setup = f"{label}, shipped channels, {result['workers']} worker processes"
        if result.get("stock_on_hand_per_sku"):
            setup += f", {result['stock_on_hand_per_sku']:,} units of each SKU on hand"
        yield (
            f"import throughput, {setup}, {result['orders']:,} orders",
            f"{result['orders_per_s']} orders/s",
            "one job at a time" if "ratio_to_one_job" in result else "-",
            result.get("ratio_to_one_job", "-"),
            "-",
            load_of(result),
        )
        yield (
            f"concurrency, {setup}, {result['jobs']} jobs",
            (
                f"{result['deadlocks_in_log']} deadlocks and "
                f"{result['serialization_failures_in_log']} serialisation failures "
                f"in the log ({result['deadlocks_in_postgresql']} deadlocks in "
                f"PostgreSQL); {result['job_retries']} retries "
                f"(queue_job.retry summed: {result['queue_job_retry_sum']}), "
                f"{result['jobs_run_more_than_once']} jobs run more than once, "
                f"{result['failed_jobs']} failed"
            ),
            "-",
            "-",
            "0 failed",
            load_of(result),
        )
        yield (
            f"API calls per 1,000 orders, {setup}",
            result["api_calls_per_1000_orders"],
            f"minimum {result['api_minimum_per_1000_orders']}",
            result["api_ratio_to_minimum"],
            "≤ 1.05",
            load_of(result),
        )


def main():
    print("| figure | measured | baseline | ratio | goal | load avg (1 min) |")
    print("|---|---|---|---|---|---|")
    for row in rows():
        print("| " + " | ".join(str(cell) for cell in row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
