"""Import throughput: orders/s through the real flow, against the ORM floor.

The flow: a real odoo-bin server whose own queue_job runner (one job at a time)
imports N orders of one platform (--platform: Shopee by default, or Lazada,
TikTok Shop, Tiki, or all four in turn) from its emulator after one
action_sync_orders over XML-RPC. The floor: the same sale orders (same partners,
lines, shipping and voucher lines) created and confirmed directly with the ORM, in
the same database, one at a time; and the batched ORM floor: the same, 50 at a
time (one create of 50 value dicts, one action_confirm of the 50), as the import
job does with a detail batch of new orders.
Also: the API calls made, against the fewest the platform's batch sizes allow
(bench/platforms.py). Results: bench/results/import_throughput.json (Shopee),
import_throughput_<platform>.json (the others).
"""

import argparse
import contextlib
import os
import re
import sys
import time

from bench import defaults
from bench.common import (
    ROOT,
    Server,
    create_shop,
    environment,
    loadavg,
    products,
    run_import,
    setup_odoo,
)
from bench.platforms import PLATFORMS

#: orders per create and confirmation of the batched ORM floor (a detail batch)
BATCHED_FLOOR = 50


def n_per_s(ids, seconds):
    return f"{len(ids) / seconds:.2f}"


def prepare(registry, platform, emulator, catalogue):
    with registry.cursor() as cr:
        env = environment(cr)
        products(env, platform.skus(catalogue))
        shop = create_shop(env, platform.name, emulator, name="Bench")
        return shop.id


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


def sale_values(env, shop, order):
    """The sale order of a platform order, as the floors create it."""
    binding = env["entro.marketplace.order"].new(
        {"shop_id": shop.id, "external_id": order.external_id}
    )
    lines = binding._prepare_lines(order)
    partner, shipping = env["res.partner"]._entro_buyer_partners(shop, order)
    return {
        "partner_id": partner.id,
        "partner_shipping_id": shipping.id,
        "pricelist_id": shop.pricelist_id.id,
        "order_line": [(0, 0, line) for line in lines],
    }


def floor(registry, shop_id, ids, profile=False, batch=1):
    """The same sale orders, straight through the ORM (and rolled back after),
    ``batch`` at a time: one create of their values, one action_confirm."""
    label = "import_floor" if batch == 1 else "import_floor_batched"
    with registry.cursor() as cr, profiled(label, profile):
        env = environment(cr)
        shop = env["entro.marketplace.shop"].browse(shop_id)
        client = shop._platform_client()
        fetched = client.get_orders(ids)
        started = time.perf_counter()
        for start in range(0, len(fetched), batch):
            values = [
                sale_values(env, shop, order)
                for order in fetched[start : start + batch]
            ]
            env["sale.order"].create(values).action_confirm()
        env.flush_all()
        elapsed = time.perf_counter() - started
        cr.rollback()
    return elapsed


def flow_in_process(registry, shop_id, ids, profile=False):
    """The import job's own work, run in this process (rolled back after): where
    the flow's time goes, beside the floor's."""
    with registry.cursor() as cr:
        env = environment(cr)
        shop = env["entro.marketplace.shop"].browse(shop_id)
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
        return run_import(server, shop_id, n, timeout=3600, step=2)


def measure(registry, db, platform, args):
    """One platform: the floor, then the flow, and the calls the flow made."""
    with platform.emulator() as emulator:
        catalogue = platform.catalogue(20, args.seed)
        emulator.add_catalogue(catalogue)
        orders = platform.generate(emulator, catalogue, args.orders, args.seed)
        emulator.add_orders(orders)
        ids = [platform.order_id(o) for o in orders]
        shop_id = prepare(registry, platform, emulator, catalogue)
        if args.profile:
            sample = ids[: args.profile]
            floor_s = floor(registry, shop_id, sample, profile=True)
            batched_s = floor(
                registry, shop_id, sample, profile=True, batch=BATCHED_FLOOR
            )
            flow_s = flow_in_process(registry, shop_id, sample, profile=True)
            print(
                f"{platform.name}, {len(sample)} orders in this process: floor "
                f"{len(sample) / floor_s:.2f} orders/s, batched floor "
                f"{len(sample) / batched_s:.2f} orders/s, import job "
                f"{len(sample) / flow_s:.2f} orders/s"
            )
            return None
        floor_s = floor(registry, shop_id, ids)
        batched_s = floor(registry, shop_id, ids, batch=BATCHED_FLOOR)
        print(
            f"{platform.name}: ORM floor {n_per_s(ids, floor_s)} orders/s one at "
            f"a time, batched ORM floor {n_per_s(ids, batched_s)} orders/s "
            f"{BATCHED_FLOOR} at a time"
        )
        emulator.journal.clear()
        flow_s, imported, failed = flow(db, shop_id, args.orders)
        calls = {}
        for entry in emulator.journal.entries():
            # one key per endpoint: Tiki and TikTok put order ids in the path
            path = re.sub(r"/\d{7,}", "/{id}", entry.path)
            calls[path] = calls.get(path, 0) + 1
    n = args.orders
    minimum, how = platform.minimum_calls(n)
    made = sum(calls.values())
    return {
        "platform": platform.name,
        "orders": n,
        "imported": imported,
        "failed_jobs": failed,
        "floor_orders_per_s": round(n / floor_s, 2),
        "batched_floor_orders_per_s": round(n / batched_s, 2),
        "flow_orders_per_s": round(imported / flow_s, 2),
        "ratio_to_floor": round((imported / flow_s) / (n / floor_s), 3),
        "ratio_to_batched_floor": round((imported / flow_s) / (n / batched_s), 3),
        "api_calls": calls,
        "api_calls_per_1000_orders": round(made * 1000 / n, 1),
        "api_minimum_per_1000_orders": round(minimum * 1000 / n, 1),
        "api_ratio_to_minimum": round(made / minimum, 3),
        "note": f"minimum = {how}",
        "loadavg": loadavg(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh import_throughput")
    defaults.add_arguments(parser)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--platform",
        default="shopee",
        choices=[*PLATFORMS, "all"],
        help="the platform whose orders are imported (all: each in turn)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="only profile N orders through the floor and the import job, "
        "in this process (pyinstrument; bench/results/import_*_profile.txt)",
    )
    args = parser.parse_args(argv)
    if args.profile and args.config == "defaults":
        parser.error("--profile profiles the one-job configuration's job")
    db = os.environ["ENTRO_BENCH_DB"]
    registry = setup_odoo(db)
    names = list(PLATFORMS) if args.platform == "all" else [args.platform]
    ok = True
    for name in names:
        result = figures = None
        if args.config != "defaults":
            result = measure(registry, db, PLATFORMS[name], args)
            if result is None:
                continue
            ok = ok and result["failed_jobs"] == 0 and result["imported"] == args.orders
        if args.config != "one-job":
            figures = defaults.measure(registry, db, PLATFORMS[name], args, result)
            ok = ok and defaults.passed(figures, args.orders)
        defaults.save(
            "import_throughput" + ("" if name == "shopee" else f"_{name}"),
            result,
            figures,
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
