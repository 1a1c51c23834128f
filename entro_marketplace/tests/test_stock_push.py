"""Listings matched by SKU; stock pushed once per change, in batches of at most 50."""

import json
from collections import Counter
from datetime import datetime, timedelta, timezone

from tests.emulators.shopee import generate_orders

from .common import SHOP_ID, ShopeeFlowCase


class TestListingsAndStock(ShopeeFlowCase):
    catalogue_items = 105  # over 200 item variants

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.flush_all()

    def import_listings(self):
        self.shop.action_import_listings()
        run = self.run_jobs()
        self.assertFalse(run.failed)
        return self.env["entro.marketplace.listing"].search(
            [("shop_id", "=", self.shop.id)]
        )

    def stock_calls(self):
        return [
            json.loads(entry.body)
            for entry in self.emulator.journal.entries("/api/v2/product/update_stock")
        ]

    def pushed_values(self):
        pushed = Counter()
        values = {}
        for call in self.stock_calls():
            for row in call["stock_list"]:
                key = (str(call["item_id"]), str(row["model_id"]))
                pushed[key] += 1
                values[key] = row["seller_stock"][0]["stock"]
        return pushed, values

    def test_listings_matched_by_sku_and_unmatched_reported(self):
        sku = self._variant_skus(self.catalogue)[0]
        self.products.filtered(lambda p: p.default_code == sku).default_code = "OTHER"
        listings = self.import_listings()
        self.assertEqual(len(listings), len(self._variant_skus(self.catalogue)))
        unmatched = listings.filtered(lambda rec: rec.match_state == "unmatched")
        self.assertEqual(unmatched.mapped("sku"), [sku])
        for listing in listings - unmatched:
            self.assertEqual(listing.product_id.default_code, listing.sku)
        self.assertIn(
            "Listings without a product", self.shop.activity_ids.mapped("summary")
        )
        # a person maps it by hand; a new import keeps the mapping
        product = self.products.filtered(lambda p: p.default_code == "OTHER")
        unmatched.product_id = product
        listings = self.import_listings()
        self.assertFalse(listings.filtered(lambda rec: rec.match_state == "unmatched"))
        self.assertEqual(unmatched.product_id, product)

    def test_stock_changes_pushed_once_in_batches_of_50(self):
        listings = self.import_listings()
        self.assertGreaterEqual(len(listings), 200)
        # first push: every matched listing gets its value
        self.run_jobs()
        self.emulator.journal.clear()

        products = listings.product_id
        for index, product in enumerate(products):
            self.set_stock(product, 10 + index)
        run = self.run_jobs()
        self.assertFalse(run.failed)

        calls = self.stock_calls()
        pushed, values = self.pushed_values()
        self.assertEqual(len(pushed), len(listings))
        self.assertEqual(set(pushed.values()), {1}, "a value was pushed twice")
        for call in calls:
            self.assertLessEqual(len(call["stock_list"]), 50)
        # as few calls as per-item batches of 50 allow: one per item here
        self.assertEqual(len(calls), len({listing.item_id for listing in listings}))
        for listing in listings:
            key = (listing.item_id, listing.variant_id)
            self.assertEqual(values[key], int(listing.product_id.free_qty))
            self.assertEqual(listing.last_pushed_qty, values[key])
            self.assertFalse(listing.stock_dirty)

        # nothing changed: nothing is sent, even when asked to push everything
        self.emulator.journal.clear()
        self.shop.action_push_stock()
        self.run_jobs()
        self.assertEqual(self.stock_calls(), [])

        # five products change: five values are sent
        for product in products[:5]:
            self.set_stock(product, 1)
        self.run_jobs()
        pushed, values = self.pushed_values()
        self.assertEqual(len(pushed), 5)
        self.assertEqual(set(values.values()), {1})

    def test_reservations_and_safety_stock_lower_what_is_pushed(self):
        listings = self.import_listings()
        listing = listings[0]
        self.set_stock(listing.product_id, 20)
        self.run_jobs()
        self.shop.stock_buffer = 3
        self.emulator.journal.clear()
        sale = self.env["sale.order"].create(
            {
                "partner_id": self.env.user.partner_id.id,
                "warehouse_id": self.warehouse.id,
                "order_line": self.order_lines_command(listing.product_id, 5),
            }
        )
        sale.action_confirm()
        self.run_jobs()
        _pushed, values = self.pushed_values()
        self.assertEqual(values[(listing.item_id, listing.variant_id)], 20 - 5 - 3)

    def test_stock_of_another_warehouse_is_not_pushed(self):
        listings = self.import_listings()
        self.run_jobs()
        self.emulator.journal.clear()
        # an administrator sets up the second warehouse
        other = (
            self.env["stock.warehouse"].sudo().create({"name": "Hà Nội", "code": "HN"})
        )
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": listings[0].product_id.id,
                "location_id": other.lot_stock_id.id,
                "inventory_quantity": 50,
            }
        ).action_apply_inventory()
        self.run_jobs()
        self.assertEqual(self.stock_calls(), [])

    def test_an_import_queues_one_follow_up_push_not_one_per_order(self):
        """A push about to start may miss an import's reservations: the import
        queues one follow-up push, whatever the number of orders it reserves."""
        self.import_listings()
        items = self.catalogue[:2]  # the orders' products, in stock
        skus = self._variant_skus(items)
        for product in self.products.filtered(lambda p: p.default_code in skus):
            self.set_stock(product, 500)
        self.run_jobs()
        now = datetime.now(timezone.utc)
        orders = generate_orders(
            10,
            seed=21,
            catalogue=items,
            shop_id=SHOP_ID,
            statuses=["READY_TO_SHIP"],
            start=now - timedelta(days=1),
            span=timedelta(hours=12),
        )
        self.emulator.add_orders(orders)
        # a push the runner has taken: it may start before the import commits
        (starting,) = self.shop._schedule_stock_push()
        Job = self.env["queue.job"].sudo()
        Job.search([("uuid", "=", starting.uuid)]).state = "enqueued"
        self.shop._job_import_orders([o["order_sn"] for o in orders])
        self.assertEqual(set(self.bindings().sale_order_id.mapped("state")), {"sale"})
        follow_ups = Job.search(
            [("method_name", "=", "_job_push_stock"), ("state", "=", "pending")]
        )
        self.assertEqual(len(follow_ups), 1, follow_ups.mapped("identity_key"))

    def test_price_push_from_pricelist_only_when_changed(self):
        listings = self.import_listings()
        self.shop.action_push_prices()
        self.run_jobs()
        calls = self.emulator.journal.entries("/api/v2/product/update_price")
        self.assertEqual(
            sum(len(json.loads(c.body)["price_list"]) for c in calls), len(listings)
        )
        self.emulator.journal.clear()
        self.shop.action_push_prices()
        self.run_jobs()
        self.assertFalse(self.emulator.journal.entries("/api/v2/product/update_price"))
        listings[0].product_id.lst_price = 123000
        self.shop.action_push_prices()
        self.run_jobs()
        (call,) = self.emulator.journal.entries("/api/v2/product/update_price")
        self.assertEqual(
            json.loads(call.body)["price_list"][0]["original_price"], 123000
        )
