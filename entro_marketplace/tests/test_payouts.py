"""A month of payouts into accounting, for Shopee and Lazada, through the real flow.

Orders are generated in the emulators and imported by the real jobs; they are
invoiced with the standard sale flow (credit notes for most returns); the
platforms then settle them in several payouts. Entro must post one entry per
payout whose total equals the platform's payouts to the đồng, reconcile every
settled invoice, show (never write off) what differs, report the same totals,
and post nothing twice when the payouts are imported again.
"""

from datetime import datetime, timedelta, timezone

from odoo import fields

from tests.emulators import lazada as lazada_emu
from tests.emulators import shopee as shopee_emu

from .common import SHOP_ID, ShopeeFlowCase
from .lazada_common import SELLER_ID, LazadaFlowCase

NOW = datetime.now(timezone.utc)
START = NOW - timedelta(days=32)


class PayoutChecks:
    """What both platforms must show, given ``self.payouts`` {id: net amount}."""

    def invoice_month(self, skip_invoice=(), skip_credit_note=(), returned=()):
        """Invoice every confirmed order; credit-note the returned ones."""
        bindings = self.bindings().filtered(
            lambda b: (
                b.sale_order_id.state == "sale" and b.external_id not in skip_invoice
            )
        )
        sales = bindings.sale_order_id.sudo()
        invoices = sales._create_invoices(grouped=True)
        invoices.action_post()
        for binding in bindings.filtered(
            lambda b: (
                b.external_id in returned and b.external_id not in skip_credit_note
            )
        ):
            invoice = binding.sale_order_id.sudo().invoice_ids
            credit = invoice._reverse_moves()
            credit.action_post()
        # The test database was analysed while empty: with these statistics the
        # planner believes the accounting tables hold no rows and Odoo's
        # payment-state query of a reconciliation takes minutes. Production
        # databases are analysed by autovacuum; refresh the statistics here.
        self.env.flush_all()
        self.env.cr.execute(
            "ANALYZE account_move, account_move_line, account_partial_reconcile"
        )
        return invoices

    def import_payouts(self):
        self.shop.action_import_payouts()
        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        return self.env["entro.marketplace.settlement"].search(
            [("shop_id", "=", self.shop.id)]
        )

    def check_month(self, settlements, expected_differences):
        Settlement = self.env["entro.marketplace.settlement"]
        self.assertEqual(
            {s.external_id: s.net_amount for s in settlements}, self.payouts
        )
        self.assertEqual(set(settlements.mapped("state")), {"posted"})
        moves = settlements.move_id.sudo()
        self.assertEqual(len(moves), len(self.payouts))
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        clearing = self.shop.payout_clearing_account_id
        self.assertTrue(clearing.reconcile)
        cleared = moves.line_ids.filtered(lambda aml: aml.account_id == clearing)
        # the clearing account receives exactly what the platform paid out
        self.assertEqual(
            sum(cleared.mapped("amount_currency") or cleared.mapped("balance")),
            sum(self.payouts.values()),
        )
        for settlement in settlements:
            move_cleared = settlement.move_id.sudo().line_ids.filtered(
                lambda aml: aml.account_id == clearing
            )
            self.assertEqual(sum(move_cleared.mapped("balance")), settlement.net_amount)
        lines = settlements.line_ids
        # every settled invoice is reconciled (paid by the payouts)
        matched = lines.filtered(lambda line: line.match_state == "matched")
        self.assertTrue(matched)
        for line in matched:
            aml = line.move_line_id.sudo()
            self.assertTrue(
                line.reconciled,
                f"{line.order_external_id} {line.fee_type} {line.amount} on "
                f"{aml.account_id.code} ({aml.account_id.reconcile}) residual "
                f"{aml.amount_residual} {aml.amount_residual_currency} of "
                f"{aml.balance} {aml.name}; invoices "
                f"{[(m.name, m.amount_residual) for m in line.invoice_ids.sudo()]}",
            )
            for invoice in line.invoice_ids.sudo():
                self.assertTrue(
                    invoice.currency_id.is_zero(invoice.amount_residual),
                    f"{invoice.name} of {line.order_external_id} ({line.fee_type}) is "
                    f"still open: {invoice.amount_residual}",
                )
        # differences are shown per order, not written off
        flagged = lines.filtered(
            lambda line: line.match_state in ("difference", "no_invoice", "no_order")
        )
        self.assertEqual(
            {(line.order_external_id, line.fee_type) for line in flagged},
            expected_differences,
        )
        for line in flagged:
            self.assertFalse(line.reconciled, line.order_external_id)
        if expected_differences:
            self.assertTrue(Settlement.search([("has_differences", "=", True)]))
        # the report has the same totals, per shop and month
        self.env.flush_all()
        Report = self.env["entro.marketplace.payout.report"]
        rows = Report.search([("shop_id", "=", self.shop.id)])
        self.assertEqual(sum(rows.mapped("net_payout")), sum(self.payouts.values()))
        sales = sum(
            lines.filtered(
                lambda line: line.fee_type in ("order_amount", "platform_subsidy")
            ).mapped("amount")
        )
        self.assertEqual(sum(rows.mapped("gross_sales")), sales)
        fees = sum(
            lines.filtered(
                lambda line: (
                    line.fee_type
                    in (
                        "commission",
                        "transaction_fee",
                        "service_fee",
                        "shipping_fee",
                        "shipping_rebate",
                        "seller_voucher",
                    )
                )
            ).mapped("amount")
        )
        self.assertTrue(fees < 0)
        self.assertEqual(sum(rows.mapped("fees_total")), fees)
        grouped = Report.read_group(
            [("shop_id", "=", self.shop.id)],
            ["net_payout:sum", "cost:sum", "net_margin:sum"],
            ["payout_date:month"],
        )
        self.assertEqual(
            sum(g["net_payout"] for g in grouped), sum(self.payouts.values())
        )
        cost = sum(g["cost"] for g in grouped)
        self.assertTrue(cost > 0, "product costs are used")
        self.assertEqual(
            sum(g["net_margin"] for g in grouped), sum(self.payouts.values()) - cost
        )

    def check_bank_lines_match(self, settlements):
        """The bank statement lines of the payouts clear the clearing account."""
        company = self.shop.company_id
        journal = (
            self.env["account.journal"]
            .sudo()
            .search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
        )
        StLine = self.env["account.bank.statement.line"].sudo()
        ordered = settlements.sorted("payout_date")
        lines = StLine.create(
            [
                {
                    "journal_id": journal.id,
                    "date": fields.Date.to_date(s.payout_date),
                    # the bank names the first payout only; the others match by
                    # amount and date
                    "payment_ref": f"{self.shop.platform} payout "
                    + (s.external_id if s == ordered[0] else "transfer"),
                    "amount": s.net_amount,
                }
                for s in ordered
            ]
        )
        # an unrelated line of the same amount as the first payout, much later
        StLine.create(
            {
                "journal_id": journal.id,
                "date": fields.Date.to_date(ordered[0].payout_date)
                + timedelta(days=40),
                "payment_ref": "someone else",
                "amount": ordered[0].net_amount,
            }
        )
        # a marketplace manager matches them (the accounting is done with sudo)
        settlements.action_match_bank_line()
        self.assertEqual(settlements.sudo().bank_line_id, lines)
        for settlement in ordered.sudo():
            self.assertTrue(settlement.bank_line_id.is_reconciled)
            self.assertEqual(settlement.bank_line_id.amount, settlement.net_amount)
        clearing = self.shop.payout_clearing_account_id
        open_lines = (
            self.env["account.move.line"]
            .sudo()
            .search([("account_id", "=", clearing.id), ("reconciled", "=", False)])
        )
        self.assertFalse(open_lines, "the clearing account is settled by the bank")
        # matching again changes nothing
        settlements.action_match_bank_line()
        self.assertEqual(settlements.sudo().bank_line_id, lines)

    def check_reimport_posts_nothing(self, settlements):
        Move = self.env["account.move"].sudo()
        before = Move.search_count([("entro_settlement_id", "!=", False)])
        self.shop.payout_cursor = False
        again = self.import_payouts()
        self.assertEqual(again, settlements)
        self.assertEqual(
            Move.search_count([("entro_settlement_id", "!=", False)]), before
        )
        self.assertEqual(len(again.line_ids), len(settlements.line_ids))


