from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

#: line fields that must follow the platform's order once it is confirmed
LOCKED_FIELDS = (
    "product_id",
    "product_uom_qty",
    "product_uom",
    "price_unit",
    "discount",
    "tax_id",
)
#: context key of Entro's own code that makes the lines follow the platform
SYNC_CONTEXT = "entro_platform_sync"


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    entro_external_line_id = fields.Char(
        "Marketplace Line ID", readonly=True, copy=False
    )

    # issue 20 (c20-orders): a confirmed marketplace order's lines are the
    # platform's: a user may not change what would make them diverge

    def _entro_may_change_lines(self):
        return self.env.su or self.env.context.get(SYNC_CONTEXT)

    def _entro_refuse(self, orders):
        raise UserError(
            _(
                "%(orders)s is a confirmed marketplace order: its lines (products, "
                "quantities, prices, discounts, taxes) follow the order on the "
                "platform and cannot be changed here. Change the order on the "
                "platform (or cancel it, or handle a return): Entro brings the "
                "change in.",
                orders=", ".join(orders.mapped("name")),
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._entro_may_change_lines():
            orders = self.env["sale.order"].browse(
                {v["order_id"] for v in vals_list if v.get("order_id")}
            )
            locked = orders.filtered(lambda o: o._entro_lines_locked())
            if locked and any(
                v.get("order_id") in locked.ids
                and not v.get("display_type")
                and not v.get("is_downpayment")
                for v in vals_list
            ):
                self._entro_refuse(locked)
        return super().create(vals_list)

    def write(self, vals):
        if not self._entro_may_change_lines() and any(
            name in vals for name in LOCKED_FIELDS
        ):
            locked = self.filtered(
                lambda line: (
                    line.order_id._entro_lines_locked()
                    and not line.display_type
                    and not line.is_downpayment
                )
            )
            changed = locked.filtered(lambda line: line._entro_diverges(vals))
            if changed:
                self._entro_refuse(changed.order_id)
            if locked:
                # the platform's values written again: not written at all (a
                # quantity written would make Odoo compute the price again)
                kept = {k: v for k, v in vals.items() if k not in LOCKED_FIELDS}
                if kept:
                    super(SaleOrderLine, locked).write(kept)
                rest = self - locked
                return super(SaleOrderLine, rest).write(vals) if rest else True
        return super().write(vals)

    def _entro_diverges(self, vals):
        """Whether writing ``vals`` changes one of the platform's values."""
        self.ensure_one()
        for name in LOCKED_FIELDS:
            if name not in vals:
                continue
            field = self._fields[name]
            if field.type == "many2many":
                return True
            if field.type == "many2one":
                if (vals[name] or False) != self[name].id:
                    return True
            elif name == "product_uom_qty":
                if float_compare(
                    vals[name] or 0.0,
                    self[name],
                    precision_rounding=self.product_uom.rounding or 0.01,
                ):
                    return True
            elif float_compare(vals[name] or 0.0, self[name], precision_digits=6):
                return True
        return False

    def unlink(self):
        if not self._entro_may_change_lines():
            locked = self.filtered(
                lambda line: (
                    line.order_id._entro_lines_locked()
                    and not line.display_type
                    and not line.is_downpayment
                )
            )
            if locked:
                self._entro_refuse(locked.order_id)
        return super().unlink()
