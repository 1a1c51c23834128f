"""A Vietnamese company: what Entro creates and writes for it is in Vietnamese
(install data, payout accounts and journal, order lines, import problems), whatever
the language of the user who starts a sync."""

from datetime import datetime, timedelta, timezone

from odoo.tests import tagged

from .common import ShopeeFlowCase

ADDONS = ["entro_marketplace", "entro_billing", "entro_privacy"]


@tagged("post_install", "-at_install")
class TestVietnameseCompany(ShopeeFlowCase):
    manager_login = "mp_manager_vi"

    @classmethod
    def _create_shop(cls, **values):
        # the company works in Vietnamese before its first shop is connected
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(ADDONS, ["vi_VN"])
        cls.company.partner_id.lang = "vi_VN"
        return super()._create_shop(**values)

    def test_install_data_is_in_vietnamese(self):
        vi = self.env(context=dict(self.env.context, lang="vi_VN"))
        shipping = vi.ref("entro_marketplace.product_marketplace_shipping")
        self.assertEqual(shipping.name, "Phí vận chuyển sàn")
        self.assertEqual(
            vi.ref("entro_marketplace.product_marketplace_seller_voucher").name,
            "Voucher người bán",
        )
        self.assertEqual(vi.ref("entro_billing.plan_starter").name, "Cơ bản")
        menu = vi.ref("entro_marketplace.menu_marketplace_root")
        self.assertEqual(menu.name, "Sàn TMĐT")
        # the payout accounts and journal made for the shop: Vietnamese, and
        # still English for a user who reads English
        shop = self.shop.sudo()
        self.assertEqual(
            shop.payout_clearing_account_id.with_context(lang="vi_VN").name,
            "Phải thu từ sàn",
        )
        self.assertEqual(
            shop.payout_clearing_account_id.with_context(lang="en_US").name,
            "Marketplace Clearing",
        )
        self.assertEqual(
            shop.commission_account_id.with_context(lang="vi_VN").name,
            "Phí hoa hồng sàn",
        )
        self.assertEqual(
            shop.payout_journal_id.with_context(lang="vi_VN").name, "Đối soát sàn"
        )

    def test_a_sync_writes_in_the_companys_language(self):
        # the manager reads English; the company's documents are Vietnamese
        self.assertNotEqual(self.env.user.lang, "vi_VN")
        self.add_orders(4, seed=5)
        unknown = self.generate_orders(
            1,
            seed=9,
            skus=["KHONG-CO-SKU"],
            start=datetime.now(timezone.utc) - timedelta(days=1),
            span=timedelta(hours=12),
        )
        unknown[0]["order_sn"] = "VNUNKNOWN1"
        self.emulator.add_orders(unknown)
        run = self.sync()
        self.assertFalse(run.failed)
        bindings = self.bindings()
        broken = bindings.filtered(lambda b: b.external_id == "VNUNKNOWN1")
        self.assertEqual(broken.sync_state, "exception")
        self.assertIn("Không có sản phẩm nào khớp SKU", broken.exception_reason)
        sales = (bindings - broken).sale_order_id
        self.assertTrue(sales)
        # buyers are Vietnamese contacts: their documents print in Vietnamese
        self.assertEqual(set(sales.partner_id.mapped("lang")), {"vi_VN"})
        shipping = self.env.ref("entro_marketplace.product_marketplace_shipping")
        lines = sales.order_line.filtered(lambda line: line.product_id == shipping)
        self.assertTrue(lines, "no order with a shipping fee")
        self.assertEqual(set(lines.mapped("name")), {"Phí vận chuyển sàn"})
        # and the invoice line copies it
        confirmed = lines.order_id.filtered(lambda sale: sale.state == "sale")
        if confirmed and not confirmed[:1].invoice_ids:
            confirmed[:1]._create_invoices()
        invoice_lines = confirmed.invoice_ids.invoice_line_ids.filtered(
            lambda line: line.product_id == shipping
        )
        self.assertTrue(invoice_lines)
        for name in invoice_lines.mapped("name"):
            self.assertIn("Phí vận chuyển sàn", name)
            self.assertNotIn("Marketplace", name)
