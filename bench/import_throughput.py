"""Import throughput: orders/s through the real flow, against the ORM floor.

The flow: a real odoo-bin server whose own queue_job runner (one job at a time)
imports N Shopee orders from the emulator after one action_sync_orders over
XML-RPC. The floor: the same sale orders (same partners, lines, shipping and
voucher lines) created and confirmed directly with the ORM, in the same database.
Also: the API calls made, against the fewest the platform's batch sizes allow.
"""

import argparse
import json
import math
import os
import subprocess
import sys
import time
import xmlrpc.client
from datetime import datetime, timedelta, timezone
from pathlib import Path

import odoo
from odoo import api
from odoo.modules.registry import Registry

from tests.conftest import free_port
from tests.emulators.shopee import ShopeeEmulator, generate_catalogue, generate_orders

ROOT = Path(__file__).resolve().parent.parent


def setup_odoo(db):
    odoo.tools.config.parse_config(["-c", os.environ["ODOO_RC"], "-d", db])
    return Registry(db)


def prepare(registry, emulator, catalogue):
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
        vnd = env.ref("base.VND")
        vnd.active = True
        pricelist = env["product.pricelist"].create(
            {"name": "VND", "currency_id": vnd.id}
        )
        skus = [m["model_sku"] for i in catalogue for m in i["models"]] + [
            i["item_sku"] for i in catalogue if not i["models"]
        ]
        env["product.product"].create(
            [{"name": s, "default_code": s, "is_storable": True} for s in skus]
        )
        tokens = emulator.issue_tokens()
        shop = env["entro.marketplace.shop"].create(
            {
                "name": "Bench",
                "platform": "shopee",
                "app_key": str(emulator.partner_id),
                "app_secret": emulator.partner_key,
                "external_id": str(emulator.shop_id),
                "api_base_url": emulator.base_url,
                "pricelist_id": pricelist.id,
                "rate_limit_per_s": 0,
                "state": "connected",
            }
        )
        from odoo.addons.entro_marketplace.platforms.records import TokenSet

        shop._write_tokens(
            TokenSet(
                tokens["access_token"],
                tokens["refresh_token"],
                datetime.now(timezone.utc) + timedelta(hours=4),
            )
        )
        env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1")
        return shop.id, pricelist.id


def floor(registry, shop_id, orders):
    """The same sale orders, straight through the ORM (and rolled back after)."""
    with registry.cursor() as cr:
        env = api.Environment(cr, odoo.SUPERUSER_ID, {})
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


def flow(db, shop_id, n, port):
    logfile = Path(os.environ["ENTRO_STATE"]) / "log" / "bench-server.log"
    cmd = [
        sys.executable,
        str(Path(os.environ["ODOO_TREE"]) / "odoo-bin"),
        "-c",
        os.environ["ODOO_RC"],
        "-d",
        db,
        f"--db-filter=^{db}$",
        f"--http-port={port}",
        f"--gevent-port={free_port()}",
        f"--logfile={logfile}",
        "--max-cron-threads=0",
        "--log-level=warn",
    ]
    env = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS="root:1")
    server = subprocess.Popen(cmd, env=env)  # our own command line
    try:
        common = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/common")
        for _ in range(120):
            try:
                common.version()
                break
            except OSError:
                time.sleep(0.5)
        uid = common.authenticate(db, "admin", "admin", {})
        models = xmlrpc.client.ServerProxy(f"http://127.0.0.1:{port}/xmlrpc/2/object")

        def rpc(model, method, *args, **kw):
            return models.execute_kw(db, uid, "admin", model, method, list(args), kw)

        started = time.perf_counter()
        rpc("entro.marketplace.shop", "action_sync_orders", [shop_id])
        deadline = started + 3600
        while time.perf_counter() < deadline:
            done = rpc(
                "entro.marketplace.order",
                "search_count",
                [("shop_id", "=", shop_id), ("sale_order_id", "!=", False)],
            )
            pending = rpc(
                "queue.job",
                "search_count",
                [("state", "in", ("pending", "enqueued", "started"))],
            )
            if done >= n and not pending:
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        failed = rpc("queue.job", "search_count", [("state", "=", "failed")])
        return elapsed, done, failed
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh import_throughput")
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
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
        floor_s = floor(registry, shop_id, orders)
        emulator.journal.clear()
        flow_s, imported, failed = flow(db, shop_id, args.orders, free_port())
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
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / "import_throughput.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0 if failed == 0 and imported == n else 1


if __name__ == "__main__":
    sys.exit(main())
