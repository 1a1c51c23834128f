"""Lazada through the same framework: orders, item-level cancellation, webhooks,
tokens, stock, and a cross-border seller whose one token serves two countries."""

import math
from urllib.parse import parse_qs

import requests

from tests.emulators.lazada import buyer_paid

from .jobs import run_jobs
from .lazada_common import SELLER_ID, LazadaFlowCase


class TestLazadaFlow(LazadaFlowCase):
    def test_import_exactly_once_with_equal_totals(self):
        orders = self.add_orders(200, seed=71)
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        bindings = self.bindings()
        self.assertEqual(len(bindings), len(orders))
        by_id = {str(o["order_id"]): o for o in orders}
        partial = 0
        for binding in bindings:
            order = by_id[binding.external_id]
            statuses = {i["status"] for i in order["_items"]}
            if statuses == {"canceled"}:
                self.assertFalse(binding.sale_order_id, "all units cancelled")
                continue
            if "canceled" in statuses:
                partial += 1
            self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
            sale = binding.sale_order_id
            self.assertEqual(sale.amount_total, buyer_paid(order), binding.external_id)
            live = [i for i in order["_items"] if i["status"] != "canceled"]
            product_lines = sale.order_line.filtered("entro_external_line_id")
            self.assertEqual(len(product_lines), len(live))
        self.assertTrue(partial, "the generator makes some partial cancellations")
        calls = self.emulator.journal.entries("/orders/items/get")
        self.assertEqual(len(calls), math.ceil(len(orders) / 50))
        # again: nothing changes
        count = self.env["sale.order"].search_count([])
        self.shop.order_cursor = False
        self.sync()
        self.assertEqual(self.env["sale.order"].search_count([]), count)
        self.assertEqual(len(self.bindings()), len(orders))

    def test_a_unit_cancelled_after_import_leaves_the_sale_order(self):
        (order,) = self.add_orders(
            1, seed=72, statuses=[["pending", "pending", "pending"]]
        )
        self.sync()
        binding = self.bindings()
        sale = binding.sale_order_id
        self.assertEqual(sale.state, "sale")
        self.assertEqual(len(sale.order_line.filtered("entro_external_line_id")), 3)
        item = order["_items"][0]
        messages = self.emulator.set_item_status(
            order["order_id"], [item["order_item_id"]], "canceled"
        )
        self.push(messages, duplicate=2)
        run = run_jobs(self.env)
        self.assertFalse(run.failed)
        self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
        gone = sale.order_line.filtered(
            lambda sol: sol.entro_external_line_id == str(item["order_item_id"])
        )
        self.assertEqual(gone.product_uom_qty, 0)
        self.assertEqual(
            sum(
                sale.order_line.filtered("entro_external_line_id").mapped(
                    "product_uom_qty"
                )
            ),
            2,
        )
        stored = self.emulator.store["orders"][str(order["order_id"])]
        self.assertEqual(sale.amount_total, buyer_paid(stored))
        self.assertEqual(sale.state, "sale")
        # the reservation follows: two units left to deliver
        moves = sale.picking_ids.move_ids.filtered(lambda m: m.state != "cancel")
        self.assertEqual(sum(moves.mapped("product_uom_qty")), 2)
        # every unit cancelled: the order is cancelled
        self.push(self.emulator.set_item_status(order["order_id"], None, "canceled"))
        run_jobs(self.env)
        self.assertEqual(binding.state, "cancelled")
        self.assertEqual(sale.state, "cancel")

    def test_forged_push_refused_genuine_accepted(self):
        (order,) = self.add_orders(1, seed=73, statuses=[["pending"]])
        (message,) = self.emulator.set_item_status(
            order["order_id"], None, "ready_to_ship"
        )
        headers, body = self.emulator.build_push(message, forge=True)
        self.assertEqual(self.post_webhook(headers, body).status_code, 401)
        self.assertFalse(self.env["entro.marketplace.event"].sudo().search([]))
        headers, body = self.emulator.build_push(message)
        self.assertEqual(self.post_webhook(headers, body).status_code, 200)
        run_jobs(self.env)
        self.assertEqual(self.bindings().sale_order_id.state, "sale")

    def test_expired_token_refreshed_once(self):
        self.add_orders(30, seed=74)
        self.emulator.expire_access_tokens()
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), 30)
        self.assertEqual(self.emulator.journal.count("/auth/token/refresh"), 1)

    def test_unknown_sku_kept_in_exception(self):
        (order,) = self.add_orders(1, seed=75, statuses=[["pending"]])
        sku = order["_items"][0]["sku"]
        self.env["product.product"].sudo().search(
            [("default_code", "=", sku)]
        ).active = False
        self.sync()
        binding = self.bindings()
        self.assertEqual(binding.sync_state, "exception")
        self.assertIn(sku, binding.exception_reason)

    def test_stock_pushed_once_per_changed_sku_in_batches_of_50(self):
        self.shop.action_import_listings()
        run_jobs(self.env)
        listings = self.env["entro.marketplace.listing"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(len(listings), len(self.products))
        run_jobs(self.env)
        self.emulator.journal.clear()
        for index, product in enumerate(listings.product_id):
            quant = (
                self.env["stock.quant"]
                .with_context(inventory_mode=True)
                .create(
                    {
                        "product_id": product.id,
                        "location_id": self.warehouse.lot_stock_id.id,
                        "inventory_quantity": 5 + index,
                    }
                )
            )
            quant.action_apply_inventory()
        run_jobs(self.env)
        calls = self.emulator.journal.entries("/product/price_quantity/update")
        skus = []
        for call in calls:
            (payload,) = parse_qs(call.body.decode())["payload"]
            count = payload.count("<Sku>")
            self.assertLessEqual(count, 50)
            skus.append(count)
        self.assertEqual(sum(skus), len(listings))


class TestLazadaCrossBorder(LazadaFlowCase):
    sellers = {"vn": SELLER_ID, "sg": "300200"}

    def test_one_authorization_serves_two_countries(self):
        shop = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .create(
                {
                    "name": "Cross-border seller",
                    "platform": "lazada",
                    "country_code": "vn",
                    "app_key": "123456",
                    "app_secret": "test_app_secret",
                    "api_base_url": self.emulator.base_url + "/rest",
                    "warehouse_id": self.warehouse.id,
                    "pricelist_id": self.pricelist.id,
                    "rate_limit_per_s": 0,
                }
            )
        )
        self.shop.sudo().external_id = "other"  # keep the class shop out of the way
        action = shop.action_authorize()
        self.env.flush_all()
        consent = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(consent.status_code, 302)
        self.authenticate("admin", "admin")
        back = self.url_open(consent.headers["Location"], allow_redirects=False)
        self.assertIn(back.status_code, (302, 303), back.text[:300])
        self.env.invalidate_all()
        self.assertEqual(shop.state, "connected")
        self.assertEqual(shop.external_id, SELLER_ID)
        sibling = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .search([("platform", "=", "lazada"), ("external_id", "=", "300200")])
        )
        self.assertEqual(sibling.country_code, "sg")
        self.assertEqual(sibling.credential_shop_id, shop)
        self.assertTrue(sibling.has_tokens)
        self.assertEqual(
            sibling._secrets()["access_token"], shop._secrets()["access_token"]
        )
        # one credential for both: a refresh through one is seen by the other
        self.emulator.expire_access_tokens()
        self.add_orders(3, seed=76, seller_id="300200")
        sibling.pricelist_id = self.pricelist
        # the emulator's stand-in for api.lazada.sg (in production: no host set)
        sibling.api_base_url = self.emulator.base_url + "/sg/rest"
        run = self.sync(sibling.with_env(self.env))
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(len(self.bindings(sibling)), 3)
        self.assertEqual(
            shop._secrets()["access_token"], sibling._secrets()["access_token"]
        )
        self.assertEqual(
            self.env["entro.marketplace.credential"]
            .sudo()
            .search_count([("shop_id", "in", (shop | sibling).ids)]),
            1,
        )


