"""A month of a household seller's orders on TikTok Shop and Tiki, with the VAT and
PIT the platforms withhold (Decree 117/2025/ND-CP), through the real flow.

Orders are generated in the emulators over thirty days and imported by the real
jobs (over loopback HTTP), then invoiced, with credit notes for the orders taken
back. The platforms withhold 1 % VAT and 0.5 % PIT of each successful order's
goods revenue (rounded half up to the đồng per order), nothing on cancelled
orders, and give the tax of an order returned after it was paid back in a later
statement. TikTok's statements are imported by the Marketplace Manager's payout
job, Tiki's statement files uploaded by the Marketplace Manager. Entro must post
every statement to the đồng, reconcile every invoice and credit note, book what
was withheld (less what came back) on the shop's withheld-tax accounts, per
order, and nothing of it on an expense or the adjustment account.
"""

import base64
import json
from datetime import datetime, timedelta, timezone

from odoo.exceptions import UserError

from odoo.addons.entro_marketplace.platforms.tiki.statement import COLUMNS_PARAM

from tests.emulators import tiki as tiki_emu
from tests.emulators import tiktok as tiktok_emu

from .test_payouts import PayoutChecks
from .tiki_common import TikiFlowCase
from .tiktok_common import SHOP_ID, TikTokFlowCase

NOW = datetime.now(timezone.utc)
START = NOW - timedelta(days=32)
DAY = 86400


class WithholdingChecks:
    """What both platforms must show, given ``self.withheld`` (VAT, PIT) the
    platform withheld net of its offsets, and the posted ``settlements``."""

    def credit_note(self, refs):
        """The seller credit-notes orders taken back after they were paid."""
        bindings = self.bindings().filtered(lambda b: b.external_id in refs)
        self.assertEqual(len(bindings), len(refs))
        for invoice in bindings.sale_order_id.sudo().invoice_ids:
            self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
            credit = invoice._reverse_moves()
            credit.action_post()

    def check_withholding(self, settlements, taken_back, untaxed, adjustments=0):
        """``adjustments``: what the platform kept or added beside fees and tax
        (Tiki's shipping and discounts), the same as without withholding."""
        shop = self.shop.sudo()
        moves = settlements.move_id.sudo()
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        lines = settlements.line_ids
        accounts = {
            "withheld_vat": shop.withheld_vat_account_id,
            "withheld_pit": shop.withheld_pit_account_id,
        }
        for fee_type, account in accounts.items():
            # tax already paid for the seller: an asset, never an expense
            self.assertEqual(account.account_type, "asset_current")
            self.assertIn(self.shop.company_id, account.company_ids)
            booked = moves.line_ids.filtered(lambda aml, a=account: aml.account_id == a)
            tax_lines = lines.filtered(lambda line, t=fee_type: line.fee_type == t)
            self.assertTrue(tax_lines, fee_type)
            want = self.withheld[0 if fee_type == "withheld_vat" else 1]
            self.assertTrue(want > 0)
            # on the account: what the platform withheld less its offsets, to the đồng
            self.assertEqual(sum(booked.mapped("balance")), want, fee_type)
            self.assertEqual(-sum(tax_lines.mapped("amount")), want, fee_type)
            # per order, linked to it
            self.assertTrue(all(tax_lines.mapped("order_id")), fee_type)
            self.assertEqual(
                set(tax_lines.mapped("order_external_id")),
                set(tax_lines.order_id.mapped("external_id")),
            )
            offsets = tax_lines.filtered(lambda line: line.amount > 0)
            self.assertEqual(set(offsets.mapped("order_external_id")), taken_back)
            self.assertFalse(set(tax_lines.mapped("order_external_id")) & untaxed)
        # nothing of it in the adjustments, nor on any expense account
        adjustment = shop.payout_adjustment_account_id
        adjusted = lines.filtered(lambda line: line.fee_type == "adjustment")
        self.assertFalse(set(adjusted.mapped("raw_code")) & {"unexplained"})
        self.assertEqual(sum(adjusted.mapped("amount")), adjustments)
        self.assertEqual(
            -sum(
                moves.line_ids.filtered(
                    lambda aml: aml.account_id == adjustment
                ).mapped("balance")
            ),
            adjustments,
        )
        expenses = moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type.startswith("expense")
        )
        fees = lines.filtered(
            lambda line: (
                line.fee_type not in ("order_amount", "refund")
                and shop._payout_account(line.fee_type).account_type.startswith(
                    "expense"
                )
            )
        )
        self.assertFalse(
            set(fees.mapped("fee_type")) & {"withheld_vat", "withheld_pit"}
        )
        self.assertEqual(sum(expenses.mapped("balance")), -sum(fees.mapped("amount")))
        # every invoice and credit note of the month is paid, to the đồng
        invoices = self.bindings().sale_order_id.sudo().invoice_ids
        self.assertTrue(invoices.filtered(lambda m: m.move_type == "out_refund"))
        for invoice in invoices:
            self.assertEqual(invoice.state, "posted")
            self.assertTrue(
                invoice.currency_id.is_zero(invoice.amount_residual),
                f"{invoice.name} still open: {invoice.amount_residual}",
            )
        # an accountant reads the fee types in Vietnamese
        self.env["res.lang"].sudo()._activate_lang("vi_VN")
        self.env["ir.module.module"].sudo()._load_module_terms(
            ["entro_marketplace"], ["vi_VN"]
        )
        Line = self.env["entro.marketplace.settlement.line"].with_context(lang="vi_VN")
        labels = dict(Line._fields["fee_type"]._description_selection(Line.env))
        self.assertEqual(labels["withheld_vat"], "Thuế GTGT bị khấu trừ")
        self.assertEqual(labels["withheld_pit"], "Thuế TNCN bị khấu trừ")


