"""Latency, with ONE queue_job worker: webhook received -> sale order confirmed, and
stock changed -> platform updated; p50/p95 over N events each.

A real odoo-bin serves the webhook controller and runs its own queue_job runner
(channel capacity 1). The Shopee emulator sends signed pushes over HTTP at a steady
rate; the time an order is confirmed is when the sale order is first seen
confirmed in the database (polled every 50 ms from here). Stock changes are
inventory adjustments committed here, one at a time; the platform is updated when
the emulator receives the update_stock call carrying the new quantity. The stock
figures are measured for each push delay asked for (the per-shop debounce): the
baseline is the delay itself, which no push can beat.
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

import psycopg2.errors

from bench.common import (
    Server,
    create_shop,
    environment,
    loadavg,
    percentile,
    setup_odoo,
    write_result,
)
from tests.emulators.shopee import ShopeeEmulator, generate_catalogue, generate_orders


def prepare(registry, emulator, catalogue):
    with registry.cursor() as cr:
        env = environment(cr)
        skus = [m["model_sku"] for i in catalogue for m in i["models"]] + [
            i["item_sku"] for i in catalogue if not i["models"]
        ]
        env["product.product"].create(
            [{"name": s, "default_code": s, "is_storable": True} for s in skus]
        )
        shop = create_shop(env, "shopee", emulator)
        cr.commit()
        shop._job_import_listings()
        listings = env["entro.marketplace.listing"].search([("shop_id", "=", shop.id)])
        listings.write({"stock_dirty": False})
        return shop.id


class Watcher(threading.Thread):
    """First time each platform order is seen with a confirmed sale order."""

    def __init__(self, registry, shop_id):
        super().__init__(daemon=True)
        self.registry, self.shop_id = registry, shop_id
        self.seen = {}
        self.stop = threading.Event()

    def run(self):
        with self.registry.cursor() as cr:
            while not self.stop.is_set():
                cr.execute(
                    """
                    SELECT b.external_id FROM entro_marketplace_order b
                      JOIN sale_order s ON s.id = b.sale_order_id
                     WHERE b.shop_id = %s AND s.state = 'sale'
                    """,
                    [self.shop_id],
                )
                now = time.time()
                for (ref,) in cr.fetchall():
                    self.seen.setdefault(ref, now)
                cr.rollback()  # a fresh snapshot each time
                time.sleep(0.05)


def order_latency(registry, server, emulator, catalogue, shop_id, n, rate, seed):
    orders = generate_orders(
        n,
        seed=seed,
        catalogue=catalogue,
        shop_id=emulator.shop_id,
        statuses=["UNPAID"],
        start=datetime.now(timezone.utc) - timedelta(hours=1),
        span=timedelta(minutes=50),
    )
    emulator.add_orders(orders)
    # the unpaid orders are known already (an earlier sync): the push that a
    # payment sends is what turns each into a confirmed sale order
    server.rpc("entro.marketplace.shop", "action_sync_orders", [shop_id])
    server.wait_idle()
    watcher = Watcher(registry, shop_id)
    watcher.start()
    url = f"{server.url}/entro/webhook/shopee"
    sent = {}
    started = time.time()
    for index, order in enumerate(orders):
        time.sleep(max(0.0, started + index / rate - time.time()))
        message = emulator.set_status(order["order_sn"], "READY_TO_SHIP")
        sent[order["order_sn"]] = time.time()
        statuses = emulator.push(url, [message])
        if statuses != [200]:
            raise RuntimeError(f"push refused: {statuses}")
    deadline = time.time() + 600
    while len(watcher.seen) < n and time.time() < deadline:
        time.sleep(0.2)
    watcher.stop.set()
    watcher.join()
    latencies = [watcher.seen[sn] - t for sn, t in sent.items() if sn in watcher.seen]
    return latencies, n - len(latencies)


def adjust(registry, product_id, location, rng):
    """One inventory adjustment of one product, committed; its new quantity."""
    with registry.cursor() as cr:
        env = environment(cr)
        product = env["product.product"].browse(product_id)
        quantity = int(product.qty_available) + rng.randint(1, 5)
        env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product_id,
                "location_id": location,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()
        cr.commit()
    return quantity


def stock_latency(registry, server, emulator, shop_id, n, rate, delay, seed):
    rng = random.Random(seed)
    with registry.cursor() as cr:
        env = environment(cr)
        env["entro.marketplace.shop"].browse(shop_id).push_delay = delay
        listings = env["entro.marketplace.listing"].search(
            [("shop_id", "=", shop_id), ("product_id", "!=", False)]
        )
        targets = [
            (rec.product_id.id, int(rec.item_id), int(rec.variant_id))
            for rec in listings
        ]
        location = env["stock.warehouse"].search([], limit=1).lot_stock_id.id
    server.wait_idle()
    emulator.journal.clear()
    changes = []  # (time committed, item id, model id, new quantity)
    started = time.time()
    for index in range(n):
        time.sleep(max(0.0, started + index / rate - time.time()))
        product_id, item_id, model_id = rng.choice(targets)
        for _attempt in range(5):
            try:
                quantity = adjust(registry, product_id, location, rng)
                break
            except psycopg2.errors.SerializationFailure:
                continue  # a push ran meanwhile: as Odoo would, try again
        changes.append((time.time(), item_id, model_id, quantity))
    server.wait_idle(timeout=delay + 600)
    pushed = []  # (time received, item id, model id, quantity)
    for entry in emulator.journal.entries("/api/v2/product/update_stock"):
        if entry.status != 200:
            continue
        body = entry.json()
        for row in body["stock_list"]:
            stock = row["seller_stock"][0]["stock"]
            pushed.append((entry.at, body["item_id"], row.get("model_id", 0), stock))
    latencies, lost = [], 0
    for at, item_id, model_id, _quantity in changes:
        # the first push of this variant after the change, with that quantity or
        # a later one (a later change to the same variant supersedes it)
        match = next(
            (
                p_at
                for p_at, p_item, p_model, _q in pushed
                if p_at >= at and p_item == item_id and p_model == model_id
            ),
            None,
        )
        if match is None:
            lost += 1
        else:
            latencies.append(match - at)
    return (
        latencies,
        lost,
        len(emulator.journal.entries("/api/v2/product/update_stock")),
    )


def summary(latencies, goal):
    return {
        "events": len(latencies),
        "p50_s": round(percentile(latencies, 50), 3) if latencies else None,
        "p95_s": round(percentile(latencies, 95), 3) if latencies else None,
        "max_s": round(max(latencies), 3) if latencies else None,
        "goal_p95_s": goal,
        "loadavg": loadavg(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh latency")
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--rate", type=float, default=3.0, help="events per second")
    parser.add_argument(
        "--push-delays",
        default="0,5,30",
        help="stock push delays (s) to measure, comma-separated (30: the old default)",
    )
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args(argv)
    db = os.environ["ENTRO_BENCH_DB"]
    registry = setup_odoo(db)
    delays = [int(d) for d in args.push_delays.split(",") if d.strip()]
    result = {"events": args.events, "rate_per_s": args.rate, "workers": 1}
    with ShopeeEmulator() as emulator:
        catalogue = generate_catalogue(30, 3, seed=args.seed)
        emulator.add_catalogue(catalogue)
        shop_id = prepare(registry, emulator, catalogue)
        with Server(db, channels="root:1", logname="bench-latency") as server:
            with registry.cursor() as cr:
                environment(cr)["ir.config_parameter"].set_param(
                    "entro_marketplace.public_base_url", server.url
                )
            latencies, missing = order_latency(
                registry,
                server,
                emulator,
                catalogue,
                shop_id,
                args.events,
                args.rate,
                args.seed,
            )
            result["webhook_to_confirmed"] = dict(
                summary(latencies, 5.0), not_confirmed=missing
            )
            print(json.dumps(result["webhook_to_confirmed"]))
            result["stock_to_platform"] = {}
            for delay in delays:
                latencies, lost, calls = stock_latency(
                    registry,
                    server,
                    emulator,
                    shop_id,
                    args.events,
                    args.rate,
                    delay,
                    args.seed,
                )
                row = dict(
                    summary(latencies, 10.0),
                    push_delay_s=delay,
                    not_pushed=lost,
                    update_stock_calls=calls,
                    baseline_s=delay,
                )
                result["stock_to_platform"][f"push_delay_{delay}s"] = row
                print(json.dumps(row))
    write_result("latency", result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
