"""Every transition of a subscription, with frozen time: trial, renewal ledger,
retries, suspension, cancellation, plan changes."""

from datetime import date
from unittest.mock import patch

import psycopg2.errors
from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestTrial(BillingCase):
    def test_trial_with_token_becomes_active_invoiced_and_charged(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe()
        self.assertEqual(sub.state, "trial")
        self.assertEqual(sub.trial_end, date(2026, 1, 15))
        self.assertTrue(sub.service_active)
        self.assertFalse(sub.period_ids)
        # three days before its end: the reminder, once
        self.cron("2026-01-11")
        self.assertFalse(self.messages(sub, "trial ends"))
        self.cron("2026-01-12")
        self.assertEqual(len(self.messages(sub, "trial ends")), 1)
        self.cron("2026-01-13")
        self.assertEqual(len(self.messages(sub, "trial ends")), 1)
        self.assertEqual(sub.state, "trial")
        self.cron("2026-01-15")
        self.assertEqual(sub.state, "active")
        self.assertEqual(sub.current_period_start, date(2026, 1, 15))
        self.assertEqual(sub.current_period_end, date(2026, 2, 15))
        line = sub.period_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.state, "paid")
        invoice = line.invoice_id
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.currency_id, self.vnd)
        self.assertEqual(invoice.amount_untaxed, self.starter.price_monthly)
        self.assertEqual(invoice.invoice_date, date(2026, 1, 15))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        tx = line.transaction_ids
        self.assertEqual(tx.state, "done")
        self.assertEqual(tx.operation, "offline")
        self.assertEqual(tx.invoice_ids, invoice)
        self.assertTrue(self.messages(sub, invoice.name))

    def test_trial_without_token_expires_and_stops_the_service(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe(token=False)
        self.cron("2026-01-14")
        self.assertEqual(sub.state, "trial")
        self.cron("2026-01-15")
        self.assertEqual(sub.state, "expired")
        self.assertFalse(sub.service_active)
        self.assertFalse(sub.period_ids)
        self.assertFalse(sub.invoice_ids)

    def test_cancel_during_trial_ends_it_without_charge(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe()
        with freeze_time("2026-01-05"):
            sub.action_cancel()
        self.assertEqual(sub.state, "cancelled")
        self.assertTrue(self.messages(sub, "cancellation confirmed"))
        self.cron("2026-01-10")
        self.assertTrue(sub.service_active)
        with freeze_time("2026-01-10"):
            sub.action_resume()
        self.assertEqual(sub.state, "trial")
        with freeze_time("2026-01-11"):
            sub.action_cancel()
        self.cron("2026-01-15")
        self.assertEqual(sub.state, "expired")
        self.assertFalse(sub.invoice_ids)


@tagged("post_install", "-at_install")
class TestRenewal(BillingCase):
    def _active(self, start="2026-01-01"):
        with freeze_time(start):
            sub = self.subscribe(plan=self.growth)
            sub.trial_end = start
        self.cron(start)
        self.assertEqual(sub.state, "active")
        return sub

    def test_cron_twice_invoices_a_period_once(self):
        sub = self._active()
        self.cron("2026-02-01")
        self.cron("2026-02-01")
        self.cron("2026-02-02")
        self.assertEqual(len(sub.period_ids), 2)
        self.assertEqual(len(sub.invoice_ids), 2)
        self.assertEqual(set(sub.period_ids.mapped("state")), {"paid"})
        self.assertEqual(len(sub.period_ids.transaction_ids), 2)
        self.assertEqual(sub.current_period_end, date(2026, 3, 1))

    def test_the_ledger_refuses_a_second_row_for_a_period(self):
        sub = self._active()
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.Period.create(
                {
                    "subscription_id": sub.id,
                    "period_start": "2026-01-01",
                    "period_end": "2026-02-01",
                    "plan_id": self.growth.id,
                }
            )

    def test_crash_between_invoice_and_charge_resumes_without_reinvoicing(self):
        sub = self._active()
        Period = type(self.Period)
        with patch.object(
            Period, "_charge", side_effect=RuntimeError("worker killed"), autospec=True
        ):
            self.cron("2026-02-01")
        # the invoice of February is issued, the charge never happened
        feb = sub.period_ids.filtered(lambda p: p.period_start == date(2026, 2, 1))
        self.assertEqual(len(feb), 1)
        self.assertEqual(feb.state, "invoiced")
        self.assertEqual(feb.invoice_id.state, "posted")
        self.assertFalse(feb.transaction_ids)
        self.assertEqual(feb.invoice_id.payment_state, "not_paid")
        # the next run charges that invoice, and invoices nothing again
        self.cron("2026-02-01")
        self.assertEqual(len(sub.period_ids), 2)
        self.assertEqual(len(sub.invoice_ids), 2)
        self.assertEqual(feb.state, "paid")
        self.assertEqual(len(feb.transaction_ids), 1)
        self.assertIn(feb.invoice_id.payment_state, ("paid", "in_payment"))

    def test_catch_up_of_three_missed_months(self):
        sub = self._active()
        # the cron did not run from February to mid-April
        self.cron("2026-04-15")
        starts = sorted(sub.period_ids.mapped("period_start"))
        self.assertEqual(
            starts,
            [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)],
        )
        self.assertEqual(len(sub.invoice_ids), 4)
        self.assertEqual(set(sub.period_ids.mapped("state")), {"paid"})
        self.assertEqual(sub.current_period_start, date(2026, 4, 1))
        self.assertEqual(sub.current_period_end, date(2026, 5, 1))
        self.cron("2026-04-15")
        self.assertEqual(len(sub.invoice_ids), 4)

    def test_annual_period(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe(period="annual", trial_end="2026-01-01")
        self.cron("2026-01-01")
        self.assertEqual(sub.current_period_end, date(2027, 1, 1))
        self.assertEqual(sub.invoice_ids.amount_untaxed, self.starter.price_annual)
        self.cron("2026-12-31")
        self.assertEqual(len(sub.invoice_ids), 1)

    def test_failed_charges_retry_then_past_due_then_suspended_and_payment_restores(
        self,
    ):
        sub = self._active()
        sub.payment_token_id.demo_simulated_state = "error"
        self.cron("2026-02-01")
        feb = sub.period_ids.filtered(lambda p: p.period_start == date(2026, 2, 1))
        self.assertEqual(sub.state, "past_due")
        self.assertTrue(sub.service_active)
        self.assertEqual((feb.state, feb.attempt_count), ("failed", 1))
        self.assertEqual(feb.next_retry_date, date(2026, 2, 2))
        self.assertEqual(len(self.messages(sub, "payment failed")), 1)
        # retries on the schedule (1, 3, 7 days), not in between
        self.cron("2026-02-01")
        self.assertEqual(feb.attempt_count, 1)
        self.cron("2026-02-02")
        self.assertEqual(
            (feb.attempt_count, feb.next_retry_date), (2, date(2026, 2, 5))
        )
        self.cron("2026-02-05")
        self.assertEqual(
            (feb.attempt_count, feb.next_retry_date), (3, date(2026, 2, 12))
        )
        self.assertEqual(sub.state, "past_due")
        self.cron("2026-02-12")
        self.assertEqual(feb.attempt_count, 4)
        self.assertEqual(sub.state, "suspended")
        self.assertFalse(sub.service_active)
        self.assertEqual(len(self.messages(sub, "suspended")), 1)
        # suspended: no new period is invoiced, no more charges
        self.cron("2026-03-05")
        self.assertEqual(len(sub.invoice_ids), 2)
        self.assertEqual(len(feb.transaction_ids), 4)
        # the customer pays the open invoice: the service is restored at once
        with freeze_time("2026-03-10"):
            self.env["account.payment.register"].with_context(
                active_model="account.move", active_ids=feb.invoice_id.ids
            ).create({})._create_payments()
        self.env.invalidate_all()
        self.assertEqual(feb.state, "paid")
        self.assertEqual(sub.state, "active")
        # the months under suspension are not billed: a period starts on payment
        sub.payment_token_id.demo_simulated_state = "done"
        self.cron("2026-03-10")
        self.assertEqual(sub.current_period_start, date(2026, 3, 10))
        self.assertEqual(sub.current_period_end, date(2026, 4, 10))
        self.assertEqual(len(sub.invoice_ids), 3)

    def test_a_retry_that_succeeds_makes_it_active(self):
        sub = self._active()
        sub.payment_token_id.demo_simulated_state = "error"
        self.cron("2026-02-01")
        self.assertEqual(sub.state, "past_due")
        sub.payment_token_id.demo_simulated_state = "done"
        self.cron("2026-02-02")
        self.assertEqual(sub.state, "active")
        self.assertEqual(set(sub.period_ids.mapped("state")), {"paid"})


@tagged("post_install", "-at_install")
class TestCancelAndPlanChanges(BillingCase):
    def _active(self, plan):
        with freeze_time("2026-01-01"):
            sub = self.subscribe(plan=plan, trial_end="2026-01-01")
        self.cron("2026-01-01")
        return sub

    def test_cancel_keeps_access_until_the_period_ends_then_expires(self):
        sub = self._active(self.growth)
        with freeze_time("2026-01-10"):
            sub.with_user(self.manager).action_cancel()
        self.assertEqual(sub.state, "cancelled")
        self.assertTrue(sub.service_active)
        self.assertEqual(len(self.messages(sub, "cancellation confirmed")), 1)
        # no credit note, no refund
        self.assertFalse(
            self.env["account.move"].search(
                [
                    ("partner_id", "=", self.customer.id),
                    ("move_type", "=", "out_refund"),
                ]
            )
        )
        self.cron("2026-01-31")
        self.assertEqual(sub.state, "cancelled")
        self.assertTrue(sub.service_active)
        self.cron("2026-02-01")
        self.assertEqual(sub.state, "expired")
        self.assertFalse(sub.service_active)
        self.assertEqual(len(sub.invoice_ids), 1)
        with freeze_time("2026-02-02"), self.assertRaises(UserError):
            sub.action_resume()

    def test_resume_before_the_end_renews_as_usual(self):
        sub = self._active(self.growth)
        with freeze_time("2026-01-10"):
            sub.action_cancel()
        with freeze_time("2026-01-20"):
            sub.action_resume()
        self.assertEqual(sub.state, "active")
        self.cron("2026-02-01")
        self.assertEqual(sub.state, "active")
        self.assertEqual(len(sub.invoice_ids), 2)

    def test_upgrade_at_once_with_a_prorated_charge(self):
        sub = self._active(self.starter)
        # 2026-01-01 to 2026-02-01 is 31 days; on the 21st, 11 days remain
        with freeze_time("2026-01-21"):
            sub.with_user(self.manager).action_change_plan(self.growth.id)
        self.assertEqual(sub.plan_id, self.growth)
        upgrade = sub.period_ids.filtered(lambda p: p.kind == "upgrade")
        expected = self.vnd.round(
            (self.growth.price_monthly - self.starter.price_monthly) * 11 / 31
        )
        self.assertEqual(upgrade.amount, expected)
        self.assertEqual(upgrade.invoice_id.amount_untaxed, expected)
        self.assertEqual(upgrade.state, "paid")
        self.cron("2026-02-01")
        feb = sub.period_ids.filtered(lambda p: p.period_start == date(2026, 2, 1))
        self.assertEqual(feb.plan_id, self.growth)
        self.assertEqual(feb.amount, self.growth.price_monthly)

    def test_downgrade_waits_for_the_next_period(self):
        sub = self._active(self.scale)
        with freeze_time("2026-01-21"):
            sub.action_change_plan(self.starter.id)
        self.assertEqual(sub.plan_id, self.scale)
        self.assertEqual(sub.next_plan_id, self.starter)
        self.assertEqual(sub.next_invoice_amount, self.starter.price_monthly)
        self.assertEqual(len(sub.invoice_ids), 1)  # no refund, no credit note
        self.cron("2026-02-01")
        self.assertEqual(sub.plan_id, self.starter)
        self.assertFalse(sub.next_plan_id)
        feb = sub.period_ids.filtered(lambda p: p.period_start == date(2026, 2, 1))
        self.assertEqual(feb.amount, self.starter.price_monthly)

    def test_change_plan_wizard(self):
        sub = self._active(self.starter)
        with freeze_time("2026-01-21"):
            wizard = (
                self.env["entro.billing.change.plan"]
                .with_user(self.manager)
                .create({"subscription_id": sub.id, "plan_id": self.scale.id})
            )
            wizard.action_apply()
        self.assertEqual(sub.plan_id, self.scale)

    def test_token_of_another_partner_is_refused(self):
        other = self.env["res.partner"].create({"name": "Someone else"})
        with self.assertRaises(ValidationError):
            self.subscribe(payment_token_id=self.make_token(partner=other).id)


@tagged("post_install", "-at_install")
class TestSettings(BillingCase):
    def test_self_hosted_by_default_and_explicit_in_the_settings(self):
        company = self.env.company
        self.assertFalse(company.entro_billing_limits)
        settings = self.env["res.config.settings"].create({})
        self.assertFalse(settings.entro_billing_limits)
        self.assertEqual(settings.entro_billing_retry_days, "1,3,7")
        settings.entro_billing_limits = True
        settings.execute()
        self.assertTrue(company.entro_billing_limits)

    def test_subscribing_one_of_our_companies_applies_its_limits(self):
        company = self.env["res.company"].create({"name": "Hosted seller"})
        self.assertFalse(company.entro_billing_limits)
        self.Sub.create(
            {"partner_id": company.partner_id.id, "plan_id": self.starter.id}
        )
        self.assertTrue(company.entro_billing_limits)
