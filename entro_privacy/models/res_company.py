from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        # a new company keeps its buyers' data for the platforms' default periods
        self.env["entro.privacy.buyer.retention"]._sync_platforms(companies)
        return companies
