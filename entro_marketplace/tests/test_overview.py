"""Marketplaces > Overview: the shops' counters (values, one query per counter
for all shops, two companies, a Marketplace User), the order filters, the
notifications of syncs and imports, and no "New" where records only come from
the platforms or the connect wizard."""

import json
from datetime import datetime, timedelta, timezone

from lxml import etree

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.safe_eval import safe_eval

from ..platforms.records import TokenSet
from .common import ShopeeFlowCase
from .lazada_common import LazadaFlowCase
from .tiki_common import TikiFlowCase
from .tiktok_common import TikTokFlowCase


def _ts(value):
    return int(value.replace(tzinfo=timezone.utc).timestamp())


@tagged("post_install", "-at_install")
class TestOverviewCounters(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Overview B"})
        Shop = cls.env["entro.marketplace.shop"]
        cls.shop_a = Shop.create(
            {"name": "Shopee A", "platform": "shopee", "company_id": cls.company_a.id}
        )
        cls.shop_a2 = Shop.create(
            {"name": "Lazada A", "platform": "lazada", "company_id": cls.company_a.id}
        )
        cls.shop_b = Shop.create(
            {"name": "Shopee B", "platform": "shopee", "company_id": cls.company_b.id}
        )
        (cls.shop_a | cls.shop_a2 | cls.shop_b).write(
            {"state": "connected", "last_sync_at": fields.Datetime.now()}
        )
        now = fields.Datetime.now()
        cls.now = now
        # the user's day: UTC, so that "today" is the test's today
        cls.env.user.tz = "UTC"
        today = now.replace(hour=0, minute=0, second=1)
        cls.orders_a = cls._orders(
            cls.shop_a,
            [
                # (created, state, ship_by, sync_state)
                (today, "to_ship", now - timedelta(days=1), "ok"),  # overdue
                (today, "to_ship", now + timedelta(days=1), "ok"),
                (now - timedelta(days=3), "shipped", None, "ok"),
                (now - timedelta(days=10), "completed", None, "exception"),
            ],
        )
        cls.orders_b = cls._orders(
            cls.shop_b,
            [(today, "to_ship", now - timedelta(days=2), "exception")] * 5,
        )
        cls.user_a = new_test_user(
            cls.env,
            login="overview_user_a",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id],
            tz="UTC",
        )
        cls.user_ab = new_test_user(
            cls.env,
            login="overview_user_ab",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
            company_id=cls.company_a.id,
            company_ids=[cls.company_a.id, cls.company_b.id],
            tz="UTC",
        )

    @classmethod
    def _orders(cls, shop, rows):
        Order = cls.env["entro.marketplace.order"]
        values = []
        for i, (created, state, ship_by, sync_state) in enumerate(rows):
            values.append(
                {
                    "shop_id": shop.id,
                    "external_id": f"{shop.id}-{i}",
                    "state": state,
                    "platform_create_time": created,
                    "platform_update_time": created,
                    "payload": {"order": {"order_sn": f"{shop.id}-{i}"}},
                    "sync_state": sync_state,
                    # the platform's deadline, as the import writes it
                    **({"ship_by_date": ship_by} if ship_by else {}),
                }
            )
        return Order.create(values)

    def _overview(self, user, companies=None):
        env = self.env(user=user)
        if companies:
            env = env(context=dict(env.context, allowed_company_ids=companies.ids))
        return env["entro.marketplace.shop"].search([])

    def test_counters_of_a_marketplace_user_of_company_a(self):
        shops = self._overview(self.user_a)
        self.assertEqual(shops, self.shop_a | self.shop_a2)
        shop = shops.filtered(lambda s: s == self.shop_a)
        self.assertEqual(shop.overview_orders_today, 2)
        self.assertEqual(shop.overview_orders_week, 3)
        self.assertEqual(shop.overview_to_ship, 2)
        self.assertEqual(shop.overview_overdue, 1)
        self.assertEqual(shop.exception_count, 1)
        self.assertEqual(shop.overview_failed_jobs, 0)
        self.assertEqual(shop.health, "red")
        self.assertIn("overdue orders: 1", shop.health_reason)
        other = shops - shop
        self.assertEqual(
            (other.overview_orders_today, other.overview_to_ship, other.health),
            (0, 0, "green"),
        )
        graph = json.loads(shop.overview_graph)[0]["values"]
        self.assertEqual(len(graph), 7)
        self.assertEqual(graph[-1]["value"], 2)
        self.assertEqual(sum(v["value"] for v in graph), 3)
        # company B's shop is not the user's to read; asked for its counters
        # anyway, they count none of company B's orders
        with self.assertRaises(AccessError):
            self.shop_b.with_user(self.user_a).read(["name"])
        stranger = self.shop_b.with_user(self.user_a)
        self.assertEqual(
            (stranger.overview_orders_today, stranger.overview_to_ship), (0, 0)
        )

    def test_a_user_of_two_companies_counts_the_active_ones_only(self):
        shops = self._overview(self.user_ab, self.company_a)
        self.assertEqual(shops, self.shop_a | self.shop_a2)
        self.assertEqual(sum(shops.mapped("overview_orders_today")), 2)
        shops = self._overview(self.user_ab, self.company_a | self.company_b)
        self.assertEqual(shops, self.shop_a | self.shop_a2 | self.shop_b)
        by_shop = {s: s.overview_orders_today for s in shops}
        self.assertEqual(by_shop[self.shop_b], 5)
        self.assertEqual(by_shop[self.shop_a], 2)
        self.assertEqual(shops.filtered(lambda s: s == self.shop_b).overview_overdue, 5)

    def test_counters_take_the_same_queries_for_one_shop_or_many(self):
        Shop = self.env["entro.marketplace.shop"]
        fnames = [
            "overview_orders_today",
            "overview_orders_week",
            "overview_to_ship",
            "overview_overdue",
            "overview_failed_jobs",
            "overview_graph",
            "exception_count",
            "health",
        ]

        def queries(shops):
            shops.invalidate_model()
            before = self.env.cr.sql_log_count
            shops.read(fnames)
            return self.env.cr.sql_log_count - before

        more = Shop.create(
            [{"name": f"Extra {i}", "platform": "tiktok"} for i in range(5)]
        )
        queries(self.shop_a | self.shop_a2 | more)  # caches warmed up
        self.assertEqual(
            queries(self.shop_a), queries(self.shop_a | self.shop_a2 | more)
        )

    def test_failed_jobs_are_counted_per_shop(self):
        job = self.shop_a.with_delay()._job_push_stock()
        job.set_failed(exc_name="ValueError", exc_message="boom")
        job.store()
        self.shop_a2.with_delay()._job_push_stock()  # pending: not counted
        shops = self.shop_a | self.shop_a2
        shops.invalidate_recordset()
        self.assertEqual(self.shop_a.overview_failed_jobs, 1)
        self.assertEqual(self.shop_a2.overview_failed_jobs, 0)
        self.assertIn("failed jobs: 1", self.shop_a.health_reason)
        # a Marketplace User, who may not read jobs, still sees the count
        self.assertEqual(self.shop_a.with_user(self.user_a).overview_failed_jobs, 1)
        # nor does a user of company B count company A's
        user_b = new_test_user(
            self.env,
            login="overview_user_b",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
            company_id=self.company_b.id,
            company_ids=[self.company_b.id],
        )
        self.assertEqual(self.shop_a.with_user(user_b).overview_failed_jobs, 0)
        with self.assertRaises(AccessError):
            self.shop_a.with_user(self.user_a).action_overview_failed_jobs()
        action = self.shop_a.action_overview_failed_jobs()
        self.assertEqual(self.env["queue.job"].search(action["domain"]).uuid, job.uuid)

    def test_token_countdown_for_every_platform_shopee_included(self):
        now = datetime.now(timezone.utc)
        # Shopee's token answer: an access token of 4 hours, a refresh token of
        # 30 days, no authorization end
        self.shop_a._write_tokens(
            TokenSet(
                "access", "refresh", now + timedelta(hours=4), now + timedelta(days=30)
            )
        )
        self.shop_a.invalidate_recordset()
        self.assertEqual(self.shop_a.token_expires_at, self.shop_a.refresh_expires_at)
        self.assertTrue(self.shop_a.token_expires_at)
        # the access token alone (Tiki's client credentials) ends nothing
        self.shop_a2._write_tokens(TokenSet("access", None, now + timedelta(hours=4)))
        self.shop_a2.invalidate_recordset()
        self.assertFalse(self.shop_a2.token_expires_at)
        # within the warning days: orange; within two days: red
        self.shop_a2._write_tokens(
            TokenSet("a", "r", now + timedelta(hours=4), now + timedelta(days=5))
        )
        self.shop_a2.invalidate_recordset()
        self.assertEqual(self.shop_a2.health, "orange")
        self.shop_a2._write_tokens(
            TokenSet("a", "r", now + timedelta(hours=4), now + timedelta(days=1))
        )
        self.shop_a2.invalidate_recordset()
        self.assertEqual(self.shop_a2.health, "red")

    def test_health_of_a_stale_or_disconnected_shop(self):
        self.shop_a2.last_sync_at = self.now - timedelta(hours=3)
        self.assertEqual(self.shop_a2.health, "orange")
        self.shop_a2.state = "disconnected"
        self.assertEqual(self.shop_a2.health, "grey")

    # ------------------------------------------------------------------ filters

    def _filter_domain(self, name):
        """The domain of the order search view's filter ``name``, evaluated."""
        Order = self.env["entro.marketplace.order"].with_user(self.user_a)
        arch = Order.get_views([(False, "search")])["views"]["search"]["arch"]
        node = etree.fromstring(arch).xpath(f"//filter[@name='{name}']")
        self.assertTrue(node, f"no filter {name}")
        return safe_eval(node[0].get("domain"), {})

    def test_filters_of_marketplace_orders(self):
        Order = self.env["entro.marketplace.order"].with_user(self.user_a)
        overdue = Order.search(self._filter_domain("overdue"))
        # the order due yesterday, waiting to ship, is overdue; the one due
        # tomorrow, the shipped one and company B's are not
        self.assertEqual(overdue, self.orders_a[0])
        self.assertEqual(
            Order.search(self._filter_domain("ordered_today")), self.orders_a[:2]
        )
        self.assertEqual(
            Order.search(self._filter_domain("ordered_last_7_days")),
            self.orders_a[:3],
        )
        self.assertEqual(
            Order.search(self._filter_domain("to_ship")), self.orders_a[:2]
        )
        # the negation too
        self.assertEqual(
            Order.search([("ship_overdue", "=", False)]), self.orders_a[1:]
        )
        # shipped, it is no longer overdue
        self.orders_a[0].state = "shipped"
        self.assertFalse(Order.search(self._filter_domain("overdue")))

    def test_today_is_the_users_day(self):
        # 23:30 UTC yesterday is today in Vietnam (UTC+7)
        start = self.env["entro.marketplace.order"]._overview_day_start()
        order = self._orders(
            self.shop_a2, [(start - timedelta(minutes=30), "to_ship", None, "ok")]
        )
        Order = self.env["entro.marketplace.order"].with_user(self.user_a)
        self.assertNotIn(order, Order.search([("ordered_today", "=", True)]))
        self.user_a.tz = "Asia/Ho_Chi_Minh"
        vn = Order.with_context(tz="Asia/Ho_Chi_Minh")
        vn_start = vn._overview_day_start()
        self.assertEqual(
            order in vn.search([("ordered_today", "=", True)]),
            order.platform_create_time >= vn_start,
        )

    def test_ship_by_default_is_two_days_after_the_order(self):
        # no deadline from the platform: two days after the order
        order = self._orders(self.shop_a2, [(self.now, "to_ship", None, "ok")])
        self.assertEqual(order.ship_by_date, self.now + timedelta(days=2))
        # the platform's deadline, known once, stays when a later version of
        # the order gives none (the import writes only what it is given)
        due = self.now + timedelta(hours=5)
        order.ship_by_date = due
        order.write({"platform_create_time": self.now - timedelta(hours=1)})
        self.assertEqual(order.ship_by_date, due)

    # ------------------------------------------------------------ no "New"

    def _arch(self, model, view_type, user=None, context=None):
        env = self.env(user=user or self.env.user)
        Model = env[model].with_context(**(context or {}))
        views = Model.get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def test_no_new_where_records_come_from_the_platforms(self):
        manager = new_test_user(
            self.env,
            login="overview_manager",
            groups="base.group_user,entro_marketplace.group_marketplace_manager",
        )
        for model in (
            "entro.marketplace.shop",
            "entro.marketplace.order",
            "entro.marketplace.listing",
            "entro.marketplace.log",
            "entro.marketplace.event",
            "entro.marketplace.return",
            "entro.marketplace.settlement",
            "entro.marketplace.settlement.line",
            "entro.marketplace.payout.report",
            "entro.marketplace.order.staging",
        ):
            for view_type in ("list", "form"):
                if view_type == "form" and model in (
                    "entro.marketplace.payout.report",
                    "entro.marketplace.order.staging",
                    "entro.marketplace.settlement.line",
                ):
                    continue
                root = self._arch(model, view_type, user=manager)
                self.assertIn(
                    root.get("create"),
                    ("0", "false", "False"),
                    f"{model} {view_type} offers New",
                )
        # Shops: a Connect a Shop button instead, and New on the cards opens it
        shop_list = self._arch("entro.marketplace.shop", "list", user=manager)
        button = shop_list.xpath("//header/button[@string='Connect a Shop']")
        self.assertTrue(button)
        self.assertEqual(button[0].get("display"), "always")
        connect = self.env.ref(
            "entro_marketplace.entro_marketplace_shop_connect_action"
        )
        self.assertEqual(button[0].get("name"), str(connect.id))
        kanban = self._arch("entro.marketplace.shop", "kanban", user=manager)
        self.assertEqual(
            kanban.get("on_create"),
            "entro_marketplace.entro_marketplace_shop_connect_action",
        )
        # the shipments to retry are Odoo's deliveries: no New from that menu
        # (the web client honours the action's context create=False)
        action = self.env.ref("entro_marketplace.stock_picking_action_entro_to_retry")
        self.assertIs(safe_eval(action.context)["create"], False)

    def test_every_list_of_the_app_says_where_its_records_come_from(self):
        root = self.env.ref("entro_marketplace.menu_marketplace_root")
        self.assertEqual(
            root.action,
            self.env.ref("entro_marketplace.entro_marketplace_shop_action_overview"),
        )
        menus = self.env["ir.ui.menu"].search([("id", "child_of", root.id)])
        actions = [
            menu.action
            for menu in menus
            if menu.action
            and menu.action._name == "ir.actions.act_window"
            and menu.action.res_model != "entro.marketplace.shop.connect"
        ]
        self.assertGreater(len(actions), 10)
        for action in actions:
            self.assertIn(
                "o_view_nocontent", action.help or "", f"{action.name} has no help"
            )


