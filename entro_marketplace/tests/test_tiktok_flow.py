"""TikTok Shop through the same framework: the Shopee acceptance (exactly-once
import with equal totals, webhooks replayed or out of order, forged ones, token
refresh, 5xx/429 bursts, unknown SKUs, stock once per changed SKU), the status
life with ON_HOLD and masked recipients, seller webhooks, and a seller with two
shops under one authorization."""

import math
from datetime import datetime, timedelta, timezone

import requests

from odoo.addons.entro_marketplace.platforms.transport import RateLimiter

from tests.emulators.tiktok import buyer_paid

from .jobs import run_one_round
from .tiktok_common import APP_KEY, APP_SECRET, SECOND_SHOP, SHOP_ID, TikTokFlowCase


class TestTikTokFlow(TikTokFlowCase):
    def test_import_exactly_once_with_equal_totals(self):
        orders = self.add_orders(200, seed=71)
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        bindings = self.bindings()
        self.assertEqual(len(bindings), len(orders))
        by_id = {o["id"]: o for o in orders}
        states = set()
        for binding in bindings:
            order = by_id[binding.external_id]
            states.add(binding.state)
            if order["status"] == "CANCELLED":
                self.assertFalse(binding.sale_order_id, "cancelled before import")
                continue
            self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
            sale = binding.sale_order_id
            self.assertEqual(sale.amount_total, buyer_paid(order), binding.external_id)
            lines = sale.order_line.filtered("entro_external_line_id")
            self.assertEqual(len(lines), len(order["line_items"]))
            confirmed = binding.state not in ("unpaid", "pending")
            self.assertEqual(sale.state, "sale" if confirmed else "draft")
        self.assertGreaterEqual(
            states, {"unpaid", "pending", "to_ship", "shipped", "completed"}
        )
        calls = self.emulator.journal.entries("/order/202309/orders", method="GET")
        self.assertEqual(len(calls), math.ceil(len(orders) / 50))
        searches = self.emulator.journal.entries("/orders/search")
        self.assertEqual(len(searches), math.ceil(len(orders) / 100))
        # again, from the start: nothing changes
        count = self.env["sale.order"].search_count([])
        self.shop.order_cursor = False
        self.sync()
        self.assertEqual(self.env["sale.order"].search_count([]), count)
        self.assertEqual(len(self.bindings()), len(orders))

    def test_on_hold_waits_then_ships_with_the_address(self):
        (order,) = self.add_orders(1, seed=72, statuses=["ON_HOLD"])
        self.sync()
        binding = self.bindings()
        sale = binding.sale_order_id
        self.assertEqual(binding.state, "pending")
        self.assertEqual(sale.state, "draft", "on hold: not confirmed, not shipped")
        self.assertFalse(sale.picking_ids)
        self.assertFalse(sale.partner_shipping_id.street)
        self.push([self.emulator.set_status(order["id"], "AWAITING_SHIPMENT")])
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(binding.state, "to_ship")
        self.assertEqual(sale.state, "sale")
        self.assertTrue(sale.picking_ids)
        self.assertEqual(sale.amount_total, buyer_paid(order))
        # the address TikTok withheld while on hold is there to ship to
        recipient = order["_recipient"]
        self.assertEqual(sale.partner_shipping_id.street, recipient["address_detail"])
        self.assertEqual(sale.picking_ids.partner_id, sale.partner_shipping_id)
        self.assertEqual(sale.partner_shipping_id.name, recipient["name"])

    def test_masked_buyers_meet_on_one_partner(self):
        first, second = self.add_orders(
            2, seed=73, statuses=["UNPAID", "AWAITING_SHIPMENT"]
        )
        second["user_id"] = first["user_id"]
        self.sync()
        sales = self.bindings().sale_order_id
        self.assertEqual(len(sales), 2)
        self.assertEqual(len(sales.partner_id), 1)
        partner = sales.partner_id
        self.assertNotIn("*", partner.name)
        self.assertFalse(partner.phone and "*" in partner.phone)
        self.assertEqual(partner.entro_buyer_key, f"tiktok:{first['user_id']}")

    def test_replayed_and_out_of_order_webhooks_change_nothing(self):
        orders = self.add_orders(10, seed=74, statuses=["AWAITING_SHIPMENT"])
        messages = []
        for order in orders:
            messages.append(self.emulator.set_status(order["id"], "ON_HOLD"))
            messages.append(self.emulator.set_status(order["id"], "AWAITING_SHIPMENT"))
            messages.append(
                self.emulator.set_status(order["id"], "AWAITING_COLLECTION")
            )
        statuses = self.push(messages, duplicate=3, shuffle=True, seed=5)
        self.assertEqual(set(statuses), {200})
        events = self.env["entro.marketplace.event"].sudo().search([])
        self.assertEqual(len(events), len(messages))  # one per distinct change
        run = self.run_jobs()
        self.assertFalse(run.failed)
        bindings = self.bindings()
        self.assertEqual(len(bindings), len(orders))
        self.assertEqual(set(bindings.mapped("status")), {"AWAITING_COLLECTION"})
        self.assertEqual(set(bindings.sale_order_id.mapped("state")), {"sale"})
        counts = bindings.mapped("update_count")
        sales = self.env["sale.order"].search_count([])
        # the same webhooks again (TikTok retries), and older ones: nothing new
        self.push(messages, duplicate=2)
        self.assertEqual(
            self.env["entro.marketplace.event"].sudo().search_count([]), len(events)
        )
        self.run_jobs()
        self.assertEqual(self.env["sale.order"].search_count([]), sales)
        self.assertEqual(bindings.mapped("update_count"), counts)

    def test_forged_webhook_refused_genuine_accepted(self):
        (order,) = self.add_orders(1, seed=75, statuses=["UNPAID"])
        message = self.emulator.set_status(order["id"], "AWAITING_SHIPMENT")
        headers, body = self.emulator.build_push(message, forge=True)
        self.assertEqual(self.post_webhook(headers, body).status_code, 401)
        headers, body = self.emulator.build_push(message, sign=False)
        self.assertEqual(self.post_webhook(headers, body).status_code, 401)
        self.assertFalse(self.env["entro.marketplace.event"].sudo().search([]))
        headers, body = self.emulator.build_push(message)
        response = self.post_webhook(headers, body)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        self.assertEqual(self.emulator.journal.count(), 0, "no API call in the request")
        self.run_jobs()
        self.assertEqual(self.bindings().sale_order_id.state, "sale")

    def test_expired_token_refreshed_once(self):
        self.add_orders(30, seed=76)
        self.emulator.expire_access_tokens()
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), 30)
        self.assertEqual(self.emulator.journal.count("/api/v2/token/refresh"), 1)
        self.assertGreater(
            self.shop.access_expires_at, datetime.now() + timedelta(days=6)
        )
        self.assertTrue(self.shop.authorization_expires_at)

    def test_5xx_and_429_bursts_lose_nothing(self):
        orders = self.add_orders(60, seed=77)
        self.emulator.faults.add("http_5xx", path_pattern="202309/orders$", count=2)
        self.emulator.faults.add(
            "http_429", path_pattern="orders/search", count=2, retry_after=1
        )
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), len(orders))
        statuses = [e.status for e in self.emulator.journal.entries()]
        self.assertEqual(statuses.count(429), 2)
        self.assertEqual(statuses.count(500), 2)

    def test_long_rate_limit_postpones_the_job(self):
        self.add_orders(3, seed=78)
        self.emulator.faults.add(
            "http_429", path_pattern="orders/search", count=1, retry_after=120
        )
        self.shop.action_sync_orders()
        run = run_one_round(self.env)
        # the Retry-After, plus the second queue_job's eta (kept to the second) loses
        self.assertEqual([seconds for _job, seconds in run.retried], [121])
        self.assertFalse(self.bindings())
        # meanwhile the shop's other calls in this process are held as long
        (limiter,) = RateLimiter._registry.values()
        self.assertGreater(limiter.held_for(), 100)
        # 120 s later (run_jobs does not wait for a job's eta): the hold is over
        RateLimiter.reset_registry()
        self.run_jobs()
        self.assertEqual(len(self.bindings()), 3)

    def test_unknown_sku_kept_in_exception(self):
        (order,) = self.add_orders(1, seed=79, statuses=["AWAITING_SHIPMENT"])
        sku = order["line_items"][0]["seller_sku"]
        self.env["product.product"].sudo().search(
            [("default_code", "=", sku)]
        ).active = False
        self.sync()
        binding = self.bindings()
        self.assertEqual(binding.sync_state, "exception")
        self.assertIn(sku, binding.exception_reason)
        self.assertTrue(binding.activity_ids)

    def test_stock_pushed_once_per_changed_sku(self):
        self.shop.action_import_listings()
        self.run_jobs()
        listings = self.env["entro.marketplace.listing"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(len(listings), len(self.products))
        self.assertEqual(set(listings.mapped("match_state")), {"matched"})
        # first push: every matched listing gets its value
        self.shop.action_push_stock()
        self.assertFalse(self.run_jobs().failed)
        self.assertEqual(
            len(self.emulator.journal.entries("/inventory/update")),
            len(set(listings.mapped("item_id"))),
        )
        self.assertFalse(listings.filtered("stock_dirty"))
        self.emulator.journal.clear()
        changed = listings[:5]
        for index, listing in enumerate(changed):
            self.set_stock(listing.product_id, 5 + index)
        self.run_jobs()
        calls = self.emulator.journal.entries("/inventory/update")
        pushed = [sku["id"] for call in calls for sku in call.json()["skus"]]
        self.assertEqual(sorted(pushed), sorted(changed.mapped("variant_id")))
        self.assertEqual(
            len(calls), len(set(changed.mapped("item_id"))), "one call per product"
        )
        for call in calls:
            product_id = call.path.split("/")[4]
            self.assertEqual(
                {s["id"] for s in call.json()["skus"]},
                set(
                    changed.filtered(lambda x, p=product_id: x.item_id == p).mapped(
                        "variant_id"
                    )
                ),
            )
        # nothing changed since: nothing sent
        self.emulator.journal.clear()
        self.shop._schedule_stock_push()
        self.run_jobs()
        self.assertEqual(self.emulator.journal.count("/inventory/update"), 0)

    def test_seller_webhooks_warn_and_disconnect(self):
        expiry = int(datetime.now(timezone.utc).timestamp()) + 10 * 86400
        self.push([self.emulator.seller_message(7, expiration_time=str(expiry))])
        self.assertTrue(
            self.shop.activity_ids.filtered(
                lambda a: a.summary == "Marketplace authorization ends soon"
            )
        )
        self.assertEqual(self.shop.state, "connected")
        self.push([self.emulator.seller_message(6)])
        self.assertEqual(self.shop.state, "disconnected")
        self.assertFalse(self.shop.has_tokens)
        self.assertTrue(
            self.shop.activity_ids.filtered(
                lambda a: a.summary == "Marketplace access revoked"
            )
        )


class TestTikTokTwoShops(TikTokFlowCase):
    shops = {SHOP_ID: "VN", SECOND_SHOP: "VN"}

    def test_one_authorization_serves_two_shops(self):
        shop = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .create(
                {
                    "name": "Seller on TikTok",
                    "platform": "tiktok",
                    "country_code": "vn",
                    "app_key": APP_KEY,
                    "app_secret": APP_SECRET,
                    "service_id": APP_KEY,
                    "api_base_url": self.emulator.base_url,
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
        self.assertEqual(shop.external_id, SHOP_ID)
        sibling = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .search([("platform", "=", "tiktok"), ("external_id", "=", SECOND_SHOP)])
        )
        self.assertEqual(sibling.credential_shop_id, shop)
        self.assertTrue(sibling.has_tokens)
        self.assertIn("Entro Demo VN 2", sibling.name)
        self.assertTrue(shop.authorization_expires_at)
        # each shop imports its own orders, with its own cipher, one token
        self.add_orders(3, seed=80, shop_id=SHOP_ID)
        self.add_orders(2, seed=81, shop_id=SECOND_SHOP)
        sibling.pricelist_id = self.pricelist
        self.emulator.expire_access_tokens()
        run = self.sync(sibling.with_env(self.env))
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        run = self.sync(shop.with_env(self.env))
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(len(self.bindings(sibling)), 2)
        self.assertEqual(len(self.bindings(shop)), 3)
        self.assertEqual(self.emulator.journal.count("/api/v2/token/refresh"), 1)
        self.assertEqual(
            shop._secrets()["access_token"], sibling._secrets()["access_token"]
        )
        self.assertEqual(
            self.env["entro.marketplace.credential"]
            .sudo()
            .search_count([("shop_id", "in", (shop | sibling).ids)]),
            1,
        )
        # a webhook of the second shop lands on the second shop
        order = next(
            o
            for o in self.emulator.store["orders"].values()
            if o["_shop_id"] == SECOND_SHOP
        )
        self.push([self.emulator.set_status(order["id"], "COMPLETED")])
        event = self.env["entro.marketplace.event"].sudo().search([], limit=1)
        self.assertEqual(event.shop_id, sibling)
        self.run_jobs()
        binding = self.bindings(sibling).filtered(
            lambda b: b.external_id == order["id"]
        )
        self.assertEqual(binding.state, "completed")
