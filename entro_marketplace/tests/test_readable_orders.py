"""Issue 20 (items 2 and 4): what a seller reads on a marketplace order, its sale
order and its listings; the lines of a confirmed marketplace order locked."""

from datetime import datetime, timezone

from lxml import etree

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import new_test_user

from .common import ShopeeFlowCase

PAID = ["READY_TO_SHIP", "READY_TO_SHIP", "PROCESSED", "UNPAID", "CANCELLED"]


class TestReadableOrders(ShopeeFlowCase):
    manager_login = "mp_manager_c20"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.user = new_test_user(
            cls.env(su=True),
            login="mp_user_c20",
            groups="base.group_user,entro_marketplace.group_marketplace_user,"
            "sales_team.group_sale_salesman_all_leads",
        )

    def arch(self, model, view_type, user=None, lang=None):
        env = self.env(user=user or self.env.user)
        if lang:
            env = env(context=dict(env.context, lang=lang))
        views = env[model].get_views([(False, view_type)])
        return etree.fromstring(views["views"][view_type]["arch"])

    def import_orders(self, n=6, seed=3, statuses=PAID):
        orders = self.add_orders(n, seed=seed, statuses=statuses)
        run = self.sync()
        self.assertFalse(run.failed, run.failed)
        return {o["order_sn"]: o for o in orders}, self.bindings()

    # ------------------------------------------------------------ the order

    def test_states_are_badges_with_the_platform_code_beside(self):
        for view_type in ("list", "form"):
            arch = self.arch("entro.marketplace.order", view_type, user=self.user)
            [state] = arch.xpath("//field[@name='state']")
            self.assertEqual(state.get("widget"), "badge")
            self.assertTrue(
                [a for a in state.attrib if a.startswith("decoration-")], view_type
            )
            status = arch.xpath("//field[@name='status']")
            self.assertTrue(status, view_type)
            self.assertIn("text-muted", status[0].get("class"))
        # the raw data only for managers, on a tab of its own
        form = self.arch("entro.marketplace.order", "form", user=self.user)
        self.assertFalse(form.xpath("//field[@name='payload_text']"))
        self.assertFalse(form.xpath("//page[@name='payload']"))
        form = self.arch("entro.marketplace.order", "form", user=self.manager)
        [page] = form.xpath("//page[@name='payload']")
        self.assertEqual(page.get("string"), "Technical")
        self.assertTrue(page.xpath(".//field[@name='payload_text']"))
        # the items, the breakdown and the buyer's message are on the form
        for name in (
            "order_items_html",
            "ship_by_date",
            "buyer_message",
            "amount_seller_voucher",
            "amount_platform_voucher",
            "amount_shipping",
            "amount_difference_reason",
        ):
            self.assertTrue(form.xpath(f"//field[@name='{name}']"), name)
        labels = dict(
            self.env["entro.marketplace.order"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        self.assertEqual(labels["to_ship"], "To Ship")

    def test_import_stores_items_ship_by_message_and_breakdown(self):
        by_sn, bindings = self.import_orders()
        self.assertEqual(len(bindings), 6)
        seen_message = False
        for binding in bindings:
            order = by_sn[binding.external_id]
            if order["order_status"] == "CANCELLED":
                continue
            self.assertEqual(
                binding.ship_by_date,
                datetime.fromtimestamp(order["ship_by_date"], timezone.utc).replace(
                    tzinfo=None
                ),
            )
            self.assertEqual(
                binding.buyer_message or "", order["message_to_seller"] or ""
            )
            seen_message |= bool(binding.buyer_message)
            items = binding.order_items
            self.assertEqual(len(items), len(order["item_list"]))
            self.assertEqual(
                sorted(i["sku"] for i in items),
                sorted(
                    line.get("model_sku") or line.get("item_sku")
                    for line in order["item_list"]
                ),
            )
            self.assertEqual(
                sum(i["quantity"] for i in items),
                sum(line["model_quantity_purchased"] for line in order["item_list"]),
            )
            html = str(binding.order_items_html)
            self.assertIn("<table", html)
            for item in items:
                self.assertIn(item["sku"], html)
            # the breakdown adds up to the platform's total
            self.assertAlmostEqual(
                binding.amount_items
                + binding.amount_shipping
                - binding.amount_shipping_discount
                - binding.amount_seller_voucher
                - binding.amount_platform_voucher
                - binding.amount_coins
                - binding.amount_other_discounts
                + binding.amount_other_fees,
                binding.amount_total,
            )
            self.assertEqual(binding.amount_total, order["total_amount"])
        self.assertTrue(
            seen_message or not any(by_sn[sn]["message_to_seller"] for sn in by_sn)
        )

    def test_vnd_amounts_have_no_decimals_and_the_dong_sign(self):
        _by_sn, bindings = self.import_orders(3, statuses=["READY_TO_SHIP"])
        binding = bindings[0]
        self.assertEqual(binding.currency_id, self.vnd)
        self.assertEqual(self.vnd.decimal_places, 0)
        self.assertEqual(self.vnd.symbol, "₫")
        self.assertEqual(self.vnd.position, "after")
        self.assertEqual(binding._fields["amount_total"].type, "monetary")
        # no decimals: 150,000 ₫ in English (150.000 ₫ in Vietnamese)
        self.assertEqual(binding._format_amount(150000), "150,000\xa0₫")
        self.assertEqual(binding._format_amount(99999.6), "100,000\xa0₫")
        self.assertEqual(
            binding.sale_order_id.currency_id, binding.currency_id, "same currency"
        )

    def test_total_difference_explained(self):
        _by_sn, bindings = self.import_orders()
        # an order cancelled before its import: no sale order, the platform's total
        cancelled = bindings.filtered(lambda b: b.state == "cancelled")[:1]
        self.assertTrue(cancelled)
        self.assertFalse(cancelled.sale_order_id)
        self.assertEqual(cancelled.amount_difference, cancelled.amount_total)
        self.assertIn("before it was imported", cancelled.amount_difference_reason)
        # imported orders agree: nothing to explain
        paid = bindings.filtered(lambda b: b.state == "to_ship")
        self.assertTrue(paid)
        for binding in paid:
            self.assertEqual(binding.amount_difference, 0)
            self.assertFalse(binding.amount_difference_reason)
        # the seller voucher no longer booked on the sale order (changed by the
        # system, as a person cannot any more): the difference says so
        binding = paid.filtered(lambda b: b.amount_seller_voucher)[:1] or paid[:1]
        voucher = self.env.ref("entro_marketplace.product_marketplace_seller_voucher")
        sale = binding.sale_order_id.sudo()
        line = sale.order_line.filtered(lambda sol: sol.product_id == voucher)
        if line:
            line.price_unit = 0
        else:
            sale.order_line = [
                Command.create(
                    {
                        "product_id": voucher.id,
                        "price_unit": -1000,
                        "product_uom_qty": 1,
                        "tax_id": [Command.clear()],
                    }
                )
            ]
        self.env.flush_all()
        binding.invalidate_recordset()
        self.assertTrue(binding.amount_difference)
        self.assertEqual(
            binding.amount_difference, binding.amount_total - sale.amount_total
        )
        self.assertIn("Seller vouchers", binding.amount_difference_reason)
        # grouped by shop, the two totals and their difference add up
        groups = self.env["entro.marketplace.order"].read_group(
            [("shop_id", "=", self.shop.id)],
            ["amount_total:sum", "sale_amount_total:sum", "amount_difference:sum"],
            ["shop_id"],
        )
        self.assertAlmostEqual(
            groups[0]["amount_total"] - groups[0]["sale_amount_total"],
            groups[0]["amount_difference"],
        )

    def test_list_headers_distinct_in_english_and_vietnamese(self):
        self.env["res.lang"].sudo()._activate_lang("vi_VN")
        self.env["ir.module.module"].sudo()._load_module_terms(
            ["entro_marketplace"], ["vi_VN"], overwrite=True
        )
        for lang in ("en_US", "vi_VN"):
            arch = self.arch("entro.marketplace.order", "list", lang=lang)
            headers = [
                arch.xpath(f"//field[@name='{name}']")[0].get("string")
                for name in ("amount_total", "sale_amount_total", "amount_difference")
            ]
            headers = [h or "" for h in headers]
            self.assertEqual(len(set(headers[:2])), 2, (lang, headers))
            self.assertTrue(all(len(h) <= 16 for h in headers[:2]), (lang, headers))
        self.assertNotIn("On Platform", headers)

    # ------------------------------------------------------------ sale order

    def test_sale_order_shows_and_searches_shop_and_number(self):
        _by_sn, bindings = self.import_orders(3, statuses=["READY_TO_SHIP"])
        binding = bindings[0]
        sale = binding.sale_order_id
        SaleOrder = self.env["sale.order"].with_user(self.user)
        self.assertEqual(sale.entro_order_number, binding.external_id)
        self.assertEqual(
            SaleOrder.search([("entro_order_number", "=", binding.external_id)]), sale
        )
        self.assertIn(
            sale,
            SaleOrder.search(
                [("entro_order_number", "ilike", binding.external_id[:6])]
            ),
        )
        self.assertNotIn(
            sale, SaleOrder.search([("entro_order_number", "!=", binding.external_id)])
        )
        self.assertEqual(
            SaleOrder.search([("entro_shop_id", "=", self.shop.id)]),
            bindings.sale_order_id,
        )
        form = self.arch("sale.order", "form", user=self.user)
        for name in ("entro_shop_id", "entro_order_number"):
            [node] = form.xpath(
                f"//group[@name='partner_details']/field[@name='{name}']"
            )
            self.assertNotEqual(node.get("nolabel"), "1")
        [lines] = form.xpath("//field[@name='order_line']")
        self.assertIn("entro_order_locked", lines.get("readonly"))
        search = self.arch("sale.order", "search", user=self.user)
        for name in ("entro_shop_id", "entro_order_number"):
            self.assertTrue(search.xpath(f"//field[@name='{name}']"), name)
        listing = self.arch("sale.order", "list", user=self.user)
        for name in ("entro_shop_id", "entro_order_number"):
            self.assertTrue(listing.xpath(f"//field[@name='{name}']"), name)

    def test_confirmed_marketplace_lines_locked_but_follow_the_platform(self):
        self.emulator.refuse_payment_api()
        self.addCleanup(self.emulator.restore_payment_api)
        _by_sn, bindings = self.import_orders(4, statuses=["READY_TO_SHIP"])
        binding = bindings[0]
        self.assertTrue(binding.amounts_pending)
        sale = binding.sale_order_id
        self.assertEqual(sale.state, "sale")
        self.assertTrue(sale.entro_order_locked)
        for user in (self.user, self.manager):
            lines = sale.with_user(user).order_line
            product_line = lines.filtered("entro_external_line_id")[:1]
            with self.assertRaisesRegex(UserError, "confirmed marketplace order"):
                product_line.write(
                    {"product_uom_qty": product_line.product_uom_qty + 1}
                )
            with self.assertRaisesRegex(UserError, "confirmed marketplace order"):
                product_line.write({"price_unit": 1})
            with self.assertRaisesRegex(UserError, "confirmed marketplace order"):
                product_line.unlink()
            with self.assertRaisesRegex(UserError, "confirmed marketplace order"):
                sale.with_user(user).write(
                    {
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.products[0].id,
                                    "product_uom_qty": 1,
                                }
                            )
                        ]
                    }
                )
            # the same values again are no change; a note line is no divergence
            total = sale.amount_total
            product_line.write(
                {
                    "product_uom_qty": product_line.product_uom_qty,
                    "price_unit": product_line.price_unit,
                }
            )
            self.assertEqual(sale.amount_total, total)
            sale.with_user(user).write(
                {
                    "order_line": [
                        Command.create(
                            {"display_type": "line_note", "name": "Gói quà giúp khách"}
                        )
                    ]
                }
            )
        # a quotation (unpaid) stays editable
        # the platform's breakdown arrives: the import changes the confirmed lines
        lines_before = sale.order_line.mapped("product_id")
        self.emulator.restore_payment_api()
        self.emulator.set_status(binding.external_id, "SHIPPED")
        run = self.sync()
        self.assertFalse(run.failed, run.failed)
        self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
        self.assertFalse(binding.amounts_pending)
        self.assertEqual(sale.amount_total, binding.amount_total)
        self.assertTrue(sale.order_line.mapped("product_id") >= lines_before)
        # a cancellation on the platform still cancels the sale order
        other = bindings.filtered(lambda b: b.state == "to_ship")[:1]
        self.emulator.set_status(other.external_id, "CANCELLED")
        run = self.sync()
        self.assertFalse(run.failed, run.failed)
        self.assertEqual(other.sale_order_id.state, "cancel")

    def test_unpaid_quotation_lines_stay_editable(self):
        _by_sn, bindings = self.import_orders(2, statuses=["UNPAID"])
        sale = bindings[0].sale_order_id
        self.assertEqual(sale.state, "draft")
        self.assertFalse(sale.entro_order_locked)
        line = sale.with_user(self.manager).order_line.filtered(
            "entro_external_line_id"
        )[:1]
        line.write({"product_uom_qty": line.product_uom_qty + 1})

    # ------------------------------------------------------------ listings

    def test_listing_quantities_side_by_side_refreshed_by_each_import(self):
        item = next(i for i in self.catalogue if i["models"])
        model = item["models"][0]
        old_stock = model["stock"]
        self.addCleanup(model.__setitem__, "stock", old_stock)
        product = self.products.filtered(lambda p: p.default_code == model["model_sku"])
        self.set_stock(product, 9)
        self.shop.action_import_listings()
        self.assertFalse(self.run_jobs().failed)
        Listing = self.env["entro.marketplace.listing"]
        listing = Listing.search(
            [
                ("shop_id", "=", self.shop.id),
                ("variant_id", "=", str(model["model_id"])),
            ]
        )
        self.assertEqual(len(listing), 1)
        first_at = listing.platform_stock_at
        self.assertTrue(first_at)
        self.assertEqual(listing.free_qty, 9)
        # the platform's quantity changes there; the next import reports it
        with self.emulator.store.lock:
            model["stock"] = 77
        self.shop.action_import_listings()
        self.assertFalse(self.run_jobs().failed)
        listing.invalidate_recordset()
        self.assertEqual(listing.platform_stock, 77)
        self.assertGreaterEqual(listing.platform_stock_at, first_at)
        arch = self.arch("entro.marketplace.listing", "list", user=self.user)
        names = [f.get("name") for f in arch.xpath("//field")]
        for name in (
            "free_qty",
            "last_pushed_qty",
            "last_push_at",
            "platform_stock",
            "platform_stock_at",
        ):
            self.assertIn(name, names)
            self.assertTrue(Listing._fields[name].help, name)
        # the daily refresh queues an import of every connected shop
        self.env["entro.marketplace.listing"].sudo()._cron_refresh_listings()
        self.assertTrue(
            self.env["queue.job"]
            .sudo()
            .search_count([("identity_key", "=", f"listings-{self.shop.id}")])
        )
