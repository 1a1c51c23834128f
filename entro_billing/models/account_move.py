from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _invoice_paid_hook(self):
        """An Entro invoice paid (charged, or paid otherwise): restore the service."""
        res = super()._invoice_paid_hook()
        # sudo: the ledger is the system's; whoever paid the invoice updates it
        periods = (
            self.env["entro.billing.period"]
            .sudo()
            .search([("invoice_id", "in", self.ids)])
        )
        periods._mark_paid()
        return res
