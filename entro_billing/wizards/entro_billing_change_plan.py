from odoo import api, fields, models


class EntroBillingChangePlan(models.TransientModel):
    """Move a subscription to another plan (upgrade now, downgrade next period)."""

    _name = "entro.billing.change.plan"
    _description = "Change the Plan of an Entro Subscription"

    subscription_id = fields.Many2one("entro.billing.subscription", required=True)
    current_plan_id = fields.Many2one(related="subscription_id.plan_id")
    plan_id = fields.Many2one(
        "entro.billing.plan",
        string="New Plan",
        required=True,
        domain="[('id', '!=', current_plan_id)]",
    )

    @api.constrains("subscription_id")
    def _check_subscription_access(self):
        self.subscription_id.check_access("write")

    def action_apply(self):
        self.ensure_one()
        self.subscription_id.action_change_plan(self.plan_id.id)
        return {"type": "ir.actions.act_window_close"}
