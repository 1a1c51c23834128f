"""Only Privacy Officers see requests, exports, breaches and the audit trail."""

import base64

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import PrivacyCase


@tagged("post_install", "-at_install")
class TestPrivacySecurity(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.outsiders = [
            new_test_user(
                cls.env,
                login="mp_manager_privacy",
                groups="base.group_user,entro_marketplace.group_marketplace_manager",
            ),
            new_test_user(
                cls.env,
                login="mp_user_privacy",
                groups="base.group_user,entro_marketplace.group_marketplace_user",
            ),
            new_test_user(
                cls.env, login="plain_user_privacy", groups="base.group_user"
            ),
            new_test_user(cls.env, login="portal_privacy", groups="base.group_portal"),
        ]
        cls.partner, cls.delivery = cls._person("Trần Thị Bích", "0901234567")

    def test_officer_handles_a_request_end_to_end(self):
        request = self._request("export", partner_id=self.partner.id)
        self.assertTrue(request.name.startswith("DSR/"))
        self.assertEqual(
            request.due_date - request.received_date,
            __import__("datetime").timedelta(days=10),
        )
        request.action_process()
        self.assertEqual(request.state, "done")
        self.assertTrue(request.export_attachment_id)
        self.assertIn(
            "summary.txt",
            base64.b64decode(request.get_export()["datas"]).decode("latin-1"),
        )
        events = request.audit_ids.mapped("event")
        self.assertIn("created", events)
        self.assertIn("export", events)
        self.assertIn("download", events)

    def test_due_date_follows_the_configured_days(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "entro_privacy.request_days", "20"
        )
        request = self._request("export", partner_id=self.partner.id)
        self.assertEqual((request.due_date - request.received_date).days, 20)

    def test_no_one_else_reads_creates_or_fetches(self):
        request = self._request("export", partner_id=self.partner.id)
        request.action_process()
        attachment = request.export_attachment_id
        breach = self.env["entro.privacy.breach"].create({"name": "Lost laptop"})
        for user in self.outsiders:
            with self.subTest(user=user.login):
                Request = self.env["entro.privacy.request"].with_user(user)
                with self.assertRaises(AccessError):
                    Request.search([])
                with self.assertRaises(AccessError):
                    request.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    Request.create({"request_type": "export", "email": "x@example.com"})
                with self.assertRaises(AccessError):
                    request.with_user(user).get_export()
                with self.assertRaises(AccessError):
                    attachment.with_user(user).read(["datas"])
                with self.assertRaises(AccessError):
                    self.env["entro.privacy.audit"].with_user(user).search([])
                with self.assertRaises(AccessError):
                    breach.with_user(user).read(["name"])
                with self.assertRaises(AccessError):
                    self.env["entro.privacy.erase"].with_user(user).create(
                        {"request_id": request.id}
                    )

    def test_audit_trail_is_append_only(self):
        request = self._request("export", partner_id=self.partner.id)
        line = request.audit_ids[:1]
        self.assertTrue(line)
        for audit in (line.with_user(self.officer), line.sudo()):
            with self.assertRaises(UserError):
                audit.write({"detail": "rewritten"})
            with self.assertRaises(UserError):
                audit.unlink()
        with self.assertRaises(UserError):
            request.unlink()
        self.assertEqual(line.detail, "Access / Export request received")

    def test_processing_needs_an_identity_check(self):
        request = self._request(
            "erase", partner_id=self.partner.id, identity_check=False
        )
        with self.assertRaises(UserError):
            request.action_process()
        self.assertEqual(request.state, "new")