class TestTikTokWithholding(WithholdingChecks, PayoutChecks, TikTokFlowCase):
    emulator_stores = ("orders", "finance", "statements", "withholding", "settled")

    def test_a_month_of_tiktok_withholding(self):
        self.emulator.set_household("goods")
        self.shop.initial_sync_days = 35
        statuses = ["COMPLETED"] * 5 + ["DELIVERED", "CANCELLED"]
        orders = tiktok_emu.generate_orders(
            21,
            seed=71,
            catalogue=self.catalogue,
            shop_id=SHOP_ID,
            statuses=statuses,
            start=START,
            span=timedelta(days=24),
        )
        self.emulator.add_orders(orders)
        for product in self.products:
            product.sudo().standard_price = 35000
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(len(self.bindings()), len(orders))
        completed = sorted(
            (o for o in orders if o["status"] == "COMPLETED"),
            key=lambda o: o["create_time"],
        )
        # refunded before TikTok settled them: not successful, nothing withheld
        refunded = [o for o in orders if o["status"] == "DELIVERED"]
        # returned after they were settled: the tax comes back in a later statement
        returned = completed[:3]
        cancelled = {o["id"] for o in orders if o["status"] == "CANCELLED"}
        self.assertTrue(refunded and cancelled)
        # the refunds before settlement are credit-noted at once
        self.invoice_month(returned={o["id"] for o in refunded})
        for order in completed + refunded:
            self.emulator.settle_order(
                order["id"], order["create_time"] + 6 * DAY, refund=order in refunded
            )
        first_close = START.timestamp() + 15 * DAY
        for order in returned:
            self.assertLess(order["create_time"] + 6 * DAY, first_close)
        self.emulator.close_statement(first_close)
        first = self.import_payouts()
        self.assertEqual(len(first), 1)
        self.assertEqual(first.state, "posted", first.error)
        # then three paid orders come back: credit notes, and TikTok gives their
        # price and tax back in the next statement
        self.credit_note({o["id"] for o in returned})
        for order in returned:
            self.emulator.refund_order(order["id"], START.timestamp() + 25 * DAY)
        self.emulator.close_statement(START.timestamp() + 31 * DAY)
        self.payouts = {
            s["id"]: int(s["settlement_amount"]) for s in self.emulator.payouts()
        }
        self.assertEqual(len(self.payouts), 2)
        self.withheld = self.emulator.withheld_totals()
        # what TikTok withheld is the rates on each kept order's goods revenue
        kept = [o for o in completed if o not in returned]
        goods = [
            int(o["payment"]["original_total_product_price"])
            - int(o["payment"]["seller_discount"])
            for o in kept
        ]
        self.assertEqual(
            self.withheld,
            tuple(
                sum(self.emulator.withholding(g, "goods")[i] for g in goods)
                for i in (0, 1)
            ),
        )
        settlements = self.import_payouts()
        self.check_month(settlements, set())
        self.check_withholding(
            settlements,
            taken_back={o["id"] for o in returned},
            untaxed=cancelled | {o["id"] for o in refunded},
        )
        # the offsets are in the second statement, with the refund they go with
        second = settlements.filtered(lambda s: s.external_id == max(self.payouts))
        offsets = second.line_ids.filtered(
            lambda line: line.fee_type.startswith("withheld_") and line.amount > 0
        )
        self.assertEqual(
            set(offsets.mapped("order_external_id")), {o["id"] for o in returned}
        )
        self.assertEqual(
            set(offsets.mapped("raw_code")), {"local_vat_amount", "pit_amount"}
        )
        refunds = second.line_ids.filtered(lambda line: line.fee_type == "refund")
        self.assertLessEqual(
            set(offsets.mapped("order_external_id")),
            set(refunds.mapped("order_external_id")),
        )
        self.check_reimport_posts_nothing(settlements)


