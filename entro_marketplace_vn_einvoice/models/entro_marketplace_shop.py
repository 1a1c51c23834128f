from odoo import api, fields, models
from odoo.exceptions import ValidationError


class EntroMarketplaceShop(models.Model):
    _inherit = "entro.marketplace.shop"

    einvoice_enabled = fields.Boolean(
        "Issue E-invoices",
        help="Each invoice and credit note of this shop's orders, once posted, is "
        "issued as an e-invoice on Viettel's SInvoice (the company's SInvoice "
        "account, in Accounting settings), in the background.",
    )
    einvoice_symbol_id = fields.Many2one(
        "l10n_vn_edi_viettel.sinvoice.symbol",
        string="E-invoice Symbol",
        help="The SInvoice symbol (and its template) of this shop's e-invoices. "
        "Empty: the buyer's own symbol, else the company's default symbol "
        "(Accounting settings).",
    )
    einvoice_problem_count = fields.Integer(
        "E-invoices to Fix", compute="_compute_einvoice_counts"
    )
    einvoice_pending_count = fields.Integer(
        "E-invoices Queued", compute="_compute_einvoice_counts"
    )

    def _compute_einvoice_counts(self):
        # sudo: counts only, of readable shops (a Marketplace User may not read
        # invoices)
        groups = (
            self.env["account.move"]
            .sudo()
            ._read_group(
                [
                    ("entro_einvoice_shop_id", "in", self.ids),
                    ("entro_einvoice_state", "in", ("to_send", "exception", "failed")),
                ],
                ["entro_einvoice_shop_id", "entro_einvoice_state"],
                ["__count"],
            )
        )
        for shop in self:
            counts = {st: c for s, st, c in groups if s == shop}
            shop.einvoice_problem_count = counts.get("exception", 0) + counts.get(
                "failed", 0
            )
            shop.einvoice_pending_count = counts.get("to_send", 0)

    @api.constrains("einvoice_enabled", "company_id")
    def _check_einvoice_company(self):
        for shop in self.filtered("einvoice_enabled"):
            if shop.company_id.account_fiscal_country_id.code != "VN":
                raise ValidationError(
                    self.env._(
                        "E-invoices through SInvoice are for companies whose fiscal "
                        "country is Vietnam (%(company)s is not).",
                        company=shop.company_id.display_name,
                    )
                )

    def action_view_einvoice_problems(self):
        """The invoices of these shops whose e-invoice needs a person."""
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action.update(
            {
                "name": self.env._("E-invoices to Fix"),
                "domain": self.env["account.move"]._entro_einvoice_problem_domain(self),
                "context": {"create": False},
            }
        )
        return action

    def action_einvoice_retry(self):
        """Send again every e-invoice of these shops in exception or failed."""
        self.check_access("write")
        # sudo: the shop's manager sends its invoices again (they may not be an
        # accountant); only these shops' invoices in a problem state
        moves = (
            self.env["account.move"]
            .sudo()
            .search(self.env["account.move"]._entro_einvoice_problem_domain(self))
        )
        moves._entro_einvoice_requeue()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": self.env._("E-invoices"),
                "message": self.env._(
                    "%(count)s e-invoices queued for SInvoice again.",
                    count=len(moves),
                ),
                "sticky": False,
            },
        }
