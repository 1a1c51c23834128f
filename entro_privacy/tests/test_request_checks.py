"""A request reaches only what its officer may touch (issue 17): no user's account
through a correction, no other company's contact or shop, no other person
through an email pattern; exports are checked like erasures and do not outlive
their period or the person's erasure."""

import base64
import io
import json
import zipfile
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import PrivacyCase


@tagged("post_install", "-at_install")
class TestCorrectionTargets(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "Công ty B (privacy)"})

    def test_a_correction_cannot_take_over_the_admin_account(self):
        admin = self.env.ref("base.user_admin").partner_id
        before = admin.email
        request = self._request(
            "correct", partner_id=admin.id, correction_email="officer@example.com"
        )
        with self.assertRaises(UserError):
            request.action_process()
        self.assertEqual(admin.email, before)
        self.assertEqual(request.state, "new")

    def test_nor_a_portal_account(self):
        portal = new_test_user(
            self.env, login="privacy_portal_subject", groups="base.group_portal"
        )
        portal.partner_id.email = "subscriber@example.com"
        request = self._request(
            "correct",
            partner_id=portal.partner_id.id,
            correction_email="officer@example.com",
        )
        with self.assertRaises(UserError):
            request.action_process()
        self.assertEqual(portal.partner_id.email, "subscriber@example.com")

    def test_a_contact_of_another_company_is_refused(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Khách của công ty B",
                "email": "khach.b@example.com",
                "company_id": self.company_b.id,
            }
        )
        with self.assertRaises(UserError):  # AccessError is one too
            request = self._request(
                "correct", partner_id=partner.id, correction_email="x@example.com"
            )
            request.action_process()
        self.assertEqual(partner.email, "khach.b@example.com")

    def test_a_foreign_contact_slipped_in_is_refused_before_any_sudo(self):
        """A request written before the company check (or past it, in SQL)."""
        partner = self.env["res.partner"].create(
            {
                "name": "Khách của công ty B",
                "email": "khach.b@example.com",
                "company_id": self.company_b.id,
            }
        )
        request = self._request("correct", correction_email="x@example.com")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE entro_privacy_request SET partner_id = %s WHERE id = %s",
            [partner.id, request.id],
        )
        request.invalidate_recordset()
        with self.assertRaises(UserError):  # AccessError is one too
            request.action_process()
        self.assertEqual(partner.sudo().email, "khach.b@example.com")

    def test_a_correction_is_written_with_the_officers_rights(self):
        partner, _delivery = self._person("Đỗ Văn Nam", "0955000222")
        request = self._request(
            "correct", partner_id=partner.id, correction_name="Đỗ Văn Nam (đã sửa)"
        )
        request.action_process()
        self.assertEqual(partner.name, "Đỗ Văn Nam (đã sửa)")


@tagged("post_install", "-at_install")
class TestEmailMatching(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dot, _dot_delivery = cls._person(
            "John Dot", "0901000001", email="john.doe@example.com"
        )
        cls.underscore, _u_delivery = cls._person(
            "John Underscore", "0901000002", email="john_doe@example.com"
        )
        cls.mail_dot = cls.env["mail.mail"].create(
            {"email_to": "john.doe@example.com", "subject": "Your order"}
        )
        cls.mail_underscore = cls.env["mail.mail"].create(
            {"email_to": "John_Doe@example.com", "subject": "Your order"}
        )

    def _files(self, request):
        request.action_process()
        data = base64.b64decode(request.get_export()["datas"])
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return {name: archive.read(name).decode() for name in archive.namelist()}

    def test_an_underscore_is_a_character_not_a_wildcard(self):
        request = self._request("export", email="JOHN_DOE@example.com")
        subject = request._subject()
        self.assertIn(self.underscore, subject.partners)
        self.assertNotIn(self.dot, subject.partners)
        found = self.env["entro.privacy.engine"]._find(subject)
        self.assertIn(self.mail_underscore, found["mail.mail"])
        self.assertNotIn(self.mail_dot, found["mail.mail"])
        dump = json.dumps(self._files(request), ensure_ascii=False)
        self.assertIn("John Underscore", dump)
        self.assertNotIn("john.doe@example.com", dump)
        self.assertNotIn("John Dot", dump)

    def test_an_erasure_by_email_spares_the_lookalike(self):
        request = self._request("erase", email="john_doe@example.com")
        request.action_process()
        self.assertFalse(self.underscore.email)
        self.assertEqual(
            (self.dot.name, self.dot.email), ("John Dot", "john.doe@example.com")
        )
        self.assertTrue(self.mail_dot.exists())
        self.assertFalse(self.mail_underscore.exists())

    def test_a_pattern_is_refused(self):
        for pattern in ("%", "%@example.com", "*@example.com", "john doe@example.com"):
            with self.subTest(pattern=pattern), self.assertRaises(ValidationError):
                self._request("export", email=pattern)

    def test_a_pattern_stored_earlier_matches_no_one(self):
        request = self._request("export", email="someone@example.com")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE entro_privacy_request SET email = '%%' WHERE id = %s",
            [request.id],
        )
        request.invalidate_recordset()
        with self.assertRaises(ValidationError):
            request.action_process()
        self.assertFalse(request.export_attachment_id)


