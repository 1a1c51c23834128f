from odoo import fields, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    entro_external_line_id = fields.Char(
        "Marketplace Line ID", readonly=True, copy=False
    )
