"""A plan's limits, enforced in the real marketplace flow: a Shopee shop connected
to the emulator, orders imported by jobs over HTTP, webhooks posted to Odoo."""

from datetime import timedelta

import requests

from odoo import fields
from odoo.exceptions import UserError

from odoo.addons.entro_marketplace.tests.common import (
    PARTNER_ID,
    PARTNER_KEY,
    ShopeeFlowCase,
)


class BillingFlowCase(ShopeeFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env(su=True)
        Plan = env["entro.billing.plan"]
        common = {"currency_id": env.ref("base.VND").id, "trial_days": 30}
        cls.solo = Plan.create(
            dict(
                common,
                name="Solo",
                code="test_solo",
                sequence=1,
                price_monthly=100000,
                max_shops=1,
                max_orders_month=5,
                sync_mode="scheduled",
                sync_interval=60,
            )
        )
        cls.unlimited = Plan.create(
            dict(
                common,
                name="Unlimited",
                code="test_unlimited",
                sequence=99,
                price_monthly=900000,
                max_shops=0,
                max_orders_month=0,
                sync_mode="realtime",
            )
        )
        cls.subscription = env["entro.billing.subscription"].create(
            {"partner_id": cls.company.partner_id.id, "plan_id": cls.solo.id}
        )

    def setUp(self):
        super().setUp()
        self.assertTrue(self.company.entro_billing_limits)

    def set_plan(self, plan):
        self.subscription.sudo().write({"plan_id": plan.id})

    def connect_another_shop(self):
        wizard = self.env["entro.marketplace.shop.connect"].create(
            {
                "name": "Second Shopee shop",
                "platform": "shopee",
                "app_key": str(PARTNER_ID),
                "app_secret": PARTNER_KEY,
                "api_base_url": self.emulator.base_url,
            }
        )
        return wizard.action_connect()


class TestStoreLimit(BillingFlowCase):
    def test_one_store_too_many_is_refused_with_a_clear_message(self):
        with self.assertRaisesRegex(
            UserError, r"Solo plan allows 1 connected store\(s\), and 1 are connected"
        ):
            self.connect_another_shop()
        # a bigger plan lets it go to the platform's consent page
        self.set_plan(self.unlimited)
        action = self.connect_another_shop()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn(self.emulator.base_url, action["url"])

    def test_the_oauth_callback_refuses_a_store_past_the_limit(self):
        # authorized while the plan allowed it; the limit is reached before the
        # seller comes back from the platform's consent page
        self.set_plan(self.unlimited)
        shop = self.env["entro.marketplace.shop"].create(
            {
                "name": "Late Shopee shop",
                "platform": "shopee",
                "app_key": str(PARTNER_ID),
                "app_secret": PARTNER_KEY,
                "api_base_url": self.emulator.base_url,
            }
        )
        action = shop.action_authorize()
        self.set_plan(self.solo)
        self.env.flush_all()
        consent = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(consent.status_code, 302)
        self.authenticate("admin", "admin")
        back = self.url_open(consent.headers["Location"], allow_redirects=False)
        self.assertEqual(back.status_code, 400)
        self.assertIn("Solo plan allows 1 connected store", back.text)
        self.env.invalidate_all()
        self.assertEqual(shop.state, "draft")
        self.assertFalse(shop.has_tokens)

    def test_self_hosted_has_no_store_limit(self):
        self.company.sudo().entro_billing_limits = False
        action = self.connect_another_shop()
        self.assertEqual(action["type"], "ir.actions.act_url")

    def test_no_running_subscription_stops_connecting_and_syncing(self):
        self.subscription.sudo().write({"state": "suspended"})
        self.shop.state = "disconnected"
        with self.assertRaisesRegex(UserError, "is Suspended: syncing is paused"):
            self.shop.action_authorize()
        self.shop.state = "connected"
        self.add_orders(2, seed=41, statuses=["READY_TO_SHIP"])
        self.emulator.journal.clear()
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertFalse(self.bindings())
        self.assertEqual(self.emulator.journal.count(), 0)
        self.assertIn("Suspended", self.shop.last_error)


class TestOrderQuota(BillingFlowCase):
    def test_orders_past_the_quota_are_imported_flagged_then_sync_pauses(self):
        self.add_orders(8, seed=31, statuses=["READY_TO_SHIP"])
        run = self.sync()
        self.assertFalse(run.failed, run.failed)
        bindings = self.bindings()
        # nothing is lost: all eight imported, the three past the quota flagged
        self.assertEqual(len(bindings), 8)
        self.assertEqual(len(bindings.sale_order_id), 8)
        flagged = bindings.filtered("billing_over_quota")
        self.assertEqual(len(flagged), 3)
        self.assertIn(
            "Imported past the 5 orders per month", flagged[0].message_ids[0].body
        )
        # new orders: the import pauses, with a message saying why
        later = self.add_orders(2, seed=32, statuses=["UNPAID"])
        for order in later:  # paid now: after the cursor
            self.emulator.set_status(order["order_sn"], "READY_TO_SHIP")
        cursor = self.shop.order_cursor
        self.emulator.journal.clear()
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), 8)
        self.assertEqual(self.emulator.journal.count(), 0)
        self.assertIn("orders of this month are used up", self.shop.last_error)
        self.assertEqual(self.shop.order_cursor, cursor)
        # an upgrade resumes it where it stopped
        self.set_plan(self.unlimited)
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), 10)
        self.assertTrue(
            {o["order_sn"] for o in later} <= set(self.bindings().mapped("external_id"))
        )
        self.assertFalse(self.shop.last_error)


