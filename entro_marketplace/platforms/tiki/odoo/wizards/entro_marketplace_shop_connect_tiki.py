from odoo import fields, models

from ..models.entro_marketplace_shop_tiki import TIKI_APP_TYPES


class EntroMarketplaceShopConnect(models.TransientModel):
    _inherit = "entro.marketplace.shop.connect"

    tiki_app_type = fields.Selection(
        TIKI_APP_TYPES, string="Tiki App Type", default="public"
    )

    def action_connect(self):
        """A Tiki shop is created with its app type (in-house: no consent page)."""
        if self.platform == "tiki":
            wizard = self.with_context(default_tiki_app_type=self.tiki_app_type)
            return super(EntroMarketplaceShopConnect, wizard).action_connect()
        return super().action_connect()