class TestShopeePayouts(PayoutChecks, ShopeeFlowCase):
    def test_a_month_of_shopee_payouts(self):
        self.shop.initial_sync_days = 35
        statuses = ["COMPLETED"] * 10 + ["TO_RETURN", "CANCELLED"]
        orders = shopee_emu.generate_orders(
            200,
            seed=41,
            catalogue=self.catalogue,
            shop_id=SHOP_ID,
            statuses=statuses,
            start=START,
            span=timedelta(days=24),
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
        uninvoiced = completed[0]["order_sn"]
        no_credit_note = returned[0]["order_sn"]
        self.invoice_month(
            skip_invoice={uninvoiced},
            skip_credit_note={no_credit_note},
            returned={o["order_sn"] for o in returned},
        )
        for order in completed:
            self.emulator.release_escrow(
                order["order_sn"], order["create_time"] + 3 * 86400
            )
        for order in returned:
            self.emulator.release_escrow(
                order["order_sn"],
                order["create_time"] + 4 * 86400,
                refund=order["_amounts"]["total"],
            )
        self.emulator.adjust(-150000, START.timestamp() + 9 * 86400, "Ads top-up")
        self.emulator.adjust(
            32000,
            START.timestamp() + 16 * 86400,
            "Lost parcel compensation",
            order_sn=completed[5]["order_sn"],
        )
        for day in (8, 15, 22, 29):
            self.emulator.withdraw(START.timestamp() + day * 86400)
        self.payouts = {
            str(p["withdrawal_id"]): -p["amount"] for p in self.emulator.payouts()
        }
        self.assertEqual(len(self.payouts), 4)
        settlements = self.import_payouts()
        self.check_month(
            settlements,
            {(uninvoiced, "order_amount"), (no_credit_note, "refund")},
        )
        self.check_bank_lines_match(settlements)
        # the escrow detail was read in batches of 50, once per payout's orders
        self.assertTrue(
            self.emulator.journal.count("/api/v2/payment/get_escrow_detail_batch")
        )
        self.check_reimport_posts_nothing(settlements)


class TestLazadaPayouts(PayoutChecks, LazadaFlowCase):
    def test_a_month_of_lazada_payouts(self):
        self.shop.initial_sync_days = 35
        statuses = (
            [["delivered"]] * 6
            + [["delivered", "delivered"], ["returned"], ["canceled"]]
            + [["delivered", "canceled"]]
        )
        orders = lazada_emu.generate_orders(
            200,
            seed=43,
            catalogue=self.catalogue,
            seller_id=SELLER_ID,
            statuses=statuses,
            start=START,
            span=timedelta(days=24),
        )
        self.emulator.add_orders(orders)
        for product in self.products:
            product.sudo().standard_price = 30000
        run = self.sync()
        self.assertFalse(run.failed)
        returned = [
            o for o in orders if {i["status"] for i in o["_items"]} == {"returned"}
        ]
        delivered = [
            o for o in orders if "delivered" in {i["status"] for i in o["_items"]}
        ]
        uninvoiced = str(delivered[0]["order_id"])
        no_credit_note = str(returned[0]["order_id"])
        self.invoice_month(
            skip_invoice={uninvoiced},
            skip_credit_note={no_credit_note},
            returned={str(o["order_id"]) for o in returned},
        )
        for order in orders:
            self.emulator.settle_order(order["order_id"], order["_update_ts"] + 86400)
        self.emulator.adjust(-80000, START.timestamp() + 12 * 86400)
        for day in (10, 20, 30):
            self.emulator.close_statement(START.timestamp() + day * 86400)
        self.payouts = {
            s["statement_number"]: int(s["payout"].split()[0])
            for s in self.emulator.payouts()
        }
        settlements = self.import_payouts()
        self.check_month(
            settlements,
            {(uninvoiced, "order_amount"), (no_credit_note, "refund")},
        )
        self.check_bank_lines_match(settlements)
        self.check_reimport_posts_nothing(settlements)


class TestPayoutImportRobustness(PayoutChecks, ShopeeFlowCase):
    def test_faults_retry_and_rights(self):
        """A platform outage retries the job; users read payouts, only managers
        change them; another company sees none."""
        from odoo.exceptions import AccessError
        from odoo.tests import new_test_user

        self.shop.initial_sync_days = 35
        orders = shopee_emu.generate_orders(
            4,
            seed=44,
            catalogue=self.catalogue,
            shop_id=SHOP_ID,
            statuses=["COMPLETED"],
            start=START,
            span=timedelta(days=5),
        )
        self.emulator.add_orders(orders)
        self.sync()
        self.invoice_month()
        for order in orders:
            self.emulator.release_escrow(
                order["order_sn"], order["create_time"] + 86400
            )
        self.emulator.withdraw(START.timestamp() + 8 * 86400)
        self.emulator.faults.add("http_5xx", "get_wallet_transaction_list", count=5)
        self.shop.action_import_payouts()
        run = self.run_jobs()
        self.assertTrue(run.retried, "the outage postponed the job")
        self.assertFalse(run.failed)
        settlement = self.env["entro.marketplace.settlement"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(len(settlement), 1)
        self.assertEqual(settlement.state, "posted")
        self.assertEqual(settlement.line_ids.mapped("match_state").count("matched"), 4)
        user = new_test_user(
            self.env(su=True),
            login="mp_user_payouts",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
        )
        as_user = settlement.with_user(user)
        self.assertEqual(as_user.net_amount, settlement.net_amount)
        self.assertTrue(as_user.line_ids)
        self.assertTrue(
            self.env["entro.marketplace.payout.report"]
            .with_user(user)
            .search_count([("shop_id", "=", self.shop.id)])
        )
        with self.assertRaises(AccessError):
            as_user.write({"paid": False})
        other = self.env["res.company"].sudo().create({"name": "Other Co"})
        outsider = new_test_user(
            self.env(su=True),
            login="mp_outsider",
            groups="base.group_user,entro_marketplace.group_marketplace_manager",
            company_id=other.id,
            company_ids=[(6, 0, other.ids)],
        )
        Settlement = self.env["entro.marketplace.settlement"].with_user(outsider)
        self.assertFalse(Settlement.search([("id", "=", settlement.id)]))
