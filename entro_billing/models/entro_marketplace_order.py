from odoo import fields, models


class EntroMarketplaceOrder(models.Model):
    _inherit = "entro.marketplace.order"

    billing_over_quota = fields.Boolean(
        "Past the Monthly Quota",
        readonly=True,
        index=True,
        help="Imported after the plan's orders of the month were used up.",
    )
