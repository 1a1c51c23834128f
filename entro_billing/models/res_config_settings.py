from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    entro_billing_limits = fields.Boolean(
        related="company_id.entro_billing_limits", readonly=False
    )
    entro_billing_retry_days = fields.Char(
        "Charge Retries (days)",
        config_parameter="entro_billing.retry_days",
        default="1,3,7",
        help="After a failed renewal charge: retry after these many days, one "
        "number per retry; once they all fail, the subscription is suspended.",
    )
