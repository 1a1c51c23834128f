"""Memory: peak RSS growth of the Odoo server (and its runner) importing N orders.

A real odoo-bin with its own queue_job runner (one job at a time) imports N
Shopee orders (default 50,000) streamed in pages of 100 and jobs of 50. The
baseline is the server's RSS after a warm-up import of 200 orders (modules,
registry and caches loaded); the figure is the peak growth over it, sampled every
half second, with the growth at each tenth of the run so that a trend (a leak)
shows and a smaller N can be extrapolated.
"""

import argparse
import os
import sys

from bench.common import (
    Server,
    add_shopee_orders,
    create_shop,
    environment,
    loadavg,
    run_import,
    setup_odoo,
    shopee_products,
    write_result,
)
from tests.emulators.shopee import ShopeeEmulator, generate_catalogue

WARM_UP = 200


def rss(server):
    return sum(p.memory_info().rss for p in server.pids())


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh memory")
    parser.add_argument("--orders", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=31)
    args = parser.parse_args(argv)
    db = os.environ["ENTRO_BENCH_DB"]
    registry = setup_odoo(db)
    catalogue = generate_catalogue(40, 3, seed=args.seed)
    mb = 1024 * 1024
    with (
        ShopeeEmulator(shop_id=620001) as warm,
        ShopeeEmulator(shop_id=620002) as emulator,
    ):
        for emu, n in ((warm, WARM_UP), (emulator, args.orders)):
            emu.add_catalogue(catalogue)
            add_shopee_orders(emu, catalogue, n, args.seed)
        with registry.cursor() as cr:
            env = environment(cr)
            shopee_products(env, catalogue)
            warm_id = create_shop(env, "shopee", warm, name="Warm-up").id
            shop_id = create_shop(env, "shopee", emulator, name="Memory").id
        with Server(db, channels="root:1", logname="bench-memory") as server:
            start_rss = rss(server)
            run_import(server, warm_id, WARM_UP)
            baseline = rss(server)
            samples = []  # (orders imported, rss)

            def sample(done):
                samples.append((done, rss(server)))

            elapsed, done, failed = run_import(server, shop_id, args.orders, sample)
    peak = max(r for _d, r in samples)
    checkpoints = {}
    for tenth in range(1, 11):
        target = args.orders * tenth // 10
        row = next(((d, r) for d, r in samples if d >= target), samples[-1])
        checkpoints[str(row[0])] = round((row[1] - baseline) / mb, 1)
    first_half = [r for d, r in samples if d <= args.orders // 2]
    second_half = [r for d, r in samples if d > args.orders // 2]
    slope = None
    if first_half and second_half:
        # MB per 10,000 orders between the peaks of the two halves
        slope = round(
            (max(second_half) - max(first_half)) / mb / (args.orders / 2) * 10000, 2
        )
    result = {
        "orders": args.orders,
        "imported": done,
        "failed_jobs": failed,
        "seconds": round(elapsed, 1),
        "rss_at_start_mb": round(start_rss / mb, 1),
        "rss_baseline_after_warm_up_mb": round(baseline / mb, 1),
        "rss_peak_mb": round(peak / mb, 1),
        "peak_growth_mb": round((peak - baseline) / mb, 1),
        "growth_mb_at_orders": checkpoints,
        "growth_mb_per_10000_orders_second_half": slope,
        "extrapolated_growth_at_50000_mb": (
            round((peak - baseline) / mb + slope * (50000 - args.orders) / 10000, 1)
            if slope is not None and args.orders < 50000
            else None
        ),
        "goal_mb": 150,
        "loadavg": loadavg(),
    }
    write_result("memory", result)
    return 0 if failed == 0 and done >= args.orders else 1


if __name__ == "__main__":
    sys.exit(main())
