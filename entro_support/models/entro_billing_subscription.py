from odoo import fields, models


class EntroBillingSubscription(models.Model):
    _inherit = "entro.billing.subscription"

    # --- entro_support: the end of the service, from which the data download
    # window runs -------------------------------------------------------------
    entro_ended_on = fields.Date(
        "Service Ended On",
        readonly=True,
        copy=False,
        help="When the subscription expired: the seller may download their data "
        "for a period after it, then their marketplace data is deleted.",
    )

    def write(self, vals):
        if vals.get("state") == "expired" and "entro_ended_on" not in vals:
            vals = dict(vals, entro_ended_on=fields.Date.context_today(self))
        return super().write(vals)

    def _entro_ended_on(self):
        """The day the service ended, or False while it runs."""
        self.ensure_one()
        if self.state != "expired":
            return False
        return (
            self.entro_ended_on
            or self._service_end()
            or self.trial_end
            or self.write_date.date()
        )
