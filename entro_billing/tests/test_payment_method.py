"""From trial to paid: a card saved on the portal (Odoo's payment form, demo
provider) becomes the subscription's payment method; or bank transfer, with the
invoice's bank account and reference, a grace until its due date, suspension
after it, and the service back when the bank statement line is reconciled."""

import re
from datetime import date

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, new_test_user, tagged

from .common import BillingCase


class TransferCase(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        bank = cls.env["res.bank"].create({"name": "Vietcombank", "bic": "BFTVVNVX"})
        cls.bank_account = cls.env["res.partner.bank"].create(
            {
                "acc_number": "0071000123456",
                "partner_id": company.partner_id.id,
                "bank_id": bank.id,
            }
        )
        cls.bank_journal = cls.env["account.journal"].search(
            [
                ("type", "=", "bank"),
                *cls.env["account.journal"]._check_company_domain(company),
            ],
            limit=1,
        )

    def receive_transfer(self, invoice, amount=None, reference=None):
        """A bank statement line of the transfer, reconciled with the invoice (what
        the accountant does in the reconciliation; Community has no widget)."""
        st_line = self.env["account.bank.statement.line"].create(
            {
                "journal_id": self.bank_journal.id,
                "date": fields.Date.today(),
                "payment_ref": reference or invoice.payment_reference,
                "partner_id": invoice.partner_id.id,
                "amount": amount or invoice.amount_total,
            }
        )
        _liquidity, suspense, _other = st_line.with_context(
            skip_account_move_synchronization=True
        )._seek_for_lines()
        receivable = invoice.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        suspense.with_context(
            skip_account_move_synchronization=True
        ).account_id = receivable.account_id
        (suspense + receivable).reconcile()
        self.env.invalidate_all()
        return st_line


@tagged("post_install", "-at_install")
class TestBankTransfer(TransferCase):
    def test_trial_by_transfer_grace_suspension_and_resume(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe(token=False)
        with freeze_time("2026-01-03"):
            sub.action_pay_by_transfer()
        self.assertEqual(sub.payment_mode, "transfer")
        # the trial goes on past its end: invoiced with the bank and a reference
        self.cron("2026-01-15")
        self.assertEqual(sub.state, "grace")
        self.assertTrue(sub.service_active)
        invoice = sub.invoice_ids
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.partner_bank_id, self.bank_account)
        self.assertTrue(invoice.payment_reference)
        self.assertEqual(invoice.invoice_date_due, date(2026, 1, 22))
        self.assertEqual(invoice.payment_state, "not_paid")
        # never charged: no transaction, no failure
        self.assertFalse(sub.period_ids.transaction_ids)
        self.assertEqual(sub.period_ids.state, "invoiced")
        # within the due date: still running
        self.cron("2026-01-22")
        self.assertEqual(sub.state, "grace")
        # the day after: suspended, and the shop would say which invoice to pay
        self.cron("2026-01-23")
        self.assertEqual(sub.state, "suspended")
        self.assertFalse(sub.service_active)
        self.assertTrue(self.messages(sub, "suspended"))
        # the transfer arrives: reconciled, the service is back
        with freeze_time("2026-01-25"):
            self.receive_transfer(invoice)
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(sub.period_ids.state, "paid")
        self.assertEqual(sub.state, "active")
        self.assertTrue(sub.service_active)
        # the next renewal is issued by transfer again, in grace until paid
        self.cron("2026-02-15")
        self.assertEqual(sub.state, "grace")
        self.assertEqual(len(sub.invoice_ids), 2)

    def test_a_transfer_paid_within_the_due_date_ends_the_grace(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe(token=False)
            sub.action_pay_by_transfer()
        self.cron("2026-01-15")
        self.assertEqual(sub.state, "grace")
        with freeze_time("2026-01-18"):
            self.receive_transfer(sub.invoice_ids)
        self.assertEqual(sub.state, "active")
        self.cron("2026-01-30")
        self.assertEqual(sub.state, "active")

    def test_a_new_card_pays_the_overdue_transfer_invoice_at_once(self):
        with freeze_time("2026-01-01"):
            sub = self.subscribe(token=False)
            sub.action_pay_by_transfer()
        self.cron("2026-01-15")
        self.cron("2026-01-23")
        self.assertEqual(sub.state, "suspended")
        with freeze_time("2026-01-24"):
            sub._set_payment_token(self.make_token())
        self.env.invalidate_all()
        self.assertEqual(sub.payment_mode, "token")
        self.assertEqual(sub.period_ids.state, "paid")
        self.assertEqual(sub.state, "active")

    def test_transfer_needs_a_bank_account_of_the_invoicing_company(self):
        self.bank_account.active = False
        sub = self.subscribe(token=False)
        with self.assertRaisesRegex(Exception, "no bank account to receive transfers"):
            sub.action_pay_by_transfer()
        self.assertEqual(sub.payment_mode, "token")


@tagged("post_install", "-at_install")
class TestCardOnThePortal(BillingCase, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.provider.is_published = True
        cls.portal_user = new_test_user(
            cls.env,
            login="hoamai_card",
            password="hoamai-portal-2",
            groups="base.group_portal",
            partner_id=cls.customer.id,
        )

    def test_a_card_saved_on_the_portal_carries_the_trial_to_paid(self):
        today = fields.Date.today()
        sub = self.subscribe(token=False)
        trial_end = sub.trial_end
        self.env.flush_all()
        self.authenticate("hoamai_card", "hoamai-portal-2")
        page = self.url_open(f"/my/entro/{sub.id}").text
        self.assertIn(f"/my/entro/{sub.id}/card", page)
        response = self.url_open(f"/my/entro/{sub.id}/card")
        self.assertEqual(response.status_code, 200)
        form = re.search(r'<form[^>]*id="o_payment_form"[^>]*>', response.text).group(0)
        access_token = re.search(r'data-access-token="([^"]+)"', form).group(1)
        route = f"/my/entro/{sub.id}/card/transaction"
        self.assertIn(f'data-transaction-route="{route}"', form)
        method = self.env.ref("payment_demo.payment_method_demo")
        # what the payment form's script posts to a document's route (payment
        # module's _prepareTransactionRouteParams), then the demo provider's answer
        values = self.make_jsonrpc_request(
            f"/my/entro/{sub.id}/card/transaction",
            {
                "provider_id": self.provider.id,
                "payment_method_id": method.id,
                "token_id": None,
                "amount": None,
                "flow": "direct",
                "tokenization_requested": False,
                "landing_route": f"/my/entro/{sub.id}",
                "is_validation": True,
                "access_token": access_token,
            },
        )
        self.make_jsonrpc_request(
            "/payment/demo/simulate_payment",
            {
                "reference": values["reference"],
                "payment_details": "4242",
                "simulated_state": "done",
            },
        )
        # the status page polls: the transaction is post-processed
        status = self.make_jsonrpc_request("/payment/status/poll", {})
        self.assertEqual(status["state"], "done")
        self.env.invalidate_all()
        tx = self.env["payment.transaction"].search(
            [("reference", "=", values["reference"])]
        )
        self.assertEqual(tx.operation, "validation")
        self.assertEqual(tx.entro_subscription_id, sub)
        self.assertTrue(tx.token_id)
        # in the same step: the subscription's payment method
        self.assertEqual(sub.payment_token_id, tx.token_id)
        self.assertEqual(sub.payment_mode, "token")
        self.assertIn("4242", self.url_open(f"/my/entro/{sub.id}").text)
        # the trial goes on past its end: invoiced and charged to the card
        self.cron(trial_end)
        self.assertEqual(sub.state, "active")
        self.assertEqual(sub.period_ids.state, "paid")
        self.assertIn(sub.invoice_ids.payment_state, ("paid", "in_payment"))
        self.assertEqual(sub.period_ids.transaction_ids.token_id, tx.token_id)
        self.assertGreaterEqual(trial_end, today)

    def test_another_subscribers_card_route_is_refused(self):
        stranger = self.env["res.partner"].create({"name": "Another shop"})
        foreign = self.Sub.create(
            {"partner_id": stranger.id, "plan_id": self.growth.id}
        )
        self.env.flush_all()
        self.authenticate("hoamai_card", "hoamai-portal-2")
        self.assertEqual(self.url_open(f"/my/entro/{foreign.id}/card").status_code, 404)
