"""Tiki's app type, on the platform app (c20-connect)."""

from odoo import fields, models

from .entro_marketplace_shop_tiki import TIKI_APP_TYPES


class EntroMarketplaceApp(models.Model):
    _inherit = "entro.marketplace.app"

    tiki_app_type = fields.Selection(
        TIKI_APP_TYPES,
        string="Tiki App Type",
        default="public",
        help="A public app serves many sellers, who each authorize it; an in-house "
        "app is the seller's own and authenticates with its client credentials.",
    )