class TestLazadaBatchesAndFaults(LazadaFlowCase):
    catalogue_items = 45  # more SKUs than one stock call may carry

    def test_stock_of_many_skus_in_calls_of_at_most_50(self):
        self.shop.action_import_listings()
        run_jobs(self.env)
        listings = self.env["entro.marketplace.listing"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertGreater(len(listings), 50)
        run_jobs(self.env)
        self.emulator.journal.clear()
        for index, product in enumerate(listings.product_id):
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "inventory_quantity": 7 + index,
                }
            ).action_apply_inventory()
        run_jobs(self.env)
        calls = self.emulator.journal.entries("/product/price_quantity/update")
        counts = [
            parse_qs(call.body.decode())["payload"][0].count("<Sku>") for call in calls
        ]
        self.assertEqual(sum(counts), len(listings))
        self.assertLessEqual(max(counts), 50)
        self.assertEqual(len(calls), math.ceil(len(listings) / 50))

    def test_5xx_and_429_bursts_lose_nothing(self):
        orders = self.add_orders(60, seed=77)
        self.emulator.faults.add("http_5xx", path_pattern="orders/items/get", count=2)
        self.emulator.faults.add(
            "http_429", path_pattern="orders/get", count=2, retry_after=1
        )
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), len(orders))
        statuses = [e.status for e in self.emulator.journal.entries()]
        self.assertEqual(statuses.count(429), 2)
        self.assertGreaterEqual(statuses.count(500), 2)
