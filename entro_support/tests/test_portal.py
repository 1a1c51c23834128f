"""Over HTTP, as the seller's users: the portal's ticket form reaches Entro
Support, and the data download is served while allowed, refused after."""

import io
import zipfile
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import SupportCase


@tagged("post_install", "-at_install")
class TestSupportPortal(HttpCase, SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # a contact of seller A's company with portal access
        contact = cls.env["res.partner"].create(
            {
                "name": "Chị Mai (A)",
                "email": "mai@hoamai.example.com",
                "parent_id": cls.company_a.partner_id.id,
            }
        )
        cls.portal_a = new_test_user(
            cls.env,
            login="portal_a",
            groups="base.group_portal",
            partner_id=contact.id,
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls._buyer_order(cls.shop_a, "A-PORTAL-0001")
        cls._buyer_order(cls.shop_b, "B-PORTAL-0001", {"name": "Lê Văn Bí"})

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, page.text[:500])
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def test_portal_ticket_reaches_entro_support(self):
        self.authenticate("portal_a", "portal_a")
        csrf = self._csrf("/new/ticket")
        response = self.url_open(
            "/submitted/ticket",
            data={
                "csrf_token": csrf,
                "subject": "Hỏi về gói Scale",
                "description": "Cho em hỏi giới hạn đơn hàng mỗi tháng.",
            },
        )
        self.assertEqual(response.status_code, 200)
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Hỏi về gói Scale")], limit=1
        )
        self.assertTrue(ticket)
        self.assertEqual(
            ticket.team_id, self.env.ref("entro_support.team_entro_support")
        )
        self.assertEqual(ticket.entro_seller_company_id, self.company_a)
        self.assertTrue(ticket.entro_priority_support)
        self.assertTrue(ticket.ticket_sla_ids)
        self.assertIn(f"/my/ticket/{ticket.id}", response.url)
        self.assertIn("Hỏi về gói Scale", response.text)

    def test_data_download_served_then_refused(self):
        self.authenticate("portal_a", "portal_a")
        page = self.url_open("/my/entro/data")
        self.assertIn("o_entro_data_download", page.text)
        response = self.url_open("/my/entro/data/archive")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        orders = zipfile.ZipFile(io.BytesIO(response.content)).read("orders.csv")
        self.assertIn(b"A-PORTAL-0001", orders)
        self.assertNotIn(b"B-PORTAL-0001", orders)
        self.sub_a._expire("test")
        self.sub_a.entro_ended_on = fields.Date.today() - timedelta(days=31)
        page = self.url_open("/my/entro/data")
        self.assertIn("o_entro_data_refused", page.text)
        self.assertNotIn("o_entro_data_download", page.text)
        response = self.url_open("/my/entro/data/archive")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(b"A-PORTAL-0001", response.content)

    def test_other_users_get_no_archive(self):
        outsider = new_test_user(self.env, login="outsider", groups="base.group_portal")
        self.assertTrue(outsider)
        self.authenticate("outsider", "outsider")
        response = self.url_open("/my/entro/data/archive")
        self.assertEqual(response.status_code, 403)
