"""A platform payout, its fee lines, and the one journal entry that books it."""

import hashlib
import json
import logging
from collections import defaultdict
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..platforms.records import FEE_TYPES
from ..tools.dates import to_naive

_logger = logging.getLogger(__name__)

#: how many days a bank statement line may be dated before or after its payout
BANK_MATCH_DAYS = 10

#: fee types booked on the customer's receivable (reconciled with the invoices)
RECEIVABLE_TYPES = ("order_amount", "refund")


class EntroMarketplaceSettlement(models.Model):
    """One payout of a platform to the seller."""

    _name = "entro.marketplace.settlement"
    _description = "Marketplace Payout"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "payout_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    shop_id = fields.Many2one(
        "entro.marketplace.shop", required=True, index=True, ondelete="restrict"
    )
    platform = fields.Selection(related="shop_id.platform", store=True)
    company_id = fields.Many2one(
        related="shop_id.company_id", store=True, index=True, precompute=True
    )
    external_id = fields.Char(
        "Payout ID on the Platform", required=True, readonly=True, index=True
    )
    payout_date = fields.Datetime(required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    net_amount = fields.Monetary(
        "Net Payout", readonly=True, help="What the platform paid out."
    )
    lines_total = fields.Monetary(compute="_compute_totals", store=True)
    difference_total = fields.Monetary(
        "Differences",
        compute="_compute_totals",
        store=True,
        help="Sum of the per-order differences between the platform and the "
        "invoices (shown on the lines, never written off).",
    )
    paid = fields.Boolean(readonly=True, help="The platform says the money left.")
    state = fields.Selection(
        [("draft", "To Post"), ("posted", "Posted"), ("error", "Cannot Post")],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
    )
    has_differences = fields.Boolean(compute="_compute_totals", store=True, index=True)
    error = fields.Text(readonly=True)
    move_id = fields.Many2one(
        "account.move", string="Journal Entry", readonly=True, copy=False
    )
    line_ids = fields.One2many(
        "entro.marketplace.settlement.line", "settlement_id", readonly=True
    )
    order_count = fields.Integer(compute="_compute_totals", store=True)
    raw = fields.Text("Platform Data", readonly=True)
    bank_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank Statement Line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The bank statement line where this payout arrived, reconciled with "
        "the payout's line on the clearing account.",
    )
    bank_matched = fields.Boolean(
        "Matched with the Bank",
        compute="_compute_bank_matched",
        search="_search_bank_matched",
    )

    _sql_constraints = [
        (
            "external_uniq",
            "unique(shop_id, external_id)",
            "A payout is imported once per shop.",
        )
    ]

    def _compute_bank_matched(self):
        for settlement in self:
            # sudo: the bank line is an accounting record; only whether it is set
            settlement.bank_matched = bool(settlement.sudo().bank_line_id)

    def _search_bank_matched(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on the bank match."))
        matched = (operator == "=") == value
        return [("bank_line_id", "!=" if matched else "=", False)]

    @api.depends("shop_id.name", "external_id")
    def _compute_name(self):
        for settlement in self:
            settlement.name = (
                f"{settlement.shop_id.name or ''} {settlement.external_id}"
            )

    @api.depends("line_ids.amount", "line_ids.difference", "line_ids.match_state")
    def _compute_totals(self):
        for settlement in self:
            lines = settlement.line_ids
            settlement.lines_total = sum(lines.mapped("amount"))
            settlement.difference_total = sum(lines.mapped("difference"))
            settlement.has_differences = any(
                state in ("difference", "no_invoice", "no_order")
                for state in lines.mapped("match_state")
            )
            settlement.order_count = len(
                {ref for ref in lines.mapped("order_external_id") if ref}
            )

    # ---------------------------------------------------------------------- import

    @api.model
    def _import_platform_settlement(self, shop, settlement):
        """Store one normalised Settlement and post it; idempotent per payout id.

        Returns created, posted (again after an error), or unchanged.
        """
        key = f"entro-settlement:{shop.id}:{settlement.external_id}"
        lock = int.from_bytes(
            hashlib.sha1(key.encode()).digest()[:8], "big", signed=True
        )
        self.env.cr.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
        existing = self.search(
            [("shop_id", "=", shop.id), ("external_id", "=", settlement.external_id)]
        )
        if existing.state == "posted":
            if existing.paid != settlement.paid:
                existing.paid = settlement.paid
            return "unchanged"
        currency = (
            self.env["res.currency"]
            .with_context(active_test=False)
            .search([("name", "=", settlement.currency or "VND")], limit=1)
        )
        values = {
            "shop_id": shop.id,
            "external_id": settlement.external_id,
            "payout_date": to_naive(settlement.payout_time),
            "currency_id": (currency or shop.company_id.currency_id).id,
            "net_amount": float(settlement.net_amount),
            "paid": settlement.paid,
            "raw": json.dumps(
                {
                    **settlement.raw,
                    "buyer_paid": {k: str(v) for k, v in settlement.buyer_paid.items()},
                },
                default=str,
            ),
            "line_ids": [(5, 0, 0)]
            + [
                (
                    0,
                    0,
                    {
                        "fee_type": line.fee_type
                        if line.fee_type in FEE_TYPES
                        else "adjustment",
                        "amount": float(line.amount),
                        "raw_code": line.raw_code,
                        "label": line.label,
                        "order_external_id": line.order_external_id,
                        "transaction_id": line.transaction_id,
                        "line_date": to_naive(line.time),
                    },
                )
                for line in settlement.lines
            ],
        }
        if existing:
            existing.write(values)
            record, result = existing, "posted"
        else:
            record, result = self.create(values), "created"
        record._post()
        return result

    # ----------------------------------------------------------------------- posting

    def _post(self):
        """Post the payout's one journal entry and reconcile the invoices.

        A payout that cannot be posted (a missing account, lines that do not add
        up) stays in the "Cannot Post" state with the reason and an activity.
        """
        for settlement in self:
            try:
                with self.env.cr.savepoint():
                    settlement._post_one()
            except UserError as exc:
                settlement.write({"state": "error", "error": str(exc)})
                settlement.shop_id._schedule_activity(
                    _("Payout cannot be posted"), str(exc), record=settlement
                )

    def _post_one(self):
        self.ensure_one()
        shop = self.shop_id
        shop._ensure_payout_accounting()
        currency = self.currency_id
        if currency.compare_amounts(self.lines_total, self.net_amount):
            raise UserError(
                _(
                    "The lines of payout %(payout)s add up to %(lines)s, not to the "
                    "%(net)s paid.",
                    payout=self.external_id,
                    lines=self.lines_total,
                    net=self.net_amount,
                )
            )
        lines = self.line_ids
        lines._match_orders()
        company = shop.company_id
        date = fields.Date.to_date(
            fields.Datetime.context_timestamp(self, self.payout_date)
        )
        move_lines = []
        for line in lines:
            values = line._move_line_values(shop)
            move_lines.append(self._amount_values(values, -line.amount, date))
        clearing = shop._payout_account("clearing")
        move_lines.append(
            self._amount_values(
                {
                    "name": _("Payout %s", self.external_id),
                    "account_id": clearing.id,
                },
                self.net_amount,
                date,
            )
        )
        # rounding to the company currency must not unbalance the entry
        rest = -sum(vals["balance"] for vals in move_lines)
        if rest:
            move_lines[-1]["balance"] += rest
        # sudo: the system books the payout (marketplace managers need no
        # accounting rights); the payout is one of the shop's
        Move = self.env["account.move"].sudo().with_company(company)
        move = Move.create(
            {
                "move_type": "entry",
                "journal_id": shop._payout_journal().id,
                "date": date,
                "ref": _(
                    "%(shop)s payout %(payout)s",
                    shop=shop.name,
                    payout=self.external_id,
                ),
                "entro_settlement_id": self.id,
                "line_ids": [(0, 0, vals) for vals in move_lines],
            }
        )
        move.action_post()
        for line, aml in zip(lines, move.line_ids.sorted("id"), strict=False):
            line.move_line_id = aml.id
        lines._reconcile_orders()
        self.write({"state": "posted", "error": False, "move_id": move.id})
        if self.has_differences:
            shop._schedule_activity(
                _("Payout with differences"),
                _(
                    "Payout %(payout)s of %(shop)s has orders whose invoices differ "
                    "from what the platform settled, or that have no invoice. They "
                    "are listed on the payout; nothing was written off.",
                    payout=self.external_id,
                    shop=shop.name,
                ),
                record=self,
            )

    def _amount_values(self, values, amount, date):
        """Move line values for a signed amount of the payout (+ = debit)."""
        company = self.shop_id.company_id
        currency = self.currency_id
        balance = currency._convert(amount, company.currency_id, company, date)
        values = dict(values, balance=company.currency_id.round(balance))
        if currency != company.currency_id:
            values.update(currency_id=currency.id, amount_currency=amount)
        return values

    # ------------------------------------------------------------------------ actions

    def _check_manager_write(self):
        """Posting and matching run as superuser: only a Marketplace Manager who
        may write these very payouts (their company) gets there."""
        if not self.env.user.has_group("entro_marketplace.group_marketplace_manager"):
            raise AccessError(_("Only Marketplace Managers can post or match payouts."))
        self.check_access("write")

    def action_retry(self):
        """Post again the payouts that could not be posted (after a fix)."""
        self._check_manager_write()
        self.filtered(lambda s: s.state == "error")._post()
        return True

    def action_match_bank_line(self):
        """Match the payouts with their bank statement lines (button)."""
        self._check_manager_write()
        self._match_bank_lines()
        # sudo: bank_line_id is read past the accounting rights (checked above)
        missing = self.sudo().filtered(
            lambda s: s.state == "posted" and not s.bank_line_id
        )
        if len(self) == 1 and missing:
            raise UserError(
                _(
                    "No single unreconciled bank statement line of %(amount)s within "
                    "%(days)s days of the payout %(payout)s: import the bank "
                    "statement, or reconcile the clearing account by hand.",
                    amount=self.net_amount,
                    days=BANK_MATCH_DAYS,
                    payout=self.external_id,
                )
            )
        return True

    def _match_bank_lines(self):
        """Match each posted payout with the bank statement line it arrived on.

        A line matches when it is not reconciled yet, in the payout's company, of
        exactly the net amount and within ``BANK_MATCH_DAYS`` of the payout: the
        one that names the payout id when several do, the only one otherwise. An
        ambiguous or missing line is left for a person (nothing is guessed).
        """
        matched = self.browse()
        # bank statement lines are accounting records: the match is made with the
        # rights of the payout's posting (the button is for marketplace managers)
        for settlement in self.sudo().filtered(
            lambda s: s.state == "posted" and not s.bank_line_id
        ):
            st_line = settlement._find_bank_line()
            if st_line:
                settlement._reconcile_bank_line(st_line)
                matched |= settlement
        return matched

    def _find_bank_line(self):
        self.ensure_one()
        day = fields.Date.to_date(self.payout_date)
        # sudo: bank statement lines of the payout's own company only
        candidates = (
            self.env["account.bank.statement.line"]
            .sudo()
            .search(
                [
                    ("company_id", "=", self.company_id.id),
                    ("is_reconciled", "=", False),
                    ("amount", "=", self.net_amount),
                    ("date", ">=", day - timedelta(days=BANK_MATCH_DAYS)),
                    ("date", "<=", day + timedelta(days=BANK_MATCH_DAYS)),
                ]
            )
        )
        candidates -= self.search([("bank_line_id", "in", candidates.ids)]).bank_line_id
        named = candidates.filtered(
            lambda line: self.external_id in (line.payment_ref or "")
        )
        for found in (named, candidates):
            if len(found) == 1:
                return found
        return candidates.browse()

    def _reconcile_bank_line(self, st_line):
        """Book the bank line against the clearing account and reconcile it with
        the payout's clearing line (Odoo's own statement-line helper rebuilds the
        line's entry with the clearing account in place of the suspense account)."""
        self.ensure_one()
        clearing = self.shop_id._payout_account("clearing")
        # sudo: the payout's own entry and bank line (accounting records), matched
        # by the system for a payout the caller may write (action_match_bank_line)
        own = self.move_id.sudo().line_ids.filtered(
            lambda line: line.account_id == clearing and not line.reconciled
        )
        # sudo: found by _find_bank_line in the payout's company, never user input
        st_line = st_line.sudo()
        st_line.with_context(force_delete=True, skip_readonly_check=True).write(
            {
                "line_ids": [Command.clear()]
                + [
                    Command.create(values)
                    for values in st_line._prepare_move_line_default_vals(
                        counterpart_account_id=clearing.id
                    )
                ]
            }
        )
        counterpart = st_line.move_id.line_ids.filtered(
            lambda line: line.account_id == clearing
        )
        (own | counterpart).reconcile()
        self.bank_line_id = st_line
        self.message_post(
            body=_(
                "Matched with the bank statement line %(line)s of %(date)s.",
                line=st_line.payment_ref or st_line.display_name,
                date=st_line.date,
            )
        )

    @api.model
    def _cron_match_bank_lines(self):
        self.search(
            [("state", "=", "posted"), ("bank_line_id", "=", False)]
        )._match_bank_lines()

    def action_open_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }


def group_by_order(lines):
    """{order external id: lines} of a recordset of settlement lines."""
    groups = defaultdict(lambda: lines.browse())
    for line in lines:
        if line.order_external_id:
            groups[line.order_external_id] |= line
    return groups
