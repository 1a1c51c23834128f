"""Import throughput: orders/s through the real flow, against the ORM floor.

The flow: a real odoo-bin server whose own queue_job runner (one job at a time)
imports N Shopee orders from the emulator after one action_sync_orders over
XML-RPC. The floor: the same sale orders (same partners, lines, shipping and
voucher lines) created and confirmed directly with the ORM, in the same database.
Also: the API calls made, against the fewest the platform's batch sizes allow.
"""

import argparse
import contextlib
import math
import os
import sys
import time
from datetime import datetime, timedelta, timezone

from bench.common import (
    ROOT,
    Server,
    create_shop,
    environment,
    loadavg,
    run_import,
    setup_odoo,
    shopee_products,
    write_result,
)
from tests.emulators.shopee import ShopeeEmulator, generate_catalogue, generate_orders


def prepare(registry, emulator, catalogue):
    with registry.cursor() as cr:
        env = environment(cr)
        shopee_products(env, catalogue)
        shop = create_shop(env, "shopee", emulator, name="Bench")
        return shop.id, shop.pricelist_id.id


def profiled(label, enabled):
    """A pyinstrument profiler written to bench/results/<label>_profile.txt."""
    if not enabled:
        return contextlib.nullcontext()
    from pyinstrument import Profiler

    @contextlib.contextmanager
    def run():
        profiler = Profiler()
        profiler.start()
        try:
            yield
        finally:
            profiler.stop()
            out = ROOT / "bench" / "results" / f"{label}_profile.txt"
            out.write_text(profiler.output_text(color=False, show_all=False))
            print(f"profile written to {out.relative_to(ROOT)}")

    return run()


def floor(registry, shop_id, orders, profile=False):
    """The same sale orders, straight through the ORM (and rolled back after)."""
    with registry.cursor() as cr, profiled("import_floor", profile):
        env = environment(cr)
        shop = env["entro.marketplace.shop"].browse(shop_id)
        client = shop._platform_client()
        fetched = client.get_orders([o["order_sn"] for o in orders])
        Binding = env["entro.marketplace.order"]
        started = time.perf_counter()
        for order in fetched:
            binding = Binding.new(
                {"shop_id": shop.id, "external_id": order.external_id}
            )
            lines = binding._prepare_lines(order)
            partner, shipping = env["res.partner"]._entro_buyer_partners(shop, order)
            sale = env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "partner_shipping_id": shipping.id,
                    "pricelist_id": shop.pricelist_id.id,
                    "order_line": [(0, 0, line) for line in lines],
                }
            )
            sale.action_confirm()
        env.flush_all()
        elapsed = time.perf_counter() - started
        cr.rollback()
    return elapsed


def flow_in_process(registry, shop_id, orders, profile=False):
    """The import job's own work, run in this process (rolled back after): where
    the flow's time goes, beside the floor's."""
    with registry.cursor() as cr:
        env = environment(cr)
        shop = env["entro.marketplace.shop"].browse(shop_id)
        ids = [o["order_sn"] for o in orders]
        started = time.perf_counter()
        with profiled("import_flow", profile):
            for start in range(0, len(ids), 50):
                shop._job_import_orders(ids[start : start + 50])
            env.flush_all()
        elapsed = time.perf_counter() - started
        cr.rollback()
    return elapsed


def flow(db, shop_id, n):
    with Server(db, channels="root:1") as server:
        return run_import(server, shop_id, n, timeout=3600)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh import_throughput")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="only profile N orders through the floor and the import job, "
        "in this process (pyinstrument; bench/results/import_*_profile.txt)",
    )
    args = parser.parse_args(argv)
    db = os.environ["ENTRO_BENCH_DB"]
    registry = setup_odoo(db)
    with ShopeeEmulator() as emulator:
        catalogue = generate_catalogue(20, 3, seed=args.seed)
        emulator.add_catalogue(catalogue)
        orders = generate_orders(
            args.orders,
            seed=args.seed,
            catalogue=catalogue,
            statuses=["READY_TO_SHIP"],
            start=datetime.now(timezone.utc) - timedelta(days=3),
            span=timedelta(days=3) - timedelta(minutes=5),
        )
        emulator.add_orders(orders)
        shop_id, _pricelist = prepare(registry, emulator, catalogue)
        if args.profile:
            sample = orders[: args.profile]
            floor_s = floor(registry, shop_id, sample, profile=True)
            flow_s = flow_in_process(registry, shop_id, sample, profile=True)
            print(
                f"{len(sample)} orders in this process: floor "
                f"{len(sample) / floor_s:.2f} orders/s, import job "
                f"{len(sample) / flow_s:.2f} orders/s"
            )
            return 0
        floor_s = floor(registry, shop_id, orders)
        emulator.journal.clear()
        flow_s, imported, failed = flow(db, shop_id, args.orders)
        calls = {}
        for entry in emulator.journal.entries():
            calls[entry.path] = calls.get(entry.path, 0) + 1
    n = args.orders
    minimum = math.ceil(n / 100) + math.ceil(n / 50) + math.ceil(n / 50)
    made = sum(calls.values())
    result = {
        "orders": n,
        "imported": imported,
        "failed_jobs": failed,
        "floor_orders_per_s": round(n / floor_s, 2),
        "flow_orders_per_s": round(imported / flow_s, 2),
        "ratio_to_floor": round((imported / flow_s) / (n / floor_s), 3),
        "api_calls": calls,
        "api_calls_per_1000_orders": round(made * 1000 / n, 1),
        "api_minimum_per_1000_orders": round(minimum * 1000 / n, 1),
        "api_ratio_to_minimum": round(made / minimum, 3),
        "note": "minimum = list pages of 100 + detail batches of 50 + escrow "
        "batches of 50 (the platform's largest)",
        "loadavg": loadavg(),
    }
    write_result("import_throughput", result)
    return 0 if failed == 0 and imported == n else 1


if __name__ == "__main__":
    sys.exit(main())
