from odoo import models


class QueueJob(models.Model):
    _inherit = "queue.job"

    # --- entro_support: Contact Support from a failed job of a shop ------------
    def _entro_shop(self):
        """The shop a job runs for (jobs of a shop are its methods), if any."""
        self.ensure_one()
        records = self.records
        if self.model_name != "entro.marketplace.shop" or not records:
            return self.env["entro.marketplace.shop"]
        return self.env["entro.marketplace.shop"].browse(records.ids[:1]).exists()

    def action_entro_contact_support(self):
        self.ensure_one()
        return self.env["entro.support.contact"]._open(
            shop=self._entro_shop(), job=self
        )
