from odoo import api, models


class EntroMarketplaceReturn(models.Model):
    _inherit = "entro.marketplace.return"

    @api.model
    def _job_sync_returns(self, shop):
        # the shop comes as the job's argument: give it the job's context, so
        # that a suspended service postpones the job (see the shop's _api_session)
        return super()._job_sync_returns(shop.with_env(self.env))
