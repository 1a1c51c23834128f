"""Issue 22: what a month of payouts with withheld VAT and PIT must show in
accounting, whatever the platform (shared by the platforms' withholding tests).

A platform case mixes :class:`WithholdingChecks` in (it builds on the payout
checks of ``test_payouts``): the emulator withholds as for a household seller
selling goods; the test generates a month of orders, imports, invoices and
settles them, then calls :meth:`WithholdingChecks.check_withholding` with what
the emulator withheld net of offsets.
"""

from odoo.tests import new_test_user

from .test_payouts import PayoutChecks

#: fee types booked to expense accounts (withheld tax must never be one of them)
EXPENSE_TYPES = (
    "commission",
    "transaction_fee",
    "service_fee",
    "shipping_fee",
    "shipping_rebate",
    "seller_voucher",
    "adjustment",
)


class WithholdingChecks(PayoutChecks):
    """A household seller's month: the emulator withholds (``withholding``)."""

    #: the seller's kind of business (tests/emulators/vn_withholding.RATES)
    withholding = "goods"

    def setUp(self):
        super().setUp()
        self.emulator.withholding = self.withholding
        self.addCleanup(setattr, self.emulator, "withholding", None)

    def credit_note(self, external_ids):
        """Credit-note the invoices of these orders (their return is back)."""
        for binding in self.bindings().filtered(
            lambda b: b.external_id in external_ids
        ):
            invoices = binding.sale_order_id.sudo().invoice_ids.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            )
            credit = invoices._reverse_moves()
            credit.action_post()

    def settled_orders(self, settlements):
        """External ids of the orders the payouts paid or refunded."""
        return set(
            settlements.line_ids.filtered(
                lambda line: line.fee_type in ("order_amount", "refund")
            ).mapped("order_external_id")
        )

    def check_invoices_paid(self, settlements):
        """Every invoice and credit note of a settled order is reconciled with the
        payouts to the đồng (nothing left open)."""
        settled = self.settled_orders(settlements)
        bindings = self.bindings().filtered(lambda b: b.external_id in settled)
        moves = bindings.sale_order_id.sudo().invoice_ids.filtered(
            lambda m: m.state == "posted"
        )
        self.assertTrue(moves)
        for move in moves:
            self.assertTrue(
                move.currency_id.is_zero(move.amount_residual),
                f"{move.name} ({move.move_type}) still owes {move.amount_residual}",
            )
            self.assertIn(move.payment_state, ("paid", "in_payment", "reversed"))

    def check_withholding(self, settlements, withheld, offsets=()):
        """The withheld-tax accounts hold what the platform withheld net of
        ``offsets`` ({"vat": đồng, "pit": đồng}); nothing of it is an expense;
        the offsets (orders ``offsets``) come back on the same accounts."""
        shop = self.shop.sudo()
        moves = settlements.move_id.sudo()
        self.assertEqual(set(moves.mapped("state")), {"posted"})
        amls = moves.line_ids
        lines = settlements.line_ids
        accounts = {
            "vat": shop.withheld_vat_account_id,
            "pit": shop.withheld_pit_account_id,
        }
        for key, account in accounts.items():
            self.assertTrue(account, key)
            self.assertEqual(account.company_ids, shop.company_id)
            self.assertFalse(account.account_type.startswith("expense"), key)
            booked = sum(
                amls.filtered(lambda a, acc=account: a.account_id == acc).mapped(
                    "balance"
                )
            )
            # the tax withheld is a debit (tax paid for the seller), net of offsets
            self.assertTrue(withheld[key] > 0, key)
            self.assertEqual(booked, withheld[key], key)
            typed = lines.filtered(lambda line, k=key: line.fee_type == f"withheld_{k}")
            self.assertEqual(-sum(typed.mapped("amount")), withheld[key], key)
            for line in typed:
                self.assertEqual(line.move_line_id.sudo().account_id, account)
                self.assertTrue(line.order_external_id, "withheld per order")
        # the company's accountant finds them in the ledger of those accounts
        accountant = new_test_user(
            self.env(su=True),
            login=f"accountant_{self.platform}",
            groups="base.group_user,account.group_account_user",
        )
        ledger = (
            self.env["account.move.line"]
            .with_user(accountant)
            .read_group(
                [
                    ("account_id", "in", [a.id for a in accounts.values()]),
                    ("parent_state", "=", "posted"),
                ],
                ["balance:sum"],
                ["account_id"],
            )
        )
        self.assertEqual(
            {row["account_id"][0]: row["balance"] for row in ledger},
            {account.id: withheld[key] for key, account in accounts.items()},
        )
        # the offsets of returned orders land on the same fee types, positive
        back = lines.filtered(
            lambda line: (
                line.fee_type in ("withheld_vat", "withheld_pit") and line.amount > 0
            )
        )
        self.assertEqual(set(back.mapped("order_external_id")), set(offsets))
        # nothing withheld is booked as an expense: no adjustment at all, and the
        # expense accounts hold exactly the platform's fees
        self.assertFalse(lines.filtered(lambda line: line.fee_type == "adjustment"))
        self.assertFalse(
            shop.payout_adjustment_account_id
            and amls.filtered(
                lambda a: a.account_id == shop.payout_adjustment_account_id
            )
        )
        expenses = amls.filtered(
            lambda a: a.account_id.account_type.startswith("expense")
        )
        fees = lines.filtered(lambda line: line.fee_type in EXPENSE_TYPES)
        self.assertEqual(sum(expenses.mapped("balance")), -sum(fees.mapped("amount")))
