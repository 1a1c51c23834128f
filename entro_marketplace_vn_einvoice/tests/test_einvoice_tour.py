"""In a real browser (headless Chromium), as the shop's Marketplace Manager: the
shop's "E-invoices to Fix", the refused invoice's reason, Send E-invoice Again."""

from odoo.tests import HttpCase, tagged

from .common import EinvoiceCase


@tagged("post_install", "-at_install", "is_tour")
class TestEinvoiceTour(EinvoiceCase, HttpCase):
    browser_size = "1440x900"

    def test_a_manager_sends_a_refused_e_invoice_again(self):
        self.emulator.refuse_next(
            "BUYER_ADDRESS_INVALID", "Địa chỉ người mua không hợp lệ"
        )
        invoice = self.invoice_of(self.order())
        self.run_jobs()
        self.assertEqual(invoice.entro_einvoice_state, "exception")
        self.start_tour(
            f"/odoo/action-entro_marketplace.entro_marketplace_shop_action/{self.shop.id}",
            "entro_einvoice_fix",
            login=self.manager.login,
        )
        self.assertEqual(invoice.entro_einvoice_state, "to_send")
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(invoice.entro_einvoice_state, "sent")
        self.assertEqual(len(self.emulator.invoices), 1)
