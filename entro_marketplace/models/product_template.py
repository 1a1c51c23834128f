from odoo import fields, models

from .entro_marketplace_withholding_rate import SUPPLY_KIND_SELECTION


class ProductTemplate(models.Model):
    _inherit = "product.template"

    # Goods by default: what sellers sell on the marketplaces; a service, a
    # transport or goods-related service is set here (the platform classifies by
    # the listing's category the same way)
    entro_supply_kind = fields.Selection(
        SUPPLY_KIND_SELECTION,
        string="Supply Kind (Tax Withholding)",
        default="goods",
        help="The kind of supply the marketplaces withhold tax on for household "
        "sellers (Vietnam, Decree 117/2025): the rate of an order is that of its "
        "products' kind (the highest one when they differ).",
    )
