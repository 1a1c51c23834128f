"""Upload of a Tiki Seller Center statement (CSV/XLSX) as a payout."""

import base64
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ... import order_fees
from ...statement import (
    StatementError,
    parse_statement,
    reconcile,
    statement_id,
    to_settlement,
)


class EntroMarketplaceTikiStatement(models.TransientModel):
    """A person uploads the twice-monthly statement downloaded from Seller Center;
    it is posted and reconciled like any other platform's payout."""

    _name = "entro.marketplace.tiki.statement"
    _description = "Import a Tiki Statement"

    shop_id = fields.Many2one(
        "entro.marketplace.shop",
        required=True,
        domain="[('platform', '=', 'tiki')]",
    )
    file = fields.Binary("Statement File", required=True, attachment=False)
    filename = fields.Char()
    reference = fields.Char(
        help="The statement's identity (one payout per shop and reference). "
        "Empty: its period, from the first to the last date on it.",
    )

    @api.constrains("shop_id")
    def _check_shop_access(self):
        # the payout is posted as superuser: the shop must be one the user may change
        self.shop_id.check_access("write")

    def action_import(self):
        self.ensure_one()
        shop = self.shop_id
        if shop.platform != "tiki":
            raise UserError(_("Only a Tiki shop imports Tiki statements."))
        content = base64.b64decode(self.file or b"")
        try:
            statement = parse_statement(content, self.filename or "")
        except StatementError as exc:
            raise UserError(
                _("%(file)s cannot be read: %(why)s", file=self.filename, why=exc)
            ) from exc
        if not statement.lines:
            raise UserError(
                _("%s holds no order rows.", self.filename or _("The file"))
            )
        external_id = (self.reference or "").strip() or statement_id(statement, content)
        Settlement = self.env["entro.marketplace.settlement"]
        codes = sorted(statement.net_by_order())
        bindings = self.env["entro.marketplace.order"].search(
            [("shop_id", "=", shop.id), ("external_id", "in", codes)]
        )
        buyer_totals, incomes = {}, {}
        for binding in bindings:
            raw = binding.payload or {}
            raw = raw.get("order", raw) if isinstance(raw, dict) else {}
            if not isinstance(raw, dict) or not raw.get("code"):
                continue
            grand_total = (raw.get("invoice") or {}).get("grand_total")
            if grand_total is not None:
                buyer_totals[binding.external_id] = Decimal(str(grand_total))
            incomes[binding.external_id] = order_fees(raw).seller_income
        payout = to_settlement(statement, external_id, buyer_totals)
        result = Settlement._import_platform_settlement(shop, payout)
        record = Settlement.search(
            [("shop_id", "=", shop.id), ("external_id", "=", external_id)]
        )
        if result == "unchanged":
            record.message_post(
                body=_("%s was uploaded again: nothing was posted.", self.filename)
            )
        else:
            differences = [
                d for d in reconcile(statement, incomes) if d.order_code in codes
            ]
            record._note_statement_differences(differences, self.filename)
        return {
            "type": "ir.actions.act_window",
            "res_model": "entro.marketplace.settlement",
            "res_id": record.id,
            "view_mode": "form",
        }
