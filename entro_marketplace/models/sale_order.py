from odoo import fields, models


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
