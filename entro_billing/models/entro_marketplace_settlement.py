from odoo import api, models


class EntroMarketplaceSettlement(models.Model):
    _inherit = "entro.marketplace.settlement"

    @api.model
    def _import_platform_settlement(self, shop, settlement):
        """Payouts in accounting are a plan feature: refused without it, from the
        payout API and from an uploaded statement alike."""
        shop._check_payouts_feature()
        return super()._import_platform_settlement(shop, settlement)