@tagged("post_install", "-at_install")
class TestOverviewNotifications(ShopeeFlowCase):
    """Sync Orders, Import Listings and Import Payouts say they are queued,
    then what they found, to the person who asked."""

    manager_login = "overview_notify_manager"

    def _notifications(self, user):
        self.env.flush_all()
        rows = (
            self.env["bus.bus"]
            .sudo()
            .search([("channel", "like", f'"res.partner",{user.partner_id.id}]')])
        )
        messages = [json.loads(r.message) for r in rows]
        return [
            m["payload"] for m in messages if m.get("type") == "simple_notification"
        ]

    def _assert_queued(self, action):
        self.assertEqual(action["tag"], "display_notification")
        self.assertFalse(action["params"]["sticky"])
        self.assertIn(self.shop.name, action["params"]["message"])

    def test_sync_orders_says_queued_then_counts(self):
        self.add_orders(4, statuses=["READY_TO_SHIP"])
        self._assert_queued(self.shop.action_sync_orders())
        run = self.run_jobs()
        self.assertFalse(run.failed)
        said = [n["message"] for n in self._notifications(self.manager)]
        self.assertIn("4 new or changed orders found: importing them.", said)
        self.assertIn("4 orders imported, 0 in exception.", said)
        self.assertTrue(
            all(n["title"] == self.shop.name for n in self._notifications(self.manager))
        )
        # nothing changed since: said too
        self._assert_queued(self.shop.action_sync_orders())
        self.run_jobs()
        said = [n["message"] for n in self._notifications(self.manager)]
        self.assertIn("No new or changed order since the last sync.", said)

    def test_an_order_in_exception_is_counted(self):
        orders = self.add_orders(2, seed=15, statuses=["READY_TO_SHIP"])
        # a status no mapping knows: the order is kept in exception
        self.emulator.set_status(orders[0]["order_sn"], "HANDED_TO_DRONE")
        self.sync()
        said = [n["message"] for n in self._notifications(self.manager)]
        self.assertIn("2 orders imported, 1 in exception.", said)

    def test_import_payouts_says_none_found(self):
        self._assert_queued(self.shop.action_import_payouts())
        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        said = [n["message"] for n in self._notifications(self.manager)]
        self.assertIn("0 payouts found.", said)

    def test_import_listings_says_counts(self):
        self._assert_queued(self.shop.action_import_listings())
        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        count = self.env["entro.marketplace.listing"].search_count(
            [("shop_id", "=", self.shop.id)]
        )
        said = [n["message"] for n in self._notifications(self.manager)]
        self.assertIn(f"{count} listings imported, 0 not matched to a product.", said)

    def test_the_scheduler_tells_nobody(self):
        self.add_orders(2, statuses=["READY_TO_SHIP"])
        root = self.env.ref("base.user_root")
        self.env["entro.marketplace.shop"].with_user(root)._cron_sync_orders()
        self.run_jobs()
        self.assertFalse(self._notifications(self.manager))
        self.assertFalse(self._notifications(root))


