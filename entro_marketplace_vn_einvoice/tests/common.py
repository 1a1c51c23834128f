"""A Vietnamese company with the l10n_vn chart and an SInvoice account on the
SInvoice emulator (loopback HTTP), a Shopee shop of it that issues e-invoices,
and beside it a company of another country with its own shop, untouched.

Everything runs as a Marketplace Manager (with sales rights, no accounting
group, not an administrator): orders are confirmed, invoiced by the shop's
policy and their e-invoices sent by real queue_job jobs, run in-process.
"""

import itertools
import logging

from odoo import Command
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.entro_marketplace.tests.flow_case import LoopbackRequests
from odoo.addons.entro_marketplace.tests.jobs import pending_jobs, run_jobs

from tests.emulators.sinvoice import SInvoiceEmulator

CUSTOM_API_HOSTS_PARAM = "entro_marketplace.allow_custom_api_hosts"
BASE_URL_PARAM = "entro_marketplace_vn_einvoice.sinvoice_base_url"
TIMEOUT_PARAM = "entro_marketplace_vn_einvoice.sinvoice_timeout"

VAT = "0100109106-506"
USERNAME = VAT
PASSWORD = "s3cret-SInvoice-pw"
TEMPLATE = "1/001"
SYMBOL = "K24TUT"
SHOP_SYMBOL = "K24TMP"

_seq = itertools.count(1)


def make_vn_company(env):
    """A Vietnamese company with the l10n_vn chart and SInvoice credentials."""
    vn = env.ref("base.vn")
    env.ref("base.VND").active = True
    company = env["res.company"].create(
        {
            "name": "Công ty TNHH Thời trang Entro",
            "country_id": vn.id,
            "state_id": env["res.country.state"]
            .search([("country_id", "=", vn.id)], limit=1)
            .id,
            "street": "3 Ngõ 45 Phan Đình Phùng",
            "city": "Hà Nội",
            "vat": VAT,
            "phone": "+84 24 6266 1275",
            "email": "ketoan@entro.example",
            "currency_id": env.ref("base.VND").id,
        }
    )
    env.user.company_ids |= company
    env["account.chart.template"].try_loading("vn", company=company, install_demo=False)
    company.sudo().write(
        {"l10n_vn_edi_username": USERNAME, "l10n_vn_edi_password": PASSWORD}
    )
    return company


def make_symbols(env, company):
    """SInvoice's template 1/001 with two symbols; the first, the company's
    default (as Accounting settings set it)."""
    template = env["l10n_vn_edi_viettel.sinvoice.template"].create(
        {"name": TEMPLATE, "template_invoice_type": "1"}
    )
    symbols = env["l10n_vn_edi_viettel.sinvoice.symbol"].create(
        [
            {"name": SYMBOL, "invoice_template_id": template.id},
            {"name": SHOP_SYMBOL, "invoice_template_id": template.id},
        ]
    )
    env["ir.default"].set(
        "res.partner", "l10n_vn_edi_symbol", symbols[0].id, company_id=company.id
    )
    return template, symbols


def start_sinvoice(case_class):
    """The SInvoice emulator of a test class, and the database pointed at it."""
    emulator = SInvoiceEmulator(
        username=USERNAME,
        password=PASSWORD,
        tax_code=VAT,
        templates={TEMPLATE: [SYMBOL, SHOP_SYMBOL]},
    )
    emulator.start()
    case_class.addClassCleanup(emulator.stop)
    params = case_class.env["ir.config_parameter"].sudo()
    params.set_param(CUSTOM_API_HOSTS_PARAM, True)
    params.set_param(BASE_URL_PARAM, emulator.base_url)
    params.set_param(TIMEOUT_PARAM, 1.5)
    return emulator


