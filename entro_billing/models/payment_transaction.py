from odoo import _, fields, models


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    entro_subscription_id = fields.Many2one(
        "entro.billing.subscription",
        string="Entro Subscription",
        readonly=True,
        index="btree_not_null",
        help="The card saved by this validation becomes the payment method of "
        "this subscription.",
    )

    def _post_process(self):
        """A card saved from the Entro account page becomes the subscription's
        payment method in the same step: the trial goes on to paid."""
        super()._post_process()
        for tx in self.filtered(
            lambda t: t.state == "done" and t.entro_subscription_id and t.token_id
        ):
            # sudo: the system links the subscriber's own token (checked by the
            # subscription's constraint) to its subscription
            sub = tx.entro_subscription_id.sudo()
            if sub.payment_token_id != tx.token_id:
                sub._set_payment_token(tx.token_id)
        for tx in self.filtered(
            lambda t: t.state == "error" and t.entro_subscription_id
        ):
            tx.entro_subscription_id.sudo().message_post(
                body=_("Saving the card failed: %s", tx.state_message or "")
            )