# ------------------------------------------------- the platforms' own deadline


def _naive(moment):
    return moment.astimezone(timezone.utc).replace(tzinfo=None, microsecond=0)


class ShipByOfThePlatform:
    """One order of the platform's emulator imported: the deadline shown to the
    shop's Marketplace Manager is the one the platform gave (never Entro's
    default of two days after the order), and an order past it while waiting
    to be shipped is overdue."""

    def import_with_deadline(self, order, due):
        """Give the emulator's ``order`` the deadline ``due`` (aware), the
        platform's own way."""
        raise NotImplementedError

    def external_id(self, order):
        raise NotImplementedError

    def check_deadline(self, statuses, seed=3):
        (order,) = self.make_orders(1, seed=seed, statuses=statuses)
        # due in 3 hours: not overdue, and not the default
        due = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(hours=3)
        self.import_with_deadline(order, due)
        self.emulator.add_orders([order])
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        binding = (
            self.bindings()
            .with_user(self.manager)
            .filtered(lambda b: b.external_id == self.external_id(order))
        )
        self.assertEqual(len(binding), 1)
        self.assertEqual(binding.ship_by_date, _naive(due))
        self.assertNotEqual(
            binding.ship_by_date, binding.platform_create_time + timedelta(days=2)
        )
        return binding


