"""Upload of a Tiki Seller Center statement (CSV/XLSX) as a payout."""

import base64
import json
from decimal import Decimal

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ... import order_fees
from ...statement import (
    COLUMNS,
    COLUMNS_PARAM,
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
    import_unread_columns = fields.Boolean(
        "Import Anyway",
        help="Import a statement with tax columns Entro does not read: their "
        "amounts then go to the adjustments. Better: name the columns in the "
        "system parameter entro_marketplace.tiki_statement_columns.",
    )
    reference = fields.Char(
        help="The statement's identity (one payout per shop and reference). "
        "Empty: its period, from the first to the last date on it.",
    )

    @api.constrains("shop_id")
    def _check_shop_access(self):
        # the payout is posted as superuser: the shop must be one the user may change
        self.shop_id.check_access("write")

    def _statement_columns(self):
        """Header names a database adds per field (system parameter
        ``entro_marketplace.tiki_statement_columns``, a JSON object such as
        ``{"withheld_vat": ["Thuế GTGT nộp thay"]}``), e.g. for the tax columns
        whose names Tiki does not publish."""
        text = self.env["ir.config_parameter"].sudo().get_param(COLUMNS_PARAM)
        if not (text or "").strip():
            return None
        try:
            value = json.loads(text)
            if not isinstance(value, dict) or not set(value) <= set(COLUMNS):
                raise ValueError("the fields are " + ", ".join(sorted(COLUMNS)))
            columns = {
                key: [names] if isinstance(names, str) else list(names)
                for key, names in value.items()
            }
            if not all(isinstance(n, str) for v in columns.values() for n in v):
                raise ValueError("names are texts")
        except (ValueError, TypeError) as exc:
            raise UserError(
                _(
                    "The system parameter %(param)s must be a JSON object of "
                    'column names per field, e.g. {"withheld_vat": ["Thuế GTGT '
                    'nộp thay"]}: %(why)s',
                    param=COLUMNS_PARAM,
                    why=exc,
                )
            ) from exc
        return columns

    def action_import(self):
        self.ensure_one()
        shop = self.shop_id
        if shop.platform != "tiki":
            raise UserError(_("Only a Tiki shop imports Tiki statements."))
        content = base64.b64decode(self.file or b"")
        try:
            statement = parse_statement(
                content, self.filename or "", columns=self._statement_columns()
            )
        except StatementError as exc:
            raise UserError(
                _("%(file)s cannot be read: %(why)s", file=self.filename, why=exc)
            ) from exc
        if statement.unread_columns and not self.import_unread_columns:
            raise UserError(
                _(
                    "%(file)s has tax columns Entro does not read: %(columns)s. If "
                    "they hold the VAT or PIT Tiki withheld, name them in the system "
                    'parameter %(param)s (e.g. {"withheld_vat": ["%(first)s"]}) and '
                    "upload the file again; otherwise tick Import Anyway (their "
                    "amounts then go to the adjustments).",
                    file=self.filename or _("The file"),
                    columns=", ".join(statement.unread_columns),
                    param=COLUMNS_PARAM,
                    first=statement.unread_columns[0],
                )
            )
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
        buyer_totals, incomes, goods = {}, {}, {}
        for binding in bindings:
            raw = binding.payload or {}
            raw = raw.get("order", raw) if isinstance(raw, dict) else {}
            if not isinstance(raw, dict) or not raw.get("code"):
                continue
            invoice = raw.get("invoice") or {}
            grand_total = invoice.get("grand_total")
            if grand_total is not None:
                buyer_totals[binding.external_id] = Decimal(str(grand_total))
            if invoice.get("subtotal") is not None:  # the goods, for a return
                goods[binding.external_id] = Decimal(str(invoice["subtotal"]))
            incomes[binding.external_id] = order_fees(raw).seller_income
        payout = to_settlement(statement, external_id, buyer_totals, goods)
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
