from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.entro_marketplace.platforms import PLATFORMS, registry


class EntroPrivacyBuyerRetention(models.Model):
    """How long a platform's finished orders keep their buyer data: one line per
    registered platform, its default the platform's own (``PlatformInfo``)."""

    _name = "entro.privacy.buyer.retention"
    _description = "Buyer Data Retention per Platform"
    _order = "platform"
    _rec_name = "platform"

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
        ("platform_unique", "unique(platform)", "One period per platform."),
    ]

    @api.constrains("days")
    def _check_days(self):
        if any(line.days < 1 for line in self):
            raise ValidationError(_("A retention period is at least one day."))

    @api.model
    def _sync_platforms(self):
        """A line for each registered platform that has none yet, with the
        platform's default period. Run at install and upgrade, and before the
        periods are shown or read."""
        # sudo: configuration lines the addon keeps complete itself
        Line = self.sudo().with_context(active_test=False)
        known = set(Line.search([]).mapped("platform"))
        return Line.create(
            [
                {"platform": code, "days": cls.info.retention_days}
                for code, cls in PLATFORMS.items()
                if code not in known
            ]
        )

    @api.model
    def _days_by_platform(self):
        """{platform: days} for every registered platform."""
        # sudo: the cron and the officers read the same configuration
        lines = self.sudo().search([])
        days = {line.platform: line.days for line in lines}
        return {
            code: max(days.get(code) or cls.info.retention_days, 1)
            for code, cls in PLATFORMS.items()
        }

    @api.model
    def action_open(self):
        """The periods, one editable line per registered platform."""
        self._sync_platforms()
        return self.env["ir.actions.act_window"]._for_xml_id(
            "entro_privacy.entro_privacy_buyer_retention_action"
        )
