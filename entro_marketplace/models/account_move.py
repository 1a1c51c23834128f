from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    entro_settlement_id = fields.Many2one(
        "entro.marketplace.settlement",
        string="Marketplace Payout",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
