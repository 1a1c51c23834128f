from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    entro_termination_days = fields.Integer(
        "Days to Download Data after Termination",
        default=30,
        config_parameter="entro_support.termination_days",
        help="After a subscription ends, its seller may download their data for "
        "this many days; then their marketplace data is deleted (posted "
        "accounting entries are kept).",
    )
