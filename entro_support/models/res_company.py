from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # --- entro_support: deletion after termination -------------------------
    entro_data_purged_on = fields.Date(
        "Marketplace Data Deleted On",
        readonly=True,
        copy=False,
        help="The marketplace data of this company was deleted after its "
        "subscription ended (posted accounting entries are kept).",
    )