class TestTikiWithholding(WithholdingChecks, PayoutChecks, TikiFlowCase):
    def upload(self, content, filename, **values):
        wizard = (
            self.env["entro.marketplace.tiki.statement"]
            .with_context(default_shop_id=self.shop.id)
            .create({"file": base64.b64encode(content), "filename": filename, **values})
        )
        action = wizard.action_import()
        return self.env["entro.marketplace.settlement"].browse(action["res_id"])

    def test_a_month_of_tiki_withholding(self):
        self.shop.initial_sync_days = 35
        orders = self.make_orders(
            24, seed=72, statuses=["complete"] * 5 + ["canceled"], span_days=30
        )
        self.emulator.add_orders(orders)
        for product in self.products:
            product.sudo().standard_price = 35000
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(len(self.bindings()), len(orders))
        completed = sorted(
            (o for o in orders if o["status"] == "complete"),
            key=lambda o: o["_update_ts"],
        )
        cancelled = {o["code"] for o in orders if o["status"] == "canceled"}
        self.assertTrue(cancelled)
        # Tiki's statements: the 1st-15th and the 16th-end of the month, by the
        # day an order completed; three orders of the first come back in the second
        half = len(completed) // 2
        first, second = completed[:half], completed[half:]
        returned = first[:3]
        for order in returned:
            order["_returned_at"] = second[-1]["updated_at"]
        self.invoice_month()
        files = [
            (tiki_emu.statement_csv(first, withholding="goods"), "doi-soat-1.csv"),
            (
                tiki_emu.statement_xlsx(second, withholding="goods", returns=returned),
                "doi-soat-2.xlsx",
            ),
        ]
        settlements = self.env["entro.marketplace.settlement"]
        self.payouts = {}
        for content, filename in files:
            if filename.endswith(".xlsx"):  # taken back after they were paid
                self.credit_note({o["code"] for o in returned})
            settlement = self.upload(content, filename)
            self.assertEqual(settlement.state, "posted", settlement.error)
            # the fees match each order's own; the tax is not a difference
            self.assertFalse(
                settlement.statement_differences, settlement.statement_differences
            )
            settlements |= settlement
            rows = (
                tiki_emu.statement_rows(first, withholding="goods")
                if filename.endswith("1.csv")
                else tiki_emu.statement_rows(
                    second, withholding="goods", returns=returned
                )
            )
            self.payouts[settlement.external_id] = rows[-1][-1]
        self.assertEqual(len(settlements), 2)
        taxes = {o["code"]: tiki_emu.order_withholding(o, "goods") for o in completed}
        kept = [o for o in completed if o not in returned]
        self.withheld = tuple(sum(taxes[o["code"]][i] for o in kept) for i in (0, 1))
        self.check_month(settlements, set())

        def kept_by_tiki(order):  # shipping, Tiki's discounts, seller coupons
            invoice = order["invoice"]
            return (
                invoice["total_seller_income"]
                - invoice["grand_total"]
                + invoice["total_seller_fee"]
            )

        self.check_withholding(
            settlements,
            taken_back={o["code"] for o in returned},
            untaxed=cancelled,
            adjustments=sum(kept_by_tiki(o) for o in kept),
        )
        # the same files again: nothing posted twice
        moves = self.env["account.move"].sudo().search_count([])
        for content, filename in files:
            self.upload(content, filename)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)

    def test_tax_columns_named_by_the_database(self):
        """Tiki does not publish its column names: a file whose tax columns Entro
        does not know is refused with their names (never booked as adjustments
        unawares); the administrator names them in a system parameter, and the
        file is then read with its withholding."""
        orders = self.make_orders(3, seed=73, statuses=["complete"])
        self.emulator.add_orders(orders)
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.invoice_month()

        def renamed(orders):
            rows = tiki_emu.statement_rows(orders, withholding="goods")
            header = rows[3]
            header[header.index("Thuế GTGT")] = "GTGT nộp thay hộ KD"
            header[header.index("Thuế TNCN")] = "TNCN nộp thay hộ KD"
            content = "\n".join(";".join(str(cell) for cell in row) for row in rows)
            return rows, content.encode()

        # imported anyway: the tax is in the adjustments, as the seller chose
        anyway_rows, anyway = renamed(orders[2:])
        settlement = self.upload(
            anyway, "doi-soat-0.csv", import_unread_columns=True, reference="T0"
        )
        self.assertEqual(settlement.state, "posted", settlement.error)
        self.assertEqual(settlement.net_amount, anyway_rows[-1][-1])
        self.assertFalse(
            settlement.line_ids.filtered(lambda l: l.fee_type.startswith("withheld"))
        )
        self.assertEqual(
            sum(
                settlement.line_ids.filtered(
                    lambda l: l.fee_type == "adjustment"
                ).mapped("amount")
            ),
            sum(
                o["invoice"]["total_seller_income"]
                - o["invoice"]["grand_total"]
                + o["invoice"]["total_seller_fee"]
                - sum(tiki_emu.order_withholding(o, "goods"))
                for o in orders[2:]
            ),
        )
        orders = orders[:2]
        rows, content = renamed(orders)
        with self.assertRaisesRegex(UserError, "GTGT nộp thay hộ KD, TNCN nộp thay"):
            self.upload(content, "doi-soat.csv")
        self.assertEqual(len(self.env["entro.marketplace.settlement"].search([])), 1)
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param(COLUMNS_PARAM, '{"withheld_vat": "GTGT nộp thay hộ KD",')
        with self.assertRaisesRegex(UserError, COLUMNS_PARAM):
            self.upload(content, "doi-soat.csv")
        Param.set_param(
            COLUMNS_PARAM,
            json.dumps(
                {
                    "withheld_vat": ["GTGT nộp thay hộ KD"],
                    "withheld_pit": "TNCN nộp thay hộ KD",
                }
            ),
        )
        settlement = self.upload(content, "doi-soat.csv")
        self.assertEqual(settlement.state, "posted", settlement.error)
        self.assertEqual(settlement.net_amount, rows[-1][-1])
        taxes = [tiki_emu.order_withholding(o, "goods") for o in orders]
        for index, fee_type in enumerate(("withheld_vat", "withheld_pit")):
            lines = settlement.line_ids.filtered(lambda l, t=fee_type: l.fee_type == t)
            self.assertEqual(-sum(lines.mapped("amount")), sum(t[index] for t in taxes))
        self.assertFalse(settlement.statement_differences)
