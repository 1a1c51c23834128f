"""Tiki's twice-monthly statement, uploaded from Seller Center, into accounting.

Orders are generated in the Tiki emulator and imported by the real jobs, then
invoiced with the standard sale flow. The statement the emulator writes (as
Seller Center lays it out, CSV or XLSX) is uploaded through the wizard: Entro must
post one entry whose clearing line equals the statement's net to the đồng,
reconcile every settled invoice, show per order what differs from the order's own
fees, and post nothing when the same file is uploaded again.
"""

import base64

from odoo.exceptions import UserError

from tests.emulators.tiki import statement_csv, statement_rows, statement_xlsx

from .tiki_common import TikiFlowCase


class TestTikiStatement(TikiFlowCase):
    def import_completed(self, n, seed):
        orders = self.add_orders(n, seed=seed, statuses=["complete"])
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        sales = self.bindings().sale_order_id.sudo()
        self.assertEqual(len(sales), n)
        self.assertEqual(set(sales.mapped("state")), {"sale"})
        invoices = sales._create_invoices(grouped=True)
        invoices.action_post()
        self.env.flush_all()
        self.env.cr.execute(
            "ANALYZE account_move, account_move_line, account_partial_reconcile"
        )
        return orders, invoices

    def upload(self, content, filename):
        wizard = (
            self.env["entro.marketplace.tiki.statement"]
            .with_context(default_shop_id=self.shop.id)
            .create({"file": base64.b64encode(content), "filename": filename})
        )
        action = wizard.action_import()
        return self.env["entro.marketplace.settlement"].browse(action["res_id"])

    def statement_net(self, orders):
        rows = statement_rows(orders)
        return rows[-1][-1]

    def check_posted(self, settlement, net, invoices):
        self.assertEqual(settlement.state, "posted", settlement.error)
        self.assertEqual(settlement.net_amount, net)
        move = settlement.move_id.sudo()
        self.assertEqual(move.state, "posted")
        clearing = self.shop.payout_clearing_account_id
        cleared = move.line_ids.filtered(lambda aml: aml.account_id == clearing)
        self.assertEqual(sum(cleared.mapped("balance")), net)
        lines = [
            (
                l.order_external_id,
                l.fee_type,
                l.amount,
                l.invoiced_amount,
                l.match_state,
            )
            for l in settlement.line_ids
        ]
        for invoice in invoices:
            self.assertTrue(
                invoice.currency_id.is_zero(invoice.amount_residual),
                f"{invoice.name} still open: {invoice.amount_residual} {lines}",
            )
        matched = settlement.line_ids.filtered(lambda l: l.match_state == "matched")
        self.assertEqual(len(matched), len(invoices))
        self.assertTrue(all(matched.mapped("reconciled")))

    def test_csv_statement_posted_reconciled_once(self):
        orders, invoices = self.import_completed(8, seed=201)
        net = self.statement_net(orders)
        self.assertIsInstance(net, int)
        content = statement_csv(orders)
        settlement = self.upload(content, "doi-soat.csv")
        self.check_posted(settlement, net, invoices)
        self.assertFalse(settlement.has_differences)
        self.assertFalse(settlement.statement_differences)
        commissions = settlement.line_ids.filtered(lambda l: l.fee_type == "commission")
        self.assertEqual(
            -sum(commissions.mapped("amount")),
            sum(i["invoice"]["seller_fee"] for o in orders for i in o["items"]),
        )
        # the same file again: nothing posted twice
        moves = self.env["account.move"].sudo().search_count([])
        again = self.upload(content, "doi-soat.csv")
        self.assertEqual(again, settlement)
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)
        self.assertEqual(
            self.env["entro.marketplace.settlement"].search_count(
                [("shop_id", "=", self.shop.id)]
            ),
            1,
        )

    def test_xlsx_statement_with_a_planted_difference(self):
        orders, invoices = self.import_completed(6, seed=202)
        planted = orders[2]
        # Tiki's statement charges this order 5.000 đ more than its own fees said
        planted["items"][0]["invoice"]["seller_fee"] += 5000
        planted["items"][0]["invoice"]["seller_income"] -= 5000
        net = self.statement_net(orders)
        settlement = self.upload(statement_xlsx(orders), "doi-soat.xlsx")
        self.check_posted(settlement, net, invoices)
        self.assertEqual(
            settlement.statement_differences.count("\n") + 1,
            1,
            settlement.statement_differences,
        )
        self.assertIn(planted["code"], settlement.statement_differences)
        self.assertTrue(settlement.activity_ids)
        moves = self.env["account.move"].sudo().search_count([])
        self.upload(statement_xlsx(orders), "doi-soat (1).xlsx")
        self.assertEqual(self.env["account.move"].sudo().search_count([]), moves)

    def test_unknown_order_shown_and_bad_file_refused(self):
        orders, _invoices = self.import_completed(3, seed=203)
        stranger = dict(orders[0], code="999999999")
        settlement = self.upload(statement_csv([*orders, stranger]), "doi-soat-2.csv")
        self.assertEqual(settlement.state, "posted", settlement.error)
        unknown = settlement.line_ids.filtered(lambda l: l.match_state == "no_order")
        self.assertEqual(set(unknown.mapped("order_external_id")), {"999999999"})
        self.assertIn("999999999", settlement.statement_differences)
        with self.assertRaises(UserError):
            self.upload(b"not;a;statement\n1;2;3\n", "x.csv")
        # no payout API: the statement is the way, and the daily cron skips Tiki
        with self.assertRaises(UserError):
            self.shop.action_import_payouts()
        jobs = self.env["queue.job"].sudo().search_count([])
        self.env["entro.marketplace.shop"]._cron_import_payouts()
        self.assertEqual(self.env["queue.job"].sudo().search_count([]), jobs)
