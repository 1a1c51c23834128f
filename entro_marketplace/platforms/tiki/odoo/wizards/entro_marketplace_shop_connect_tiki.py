from odoo import fields, models

from ..models.entro_marketplace_shop_tiki import TIKI_APP_TYPES


class EntroMarketplaceShopConnect(models.TransientModel):
    _inherit = "entro.marketplace.shop.connect"

    tiki_app_type = fields.Selection(
        TIKI_APP_TYPES,
        string="Tiki App Type",
        help="Integrators only: the Tiki app's type is the platform app's "
        "(Configuration > Platform Apps) unless given here.",
    )

    def _shop_values(self):
        """A Tiki shop takes its app's type (in-house: no consent page), or the
        one an integrator gave."""
        values = super()._shop_values()
        if self.platform == "tiki" and self.tiki_app_type:
            values["tiki_app_type"] = self.tiki_app_type
        return values
