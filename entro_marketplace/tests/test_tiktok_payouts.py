"""A month of TikTok Shop statements into accounting, through the real flow.

Thirty orders are imported by the real jobs and invoiced; TikTok settles the
delivered ones (one refunded after a return) in two statements, with an
adjustment. Entro must post one entry per statement whose total equals the
statements' settlement amounts to the đồng, reconcile every settled invoice, and
post nothing twice when the statements are imported again.
"""

from datetime import datetime, timedelta, timezone

from tests.emulators import tiktok as tiktok_emu

from .test_payouts import PayoutChecks
from .tiktok_common import SHOP_ID, TikTokFlowCase

NOW = datetime.now(timezone.utc)
START = NOW - timedelta(days=32)


class TestTikTokPayouts(PayoutChecks, TikTokFlowCase):
    def test_a_month_of_tiktok_statements(self):
        with self.emulator.store.lock:
            self.emulator.store["finance"].clear()
            self.emulator.store["statements"].clear()
        self.shop.initial_sync_days = 35
        statuses = ["COMPLETED"] * 8 + ["DELIVERED", "CANCELLED"]
        orders = tiktok_emu.generate_orders(
            30,
            seed=47,
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
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), len(orders))
        completed = [o for o in orders if o["status"] == "COMPLETED"]
        returned = [o for o in orders if o["status"] == "DELIVERED"][:1]
        self.invoice_month(returned={o["id"] for o in returned})
        for order in completed + returned:
            self.emulator.settle_order(
                order["id"],
                order["create_time"] + 6 * 86400,
                refund=order in returned,
            )
        self.emulator.adjust(-60000, START.timestamp() + 11 * 86400, "PENALTY")
        for day in (15, 31):
            self.emulator.close_statement(START.timestamp() + day * 86400)
        self.payouts = {
            s["id"]: int(s["settlement_amount"]) for s in self.emulator.payouts()
        }
        self.assertEqual(len(self.payouts), 2)
        settlements = self.import_payouts()
        self.check_month(settlements, set())
        lines = settlements.line_ids
        self.assertEqual(
            lines.filtered(lambda line: line.fee_type == "refund").order_external_id,
            returned[0]["id"],
        )
        codes = set(",".join(lines.mapped("raw_code")).split(","))
        self.assertLessEqual(
            {"platform_commission_amount", "affiliate_commission_amount"}, codes
        )
        self.check_reimport_posts_nothing(settlements)
