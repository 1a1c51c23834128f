from odoo import models


class EntroMarketplaceShop(models.Model):
    _inherit = "entro.marketplace.shop"

    # --- entro_support: Contact Support ---------------------------------------
    def action_contact_support(self):
        self.ensure_one()
        return self.env["entro.support.contact"]._open(shop=self)