@tagged("post_install", "-at_install")
class EinvoiceCase(LoopbackRequests, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = start_sinvoice(cls)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.vnd = cls.env.ref("base.VND")
        cls.vnd.active = True
        cls.other = cls.env.company  # another country's company, with its shop
        cls.company = cls._make_vn_company()
        cls.template, (cls.symbol, cls.shop_symbol) = make_symbols(cls.env, cls.company)
        cls.tax = cls.env["account.tax"].search(
            [
                ("company_id", "=", cls.company.id),
                ("type_tax_use", "=", "sale"),
                ("amount", "=", 10),
                ("amount_type", "=", "percent"),
            ],
            limit=1,
        )
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"Áo thun {i}",
                    "default_code": f"AO-{i}",
                    "type": "consu",
                    "list_price": 100000 * i,
                    "invoice_policy": "order",
                }
                for i in (1, 2)
            ]
        )
        cls.shop = cls._make_shop(cls.company, einvoice_enabled=True)
        cls.other_shop = cls._make_shop(cls.other)
        cls.manager = new_test_user(
            cls.env,
            login="mp_manager_einvoice",
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "sales_team.group_sale_manager",
            company_id=cls.company.id,
            company_ids=[Command.set([cls.company.id, cls.other.id])],
        )
        cls.env = cls.env(
            user=cls.manager,
            context=dict(
                cls.env.context, allowed_company_ids=[cls.company.id, cls.other.id]
            ),
        )
        cls.shop = cls.shop.with_env(cls.env)
        cls.other_shop = cls.other_shop.with_env(cls.env)

    @classmethod
    def _make_vn_company(cls):
        return make_vn_company(cls.env)

    @classmethod
    def _make_shop(cls, company, **values):
        n = next(_seq)
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        return cls.env["entro.marketplace.shop"].create(
            {
                "name": f"Shopee {company.name}",
                "platform": "shopee",
                "company_id": company.id,
                "external_id": f"einv-{company.id}-{n}",
                "app_key": f"einv-app-{company.id}",
                "warehouse_id": warehouse.id,
                "invoice_policy": "confirm",
                **values,
            }
        )

    def setUp(self):
        super().setUp()
        self.emulator.reset()
        self.emulator.faults.clear()
        self.emulator.journal.clear()
        # the emulator forgets its tokens: so does the company
        self.company.sudo().write(
            {"l10n_vn_edi_token": False, "l10n_vn_edi_token_expiry": False}
        )

    # ------------------------------------------------------------ helpers

    def buyer(self, name="Nguyễn Thị Lan", company=None, **values):
        company = company or self.company
        return (
            self.env["res.partner"]
            .sudo()
            .create(
                {
                    "name": name,
                    "company_id": company.id,
                    "phone": "0912345678",
                    "street": "12 Lý Thường Kiệt",
                    "city": "Hà Nội",
                    "country_id": self.env.ref("base.vn").id,
                    **values,
                }
            )
        )

    def order(self, partner=None, shop=None, lines=((0, 1),), confirm=True):
        """A marketplace sales order of ``shop``, confirmed: the shop's invoicing
        policy (on confirmation) invoices and posts it."""
        return self.orders(1, partner, shop, lines, confirm)

    def orders(self, count, partner=None, shop=None, lines=((0, 1),), confirm=True):
        """``count`` marketplace sales orders of ``shop`` (made together)."""
        shop = shop or self.shop
        partner = partner or self.buyer(company=shop.company_id)
        taxes = self.tax.ids if shop.company_id == self.company else []
        numbers = [next(_seq) for _i in range(count)]
        sales = (
            self.env["sale.order"]
            .with_company(shop.company_id)
            .create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": shop.company_id.id,
                        "entro_shop_id": shop.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.products[i].id,
                                    "product_uom_qty": qty,
                                    "entro_external_line_id": f"L{n}-{i}",
                                    "tax_id": [Command.set(taxes)],
                                }
                            )
                            for i, qty in lines
                        ],
                    }
                    for n in numbers
                ]
            )
        )
        self.env["entro.marketplace.order"].sudo().create(
            [
                {"shop_id": shop.id, "external_id": f"SO{n}", "sale_order_id": sale.id}
                for n, sale in zip(numbers, sales, strict=True)
            ]
        )
        if confirm:
            sales.action_confirm()
        return sales

    def invoice_of(self, sale):
        return sale.invoice_ids.filtered(lambda m: m.move_type == "out_invoice")

    def run_jobs(self, **kwargs):
        return run_jobs(self.env, **kwargs)

    def pending(self):
        return pending_jobs(self.env)

    def sent_payload(self, move):
        invoice = self.emulator.invoice(move.sudo().l10n_vn_edi_invoice_transaction_id)
        self.assertTrue(invoice, f"{move.name} is not on SInvoice")
        return invoice["payload"]

    def capture_logs(self):
        """Everything logged at DEBUG and up while the block runs."""
        return self.assertLogs(level=logging.DEBUG)