@tagged("post_install", "-at_install")
class TestRevokeCompanies(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Shop = cls.env["entro.marketplace.shop"]
        cls.shop_a = Shop.create(
            {"name": "Shop A (privacy)", "platform": "shopee", "state": "connected"}
        )
        cls.company_b = cls.env["res.company"].create({"name": "Công ty B (shops)"})
        cls.shop_b = Shop.with_company(cls.company_b).create(
            {
                "name": "Shop B (privacy)",
                "platform": "shopee",
                "company_id": cls.company_b.id,
                "state": "connected",
            }
        )
        # an officer of both companies who also sees their shops
        cls.officer_ab = new_test_user(
            cls.env,
            login="privacy_officer_ab",
            groups="base.group_user,entro_privacy.group_privacy_officer,"
            "entro_marketplace.group_marketplace_user",
            company_ids=[Command.set((cls.env.company | cls.company_b).ids)],
        )

    def _revoke(self, user, shops):
        return (
            self.env["entro.privacy.request"]
            .with_user(user)
            .create(
                {
                    "request_type": "revoke",
                    "identity_check": "Seller's owner, by video call.",
                    "shop_ids": [Command.set(shops.ids)],
                }
            )
        )

    def test_a_shop_of_another_company_is_not_revoked(self):
        # a request of company A (the officers' current company) naming B's shop
        for user in (self.officer, self.officer_ab):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):  # AccessError is one too
                    request = self._revoke(user, self.shop_b)
                    self.env.invalidate_all()
                    request.action_process()
                self.assertEqual(self.shop_b.state, "connected")

    def test_a_foreign_shop_slipped_in_is_refused_before_any_sudo(self):
        for user in (self.officer, self.officer_ab):
            with self.subTest(user=user.login):
                request = self._revoke(user, self.shop_a)
                field = request._fields["shop_ids"]
                self.env.flush_all()
                self.env.cr.execute(
                    f"INSERT INTO {field.relation} ({field.column1}, {field.column2}) "
                    "VALUES (%s, %s)",
                    [request.id, self.shop_b.id],
                )
                self.env.invalidate_all()
                with self.assertRaises(AccessError):
                    request.action_process()
                self.assertEqual(self.shop_b.state, "connected")
                self.assertEqual(self.shop_a.state, "connected")
                self.assertEqual(request.state, "new")

    def test_a_shop_of_the_request_company_is_revoked(self):
        # by an officer without marketplace rights, nothing in the cache
        request = self._revoke(self.officer, self.shop_a)
        self.env.invalidate_all()
        request.action_process()
        self.assertEqual(self.shop_a.state, "disconnected")
        self.assertEqual(self.shop_b.state, "connected")


@tagged("post_install", "-at_install")
class TestExports(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, _delivery = cls._person(
            "Hồ Thị Lan", "0966123456", email="lan.ho@example.com"
        )
        cls.other, _other_delivery = cls._person(
            "Phan Văn Khác", "0966999888", email="khac@example.com"
        )

    def _age(self, attachment, days):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE ir_attachment SET create_date = %s WHERE id = %s",
            [fields.Datetime.now() - timedelta(days=days), attachment.id],
        )
        attachment.invalidate_recordset()

    def test_the_export_wizard_checks_the_identity_like_erasure(self):
        request = self._request(
            "export", partner_id=self.partner.id, identity_check=False
        )
        wizard = (
            self.env["entro.privacy.export"]
            .with_user(self.officer)
            .create({"request_id": request.id})
        )
        with self.assertRaises(UserError):
            wizard.action_generate()
        self.assertFalse(request.export_attachment_id)
        self.assertEqual(request.state, "new")

    def test_exports_expire_after_the_configured_days(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.entro_privacy_export_days, 30)
        old = self._request("export", partner_id=self.partner.id)
        old.action_process()
        recent = self._request("export", partner_id=self.other.id)
        recent.action_process()
        old_file, recent_file = old.export_attachment_id, recent.export_attachment_id
        self._age(old_file, 31)
        self._age(recent_file, 29)

        self.env["entro.privacy.retention"]._cron_purge_logs()

        self.assertFalse(old_file.exists())
        self.assertFalse(old.export_attachment_id)
        self.assertTrue(recent_file.exists())
        with self.assertRaises(UserError):
            old.get_export()
        audit = old.sudo().audit_ids.filtered(lambda a: a.event == "retention")
        self.assertEqual(len(audit), 1)
        self.assertIn(old.name, audit.detail)
        self.assertIn("30 days", audit.detail)
        self.assertEqual(old.state, "done")
        # a shorter period, configured
        self.env["ir.config_parameter"].sudo().set_param(
            "entro_privacy.export_retention_days", "10"
        )
        self.env["entro.privacy.retention"]._cron_purge_logs()
        self.assertFalse(recent_file.exists())

    def test_erasure_deletes_the_subjects_earlier_exports(self):
        export = self._request("export", phone="0966 123 456")
        export.action_process()
        by_email = self._request("export", email="Lan.Ho@example.com")
        by_email.action_process()
        other = self._request("export", partner_id=self.other.id)
        other.action_process()
        files = export.export_attachment_id | by_email.export_attachment_id
        self.assertEqual(len(files), 2)
        file_ids = files.ids
        other_file = other.export_attachment_id

        erase = self._request("erase", email="lan.ho@example.com")
        wizard = (
            self.env["entro.privacy.erase"]
            .with_user(self.officer)
            .create({"request_id": erase.id})
        )
        self.assertIn(export.name, str(wizard.preview_html))
        wizard.confirm = True
        wizard.action_erase()

        self.assertFalse(files.exists())
        self.assertFalse(export.export_attachment_id)
        self.assertTrue(other_file.exists())
        for request in (export, by_email):
            self.assertIn(request.name, erase.result)
        audit = erase.sudo().audit_ids.filtered(lambda a: a.event == "erase")
        deleted = json.loads(audit.detail)["exports_deleted"]
        self.assertEqual(len(deleted), 2)
        self.assertTrue(any(export.name in line for line in deleted))
        detail = json.loads(audit.detail)
        touched = {(model, rid) for model, rid, _action, _fields in detail["touched"]}
        for file_id in file_ids:
            self.assertIn(("ir.attachment", file_id), touched)
