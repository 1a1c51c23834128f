"""Scale-out: the same import with one and with two queue_job workers.

N Shopee orders (default 1,000) imported through a real odoo-bin and its own
queue_job runner: once with one job at a time (channel capacity 1, the
baseline), then with two at a time -- in the threaded server (capacity 2) and,
with --prefork, in two worker processes (--workers=2). Each run imports its own
shop's orders into the same database.
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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh scale_out")
    parser.add_argument("--orders", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument(
        "--prefork", action="store_true", help="also two worker processes"
    )
    args = parser.parse_args(argv)
    db = os.environ["ENTRO_BENCH_DB"]
    registry = setup_odoo(db)
    runs = [("1 worker", "root:1", 0), ("2 workers (threads)", "root:2", 0)]
    if args.prefork:
        runs.append(("2 workers (processes)", "root:2", 2))
    catalogue = generate_catalogue(20, 3, seed=args.seed)
    result = {"orders": args.orders, "runs": {}}
    for index, (label, channels, workers) in enumerate(runs):
        with ShopeeEmulator(shop_id=610000 + index) as emulator:
            emulator.add_catalogue(catalogue)
            add_shopee_orders(emulator, catalogue, args.orders, args.seed)
            with registry.cursor() as cr:
                env = environment(cr)
                shopee_products(env, catalogue)
                shop_id = create_shop(env, "shopee", emulator, name=label).id
            with Server(db, channels=channels, workers=workers) as server:
                elapsed, done, failed = run_import(server, shop_id, args.orders, step=2)
        result["runs"][label] = {
            "channels": channels,
            "workers": workers,
            "seconds": round(elapsed, 1),
            "imported": done,
            "failed_jobs": failed,
            "orders_per_s": round(done / elapsed, 2),
            "loadavg": loadavg(),
        }
        print(label, result["runs"][label])
    base = result["runs"]["1 worker"]["orders_per_s"]
    result["speed_up"] = {
        label: round(run["orders_per_s"] / base, 2)
        for label, run in result["runs"].items()
    }
    result["note"] = "2 cores shared with other processes: see the load averages"
    write_result("scale_out", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
