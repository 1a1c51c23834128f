from odoo import api, models


class ResCompany(models.Model):
    _inherit = "res.company"

    def _entro_lang(self):
        """The language of what Entro writes for this company (sales order lines,
        invoices, chatter, contacts, accounts): its partner's, when that language
        is installed; else the current one."""
        self.ensure_one()
        lang = self.partner_id.lang
        installed = dict(self.env["res.lang"].get_installed())
        return lang if lang in installed else (self.env.lang or "en_US")

    # --- issue 22 (t22-regime): each company gets the withholding rates
    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        self.env["entro.marketplace.withholding.rate"]._ensure_company_rates(companies)
        return companies