@tagged("post_install", "-at_install")
class TestShipByShopee(ShipByOfThePlatform, ShopeeFlowCase):
    manager_login = "shipby_shopee_manager"

    def import_with_deadline(self, order, due):
        order["ship_by_date"] = int(due.timestamp())

    def external_id(self, order):
        return order["order_sn"]

    def test_the_deadline_shown_is_shopees(self):
        binding = self.check_deadline(["READY_TO_SHIP"])
        self.assertEqual(binding.state, "to_ship")
        self.assertFalse(binding.ship_overdue)
        # Shopee moves it into the past: the order is overdue on the Overview
        past = datetime.now(timezone.utc) - timedelta(hours=1)
        with self.emulator.store.lock:
            order = self.emulator.store["orders"][binding.external_id]
            order["ship_by_date"] = int(past.timestamp())
        self.emulator.set_status(binding.external_id, "READY_TO_SHIP")
        self.sync()
        self.assertEqual(binding.ship_by_date, _naive(past))
        binding.invalidate_recordset(["ship_overdue"])  # a flag of "now"
        self.assertTrue(binding.ship_overdue)
        Order = self.env["entro.marketplace.order"].with_user(self.manager)
        self.assertIn(binding, Order.search([("ship_overdue", "=", True)]))


@tagged("post_install", "-at_install")
class TestShipByTikTok(ShipByOfThePlatform, TikTokFlowCase):
    manager_login = "shipby_tiktok_manager"

    def import_with_deadline(self, order, due):
        order["rts_sla_time"] = int(due.timestamp())
        # the cancellation deadline, later, is not the shipping one
        order["shipping_due_time"] = order["rts_sla_time"] + 86400

    def external_id(self, order):
        return order["id"]

    def test_the_deadline_shown_is_tiktoks(self):
        self.check_deadline(["AWAITING_SHIPMENT"])


@tagged("post_install", "-at_install")
class TestShipByLazada(ShipByOfThePlatform, LazadaFlowCase):
    manager_login = "shipby_lazada_manager"

    def import_with_deadline(self, order, due):
        vn = timezone(timedelta(hours=7))
        for n, item in enumerate(order["_items"]):
            # the earliest item's deadline is the order's
            later = due + timedelta(hours=n)
            item["sla_time_stamp"] = later.astimezone(vn).isoformat()

    def external_id(self, order):
        return str(order["order_id"])

    def test_the_deadline_shown_is_lazadas(self):
        self.check_deadline([["pending", "pending"]])


@tagged("post_install", "-at_install")
class TestShipByTiki(ShipByOfThePlatform, TikiFlowCase):
    manager_login = "shipby_tiki_manager"

    def import_with_deadline(self, order, due):
        vn = timezone(timedelta(hours=7))
        order["fulfillment_type"] = "dropship"
        for item in order["items"]:
            item["confirmation"]["pickup_confirm_sla"] = due.astimezone(vn).strftime(
                "%Y-%m-%d %H:%M:%S"
            )

    def external_id(self, order):
        return order["code"]

    def test_the_deadline_shown_is_tikis(self):
        self.check_deadline(["queueing"])
