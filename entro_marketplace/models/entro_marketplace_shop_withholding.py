"""The seller's tax regime on a shop: whether the platform withholds its taxes."""

from odoo import fields, models


class EntroMarketplaceShop(models.Model):
    _inherit = "entro.marketplace.shop"

    # Enterprise by default: a shop connected before this setting existed shows no
    # new difference, and an enterprise (which declares its own VAT and issues its
    # own e-invoices) is what an Odoo accounting user usually is; a household sets
    # it once, and every order of the shop is then compared
    withholding_regime = fields.Selection(
        [
            ("enterprise", "Enterprise (declares its own VAT)"),
            ("household", "Household/individual (tax withheld by the platform)"),
        ],
        string="Tax Regime",
        default="enterprise",
        required=True,
        tracking=True,
        help="Household or individual business: the platform withholds VAT and "
        "PIT from each successful order (Vietnam, Decree 117/2025); each order "
        "then shows the tax expected at the company's withholding rates beside "
        "what the payouts withheld. Enterprise: the seller declares its own VAT; "
        "tax a platform still withholds is shown on the orders, not compared.",
    )
