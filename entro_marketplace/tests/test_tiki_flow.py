"""Tiki through the same framework: orders, the event queue in place of webhooks
(pull, store, acknowledge after the commit), tokens, 429 bursts, stock."""

import math

import requests

from tests.emulators.tiki import buyer_paid

from .tiki_common import SELLER_ID, TikiFlowCase


class Crash(Exception):
    """The worker dies between the pull and the commit."""


class TestTikiFlow(TikiFlowCase):
    def test_import_exactly_once_with_equal_totals(self):
        orders = self.add_orders(120, seed=81)
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        bindings = self.bindings()
        self.assertEqual(len(bindings), len(orders))
        by_code = {o["code"]: o for o in orders}
        no_phone = 0
        for binding in bindings:
            order = by_code[binding.external_id]
            if order["status"] == "canceled":
                self.assertFalse(binding.sale_order_id)
                continue
            self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
            sale = binding.sale_order_id
            self.assertEqual(sale.amount_total, buyer_paid(order), binding.external_id)
            self.assertEqual(
                len(sale.order_line.filtered("entro_external_line_id")),
                len(order["items"]),
            )
            no_phone += not order["shipping"]["address"]["phone"]
        self.assertTrue(no_phone, "orders without the buyer's phone are imported")
        # the first status a seller acts upon confirms the order
        queueing = bindings.filtered(lambda b: b.status == "queueing")
        self.assertTrue(queueing)
        self.assertEqual(set(queueing.mapped("state")), {"to_ship"})
        self.assertEqual(set(queueing.sale_order_id.mapped("state")), {"sale"})
        # orders read 50 at a time from the list filtered by code, with their
        # items and fees; none alone
        reads = [
            e
            for e in self.emulator.journal.entries("/integration/v2/orders")
            if "code" in e.query
        ]
        self.assertEqual(len(reads), math.ceil(len(orders) / 50))
        for read in reads:
            self.assertIn("items.fees", read.query["include"][0])
            self.assertLessEqual(len(read.query["code"][0].split(",")), 50)
        self.assertEqual(self.emulator.journal.count("/integration/v2/orders/"), 0)
        # again: nothing changes
        count = self.env["sale.order"].search_count([])
        self.shop.order_cursor = False
        self.sync()
        self.assertEqual(self.env["sale.order"].search_count([]), count)
        self.assertEqual(len(self.bindings()), len(orders))

    def test_buyer_without_id_or_phone_goes_to_the_shop_default_customer(self):
        (order,) = self.add_orders(1, seed=82, statuses=["queueing"])
        order["customer"] = {}
        order["shipping"]["address"]["phone"] = ""
        self.sync()
        binding = self.bindings()
        self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
        partner = binding.sale_order_id.partner_id
        self.assertEqual(partner.entro_buyer_key, f"tiki:shop:{self.shop.id}")
        self.assertEqual(binding.sale_order_id.state, "sale")

    def test_events_pulled_imported_once_and_acknowledged(self):
        orders = self.add_orders(15, seed=83, statuses=["queueing"], emit=True)
        run = self.pull()  # first pull: queue created and subscribed, nothing yet
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertTrue(self.shop.tiki_queue_code)
        self.assertTrue(self.shop.tiki_subscribed)
        code = self.shop.tiki_queue_code
        subs = self.emulator.store["queues"][code]["subscriptions"]
        self.assertEqual(
            {s["event_type"] for s in subs},
            {
                "ORDER_CREATED_SUCCESSFULLY",
                "ORDER_STATUS_UPDATED",
                "PRODUCT_PRICE_UPDATED",
                "PRODUCT_MARKET_PRICE_UPDATED",
                "PRODUCT_INVENTORY_UPDATED",
            },
        )
        self.assertEqual({s["sid"] for s in subs}, {SELLER_ID})
        # events emitted from now on reach the queue
        for order in orders:
            self.emulator.emit(SELLER_ID, "ORDER_CREATED_SUCCESSFULLY", order)
        run = self.pull()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(len(self.bindings()), 15)
        self.assertEqual(len(self.events()), 15)
        self.assertEqual(set(self.events().mapped("source")), {"queue"})
        # the last pull found the queue empty after acknowledging everything
        self.assertEqual(self.emulator.pending_events(code), 0)
        # a status change flows through the queue; a replay changes nothing
        self.emulator.set_status(orders[0]["code"], "shipping")
        self.pull()
        binding = self.bindings().filtered(lambda b: b.external_id == orders[0]["code"])
        self.assertEqual(binding.state, "shipped")
        updates = binding.update_count
        raw = self.events()[0].payload
        with self.emulator.store.lock:
            self.emulator.store["queues"][code]["events"].append(
                {"event": dict(raw), "visible_at": 0.0, "acked": False}
            )
        self.pull()
        self.assertEqual(len(self.events()), 16)
        self.assertEqual(binding.update_count, updates)
        self.assertEqual(len(self.bindings()), 15)

    def test_crash_between_pull_and_commit_loses_and_duplicates_nothing(self):
        self.pull()  # queue and subscriptions
        code = self.shop.tiki_queue_code
        orders = self.add_orders(3, seed=84, statuses=["queueing"], emit=True)
        pulls = self.emulator.journal.count("/events/pull")
        with self.assertRaises(Crash), self.env.cr.savepoint():
            self.shop._job_tiki_pull_events()
            self.assertEqual(len(self.events()), 3)
            raise Crash()  # before the commit: the transaction is lost
        self.env.invalidate_all()
        self.assertEqual(self.emulator.journal.count("/events/pull"), pulls + 1)
        self.assertFalse(self.events())
        self.assertFalse(self.bindings())
        # Tiki got no acknowledgement: the events are still there, in flight
        self.assertEqual(self.emulator.pending_events(code), 3)
        self.pull()
        self.assertFalse(self.bindings(), "still invisible: nothing to import yet")
        # after the visibility timeout they come again, and are taken once
        self.emulator.advance(self.emulator.visibility_timeout + 1)
        run = self.pull()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(
            sorted(self.bindings().mapped("external_id")),
            sorted(o["code"] for o in orders),
        )
        self.assertEqual(len(self.events()), 3)
        self.assertEqual(self.emulator.pending_events(code), 0)
        self.assertEqual(self.env["sale.order"].search_count([]), 3)

    def test_deferred_when_the_plan_is_not_real_time(self):
        self.pull()
        self.add_orders(2, seed=85, statuses=["queueing"], emit=True)
        cls = type(self.env["entro.marketplace.shop"])
        cls._accepts_realtime = lambda shop: False
        self.addCleanup(delattr, cls, "_accepts_realtime")
        self.shop.tiki_last_pull_at = False
        self.pull()  # never pulled: pulled now, the imports left to the sync
        self.assertEqual(set(self.events().mapped("state")), {"deferred"})
        self.assertFalse(self.bindings())
        pulls = self.emulator.journal.count("/events/pull")
        self.pull()  # pulled a moment ago: waits for the plan's interval
        self.assertEqual(self.emulator.journal.count("/events/pull"), pulls)

    def test_expired_token_refreshed_once(self):
        self.add_orders(30, seed=86)
        self.emulator.expire_access_tokens()
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), 30)
        self.assertEqual(self.emulator.journal.count("/sc/oauth2/token"), 1)

    def test_429_and_5xx_bursts_lose_nothing(self):
        orders = self.add_orders(40, seed=87)
        # on the list pages, and on the reads of orders (the list by code)
        self.emulator.faults.add(
            "http_429",
            path_pattern=r"/v2/orders$",
            without_param="code",
            count=2,
            retry_after=1,
        )
        self.emulator.faults.add(
            "http_5xx", path_pattern=r"/v2/orders$", with_param="code", count=2
        )
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), len(orders))
        statuses = [e.status for e in self.emulator.journal.entries()]
        self.assertEqual(statuses.count(429), 2)
        self.assertEqual(statuses.count(500), 2)

    def test_unknown_sku_kept_in_exception(self):
        (order,) = self.add_orders(1, seed=88, statuses=["queueing"])
        sku = order["items"][0]["product"]["seller_product_code"]
        self.env["product.product"].sudo().search(
            [("default_code", "=", sku)]
        ).active = False
        self.sync()
        binding = self.bindings()
        self.assertEqual(binding.sync_state, "exception")
        self.assertIn(sku, binding.exception_reason)

    def test_stock_pushed_once_per_changed_sku(self):
        self.shop.action_import_listings()
        self.run_jobs()
        listings = self.env["entro.marketplace.listing"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(len(listings), len(self.products))
        self.shop.action_push_stock()  # a first push of every listing
        self.run_jobs()
        first = self.emulator.journal.entries("updateSkus")
        self.assertEqual(sum(len(c.json()["data"]) for c in first), len(listings))
        self.emulator.journal.clear()
        changed = listings.product_id[:5]
        for index, product in enumerate(changed):
            self.env["stock.quant"].with_context(inventory_mode=True).create(
                {
                    "product_id": product.id,
                    "location_id": self.warehouse.lot_stock_id.id,
                    "inventory_quantity": 5 + index,
                }
            ).action_apply_inventory()
        self.run_jobs()
        calls = self.emulator.journal.entries("updateSkus")
        rows = [row for call in calls for row in call.json()["data"]]
        self.assertEqual(len(rows), len(changed))
        self.assertEqual(
            {r["warehouse_quantities"][0]["qty_available"] for r in rows},
            {5, 6, 7, 8, 9},
        )
        self.assertEqual(len(calls), math.ceil(len(changed) / 50))
        # nothing changed since: nothing is sent again
        self.emulator.journal.clear()
        self.shop.action_push_stock()
        self.run_jobs()
        self.assertFalse(self.emulator.journal.entries("updateSkus"))


class TestTikiConnect(TikiFlowCase):
    def test_public_app_authorized_through_the_consent_page(self):
        shop = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .create(
                {
                    "name": "Tiki public",
                    "platform": "tiki",
                    "app_key": "tiki-client-1",
                    "app_secret": "tiki_test_secret",
                    "api_base_url": self.emulator.base_url,
                    "warehouse_id": self.warehouse.id,
                    "rate_limit_per_s": 0,
                }
            )
        )
        self.shop.sudo().external_id = "other"  # keep the class shop out of the way
        action = shop.action_authorize()
        self.env.flush_all()
        consent = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(consent.status_code, 302)
        location = consent.headers["Location"]
        self.authenticate("admin", "admin")
        # a forged state is refused, and connects nothing
        forged = self.url_open(
            location.replace("state=", "state=x"), allow_redirects=False
        )
        self.assertEqual(forged.status_code, 400)
        back = self.url_open(location, allow_redirects=False)
        self.assertIn(back.status_code, (302, 303), back.text[:300])
        self.env.invalidate_all()
        self.assertEqual(shop.state, "connected")
        self.assertEqual(shop.external_id, SELLER_ID)
        self.assertTrue(shop.has_tokens and shop.access_expires_at)

    def test_in_house_app_connects_with_client_credentials(self):
        self.emulator.app_type = "in_house"
        self.addCleanup(setattr, self.emulator, "app_type", "public")
        # the class shop (the same seller) out of the way
        self.shop.sudo().write({"external_id": "other", "state": "disconnected"})
        self.env.flush_all()
        wizard = self.env["entro.marketplace.shop.connect"].create(
            {
                "name": "Tiki in-house",
                "platform": "tiki",
                "tiki_app_type": "in_house",
                "app_key": "tiki-client-1",
                "app_secret": "tiki_test_secret",
                "api_base_url": self.emulator.base_url,
                "warehouse_id": self.warehouse.id,
            }
        )
        action = wizard.action_connect()
        shop = self.env["entro.marketplace.shop"].browse(action["res_id"])
        self.assertEqual(shop.tiki_app_type, "in_house")
        self.assertEqual(shop.state, "connected")
        self.assertEqual(shop.external_id, SELLER_ID)
        self.assertFalse(shop.refresh_expires_at)
        (call,) = self.emulator.journal.entries("/sc/oauth2/token")
        self.assertIn(b"grant_type=client_credentials", call.body)
        # its queue is the seller's own: created, subscribed and pulled with one token
        shop.rate_limit_per_s = 0
        self.add_orders(2, seed=89, statuses=["queueing"])
        run = self.pull()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertTrue(shop.tiki_subscribed)
        with self.emulator.store.lock:
            orders = list(self.emulator.store["orders"].values())
        for order in orders:
            self.emulator.emit(SELLER_ID, "ORDER_CREATED_SUCCESSFULLY", order)
        # an in-house token expires: a new client-credentials token, no refresh token
        self.emulator.expire_access_tokens()
        run = self.pull()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(len(self.bindings(shop)), 2)
