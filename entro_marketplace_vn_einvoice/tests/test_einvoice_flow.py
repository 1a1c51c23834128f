"""The whole way: a Vietnamese company's Shopee shop syncs its orders from the
Shopee emulator, the shop's policy invoices them at confirmation, and their
e-invoices are issued on the SInvoice emulator, by the jobs of the sync's user."""

from odoo.tests import tagged

from odoo.addons.entro_marketplace.tests.common import ShopeeFlowCase

from .common import make_symbols, make_vn_company, start_sinvoice


@tagged("post_install", "-at_install")
class TestEinvoiceShopeeFlow(ShopeeFlowCase):
    manager_login = "mp_manager_einvoice_flow"

    @classmethod
    def _emulator_args(cls):
        # (called before the case takes its company) the seller is Vietnamese
        if not hasattr(cls, "vn_company"):
            cls.vn_company = make_vn_company(cls.env)
            cls.env = cls.env(
                context=dict(cls.env.context, allowed_company_ids=cls.vn_company.ids)
            )
        return super()._emulator_args()

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.sinvoice = start_sinvoice(cls)
        make_symbols(cls.env(su=True), cls.vn_company)
        cls.shop.sudo().write({"invoice_policy": "confirm", "einvoice_enabled": True})

    def setUp(self):
        super().setUp()
        self.sinvoice.reset()

    def test_synced_orders_are_e_invoiced_with_their_buyers(self):
        self.assertEqual(self.shop.company_id, self.vn_company)
        self.add_orders(4, seed=21, statuses=["READY_TO_SHIP"])
        run = self.sync()
        self.assertFalse(run.failed)
        invoices = self.bindings().sale_order_id.invoice_ids
        self.assertEqual(len(invoices), 4)
        self.assertEqual(set(invoices.mapped("entro_einvoice_state")), {"sent"})
        self.assertEqual(self.sinvoice.duplicates(), {})
        self.assertEqual(len(self.sinvoice.invoices), 4)
        for invoice in invoices:
            on_sinvoice = self.sinvoice.invoice(
                invoice.l10n_vn_edi_invoice_transaction_id
            )
            self.assertEqual(
                invoice.l10n_vn_edi_invoice_number, on_sinvoice["invoiceNo"]
            )
            buyer = on_sinvoice["payload"]["buyerInfo"]
            # a Shopee buyer is a person: name only
            self.assertEqual(buyer["buyerName"], invoice.partner_id.name)
            self.assertEqual(buyer["buyerLegalName"], "")
            self.assertEqual(buyer["buyerTaxCode"], "")
            total = sum(
                i["itemTotalAmountWithTax"] for i in on_sinvoice["payload"]["itemInfo"]
            )
            self.assertAlmostEqual(total, invoice.amount_total)
