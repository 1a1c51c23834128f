from odoo import fields, models


class EntroMarketplaceOrder(models.Model):
    _inherit = "entro.marketplace.order"

    entro_privacy_pseudonymised_at = fields.Datetime(
        "Buyer Data Pseudonymised On",
        readonly=True,
        copy=False,
        index=True,
        help="Set by the retention cron, the buyer's data period having ended.",
    )
