"""Erasure: pseudonymise what may go, keep what law requires, touch no namesake."""

from dateutil.relativedelta import relativedelta

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import format_date

from .common import PrivacyCase

NAME = "Nguyễn Văn An"


@tagged("post_install", "-at_install")
class TestErase(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner, cls.delivery = cls._person(
            NAME, "0912345678", email="an.nguyen@example.com"
        )
        # a namesake: same name, another person
        cls.namesake, cls.namesake_delivery = cls._person(
            NAME, "0987654321", email="an.other@example.com", street="99 Hai Bà Trưng"
        )
        cls.order = cls._order(cls.partner, cls.delivery)
        cls.invoice = cls._invoice(cls.order)
        cls.draft_order = cls._order(cls.partner, cls.delivery, note="Second order")
        cls.namesake_order = cls._order(cls.namesake, cls.namesake_delivery)
        cls.namesake_invoice = cls._invoice(cls.namesake_order)
        cls.order.message_post(
            body=f"{NAME} asked to call 0912345678 before delivery",
            message_type="comment",
        )
        cls.namesake_order.message_post(
            body=f"{NAME} asked to call 0987654321", message_type="comment"
        )
        cls.order.message_subscribe(partner_ids=cls.partner.ids)

    def _snapshot(self, records):
        return [
            (r._name, r.id, tuple(str(r[f]) for f in ("display_name",)))
            for r in records
        ]

    def test_preview_then_erase_keeps_invoices_and_spares_the_namesake(self):
        request = self._request("erase", partner_id=self.partner.id)
        wizard = (
            self.env["entro.privacy.erase"]
            .with_user(self.officer)
            .create({"request_id": request.id})
        )
        preview = str(wizard.preview_html)
        # what will happen: nothing is done before Erase
        self.assertIn("Will be anonymised", preview)
        self.assertIn("Will be deleted", preview)  # the follower
        self.assertIn("Will be kept", preview)
        until = self.invoice.date + relativedelta(years=10)
        # shown in the officer's date format
        self.assertIn(format_date(self.env, until), preview)
        with self.assertRaises(UserError):
            wizard.action_erase()  # not confirmed
        invoice_before = (
            self.invoice.name,
            self.invoice.state,
            self.invoice.amount_total,
            self.invoice.invoice_partner_display_name,
            self.invoice.partner_id,
        )
        namesake_before = self._snapshot(
            [self.namesake, self.namesake_delivery, self.namesake_order]
        ) + [
            (self.namesake.phone, self.namesake.email, self.namesake_delivery.street),
            tuple(self.namesake_order.message_ids.mapped("body")),
        ]

        wizard.confirm = True
        wizard.action_erase()

        self.assertEqual(request.state, "done")
        # invoices intact and readable for accounting
        self.assertEqual(
            (
                self.invoice.name,
                self.invoice.state,
                self.invoice.amount_total,
                self.invoice.invoice_partner_display_name,
                self.invoice.partner_id,
            ),
            invoice_before,
        )
        self.assertEqual(self.invoice.partner_id.name, NAME)
        # the invoice's customer: kept, restricted, archived, contact data gone
        self.assertTrue(self.partner.entro_privacy_restricted)
        self.assertEqual(self.partner.entro_privacy_retained_until, until)
        self.assertFalse(self.partner.active)
        self.assertFalse(self.partner.phone or self.partner.email)
        # everything else: pseudonymised
        self.assertEqual(self.delivery.name, f"Erased person #{self.delivery.id}")
        self.assertFalse(
            self.delivery.phone or self.delivery.street or self.delivery.city
        )
        for sale in self.order | self.draft_order:
            self.assertNotIn("0912345678", str(sale.note))
            self.assertEqual(sale.partner_shipping_id, self.delivery)
        body = " ".join(self.order.message_ids.mapped("body"))
        self.assertNotIn("0912345678", body)
        self.assertNotIn(NAME, body)
        self.assertFalse(
            self.env["mail.followers"].search([("partner_id", "=", self.partner.id)])
        )
        # the result names every record touched, and what was kept
        self.assertIn(f"res.partner #{self.delivery.id}: pseudonymised", request.result)
        self.assertIn(
            f"account.move #{self.invoice.id}: kept until {until}", request.result
        )
        self.assertNotIn("0912345678", request.result)
        # the namesake: untouched
        self.assertEqual(
            self._snapshot([self.namesake, self.namesake_delivery, self.namesake_order])
            + [
                (
                    self.namesake.phone,
                    self.namesake.email,
                    self.namesake_delivery.street,
                ),
                tuple(self.namesake_order.message_ids.mapped("body")),
            ],
            namesake_before,
        )
        self.assertTrue(self.namesake.active)
        self.assertFalse(self.namesake.entro_privacy_restricted)

        # a second erasure finds nothing to do
        again = self._request("erase", partner_id=self.partner.id)
        self.assertFalse(
            [e for e in again._erase_plan() if e["action"] != "keep" or e["changes"]]
        )
        touched = again._process_erase()
        self.assertEqual(touched, [])
        self.assertTrue(again.result.startswith("0 records touched"))

    def test_a_partner_without_invoices_is_pseudonymised_entirely(self):
        partner, delivery = self._person(
            "Lê Thị Hoa", "0933333333", email="hoa@example.com"
        )
        order = self._order(partner, delivery)
        bank = self.env["res.partner.bank"].create(
            {"partner_id": partner.id, "acc_number": "0071000123456"}
        )
        request = self._request("erase", email="HOA@example.com")
        request.action_process()
        self.assertTrue(bank.acc_number.startswith("erased:"))
        self.assertNotIn("0071000123456", request.result)
        self.assertEqual(partner.name, f"Erased person #{partner.id}")
        self.assertFalse(partner.email or partner.phone or partner.street)
        self.assertFalse(partner.entro_privacy_restricted)
        self.assertEqual(order.partner_id, partner)
        self.assertNotIn("0933333333", str(order.note))

    def test_matching_by_phone_in_any_form(self):
        partner, _delivery = self._person("Phạm Minh", "+84 944 555 666")
        request = self._request("export", phone="0944555666")
        subject = request._subject()
        self.assertIn(partner, subject.partners)
        self.assertNotIn(self.namesake, subject.partners)

    def test_an_internal_user_is_not_erased_by_mistake(self):
        request = self._request("erase", partner_id=self.officer.partner_id.id)
        with self.assertRaises(UserError):
            request.action_process()

    def test_restrict_and_correct(self):
        partner, _delivery = self._person("Võ Thanh", "0955000111")
        restrict = self._request("restrict", partner_id=partner.id)
        restrict.action_process()
        self.assertTrue(partner.entro_privacy_restricted)
        correct = self._request(
            "correct", partner_id=partner.id, correction_email="thanh.vo@example.com"
        )
        correct.action_process()
        self.assertEqual(partner.email, "thanh.vo@example.com")
        self.assertIn("email", correct.result)
        self.assertNotIn(
            "thanh.vo@example.com", " ".join(correct.audit_ids.mapped("detail"))
        )
