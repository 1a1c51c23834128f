"""The subscriber's account dashboard, over HTTP, as the customer."""

import re
from urllib.parse import quote

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestPortal(BillingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env,
            login="hoamai",
            password="hoamai-portal-1",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )
        stranger = cls.env["res.partner"].create({"name": "Another shop"})
        cls.foreign = cls.Sub.create(
            {
                "partner_id": stranger.id,
                "plan_id": cls.env.ref("entro_billing.plan_scale").id,
            }
        )

    def test_dashboard_cancel_and_resume(self):
        # today, not a frozen day: the HTTP server runs on the real clock
        today = fields.Date.today()
        sub = self.subscribe(plan=self.growth, trial_end=today)
        self.cron(today)
        self.env.flush_all()
        self.authenticate("hoamai", "hoamai-portal-1")
        response = self.url_open("/my/entro")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(f"/my/entro/{sub.id}"))
        page = response.text
        self.assertIn("Growth", page)
        self.assertIn(sub.invoice_ids.name, page)
        self.assertIn("o_entro_next_invoice", page)
        self.assertIn("o_entro_token", page)
        self.assertIn("o_entro_cancel", page)
        # another subscriber's subscription is not there
        self.assertNotIn(self.foreign.name, page)
        self.assertEqual(self.url_open(f"/my/entro/{self.foreign.id}").status_code, 404)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        response = self.url_open(
            f"/my/entro/{self.foreign.id}/cancel", data={"csrf_token": token}
        )
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self.foreign.state, "trial")
        # cancel at the end of the period
        response = self.url_open(
            f"/my/entro/{sub.id}/cancel", data={"csrf_token": token}
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(sub.state, "cancelled")
        self.assertIn("o_entro_cancelled", response.text)
        self.assertIn("o_entro_resume", response.text)
        # ... and resume before it ends
        response = self.url_open(
            f"/my/entro/{sub.id}/resume", data={"csrf_token": token}
        )
        self.assertEqual(response.status_code, 200)
        self.env.invalidate_all()
        self.assertEqual(sub.state, "active")

    def test_home_links_the_account(self):
        self.authenticate("hoamai", "hoamai-portal-1")
        response = self.url_open("/my")
        self.assertEqual(response.status_code, 200)
        self.assertIn("/my/entro", response.text)

    def test_the_page_shows_only_known_messages(self):
        sub = self.subscribe(plan=self.growth)
        self.env.flush_all()
        self.authenticate("hoamai", "hoamai-portal-1")
        # a link crafted by someone else: its text never reaches the page
        bait = "Your card was blocked: call 1900 0000 or pay at evil.example"
        response = self.url_open(f"/my/entro/{sub.id}?message={quote(bait)}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("1900 0000", response.text)
        self.assertNotIn("o_entro_message", response.text)
        # a known code shows its own text
        response = self.url_open(f"/my/entro/{sub.id}?message=cancel_refused")
        self.assertIn("o_entro_message", response.text)
        self.assertIn("cannot be cancelled now", response.text)
        # a refused action says so by its code
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.text).group(1)
        response = self.url_open(
            f"/my/entro/{sub.id}/resume", data={"csrf_token": token}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith("?message=resume_refused"), response.url)
        self.assertIn("cannot be resumed", response.text)
        self.env.invalidate_all()
        self.assertEqual(sub.state, "trial")
