import logging

from odoo import _, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

#: binding states in which the seller may still cancel on the platform
SELLER_CANCELLABLE = ("unpaid", "pending", "to_ship")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    entro_shop_id = fields.Many2one(
        "entro.marketplace.shop",
        string="Marketplace Shop",
        index=True,
        readonly=True,
        copy=False,
    )
    entro_order_ids = fields.One2many(
        "entro.marketplace.order", "sale_order_id", string="Marketplace Orders"
    )
    # issue 20 (c20-orders): the platform's order number, shown and searchable
    entro_order_number = fields.Char(
        "Platform Order Number",
        compute="_compute_entro_order_number",
        search="_search_entro_order_number",
        help="The order's number on the marketplace.",
    )
    entro_order_locked = fields.Boolean(
        "Lines Follow the Platform",
        compute="_compute_entro_order_locked",
        help="A confirmed marketplace order: its lines follow the platform's.",
    )

    def _compute_entro_order_number(self):
        for sale in self:
            sale.entro_order_number = ", ".join(
                sale.entro_order_ids.mapped("external_id")
            )

    def _search_entro_order_number(self, operator, value):
        if operator in ("=", "!=", "in", "not in") and not value:
            positive = operator in ("=", "not in")
            return [("entro_order_ids", "=" if positive else "!=", False)]
        negative = operator in ("!=", "not ilike", "not like", "not in")
        positive_operator = {
            "!=": "=",
            "not ilike": "ilike",
            "not like": "like",
            "not in": "in",
        }.get(operator, operator)
        domain = [("entro_order_ids.external_id", positive_operator, value)]
        return ["!", *domain] if negative else domain

    def _compute_entro_order_locked(self):
        for sale in self:
            sale.entro_order_locked = sale._entro_lines_locked()

    def _entro_lines_locked(self):
        """Whether this sale order's lines follow a confirmed platform order."""
        self.ensure_one()
        return bool(self.entro_shop_id) and self.state == "sale"

    # ------------------------------------------------------------------ invoices

    def action_confirm(self):
        result = super().action_confirm()
        for sale in self.filtered(
            lambda s: s.entro_shop_id.invoice_policy == "confirm"
        ):
            sale._entro_invoice()
        return result

    def _entro_journal(self):
        self.ensure_one()
        shop = self.entro_shop_id
        return shop.invoice_journal_id or self.env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", self.company_id.id)],
            limit=1,
        )

    def _entro_invoice(self):
        """Invoice what is to invoice in the shop's journal and post it.

        A failure never blocks the confirmation or the delivery that triggered
        it: it is left to a person as an activity on the order.
        """
        for sale in self:
            sale = sale.with_company(sale.company_id)
            if not any(line.qty_to_invoice for line in sale.order_line):
                continue
            try:
                with self.env.cr.savepoint():
                    journal = sale._entro_journal()
                    if journal and sale.journal_id != journal:
                        sale.journal_id = journal
                    moves = sale._create_invoices(final=True)
                    moves.filtered(lambda m: m.state == "draft").action_post()
            except (UserError, ValidationError) as exc:
                _logger.info("%s not invoiced: %s", sale.name, exc)
                sale.entro_shop_id._schedule_activity(
                    _("Marketplace order not invoiced"),
                    _(
                        "%(order)s could not be invoiced automatically: %(error)s",
                        order=sale.name,
                        error=exc.args[0] if exc.args else exc,
                    ),
                    record=sale,
                )

    # -------------------------------------------------------------- cancelling

    def action_cancel(self):
        """A marketplace order is cancelled on the platform first, with a reason."""
        marketplace = self.filtered(
            lambda s: (
                s.entro_shop_id
                and s.state != "cancel"
                and not self.env.context.get("entro_platform_cancel_done")
            )
        )
        if not marketplace:
            return super().action_cancel()
        if len(self) > 1:
            raise UserError(
                _(
                    "Cancel marketplace orders one at a time: each is cancelled on "
                    "the platform with its own reason."
                )
            )
        self._entro_check_seller_cancellable()
        return {
            "type": "ir.actions.act_window",
            "name": _("Cancel on the Marketplace"),
            "res_model": "entro.marketplace.cancel",
            "view_mode": "form",
            "target": "new",
            "context": {"default_sale_order_id": self.id},
        }

    def _entro_check_seller_cancellable(self):
        self.ensure_one()
        binding = self.entro_order_ids[:1]
        shipped = self.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )
        if shipped or (binding and binding.state not in SELLER_CANCELLABLE):
            raise UserError(
                _(
                    "%(order)s cannot be cancelled by the seller any more: it is "
                    "%(state)s on the platform. Handle it as a return instead.",
                    order=self.name,
                    state=_("shipped")
                    if shipped
                    else dict(binding._fields["state"].selection).get(binding.state),
                )
            )
        return binding
