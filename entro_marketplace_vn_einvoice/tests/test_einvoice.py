"""Marketplace invoices issued as SInvoice e-invoices, through l10n_vn_edi_viettel,
against the SInvoice emulator: buyers, credit notes, and each fault."""

from odoo.exceptions import AccessError, ValidationError
from odoo.modules.neutralize import get_neutralization_queries
from odoo.tests import tagged

from odoo.addons.entro_marketplace.tests.jobs import run_one_round

from .common import BASE_URL_PARAM, CUSTOM_API_HOSTS_PARAM, PASSWORD, EinvoiceCase

CREATE = "/createInvoice/"
SEARCH = "/searchInvoiceByTransactionUuid"


@tagged("post_install", "-at_install")
class TestEinvoice(EinvoiceCase):
    def test_a_company_buyer_is_invoiced_with_its_tax_code(self):
        buyer = self.buyer(
            "Công ty CP Bán Lẻ Sao Mai", is_company=True, vat="0101243150"
        )
        sale = self.order(buyer, lines=((0, 2), (1, 1)))
        invoice = self.invoice_of(sale)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.entro_einvoice_state, "to_send")
        self.assertEqual(invoice.entro_einvoice_shop_id, self.shop)
        jobs = self.pending()
        self.assertEqual(len(jobs), 1)
        self.assertEqual(jobs.channel, "root.marketplace.einvoice")
        self.assertEqual(jobs.user_id, self.manager)
        # the other company's marketplace order: invoiced, never e-invoiced
        other = self.invoice_of(self.order(shop=self.other_shop))
        self.assertEqual(other.state, "posted")
        self.assertFalse(other.entro_einvoice_state)

        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "sent")
        on_sinvoice = self.emulator.invoice(invoice.l10n_vn_edi_invoice_transaction_id)
        self.assertEqual(invoice.l10n_vn_edi_invoice_number, on_sinvoice["invoiceNo"])
        self.assertEqual(
            invoice.l10n_vn_edi_reservation_code, on_sinvoice["reservationCode"]
        )
        self.assertEqual(on_sinvoice["invoiceNo"], "K24TUT1")
        payload = on_sinvoice["payload"]
        self.assertEqual(payload["buyerInfo"]["buyerTaxCode"], "0101243150")
        self.assertEqual(
            payload["buyerInfo"]["buyerLegalName"], "Công ty CP Bán Lẻ Sao Mai"
        )
        self.assertEqual(payload["sellerInfo"]["sellerTaxCode"], "0100109106-506")
        self.assertEqual(payload["generalInvoiceInfo"]["templateCode"], "1/001")
        self.assertEqual(
            [
                (i["itemCode"], i["quantity"], i["taxPercentage"])
                for i in payload["itemInfo"]
            ],
            [("AO-1", 2.0, 10.0), ("AO-2", 1.0, 10.0)],
        )
        # one invoice on SInvoice; SInvoice's PDF and XML attached
        self.assertEqual(self.emulator.journal.count(CREATE), 1)
        self.assertEqual(len(self.emulator.invoices), 1)
        self.assertTrue(invoice.sudo().l10n_vn_edi_sinvoice_pdf_file)
        self.assertTrue(invoice.sudo().l10n_vn_edi_sinvoice_xml_file)
        self.assertIn(on_sinvoice["invoiceNo"], invoice.message_ids[:1].body or "")
        self.assertFalse(other.entro_einvoice_state)
        self.assertEqual(self.shop.einvoice_problem_count, 0)

    def test_an_individual_buyer_is_a_person_and_the_shop_symbol_is_used(self):
        self.shop.sudo().einvoice_symbol_id = self.shop_symbol
        buyer = self.buyer("Trần Văn Bình", phone="******678", email="t****@")
        invoice = self.invoice_of(self.order(buyer))
        self.run_jobs()
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        payload = self.sent_payload(invoice)
        info = payload["buyerInfo"]
        self.assertEqual(info["buyerName"], "Trần Văn Bình")
        self.assertEqual(info["buyerLegalName"], "")
        self.assertEqual(info["buyerTaxCode"], "")
        self.assertEqual(info["buyerPhoneNumber"], "")
        self.assertEqual(info["buyerEmail"], "")
        self.assertEqual(payload["generalInvoiceInfo"]["invoiceSeries"], "K24TMP")
        self.assertEqual(invoice.l10n_vn_edi_invoice_number, "K24TMP1")

    def test_a_return_credit_note_adjusts_the_e_invoice(self):
        sale = self.order(lines=((0, 2),))
        invoice = self.invoice_of(sale)
        binding = self.env["entro.marketplace.order"].search(
            [("sale_order_id", "=", sale.id)]
        )
        ret = self.env["entro.marketplace.return"].create(
            {
                "shop_id": self.shop.id,
                "external_id": "RET-1",
                "order_external_id": binding.external_id,
                "order_id": binding.id,
                "state": "refunded",
                "goods_returned": False,
                "line_data": [
                    {
                        "order_line_external_id": sale.order_line[
                            :1
                        ].entro_external_line_id,
                        "quantity": 1,
                    }
                ],
            }
        )
        # the credit note is posted before the invoice's e-invoice is issued:
        # it waits for it
        self.assertEqual(ret._process(), "processed")
        refund = ret.credit_note_id
        self.assertEqual(refund.state, "posted")
        self.assertEqual(refund.entro_einvoice_state, "to_send")
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertTrue(run.retried, "the credit note did not wait for its invoice")
        self.assertEqual(refund.entro_einvoice_state, "sent")
        general = self.sent_payload(refund)["generalInvoiceInfo"]
        self.assertEqual(general["adjustmentType"], "5")
        self.assertEqual(general["adjustmentInvoiceType"], "1")
        self.assertEqual(
            general["originalInvoiceId"], invoice.l10n_vn_edi_invoice_number
        )
        self.assertEqual(general["additionalReferenceDesc"], refund.ref)
        items = self.sent_payload(refund)["itemInfo"]
        self.assertEqual(items[0]["unitPrice"], -100000.0)
        self.assertFalse(items[0]["isIncreaseItem"])
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "adjusted")
        self.assertEqual(len(self.emulator.invoices), 2)

    def test_service_down_retries_then_sends(self):
        self.emulator.faults.add("service_down", count=3)
        invoice = self.invoice_of(self.order())
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertGreaterEqual(len(run.retried), 2)
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        self.assertEqual(self.emulator.duplicates(), {})
        self.assertEqual(len(self.emulator.invoices), 1)

    def test_a_timeout_after_sinvoice_issued_it_makes_no_duplicate(self):
        self.emulator.faults.add("timeout_after_create", count=1, delay=3)
        invoice = self.invoice_of(self.order())
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(len(run.retried), 1)
        self.assertIn("ReadTimeout", run.retried[0][0].result or "")
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        # issued once, found by its uuid on the second try, not sent again
        self.assertEqual(self.emulator.journal.count(CREATE), 1)
        self.assertEqual(
            self.emulator.invoices_per_uuid(),
            {invoice.l10n_vn_edi_invoice_transaction_id: 1},
        )
        self.assertEqual(
            invoice.l10n_vn_edi_invoice_number, self.emulator.invoices[0]["invoiceNo"]
        )

    def test_a_refused_invoice_is_an_exception_with_sinvoices_message(self):
        self.emulator.refuse_next(
            "BUYER_ADDRESS_INVALID", "Địa chỉ người mua không hợp lệ"
        )
        invoice = self.invoice_of(self.order())
        run = self.run_jobs()
        # not retried blindly, and not a failed job: a visible exception
        self.assertFalse(run.failed)
        self.assertFalse(run.retried)
        self.assertEqual(self.emulator.journal.count(CREATE), 1)
        self.assertEqual(invoice.entro_einvoice_state, "exception")
        self.assertIn("Địa chỉ người mua không hợp lệ", invoice.entro_einvoice_error)
        self.assertIn("BUYER_ADDRESS_INVALID", invoice.entro_einvoice_error)
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "ready_to_send")
        self.assertEqual(self.shop.einvoice_problem_count, 1)
        activity = invoice.sudo().activity_ids
        self.assertEqual(len(activity), 1)
        self.assertIn("Địa chỉ người mua", activity.note)
        uuid = invoice.l10n_vn_edi_invoice_transaction_id
        # a person fixes the buyer, sends again from the shop: same uuid
        self.shop.action_einvoice_retry()
        self.assertEqual(invoice.entro_einvoice_state, "to_send")
        self.run_jobs()
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        self.assertEqual(invoice.l10n_vn_edi_invoice_transaction_id, uuid)
        self.assertEqual(self.emulator.invoices_per_uuid(), {uuid: 1})
        self.assertFalse(invoice.sudo().activity_ids)
        self.assertEqual(self.shop.einvoice_problem_count, 0)

    def test_sinvoice_down_for_long_fails_visibly_then_a_person_sends_again(self):
        self.emulator.faults.add("service_down", count=1000)
        invoice = self.invoice_of(self.order())
        run = self.run_jobs()
        self.assertEqual(len(run.failed), 1)
        self.assertEqual(invoice.entro_einvoice_state, "failed")
        self.assertIn("could not be reached", invoice.entro_einvoice_error)
        self.assertEqual(self.shop.einvoice_problem_count, 1)
        self.assertTrue(invoice.sudo().activity_ids)
        self.assertFalse(self.emulator.invoices)
        action = self.shop.action_view_einvoice_problems()
        self.assertEqual(self.env["account.move"].search(action["domain"]), invoice)
        self.emulator.faults.clear()
        invoice.action_entro_einvoice_retry()
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        self.assertEqual(len(self.emulator.invoices), 1)

    def test_a_5xx_and_an_expired_token_are_transient(self):
        first = self.invoice_of(self.order())
        self.run_jobs()
        self.assertEqual(self.emulator.logins, 1)
        # the stored token expires on SInvoice's side: log in again, once
        self.emulator.expire_tokens()
        second = self.invoice_of(self.order())
        with self.assertLogs(level="DEBUG") as logs:
            run = self.run_jobs()
            self.assertFalse(run.failed)
            self.assertEqual(second.entro_einvoice_state, "sent")
            self.assertEqual(self.emulator.logins, 2)
            # a 502 of SInvoice's gateway: retried
            self.emulator.faults.add("http_5xx", CREATE, count=1, status=502)
            third = self.invoice_of(self.order())
            run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(len(run.retried), 1)
        self.assertEqual(third.entro_einvoice_state, "sent")
        numbers = (first | second | third).mapped("l10n_vn_edi_invoice_number")
        self.assertEqual(numbers, ["K24TUT1", "K24TUT2", "K24TUT3"])
        self.assertEqual(self.emulator.duplicates(), {})
        # no secret in the log: neither the password nor a token
        text = "\n".join(logs.output)
        self.assertNotIn(PASSWORD, text)
        for token in self.emulator.tokens:
            self.assertNotIn(token, text)

    def test_wrong_credentials_are_an_exception_without_the_password(self):
        self.company.sudo().l10n_vn_edi_password = "wrong-password-123"
        invoice = self.invoice_of(self.order())
        with self.assertLogs(level="DEBUG") as logs:
            run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(invoice.entro_einvoice_state, "exception")
        self.assertIn("username or password", invoice.entro_einvoice_error)
        self.assertNotIn("wrong-password-123", invoice.entro_einvoice_error)
        self.assertNotIn("wrong-password-123", "\n".join(logs.output))
        self.assertFalse(self.emulator.invoices)

    def test_a_not_sendable_invoice_is_an_exception_before_any_call(self):
        self.company.sudo().vat = False
        invoice = self.invoice_of(self.order())
        self.run_jobs()
        self.assertEqual(invoice.entro_einvoice_state, "exception")
        self.assertIn("VAT number is missing", invoice.entro_einvoice_error)
        self.assertFalse(self.emulator.journal.entries())

    def test_only_a_vietnamese_company_issues_e_invoices(self):
        with self.assertRaises(ValidationError):
            self.other_shop.einvoice_enabled = True
        # a shop that does not issue them: its invoices stay as they are
        self.shop.sudo().einvoice_enabled = False
        invoice = self.invoice_of(self.order())
        self.assertFalse(invoice.entro_einvoice_state)
        self.assertFalse(self.pending())
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "ready_to_send")

    def test_the_base_url_is_honoured_for_loopback_on_test_databases_only(self):
        move = self.env["account.move"]
        self.assertEqual(move._entro_sinvoice_base_url(), self.emulator.base_url)
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(CUSTOM_API_HOSTS_PARAM, False)
        self.assertIsNone(move._entro_sinvoice_base_url())
        params.set_param(CUSTOM_API_HOSTS_PARAM, True)
        params.set_param(BASE_URL_PARAM, "https://sinvoice.example.com")
        self.assertIsNone(move._entro_sinvoice_base_url())

    def test_a_paid_invoice_has_its_payment_status_sent(self):
        invoice = self.invoice_of(self.order())
        self.run_jobs()
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "sent")
        # an accountant (or a payout) records the payment
        self.env["account.payment.register"].sudo().with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("in_payment", "paid"))
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "payment_state_to_update")
        self.assertEqual(
            self.env["account.move"].sudo()._cron_entro_einvoice_payment_status(), 1
        )
        self.emulator.faults.add("service_down", "updatePaymentStatus", count=1)
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(len(run.retried), 1)
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "sent")
        self.assertTrue(self.emulator.invoices[0]["paymentStatus"])

    def test_a_vietnamese_company_reads_sinvoices_refusal_in_vietnamese(self):
        self.env["res.lang"].sudo()._activate_lang("vi_VN")
        self.env["ir.module.module"].sudo()._load_module_terms(
            ["entro_marketplace_vn_einvoice"], ["vi_VN"]
        )
        self.company.partner_id.sudo().lang = "vi_VN"
        self.emulator.refuse_next(
            "BUYER_TAX_CODE_INVALID", "Mã số thuế người mua không hợp lệ"
        )
        invoice = self.invoice_of(self.order())
        self.run_jobs()
        self.assertEqual(
            invoice.entro_einvoice_error,
            "SInvoice từ chối hóa đơn điện tử: BUYER_TAX_CODE_INVALID: "
            "Mã số thuế người mua không hợp lệ",
        )
        self.assertEqual(
            invoice.sudo().activity_ids.summary, "Hóa đơn điện tử cần xử lý"
        )
        shop = self.shop.with_context(lang="vi_VN")
        self.assertEqual(
            shop._fields["einvoice_problem_count"].get_description(shop.env)["string"],
            "HĐĐT cần xử lý",
        )

    def test_the_credentials_are_system_fields_the_job_reads_as_superuser(self):
        invoice = self.invoice_of(self.order())
        # l10n_vn_edi reads them as the current user: a seller's manager cannot
        with self.assertRaises(AccessError):
            invoice._l10n_vn_edi_get_access_token()
        # the job, run as that manager, sends the invoice it was queued for
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(run.done[0].user_id, self.manager.id)
        self.assertEqual(invoice.entro_einvoice_state, "sent")

    def test_an_invoice_reset_before_it_was_sent_is_built_again(self):
        invoice = self.invoice_of(self.order())
        run_one_round(self.env)  # prepared: its JSON and uuid kept
        uuid = invoice.l10n_vn_edi_invoice_transaction_id
        self.assertTrue(uuid)
        self.assertFalse(self.emulator.invoices)
        accountant = invoice.sudo()
        accountant.button_draft()
        self.assertFalse(invoice.entro_einvoice_state)
        accountant.invoice_line_ids[:1].quantity = 3
        accountant.action_post()
        self.assertEqual(invoice.entro_einvoice_state, "to_send")
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        payload = self.sent_payload(invoice)
        self.assertEqual(payload["itemInfo"][0]["quantity"], 3.0)
        self.assertEqual(self.emulator.invoices_per_uuid(), {uuid: 1})

    def test_a_neutralised_copy_issues_no_e_invoice(self):
        for query in get_neutralization_queries(
            ["l10n_vn_edi_viettel", "entro_marketplace_vn_einvoice"]
        ):
            self.env.cr.execute(query)
        self.env.invalidate_all()
        self.assertFalse(self.shop.einvoice_enabled)
        self.assertFalse(self.company.sudo().l10n_vn_edi_password)
        invoice = self.invoice_of(self.order())
        self.assertFalse(invoice.entro_einvoice_state)
        self.assertFalse(self.pending())

    def test_l10n_vn_edis_own_buttons_reach_the_same_sinvoice(self):
        invoice = self.invoice_of(self.order())
        self.run_jobs()
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        # an accountant cancels the e-invoice with l10n_vn_edi's wizard
        self.env["l10n_vn_edi_viettel.cancellation"].sudo().create(
            {"invoice_id": invoice.id, "reason": "Khách hủy đơn"}
        ).button_request_cancel()
        self.assertEqual(invoice.l10n_vn_edi_invoice_state, "canceled")
        self.assertEqual(invoice.state, "cancel")
        self.assertEqual(self.emulator.invoices[0]["status"], "cancelled")
        self.assertEqual(
            self.emulator.journal.count("/InvoiceWS/cancelTransactionInvoice"), 1
        )
