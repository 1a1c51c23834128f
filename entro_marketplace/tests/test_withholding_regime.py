"""Tax withheld by the platforms from household sellers (Decree 117/2025/ND-CP):
the shop's tax regime, the company's rates, the expected withholding of each order
against what the payouts withheld, and the monthly report.

Two Vietnamese companies side by side, each with a chart of accounts and a Shopee
shop; payouts go through the real import and posting of a normalised payout (the
platform parsers that read withheld tax are built apart); people act as Marketplace
User, Marketplace Manager and accountant, never as administrator.
"""

from datetime import datetime, timezone
from decimal import Decimal

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, new_test_user, tagged

from ..platforms.records import Settlement, SettlementLine

ADDONS = ["entro_marketplace"]


@tagged("post_install", "-at_install")
class TestWithholdingRegime(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(ADDONS, ["vi_VN"])
        cls.vnd = cls.env.ref("base.VND")
        cls.vnd.active = True
        cls.a = cls._company("Hộ kinh doanh An")
        cls.b = cls._company("Hộ kinh doanh Bình")

    @classmethod
    def _company(cls, name):
        env = cls.env
        company = env["res.company"].create({"name": name, "currency_id": cls.vnd.id})
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
        company.partner_id.lang = "vi_VN"
        label = "a" if "An" in name else "b"

        def user(role, groups):
            return new_test_user(
                env,
                login=f"wh_{role}_{label}",
                groups=groups,
                company_id=company.id,
                company_ids=[Command.set(company.ids)],
                lang="vi_VN",
                context={"no_reset_password": True},
            )

        users = {
            "mp_user": user(
                "user", "base.group_user,entro_marketplace.group_marketplace_user"
            ),
            "mp_manager": user(
                "manager",
                "base.group_user,entro_marketplace.group_marketplace_manager,"
                "sales_team.group_sale_salesman",
            ),
            "accountant": user(
                "accountant", "base.group_user,account.group_account_manager"
            ),
        }
        warehouse = env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        shop = env["entro.marketplace.shop"].create(
            {
                "name": f"Shopee {name}",
                "platform": "shopee",
                "company_id": company.id,
                "external_id": f"wh-shop-{label}",
                "app_key": f"wh-app-{label}",
                "app_secret": f"wh-secret-{label}",
                "warehouse_id": warehouse.id,
            }
        )
        customer = env["res.partner"].create(
            {"name": f"Người mua {label}", "company_id": company.id}
        )
        Product = env["product.product"]
        products = {
            kind: Product.create(
                {
                    "name": f"{kind} {label}",
                    "type": "service" if kind == "services" else "consu",
                    "entro_supply_kind": kind,
                    "company_id": company.id,
                }
            )
            for kind in ("goods", "services", "transport")
        }
        return _Namespace(
            company=company,
            shop=shop,
            customer=customer,
            products=products,
            label=label,
            **users,
        )

    # ------------------------------------------------------------------ helpers

    def order(self, fx, ref, kinds=("goods",), state="completed", **amounts):
        """A marketplace order of ``fx``'s shop with a sale order of products
        of ``kinds`` (made as the system, as an import makes them); the buyer
        paid the items' amount unless told."""
        amounts.setdefault("amount_total", amounts.get("amount_items", 0))
        sale = self.env["sale.order"].create(
            {
                "partner_id": fx.customer.id,
                "company_id": fx.company.id,
                "order_line": [
                    Command.create({"product_id": fx.products[kind].id})
                    for kind in kinds
                ],
            }
        )
        return self.env["entro.marketplace.order"].create(
            {
                "shop_id": fx.shop.id,
                "external_id": ref,
                "state": state,
                "currency_code": "VND",
                "sale_order_id": sale.id,
                **amounts,
            }
        )

    def payout(self, fx, ref, lines, day=15, month=7):
        """Import and post a payout of ``fx``'s shop as its Marketplace Manager:
        ``lines`` are (order ref, fee type, amount)."""
        when = datetime(2025, month, day, 3, tzinfo=timezone.utc)
        settlement = Settlement(
            external_id=ref,
            payout_time=when,
            currency="VND",
            net_amount=sum((Decimal(amount) for _r, _t, amount in lines), Decimal(0)),
            lines=[
                SettlementLine(
                    fee_type=fee_type,
                    amount=Decimal(amount),
                    raw_code=fee_type,
                    order_external_id=order_ref,
                    time=when,
                )
                for order_ref, fee_type, amount in lines
            ],
        )
        env = self.env(user=fx.mp_manager)
        Payout = env["entro.marketplace.settlement"]
        result = Payout._import_platform_settlement(fx.shop.with_env(env), settlement)
        self.assertEqual(result, "created")
        record = Payout.search([("external_id", "=", ref)])
        self.assertEqual(record.state, "posted", record.error)
        return record

    def as_user(self, fx, role="mp_user"):
        """The environment of a request of ``fx``'s user (in their language)."""
        user = getattr(fx, role)
        return self.env(user=user, context=dict(self.env.context, lang=user.lang))

    def set_household(self, fx):
        shop = fx.shop.with_env(self.as_user(fx, "mp_manager"))
        shop.withholding_regime = "household"

    # -------------------------------------------------------------------- tests

    def test_rates_per_company_with_the_decree_defaults(self):
        for fx in (self.a, self.b):
            env = self.as_user(fx)
            rates = env["entro.marketplace.withholding.rate"].search([])
            self.assertEqual(rates.company_id, fx.company, "own company's only")
            self.assertEqual(
                {r.supply_kind: (r.vat_rate, r.pit_rate) for r in rates},
                {
                    "goods": (1.0, 0.5),
                    "services": (5.0, 2.0),
                    "transport": (3.0, 1.5),
                    "unknown": (5.0, 2.0),
                },
            )
            goods = rates.filtered(lambda r: r.supply_kind == "goods")
            with self.assertRaises(AccessError):
                goods.write({"vat_rate": 2.0})
        # Vietnamese labels for a Vietnamese seller
        Rate = self.as_user(self.a)["entro.marketplace.withholding.rate"]
        labels = dict(Rate._fields["supply_kind"]._description_selection(Rate.env))
        self.assertEqual(labels["goods"], "Hàng hóa")
        self.assertEqual(labels["unknown"], "Không xác định (tỷ lệ cao nhất)")

    def test_an_existing_shop_stays_enterprise_and_shows_no_difference(self):
        fx = self.b
        self.assertEqual(fx.shop.withholding_regime, "enterprise")
        order = self.order(fx, "B-ENT-1", amount_items=100000)
        self.payout(
            fx,
            "B-P-ENT",
            [("B-ENT-1", "order_amount", 100000), ("B-ENT-1", "withheld_vat", -1000)],
        )
        order = order.with_env(self.as_user(fx))
        # what was withheld is shown, nothing is expected nor flagged
        self.assertEqual(order.withheld_vat, 1000)
        self.assertEqual(order.expected_withheld_vat, 0)
        self.assertEqual(order.withholding_state, "none")
        Order = self.as_user(fx)["entro.marketplace.order"]
        self.assertFalse(Order.search([("withholding_state", "=", "differs")]))
        # the seller says it is a household: the same order is now compared
        self.set_household(fx)
        self.assertEqual(order.expected_withheld_vat, 1000)
        self.assertEqual(order.expected_withheld_pit, 500)
        self.assertEqual(order.withholding_state, "differs")  # no PIT withheld
        self.assertEqual(Order.search([("withholding_state", "=", "differs")]), order)

    def test_household_orders_expected_against_withheld(self):
        fx = self.a
        self.set_household(fx)
        # goods: items 200,000 charged, 10,000 of item discount funded by the
        # platform, 20,000 of seller voucher; shipping is not in the base
        right = self.order(
            fx,
            "A-1",
            amount_items=200000,
            amount_item_platform_discount=10000,
            amount_seller_voucher=20000,
            amount_platform_voucher=15000,
            amount_shipping=30000,
        )
        # a service withheld at the goods rate
        wrong = self.order(fx, "A-2", kinds=("services",), amount_items=100000)
        # goods returned: withheld, then offset back in the next payout
        returned = self.order(fx, "A-3", state="returned", amount_items=50000)
        # goods and transport in one order: the highest rate of the two
        mixed = self.order(fx, "A-4", kinds=("goods", "transport"), amount_items=80000)
        # not paid out yet
        waiting = self.order(fx, "A-5", state="shipped", amount_items=100000)
        # one of two items returned: the platform offsets the tax of its part
        partial = self.order(fx, "A-6", kinds=("goods", "goods"), amount_items=60000)
        self.assertEqual(right.withholding_base, 190000)
        self.assertEqual(right.withholding_kind, "goods")
        self.assertEqual(
            (right.expected_withheld_vat, right.expected_withheld_pit), (1900, 950)
        )
        self.assertEqual(wrong.withholding_kind, "services")
        self.assertEqual(
            (wrong.expected_withheld_vat, wrong.expected_withheld_pit), (5000, 2000)
        )
        self.assertEqual(mixed.withholding_kind, "transport")
        self.assertEqual(
            (mixed.expected_withheld_vat, mixed.expected_withheld_pit), (2400, 1200)
        )
        self.assertEqual(returned.expected_withheld_vat, 0)
        self.assertEqual(waiting.withholding_state, "pending")

        self.payout(
            fx,
            "A-P1",
            [
                ("A-1", "order_amount", 210000),
                ("A-1", "commission", -8000),
                ("A-1", "withheld_vat", -1900),
                ("A-1", "withheld_pit", -950),
                ("A-2", "order_amount", 100000),
                ("A-2", "withheld_vat", -1000),
                ("A-2", "withheld_pit", -500),
                ("A-3", "order_amount", 50000),
                ("A-3", "withheld_vat", -500),
                ("A-3", "withheld_pit", -250),
                # rounded differently by the platform: within one dong
                ("A-4", "order_amount", 80000),
                ("A-4", "withheld_vat", -2401),
                ("A-4", "withheld_pit", -1200),
                ("A-6", "order_amount", 60000),
                ("A-6", "withheld_vat", -600),
                ("A-6", "withheld_pit", -300),
            ],
        )
        env = self.as_user(fx)
        right, wrong, returned, mixed, waiting, partial = (
            o.with_env(env) for o in (right, wrong, returned, mixed, waiting, partial)
        )
        self.assertEqual(partial.withholding_state, "ok")
        self.assertEqual((right.withheld_vat, right.withheld_pit), (1900, 950))
        self.assertEqual(right.withholding_state, "ok")
        self.assertEqual(wrong.withholding_state, "differs")
        self.assertEqual(wrong.withholding_difference, 1500 - 7000)
        self.assertEqual(mixed.withholding_state, "ok")
        # the return's offset has not come yet
        self.assertEqual(returned.withholding_state, "differs")
        self.assertEqual(waiting.withholding_state, "pending")
        self.payout(
            fx,
            "A-P2",
            [
                ("A-3", "refund", -50000),
                ("A-3", "withheld_vat", 500),
                ("A-3", "withheld_pit", 250),
                ("A-6", "refund", -20000),
                ("A-6", "withheld_vat", 200),
                ("A-6", "withheld_pit", 100),
            ],
            day=2,
            month=8,
        )
        self.assertEqual(partial.withholding_refunded, 20000)
        self.assertEqual(
            (partial.expected_withheld_vat, partial.expected_withheld_pit), (400, 200)
        )
        self.assertEqual((partial.withheld_vat, partial.withheld_pit), (400, 200))
        self.assertEqual(partial.withholding_state, "ok")
        self.assertEqual((returned.withheld_vat, returned.withheld_pit), (0, 0))
        self.assertEqual(returned.withholding_state, "ok")
        # "Withholding differs", as the seller filters the orders list
        Order = env["entro.marketplace.order"]
        self.assertEqual(Order.search([("withholding_state", "=", "differs")]), wrong)
        self.assertEqual(
            Order.search_count([("shop_id", "=", fx.shop.id)]), 6, "own orders"
        )
        # the rates change (a manager): every order of the company is recomputed
        rate = self.as_user(fx, "mp_manager")[
            "entro.marketplace.withholding.rate"
        ].search([("supply_kind", "=", "goods")])
        rate.vat_rate = 1.5
        self.assertEqual(right.expected_withheld_vat, 2850)
        self.assertEqual(right.withholding_state, "differs")
        # ... and only those of that company
        other = self.as_user(self.b, "mp_manager")["entro.marketplace.withholding.rate"]
        self.assertEqual(other.search([("supply_kind", "=", "goods")]).vat_rate, 1.0)
        # Vietnamese for the seller
        field = Order.fields_get(["withholding_state"])["withholding_state"]
        self.assertIn(("differs", "Chênh lệch"), field["selection"])
        self.assertEqual(
            Order.fields_get(["expected_withheld_vat"])["expected_withheld_vat"][
                "string"
            ],
            "Thuế GTGT dự kiến bị khấu trừ",
        )

    def test_monthly_report_equals_the_withheld_lines_per_company(self):
        lines_of = {}
        for fx, factor in ((self.a, 1), (self.b, 3)):
            self.set_household(fx)
            ref = fx.label.upper()
            self.order(fx, f"{ref}-R1", amount_items=100000 * factor)
            self.order(fx, f"{ref}-R2", state="cancelled", amount_items=40000)
            self.payout(
                fx,
                f"{ref}-JUL",
                [
                    (f"{ref}-R1", "order_amount", 100000 * factor),
                    (f"{ref}-R1", "withheld_vat", -1000 * factor),
                    (f"{ref}-R1", "withheld_pit", -500 * factor),
                    (f"{ref}-R2", "order_amount", 40000),
                    (f"{ref}-R2", "withheld_vat", -400),
                    (f"{ref}-R2", "withheld_pit", -200),
                ],
                month=7,
            )
            self.payout(
                fx,
                f"{ref}-AUG",
                [
                    (f"{ref}-R2", "refund", -40000),
                    (f"{ref}-R2", "withheld_vat", 400),
                    (f"{ref}-R2", "withheld_pit", 200),
                    # an amount the platform withheld without naming an order
                    (None, "withheld_vat", -77),
                ],
                month=8,
            )
            lines_of[fx.company] = (
                self.env["entro.marketplace.settlement.line"]
                .sudo()
                .search(
                    [
                        ("company_id", "=", fx.company.id),
                        ("fee_type", "in", ("withheld_vat", "withheld_pit")),
                    ]
                )
            )
        self.env.flush_all()
        for fx in (self.a, self.b):
            lines = lines_of[fx.company]
            for role in ("mp_user", "mp_manager", "accountant"):
                Report = self.as_user(fx, role)["entro.marketplace.withholding.report"]
                rows = Report.search([])
                self.assertEqual(rows.company_id, fx.company, f"{role}: own only")
                withheld = sum(a for a in lines.mapped("amount") if a < 0)
                offset = sum(a for a in lines.mapped("amount") if a > 0)
                self.assertEqual(
                    sum(rows.mapped("vat_withheld")) + sum(rows.mapped("pit_withheld")),
                    -withheld,
                )
                self.assertEqual(sum(rows.mapped("offset_total")), offset)
                self.assertEqual(
                    sum(rows.mapped("net_withheld")), -sum(lines.mapped("amount"))
                )
                # per month and platform, as the pivot shows it
                groups = Report.read_group(
                    [],
                    ["vat_withheld:sum", "pit_withheld:sum", "net_withheld:sum"],
                    ["date:month", "platform"],
                    lazy=False,
                )
                self.assertEqual(len(groups), 2)
                self.assertEqual(
                    sum(g["net_withheld"] for g in groups),
                    -sum(lines.mapped("amount")),
                )
                july = [g for g in groups if "07" in str(g["__range"]["date:month"])]
                factor = 1 if fx is self.a else 3
                self.assertEqual(july[0]["vat_withheld"], 1000 * factor + 400)
                self.assertEqual(july[0]["pit_withheld"], 500 * factor + 200)
                # the other company's rows: neither found nor read
                foreign = self.env["entro.marketplace.withholding.report"].search(
                    [("company_id", "!=", fx.company.id)]
                )
                self.assertTrue(foreign)
                self.assertFalse(Report.search([("id", "in", foreign.ids)]))
                with self.assertRaises(AccessError):
                    foreign.with_env(Report.env).read(["net_withheld"])
            # the payout analysis has the same tax in its own column
            payouts = self.as_user(fx)["entro.marketplace.payout.report"].search([])
            self.assertEqual(
                sum(payouts.mapped("withheld_tax")), sum(lines.mapped("amount"))
            )
            # revenue: the July order withheld on, the cancelled one counted
            # then taken back
            Report = self.as_user(fx)["entro.marketplace.withholding.report"]
            factor = 1 if fx is self.a else 3
            self.assertEqual(sum(Report.search([]).mapped("revenue")), 100000 * factor)

    def test_the_screens_open_for_each_role(self):
        """The views a seller and an accountant open load for them, in Vietnamese."""
        screens = {
            "mp_user": {
                "entro.marketplace.order": ("list", "form", "search"),
                "entro.marketplace.withholding.rate": ("list", "search"),
                "entro.marketplace.withholding.report": (
                    "pivot",
                    "graph",
                    "list",
                    "search",
                ),
                "entro.marketplace.shop": ("form",),
            },
            "accountant": {
                "entro.marketplace.withholding.report": ("pivot", "list", "search"),
            },
        }
        for role, models in screens.items():
            env = self.as_user(self.a, role)
            for model, kinds in models.items():
                views = env[model].get_views([(False, kind) for kind in kinds])
                self.assertEqual(set(views["views"]), set(kinds), f"{role} {model}")
        Order = self.as_user(self.a)["entro.marketplace.order"]
        form = Order.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Thuế sàn khấu trừ", form)
        search = Order.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("Thuế khấu trừ lệch", search)
        # the menus: Reporting and Configuration for the seller, Invoicing for
        # the accountant
        menus = self.as_user(self.a)["ir.ui.menu"].load_web_menus(False)
        names = {m["name"] for m in menus.values() if isinstance(m, dict)}
        self.assertIn("Thuế sàn khấu trừ", names)
        self.assertIn("Tỷ lệ thuế khấu trừ", names)
        menus = self.as_user(self.a, "accountant")["ir.ui.menu"].load_web_menus(False)
        xmlids = {m.get("xmlid") for m in menus.values() if isinstance(m, dict)}
        self.assertIn("entro_marketplace.menu_account_withholding_report", xmlids)
        self.assertNotIn("entro_marketplace.menu_marketplace_withholding_rate", xmlids)

    def test_recomputing_thousands_of_orders_costs_no_query_per_order(self):
        """The withheld amounts of a batch are read in one query, whatever its size."""
        fx = self.a
        self.set_household(fx)
        Order = self.env["entro.marketplace.order"]
        orders = Order.create(
            [
                {
                    "shop_id": fx.shop.id,
                    "external_id": f"BULK-{n}",
                    "state": "completed",
                    "currency_code": "VND",
                    "amount_items": 1000 * n,
                }
                for n in range(1, 301)
            ]
        )
        self.payout(
            fx,
            "A-BULK",
            [(f"BULK-{n}", "withheld_vat", -10 * n) for n in range(1, 301)],
        )
        self.env.flush_all()

        def queries(records):
            self.env.invalidate_all()
            for name in ("withheld_vat", "expected_withheld_vat", "withholding_kind"):
                self.env.add_to_compute(Order._fields[name], records)
            before = self.env.cr.sql_log_count
            records.flush_recordset()
            return self.env.cr.sql_log_count - before

        few, many = queries(orders[:3]), queries(orders)
        self.assertLessEqual(many, few + 2, f"3 orders: {few} queries, 300: {many}")
        self.assertEqual(orders[9].withheld_vat, 100)


class _Namespace:
    def __init__(self, **values):
        self.__dict__.update(values)
