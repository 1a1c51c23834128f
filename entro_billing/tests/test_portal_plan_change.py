"""Upgrade and downgrade on the portal, over HTTP as the subscriber: the price
difference shown before confirming, CSRF-protected POSTs."""

import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestPortalPlanChange(BillingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="hoamai_plan",
            password="hoamai-portal-3",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )

    def active_subscription(self, plan):
        """Active, ten days into a thirty-day period (the server's real today)."""
        today = fields.Date.today()
        sub = self.subscribe(plan=plan, trial_end=today)
        self.cron(today)
        self.assertEqual(sub.state, "active")
        sub.sudo().write(
            {
                "current_period_start": today - timedelta(days=10),
                "current_period_end": today + timedelta(days=20),
            }
        )
        self.env.flush_all()
        self.authenticate("hoamai_plan", "hoamai-portal-3")
        return sub

    @staticmethod
    def csrf(page):
        return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

    def test_upgrade_shows_the_prorated_charge_then_charges_it(self):
        sub = self.active_subscription(self.starter)
        page = self.url_open(f"/my/entro/{sub.id}").text
        self.assertIn(f"/my/entro/{sub.id}/plan/{self.growth.id}", page)
        preview = self.url_open(f"/my/entro/{sub.id}/plan/{self.growth.id}")
        self.assertEqual(preview.status_code, 200)
        # (799,000 - 299,000) x 20 remaining of 30 days = 333,333 VND, excl. VAT
        amount = re.search(
            r'class="o_entro_amount_now"[^>]*>(.*?)</strong>', preview.text, re.DOTALL
        ).group(1)
        self.assertIn("333,333", amount)
        self.assertIn("20", preview.text)
        # a POST without the CSRF token is refused, nothing changes
        refused = self.url_open(
            f"/my/entro/{sub.id}/plan/{self.growth.id}", data={"plan": "x"}
        )
        self.assertEqual(refused.status_code, 400)
        self.env.invalidate_all()
        self.assertEqual(sub.plan_id, self.starter)
        # confirmed with the page's token
        done = self.url_open(
            f"/my/entro/{sub.id}/plan/{self.growth.id}",
            data={"csrf_token": self.csrf(preview.text)},
        )
        self.assertEqual(done.status_code, 200)
        self.assertTrue(done.url.endswith("?message=plan_upgraded"), done.url)
        self.env.invalidate_all()
        self.assertEqual(sub.plan_id, self.growth)
        upgrade = sub.period_ids.filtered(lambda p: p.kind == "upgrade")
        self.assertEqual(upgrade.amount, 333333)
        self.assertEqual(upgrade.invoice_id.amount_untaxed, 333333)
        self.assertEqual(upgrade.state, "paid")
        self.assertIn(upgrade.invoice_id.name, done.text)

    def test_downgrade_applies_from_the_next_period_without_refund(self):
        sub = self.active_subscription(self.growth)
        end = sub.current_period_end
        preview = self.url_open(f"/my/entro/{sub.id}/plan/{self.starter.id}")
        self.assertEqual(preview.status_code, 200)
        self.assertNotIn("o_entro_amount_now", preview.text)
        self.assertIn("299,000", preview.text)
        effective = re.search(
            r'class="o_entro_effective"[^>]*>(.*?)</strong>', preview.text, re.DOTALL
        ).group(1)
        self.assertIn(str(end.day), effective)
        invoices = sub.invoice_ids
        done = self.url_open(
            f"/my/entro/{sub.id}/plan/{self.starter.id}",
            data={"csrf_token": self.csrf(preview.text)},
        )
        self.assertTrue(done.url.endswith("?message=plan_downgraded"), done.url)
        self.env.invalidate_all()
        self.assertEqual(sub.plan_id, self.growth)
        self.assertEqual(sub.next_plan_id, self.starter)
        self.assertEqual(sub.invoice_ids, invoices)  # nothing charged, no refund
        self.assertEqual(sub.next_invoice_amount, self.starter.price_monthly)
        # the next period is invoiced at the new price
        self.cron(end)
        self.assertEqual(sub.plan_id, self.starter)
        renewal = sub.period_ids.filtered(lambda p: p.period_start == end)
        self.assertEqual(renewal.amount, self.starter.price_monthly)

    def test_another_subscribers_plan_cannot_be_changed(self):
        stranger = self.env["res.partner"].create({"name": "Another shop"})
        foreign = self.Sub.create(
            {"partner_id": stranger.id, "plan_id": self.starter.id}
        )
        sub = self.active_subscription(self.starter)
        page = self.url_open(f"/my/entro/{sub.id}").text
        url = f"/my/entro/{foreign.id}/plan/{self.growth.id}"
        self.assertEqual(self.url_open(url).status_code, 404)
        response = self.url_open(url, data={"csrf_token": self.csrf(page)})
        self.assertEqual(response.status_code, 404)
        self.env.invalidate_all()
        self.assertEqual(foreign.plan_id, self.starter)
