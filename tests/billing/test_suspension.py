"""Suspension stops every platform job of the company's shops (postponed, not
failed) and the paid invoice resumes them; payouts and multiple warehouses are
plan features. A Shopee shop on the emulator, jobs run as queue_job runs them."""

from odoo import fields
from odoo.exceptions import UserError, ValidationError

from odoo.addons.entro_marketplace.tests.fulfilment_helpers import FulfilmentMixin
from odoo.addons.entro_marketplace.tests.jobs import run_one_round

from .test_entitlements import BillingFlowCase

PLATFORM_JOBS = {
    "_job_import_listings",
    "_job_push_stock",
    "_job_push_prices",
    "_job_import_payouts",
    "_job_import_orders",
    "_job_sync_returns",
    "_entro_job_ship",
}


class TestSuspension(FulfilmentMixin, BillingFlowCase):
    def setUp(self):
        super().setUp()
        self.set_plan(self.unlimited)
        self.unlimited.sudo().write(
            {"feature_price_push": True, "feature_payouts": True}
        )

    def jobs(self, states=("pending", "enqueued")):
        return (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("state", "in", states),
                    ("method_name", "in", list(PLATFORM_JOBS)),
                ]
            )
        )

    def suspend_with_open_invoice(self):
        sub = self.subscription.sudo()
        today = fields.Date.today()
        line = (
            self.env["entro.billing.period"]
            .sudo()
            ._issue(sub, "renewal", today, sub._period_end(today), self.unlimited)
        )
        sub.write(
            {
                "state": "suspended",
                "current_period_start": today,
                "current_period_end": line.period_end,
            }
        )
        return line.invoice_id

    def test_suspension_postpones_every_job_and_the_payment_resumes_them(self):
        self.stock_everything()
        (order,) = self.add_orders(1, seed=61, statuses=["READY_TO_SHIP"])
        self.sync()
        sale = self.bindings().sale_order_id
        self.assertEqual(sale.state, "sale")
        self.run_jobs()
        self.shop.action_import_listings()
        self.run_jobs()
        # every kind of platform job of the shop: queued before the suspension...
        self.shop.action_import_listings()
        self.shop.action_push_stock()
        self.shop.action_push_prices()
        self.shop.action_import_payouts()
        self.shop.action_sync_returns()
        self.shop._enqueue_order_import([order["order_sn"]])
        invoice = self.suspend_with_open_invoice()
        # the shop says why, and what to pay
        self.shop.invalidate_recordset(["billing_notice"])
        self.assertIn(
            f"Suspended: pay invoice {invoice.name} to resume", self.shop.billing_notice
        )
        # ... or during it (a delivery validated: the shipment job)
        self.validate(self.delivery(sale))
        queued = self.jobs()
        self.assertEqual(set(queued.mapped("method_name")), PLATFORM_JOBS)
        # run: postponed, not failed, not counted as retries; nothing sent
        self.emulator.journal.clear()
        run = run_one_round(self.env)
        self.assertFalse(
            run.failed, [(j.method_name, j.exc_message) for j in run.failed]
        )
        self.assertFalse(run.done, [(j.method_name, j.result) for j in run.done])
        self.assertEqual(len(run.retried), len(queued))
        self.assertEqual(self.emulator.journal.count(), 0)
        self.env.invalidate_all()
        self.assertEqual(self.jobs(("pending",)), queued)
        self.assertTrue(all(j.eta > fields.Datetime.now() for j in queued))
        self.assertEqual(set(queued.mapped("retry")), {0})
        self.assertIn("Suspended: pay invoice", queued[0].result)
        # the order sync says so and keeps its cursor
        cursor = self.shop.order_cursor
        self.shop.action_sync_orders()
        self.run_jobs(ignore_eta=False)  # (the postponed ones wait for their eta)
        self.assertEqual(self.shop.order_cursor, cursor)
        self.assertIn("Suspended", self.shop.last_error)
        # a person clicking a platform action is told why
        with self.assertRaisesRegex(UserError, "Suspended: pay invoice"):
            self.shop.sudo()._job_push_stock()
        # the invoice is paid: the service is back and the jobs run now
        self.env["account.payment.register"].sudo().with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.env.invalidate_all()
        self.assertEqual(self.subscription.state, "active")
        self.assertFalse(self.shop.billing_notice)
        self.assertFalse(any(j.eta for j in queued))
        run = run_one_round(self.env)
        self.assertFalse(
            [j for j, _s in run.retried if "Suspended" in (j.result or "")],
            "still postponed after the payment",
        )
        self.assertGreater(self.emulator.journal.count(), 0)
        postponed = self.jobs(("pending",)).filtered(lambda j: j.retry == 0 and j.eta)
        self.assertFalse(postponed)

    def test_expired_trial_also_stops_the_jobs(self):
        self.subscription.sudo().write({"state": "expired"})
        self.shop.action_import_listings()
        self.emulator.journal.clear()
        run = run_one_round(self.env)
        self.assertFalse(run.failed)
        self.assertEqual(len(run.retried), 1)
        self.assertEqual(self.emulator.journal.count(), 0)
        self.assertIn("syncing is paused", self.shop.billing_notice)


class TestPlanFeatures(BillingFlowCase):
    def test_payouts_need_the_feature(self):
        self.assertFalse(self.solo.feature_payouts)
        with self.assertRaisesRegex(UserError, "does not include payouts"):
            self.shop.action_import_payouts()
        # a job queued before a downgrade reads nothing
        self.emulator.journal.clear()
        self.assertIn("Skipped", self.shop._job_import_payouts())
        self.assertEqual(self.emulator.journal.count(), 0)
        self.set_plan(self.unlimited)
        self.unlimited.sudo().feature_payouts = True
        self.assertTrue(self.shop.action_import_payouts())

    def test_a_second_warehouse_needs_the_feature(self):
        second = (
            self.env["stock.warehouse"]
            .sudo()
            .create({"name": "Kho Hà Nội", "code": "HN", "company_id": self.company.id})
        )
        Shop = self.env["entro.marketplace.shop"]
        # the same warehouse for a second shop is fine
        other = Shop.create(
            {"name": "Tiki", "platform": "tiki", "warehouse_id": self.warehouse.id}
        )
        with self.assertRaisesRegex(ValidationError, "ships from one warehouse"):
            other.warehouse_id = second
        self.set_plan(self.unlimited)
        self.unlimited.sudo().feature_multi_warehouse = True
        other.warehouse_id = second
        self.assertEqual(other.warehouse_id, second)
