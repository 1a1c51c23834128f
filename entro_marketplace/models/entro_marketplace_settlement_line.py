"""One amount of a payout: one order (or none) and one fee type."""

from odoo import _, api, fields, models

from .entro_marketplace_settlement import RECEIVABLE_TYPES, group_by_order

FEE_TYPE_SELECTION = [
    ("order_amount", "Order Amount (buyer paid)"),
    ("platform_subsidy", "Platform Subsidy"),
    ("seller_voucher", "Seller Voucher"),
    ("commission", "Commission"),
    ("transaction_fee", "Payment/Transaction Fee"),
    ("service_fee", "Service Fee"),
    ("shipping_fee", "Shipping Fee"),
    ("shipping_rebate", "Shipping Rebate"),
    ("refund", "Refund"),
    ("withheld_vat", "Withheld VAT"),
    ("withheld_pit", "Withheld PIT"),
    ("adjustment", "Adjustment"),
]


class EntroMarketplaceSettlementLine(models.Model):
    _name = "entro.marketplace.settlement.line"
    _description = "Marketplace Payout Line"
    _order = "settlement_id, order_external_id, id"

    settlement_id = fields.Many2one(
        "entro.marketplace.settlement", required=True, ondelete="cascade", index=True
    )
    shop_id = fields.Many2one(related="settlement_id.shop_id", store=True)
    company_id = fields.Many2one(related="settlement_id.company_id", store=True)
    currency_id = fields.Many2one(related="settlement_id.currency_id")
    payout_date = fields.Datetime(related="settlement_id.payout_date", store=True)
    fee_type = fields.Selection(FEE_TYPE_SELECTION, required=True, index=True)
    amount = fields.Monetary(help="Positive: paid to the seller; negative: deducted.")
    raw_code = fields.Char(
        "Platform Fee Code", help="The platform's own fee code(s) or name(s)."
    )
    label = fields.Char()
    order_external_id = fields.Char("Platform Order", index=True)
    transaction_id = fields.Char("Platform Transaction")
    line_date = fields.Datetime("Date on the Platform")
    order_id = fields.Many2one(
        "entro.marketplace.order", string="Marketplace Order", index=True
    )
    sale_order_id = fields.Many2one(related="order_id.sale_order_id", store=True)
    invoice_ids = fields.Many2many(
        "account.move",
        "entro_settlement_line_invoice_rel",
        "line_id",
        "move_id",
        string="Invoices",
        help="The order's posted invoices (or credit notes, for a refund).",
    )
    invoiced_amount = fields.Monetary(
        help="Total of those invoices (credit notes negative)."
    )
    difference = fields.Monetary(
        help="What the platform settled less what was invoiced, for the order's "
        "receivable lines. Never written off: resolve it on the invoice."
    )
    match_state = fields.Selection(
        [
            ("matched", "Matched"),
            ("difference", "Difference"),
            ("no_invoice", "No Invoice"),
            ("no_order", "Unknown Order"),
            ("fee", "Fee"),
        ],
        default="fee",
        index=True,
    )
    move_line_id = fields.Many2one("account.move.line", readonly=True)
    reconciled = fields.Boolean(compute="_compute_reconciled")

    def init(self):
        self.env.cr.execute(
            "CREATE UNIQUE INDEX IF NOT EXISTS entro_settlement_line_uniq ON "
            "entro_marketplace_settlement_line (settlement_id, "
            "COALESCE(order_external_id, ''), fee_type)"
        )

    @api.depends("move_line_id.reconciled", "move_line_id.amount_residual")
    def _compute_reconciled(self):
        for line in self:
            # sudo: a flag of the payout's own journal item, for readers without
            # accounting rights
            line.reconciled = bool(line.move_line_id.sudo().reconciled)

    # ----------------------------------------------------------------- matching

    def _match_orders(self):
        """Bind the lines to their orders and invoices; compute the differences."""
        if not self:
            return
        shop = self.settlement_id.shop_id
        groups = group_by_order(self)
        bindings = {
            b.external_id: b
            for b in self.env["entro.marketplace.order"].search(
                [("shop_id", "=", shop.id), ("external_id", "in", list(groups))]
            )
        }
        for ref, lines in groups.items():
            binding = bindings.get(ref)
            # sudo: the invoices of the shop's own orders (searched above under the
            # caller's rules), read for their amounts past accounting rights
            moves = (
                binding.sale_order_id.sudo().invoice_ids.filtered(
                    lambda m: m.state == "posted"
                )
                if binding
                else self.env["account.move"]
            )
            invoices = moves.filtered(lambda m: m.move_type == "out_invoice")
            refunds = moves.filtered(lambda m: m.move_type == "out_refund")
            for line in lines:
                values = {"order_id": binding.id if binding else False}
                if line.fee_type in RECEIVABLE_TYPES:
                    related = invoices if line.fee_type == "order_amount" else refunds
                    sign = 1 if line.fee_type == "order_amount" else -1
                    invoiced = sign * sum(related.mapped("amount_total"))
                    values.update(
                        invoice_ids=[(6, 0, related.ids)],
                        invoiced_amount=invoiced,
                        difference=line.amount - invoiced,
                    )
                    if not binding:
                        values["match_state"] = "no_order"
                    elif not related:
                        values["match_state"] = "no_invoice"
                    elif line.currency_id.compare_amounts(line.amount, invoiced):
                        values["match_state"] = "difference"
                    else:
                        values["match_state"] = "matched"
                else:
                    values.update(match_state="fee", difference=0)
                line.write(values)

    def _receivable_target(self):
        """(account, partner) of an order's receivable line."""
        self.ensure_one()
        # sudo: the line's own invoices and sale order (bound by _match_orders)
        moves = self.invoice_ids.sudo()
        receivable = moves.line_ids.filtered(
            lambda aml: aml.account_id.account_type == "asset_receivable"
        )
        if receivable:
            return receivable[0].account_id, receivable[0].partner_id
        sale = self.order_id.sale_order_id.sudo()
        partner = sale.partner_invoice_id.commercial_partner_id
        company = self.settlement_id.shop_id.company_id
        if partner:
            account = partner.with_company(company).property_account_receivable_id
            return account, partner
        account = (
            self.env["res.partner"]
            .with_company(company)
            .new({})
            .property_account_receivable_id
        )
        return account, partner

    def _move_line_values(self, shop):
        self.ensure_one()
        label = dict(FEE_TYPE_SELECTION)[self.fee_type]
        name = " ".join(p for p in (self.order_external_id, label) if p)
        if self.fee_type in RECEIVABLE_TYPES:
            account, partner = self._receivable_target()
            return {"name": name, "account_id": account.id, "partner_id": partner.id}
        return {"name": name, "account_id": shop._payout_account(self.fee_type).id}

    def _reconcile_orders(self):
        """Reconcile each receivable line with its invoices' (or credit notes') open
        receivable lines: what a buyer paid with the invoice, a refund with the
        credit note. Then an order's own sale and refund lines that are still open
        (its invoice and credit note already offset each other) are reconciled
        together, with those of earlier payouts too (a return credit-noted before
        its sale was paid: the sale's line waits open in one payout for the
        refund's line of a later one). A refund without credit note stays open,
        never netted against the invoice.

        One reconciliation plan for the whole payout: Odoo then recomputes the
        payment state of the payout's entry once, not once per order.
        """
        plan = []
        for lines in group_by_order(self).values():
            receivable = lines.filtered(
                lambda line: line.fee_type in RECEIVABLE_TYPES and line.move_line_id
            )
            # sudo: reconciliation is accounting work done by the system for the
            # payout's own entry and its orders' invoices, never user-chosen lines
            own = receivable.move_line_id.sudo().filtered("account_id.reconcile")
            if not own:
                continue
            account = own[0].account_id
            steps = []
            for line in receivable:
                aml = line.move_line_id.sudo()
                if aml.account_id != account:
                    continue
                open_lines = line.invoice_ids.sudo().line_ids.filtered(
                    lambda i, account=account: (
                        i.account_id == account and not i.reconciled
                    )
                )
                if open_lines:
                    steps.append(aml | open_lines)
            # the order's receivable lines of other payouts (the order's inverse
            # field: read for the payout's orders together)
            earlier = (lines.order_id.payout_line_ids - self).filtered(
                lambda line: line.fee_type in RECEIVABLE_TYPES and line.move_line_id
            )
            earlier_open = earlier.move_line_id.sudo().filtered(
                lambda aml: aml.parent_state == "posted"
            )
            same = (own | earlier_open).filtered(
                lambda aml, account=account: (
                    aml.account_id == account and not aml.reconciled
                )
            )
            if len(same) > 1:
                steps.append(same)
            if steps:
                plan.append(steps)
        if plan:
            self.env["account.move.line"].sudo()._reconcile_plan(plan)

    def action_open_order(self):
        self.ensure_one()
        if not self.sale_order_id:
            return False
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
            "name": _("Sales Order"),
        }
