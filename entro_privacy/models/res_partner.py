from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    entro_privacy_restricted = fields.Boolean(
        "Processing Restricted",
        readonly=True,
        copy=False,
        help="Set by a privacy request: the contact is kept only for what law "
        "requires (e.g. on posted invoices) and must not be used otherwise.",
    )
    entro_privacy_retained_until = fields.Date(
        "Retained Until",
        readonly=True,
        copy=False,
        help="End of the legal retention period of the documents that keep this "
        "erased person's name.",
    )
