"""The data-subject request form, over HTTP with its CSRF token: a buyer (not
logged in) or a seller's portal user records a request for the Privacy Officer,
to verify; nothing is processed before a person checks the identity."""

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPrivacyPortalRequest(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Request = cls.env["entro.privacy.request"]
        cls.company_a = cls.env["res.company"].create({"name": "Shop Hoa Mai"})
        cls.company_b = cls.env["res.company"].create({"name": "Shop Cà Phê"})
        cls.shop_a = cls.env["entro.marketplace.shop"].create(
            {
                "name": "Hoa Mai Official",
                "platform": "shopee",
                "company_id": cls.company_a.id,
            }
        )
        cls.portal_b = new_test_user(
            cls.env,
            login="privacy_portal_b",
            email="lan@caphe.example.com",
            groups="base.group_portal",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200, page.text[:300])
        marker = 'name="csrf_token" value="'
        start = page.text.index(marker) + len(marker)
        return page.text[start : page.text.index('"', start)]

    def _submit(self, csrf, **values):
        return self.url_open(
            "/privacy/request/submit", data=dict(values, csrf_token=csrf)
        )

    def test_a_buyer_asks_without_an_account(self):
        csrf = self._csrf("/privacy/request")
        response = self._submit(
            csrf,
            request_type="erase",
            about="buyer",
            shop="hoa mai official",
            name="Nguyễn Thị Bưởi",
            email="buoi@example.vn",
            phone="0912345678",
            message="Đơn 2612040001ABCD",
        )
        self.assertEqual(response.status_code, 200)
        request = self.Request.search([("email", "=", "buoi@example.vn")])
        self.assertEqual(len(request), 1)
        self.assertIn(request.name, response.text)
        self.assertEqual(request.company_id, self.company_a)
        self.assertEqual(request.request_type, "erase")
        self.assertEqual(request.state, "new")
        self.assertEqual(request.channel, "web")
        self.assertTrue(request.to_verify)
        self.assertFalse(request.identity_check)
        self.assertFalse(request.partner_id)
        self.assertEqual(request.requester_name, "Nguyễn Thị Bưởi")
        self.assertIn("hoa mai official", request.request_message)
        self.assertIn(request, self.Request.search([("to_verify", "=", True)]))
        # nothing is erased before a person checks who asks
        self.assertFalse(request.result)

    def test_no_request_without_the_csrf_token(self):
        self.url_open("/privacy/request")
        response = self.url_open(
            "/privacy/request/submit",
            data={
                "request_type": "export",
                "about": "buyer",
                "shop": "Hoa Mai Official",
                "name": "Kẻ giả mạo",
                "email": "forged@example.vn",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.Request.search([("email", "=", "forged@example.vn")]))

    def test_a_bad_email_is_said_and_nothing_recorded(self):
        csrf = self._csrf("/privacy/request")
        response = self._submit(
            csrf,
            request_type="export",
            about="buyer",
            shop="Hoa Mai Official",
            name="Bưởi",
            email="%@example.vn",
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_entro_privacy_error", response.text)
        self.assertFalse(self.Request.search([("requester_name", "=", "Bưởi")]))

    def test_a_seller_portal_user_asks_about_their_own_data(self):
        self.authenticate("privacy_portal_b", "privacy_portal_b")
        csrf = self._csrf("/my/privacy")
        response = self._submit(
            csrf,
            request_type="export",
            about="own",
            name="Lan",
            email="lan@caphe.example.com",
        )
        self.assertEqual(response.status_code, 200)
        request = self.Request.search([("email", "=", "lan@caphe.example.com")])
        self.assertEqual(len(request), 1)
        self.assertEqual(request.company_id, self.company_b)
        self.assertEqual(request.channel, "portal")
        self.assertEqual(request.state, "new")
        self.assertTrue(request.to_verify)
