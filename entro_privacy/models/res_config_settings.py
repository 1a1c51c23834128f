from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    entro_privacy_request_days = fields.Integer(
        "Days to Answer a Request",
        config_parameter="entro_privacy.request_days",
        default=10,
    )
    entro_privacy_log_retention_days = fields.Integer(
        "Keep API and Webhook Logs (days)",
        config_parameter="entro_privacy.log_retention_days",
        default=90,
    )
    entro_privacy_order_staging_days = fields.Integer(
        "Keep Staged Order Headers (days)",
        config_parameter="entro_marketplace.order_staging_days",
        default=7,
    )
    entro_privacy_export_days = fields.Integer(
        "Delete Exports After (days)",
        config_parameter="entro_privacy.export_retention_days",
        default=30,
        help="An export archive is a full copy of a person's data: it is deleted "
        "this many days after it was generated (the request keeps what it held).",
    )
    entro_privacy_accounting_years = fields.Integer(
        "Keep Accounting Documents (years)",
        config_parameter="entro_privacy.accounting_retention_years",
        default=10,
    )
    entro_privacy_breach_platform_hours = fields.Integer(
        "Notify Platforms of a Breach Within (hours)",
        config_parameter="entro_privacy.breach_platform_hours",
        default=24,
    )
    entro_privacy_breach_authority_hours = fields.Integer(
        "Notify the Authority of a Breach Within (hours)",
        config_parameter="entro_privacy.breach_authority_hours",
        default=72,
    )

    def action_entro_privacy_buyer_retention(self):
        """Buyer data retention: one period per platform, in a list."""
        return self.env["entro.privacy.buyer.retention"]._action_open()
