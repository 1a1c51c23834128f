"""What a Tiki statement says against what each order's own fees promised."""

from odoo import _, fields, models


class EntroMarketplaceSettlement(models.Model):
    _inherit = "entro.marketplace.settlement"

    statement_differences = fields.Text(
        readonly=True,
        help="Orders whose net on the uploaded statement differs from the seller "
        "income of the order itself (its fees), one per line. Shown, never "
        "written off.",
    )

    def _note_statement_differences(self, differences, filename):
        """Keep the per-order differences of an uploaded statement, with a to-do."""
        self.ensure_one()
        currency = self.currency_id

        def amount(value):
            return "-" if value is None else currency.format(float(value))

        rows = [
            self.env._(
                "%(order)s: statement %(found)s, order fees %(expected)s, "
                "difference %(delta)s",
                order=d.order_code,
                found=amount(d.on_statement),
                expected=amount(d.expected),
                delta=amount(d.delta),
            )
            for d in differences
        ]
        self.statement_differences = "\n".join(rows) or False
        self.message_post(
            body=_(
                "Statement %(file)s imported: %(count)s order(s) differ from "
                "their fees on Tiki.",
                file=filename,
                count=len(rows),
            )
        )
        if rows:
            self.shop_id._schedule_activity(
                _("Tiki statement differs from the orders"),
                "\n".join(rows),
                record=self,
            )
