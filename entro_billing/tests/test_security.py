"""Renewing by hand charges payment methods: Billing Managers only, over RPC too."""

from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestRenewNowRights(BillingCase):
    def test_renew_now_needs_the_billing_manager_group(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe(trial_end="2026-01-01")
        self.cron("2026-01-01")
        sub.payment_token_id.demo_simulated_state = "error"
        self.cron("2026-02-01")
        feb = sub.period_ids.filtered(lambda p: p.period_start == date(2026, 2, 1))
        self.assertEqual((sub.state, feb.attempt_count), ("past_due", 1))
        self.assertEqual(feb.next_retry_date, date(2026, 2, 2))
        # the subscriber reads their subscription (portal), an employee does not
        outsiders = [
            new_test_user(
                self.env,
                login="renew_portal",
                groups="base.group_portal",
                partner_id=self.customer.id,
            ),
            new_test_user(self.env, login="renew_employee", groups="base.group_user"),
        ]
        with freeze_time("2026-02-02"):
            for user in outsiders:
                with self.subTest(user=user.login), self.assertRaises(AccessError):
                    sub.with_user(user).action_renew_now()
        self.env.invalidate_all()
        # no charge was attempted on their call
        self.assertEqual(feb.attempt_count, 1)
        self.assertEqual(len(feb.transaction_ids), 1)
        # a Billing Manager may
        with freeze_time("2026-02-02"):
            self.assertTrue(sub.with_user(self.manager).action_renew_now())
        self.env.invalidate_all()
        self.assertEqual(feb.attempt_count, 2)