class TestScheduledSync(BillingFlowCase):
    def _event(self, sn):
        return (
            self.env["entro.marketplace.event"]
            .sudo()
            .search([("order_external_id", "=", sn)])
        )

    def test_webhooks_on_a_scheduled_plan_wait_for_the_scheduled_run(self):
        (order,) = self.add_orders(1, seed=51, statuses=["READY_TO_SHIP"])
        sn = order["order_sn"]
        statuses = self.push([self.emulator.order_message(sn)])
        self.assertEqual(statuses, [200])  # accepted
        event = self._event(sn)
        self.assertEqual(event.state, "deferred")
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_import_orders")])
        )
        self.assertFalse(jobs)
        self.assertFalse(self.bindings())
        # the next scheduled run imports it
        self.run_jobs()
        self.assertFalse(self.bindings())
        self.sync()
        self.assertEqual(self.bindings().external_id, sn)

    def test_webhooks_on_a_realtime_plan_import_at_once(self):
        self.set_plan(self.unlimited)
        (order,) = self.add_orders(1, seed=52, statuses=["READY_TO_SHIP"])
        sn = order["order_sn"]
        self.push([self.emulator.order_message(sn)])
        self.assertEqual(self._event(sn).state, "done")
        self.run_jobs()
        self.assertEqual(self.bindings().external_id, sn)

    def test_the_cron_keeps_the_plan_interval(self):
        Shop = self.env["entro.marketplace.shop"]
        Job = self.env["queue.job"].sudo()

        def sync_jobs():
            return Job.search_count([("method_name", "=", "_job_sync_orders")])

        self.shop.sudo().last_sync_at = fields.Datetime.now() - timedelta(minutes=10)
        Shop._cron_sync_orders()
        self.assertEqual(sync_jobs(), 0)
        self.shop.sudo().last_sync_at = fields.Datetime.now() - timedelta(minutes=61)
        Shop._cron_sync_orders()
        self.assertEqual(sync_jobs(), 1)

    def test_price_push_is_a_plan_feature(self):
        with self.assertRaisesRegex(UserError, "does not include pushing prices"):
            self.shop.action_push_prices()
        self.set_plan(self.unlimited)
        self.unlimited.sudo().feature_price_push = True
        self.assertTrue(self.shop.action_push_prices())
