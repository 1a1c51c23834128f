from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.entro_marketplace.platforms import PLATFORMS, registry


class EntroPrivacyBuyerRetention(models.Model):
    """How long a platform's finished orders keep their buyer data, in a company:
    one line per company and registered platform, its default the platform's own
    (``PlatformInfo``). Each company is the controller of its buyers' data: it
    sets its own periods, its officers see and change only its lines."""

    _name = "entro.privacy.buyer.retention"
    _description = "Buyer Data Retention per Platform"
    _order = "company_id, platform"
    _rec_name = "platform"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        default=lambda self: self.env.company,
    )
    platform = fields.Selection(
        selection=lambda self: registry.selection(),
        required=True,
        readonly=True,
    )
    days = fields.Integer(
        "Days After Completion",
        required=True,
        help="Days after an order is completed, cancelled or returned before its "
        "buyer data is pseudonymised.",
    )

    _sql_constraints = [
        (
            "company_platform_unique",
            "unique(company_id, platform)",
            "One period per platform in a company.",
        ),
    ]

    @api.constrains("days")
    def _check_days(self):
        if any(line.days < 1 for line in self):
            raise ValidationError(_("A retention period is at least one day."))

    @api.model
    def _sync_platforms(self, companies=None):
        """A line for each company (default: all of them) and registered
        platform that has none yet, with the platform's default period. Run at
        install and upgrade, when a company is created, and before the periods
        are shown."""
        # sudo: configuration lines the addon keeps complete itself
        Line = self.sudo().with_context(active_test=False)
        if companies is None:
            companies = self.env["res.company"].sudo().with_context(active_test=False)
            companies = companies.search([])
        known = {
            (line.company_id.id, line.platform)
            for line in Line.search([("company_id", "in", companies.ids)])
        }
        return Line.create(
            [
                {
                    "company_id": company.id,
                    "platform": code,
                    "days": cls.info.retention_days,
                }
                for company in companies
                for code, cls in PLATFORMS.items()
                if (company.id, code) not in known
            ]
        )

    @api.model
    def _days_by_platform(self, company=None):
        """{platform: days} in ``company`` (default: the current one) for every
        registered platform."""
        company = company or self.env.company
        # sudo: the cron and the officers read the same configuration
        lines = self.sudo().search([("company_id", "=", company.id)])
        days = {line.platform: line.days for line in lines}
        return {
            code: max(days.get(code) or cls.info.retention_days, 1)
            for code, cls in PLATFORMS.items()
        }

    @api.model
    def _action_open(self):
        """The periods of the user's companies, one editable line per platform."""
        self._sync_platforms(self.env.companies)
        return self.env["ir.actions.act_window"]._for_xml_id(
            "entro_privacy.entro_privacy_buyer_retention_action"
        )
