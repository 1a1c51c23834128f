from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    entro_billing_limits = fields.Boolean(
        "Apply Entro Plan Limits",
        help="On (Entro's hosted service): the marketplace follows the plan of the "
        "subscription whose subscriber is this company's partner; without a running "
        "subscription, syncing stops (data is kept). Off (self-hosted): the "
        "marketplace works without limits.",
    )
