"""Issue 22: a month of a household seller's orders on Shopee and on Lazada,
with the VAT and PIT the platforms withhold (Decree 117/2025/ND-CP), through the
real flow: orders imported from the emulators, invoiced (returns credit-noted),
payouts imported and posted. Every invoice is paid to the đồng by the payouts;
the withheld tax, net of the returns' offsets, is on the shop's withheld-tax
accounts and nowhere among the expenses."""

from datetime import datetime, timedelta, timezone

from tests.emulators import lazada as lazada_emu
from tests.emulators import shopee as shopee_emu

from .common import SHOP_ID, ShopeeFlowCase
from .lazada_common import SELLER_ID, LazadaFlowCase
from .withholding_common import WithholdingChecks

NOW = datetime.now(timezone.utc)
START = NOW - timedelta(days=32)
DAY = 86400


class TestShopeeWithholding(WithholdingChecks, ShopeeFlowCase):
    emulator_stores = ("orders", "lost", "wallet")

    def test_a_month_of_shopee_orders_with_withholding(self):
        self.shop.initial_sync_days = 35
        # a household seller: Entro expects the decree's rates on every order
        self.shop.withholding_regime = "household"
        orders = shopee_emu.generate_orders(
            36,
            seed=117,
            catalogue=self.catalogue,
            shop_id=SHOP_ID,
            statuses=["COMPLETED"] * 6 + ["TO_RETURN", "CANCELLED"],
            start=START,
            span=timedelta(days=26),
        )
        self.emulator.add_orders(orders)
        for product in self.products:
            product.sudo().standard_price = 40000
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), len(orders))
        completed = [o for o in orders if o["order_status"] == "COMPLETED"]
        returned = [
            o for o in orders if o["order_status"] == "TO_RETURN" and o["_escrow"]
        ]
        cancelled = [o for o in orders if o["order_status"] == "CANCELLED"]
        self.assertTrue(completed and returned and cancelled)
        self.invoice_month(returned={o["order_sn"] for o in returned})
        for order in completed:
            self.emulator.release_escrow(
                order["order_sn"], order["create_time"] + 3 * DAY
            )
        for order in returned:
            # the return is refunded before the escrow is released: Shopee
            # offsets the order's tax within it
            self.emulator.release_escrow(
                order["order_sn"],
                order["create_time"] + 4 * DAY,
                refund=order["_amounts"]["total"],
            )
        for day in (8, 15, 22, 31):
            self.emulator.withdraw(START.timestamp() + day * DAY)
        self.payouts = {
            str(p["withdrawal_id"]): -p["amount"] for p in self.emulator.payouts()
        }
        self.assertEqual(len(self.payouts), 4)
        settlements = self.import_payouts()
        self.check_month(settlements, set())
        self.check_invoices_paid(settlements)
        withheld = self.emulator.withheld()
        self.check_withholding(settlements, withheld)
        # withheld on the completed orders only, 1 % + 0.5 % of their goods
        taxed = settlements.line_ids.filtered(
            lambda line: line.fee_type in ("withheld_vat", "withheld_pit")
        )
        self.assertEqual(
            set(taxed.mapped("order_external_id")), {o["order_sn"] for o in completed}
        )
        revenue = sum(
            o["_amounts"]["subtotal"] - o["_amounts"]["seller_voucher"]
            for o in completed
        )
        self.assertAlmostEqual(withheld["vat"], revenue / 100, delta=len(completed))
        self.assertAlmostEqual(withheld["pit"], revenue / 200, delta=len(completed))
        # what Entro expected of each order is what the emulator withheld
        bindings = self.bindings()
        self.assertEqual(
            set(
                bindings.filtered(
                    lambda b: b.external_id in {o["order_sn"] for o in completed}
                ).mapped("withholding_state")
            ),
            {"ok"},
        )
        differs = bindings.filtered(lambda b: b.withholding_state == "differs")
        self.assertFalse(
            differs,
            [
                (
                    b.external_id,
                    b.status,
                    b.withholding_base,
                    b.expected_withheld_vat,
                    b.withheld_vat,
                    b.expected_withheld_pit,
                    b.withheld_pit,
                    b.withholding_refunded,
                )
                for b in differs
            ],
        )
        # the monthly report's totals are the withheld lines' (sign reversed)
        self.env.flush_all()
        report = self.env["entro.marketplace.withholding.report"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(
            sum(report.mapped("net_withheld")), -sum(taxed.mapped("amount"))
        )
        self.assertEqual(
            sum(report.mapped("vat_withheld")) - sum(report.mapped("vat_offset")),
            withheld["vat"] - withheld.get("vat_offset", 0),
        )
        self.check_reimport_posts_nothing(settlements)


class TestLazadaWithholding(WithholdingChecks, LazadaFlowCase):
    emulator_stores = ("orders", "finance", "statements")

    def test_a_month_of_lazada_orders_with_withholding(self):
        """Returned items are sold in one statement and offset in a later one;
        the shop's own PIT fee name (a system parameter) is read as PIT."""
        self._lazada_month(credit_up_front=False)

    def test_returns_credit_noted_before_their_sale_was_paid(self):
        """A seller who credit-notes a return at once (its invoice and credit
        note then offset each other in Odoo): the sale's line of one payout and
        the refund's line of a later one are reconciled together, nothing of the
        order stays open on the buyer's receivable."""
        self._lazada_month(credit_up_front=True)

    def _lazada_month(self, credit_up_front):
        pit_name = "Thuế TNCN khấu trừ (NĐ 117)"
        self.emulator.withholding_fee_names = {
            "vat": "VAT Withholding",
            "pit": pit_name,
        }
        self.addCleanup(
            setattr,
            self.emulator,
            "withholding_fee_names",
            {"vat": "VAT Withholding", "pit": "PIT Withholding"},
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "entro_marketplace.lazada_withheld_pit_names",
            f"{pit_name}\nReversal {pit_name}",
        )
        self.shop.initial_sync_days = 35
        statuses = (
            [["delivered"]] * 4
            + [["delivered", "delivered"], ["returned"], ["canceled"]]
            + [["delivered", "canceled"]]
        )
        orders = lazada_emu.generate_orders(
            32,
            seed=117,
            catalogue=self.catalogue,
            seller_id=SELLER_ID,
            statuses=statuses,
            start=START,
            span=timedelta(days=18),
        )
        self.emulator.add_orders(orders)
        for product in self.products:
            product.sudo().standard_price = 30000
        run = self.sync()
        self.assertFalse(run.failed)
        returned = [
            o for o in orders if {i["status"] for i in o["_items"]} == {"returned"}
        ]
        self.assertTrue(returned)
        returned_ids = {str(o["order_id"]) for o in returned}
        self.invoice_month(returned=returned_ids if credit_up_front else ())
        for order in orders:
            self.emulator.settle_order(
                order["order_id"],
                order["_update_ts"] + DAY,
                returned_at=order["_update_ts"] + 9 * DAY,
            )
        # as a seller works: each statement imported when Lazada pays it; a
        # return credit-noted when it comes back (after its sale was paid, or
        # in the same statement)
        credited = set()
        for day in (10, 20, 30):
            statement = self.emulator.close_statement(START.timestamp() + day * DAY)
            back = {
                str(o["order_id"])
                for o in returned
                if self._statement_of(o, sale=False) == statement["statement_number"]
            }
            if not credit_up_front:
                self.credit_note(back - credited)
            credited |= back
            self.shop.payout_cursor = False  # the statements are in the past
            self.import_payouts()
        self.assertEqual(credited, {str(o["order_id"]) for o in returned})
        self.payouts = {
            s["statement_number"]: int(s["payout"].split()[0])
            for s in self.emulator.payouts()
        }
        settlements = self.env["entro.marketplace.settlement"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.check_month(settlements, set())
        self.check_invoices_paid(settlements)
        withheld = self.emulator.withheld()
        self.assertTrue(withheld["vat_offset"] and withheld["pit_offset"])
        # a return whose sale and offset fall in the same statement nets to nothing
        later = {
            str(o["order_id"])
            for o in returned
            if self._statement_of(o, sale=True) != self._statement_of(o, sale=False)
        }
        self.assertTrue(later)
        self.check_withholding(settlements, withheld, offsets=later)
        if credit_up_front:
            # the returned orders' sale and refund lines, in different payouts,
            # are reconciled with each other
            receivable = settlements.line_ids.filtered(
                lambda line: (
                    line.order_external_id in later
                    and line.fee_type in ("order_amount", "refund")
                )
            )
            for ref in later:
                own = receivable.filtered(
                    lambda line, r=ref: line.order_external_id == r
                )
                self.assertEqual(len(own.settlement_id), 2, ref)
            self.assertEqual(
                receivable.filtered(lambda line: not line.reconciled),
                receivable.browse(),
            )
        self.check_reimport_posts_nothing(settlements)

    def _statement_of(self, order, sale):
        """The statement of an order's sale (or of its return)."""
        name = "Item Price Credit" if sale else "Reversal Item Price"
        with self.emulator.store.lock:
            return next(
                r["statement"]
                for r in self.emulator.store["finance"]
                if r["order_no"] == str(order["order_id"]) and r["fee_name"] == name
            )
