from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from odoo.addons.payment import utils as payment_utils
from odoo.addons.payment.controllers.portal import PaymentPortal


class EntroBillingPortal(PaymentPortal):
    """The subscriber's account dashboard: plan, next invoice, invoices, payment
    method (card or bank transfer), plan changes, cancel and resume. A subscriber
    sees only their own subscriptions (record rules); actions run as superuser
    after that check."""

    def _entro_messages(self):
        """The notices the dashboard shows, by the code in its ``?message=``: the
        page never shows text taken from the URL."""
        _ = request.env._
        return {
            "cancel_refused": _("This subscription cannot be cancelled now."),
            "resume_refused": _(
                "This subscription cannot be resumed: it is not cancelled, or its "
                "period has ended (subscribe again)."
            ),
            "transfer_refused": _(
                "Bank transfer cannot be chosen now: no bank account receives "
                "transfers yet, or the subscription has ended. Please pay by card."
            ),
            "transfer": _(
                "Bank transfer chosen: each invoice shows the bank account and the "
                "payment reference to write on the transfer."
            ),
            "plan_refused": _(
                "The plan cannot be changed now: only a subscription in trial or "
                "active can change plans."
            ),
            "plan_upgraded": _("Your plan is upgraded."),
            "plan_downgraded": _(
                "Your plan changes at the start of the next period (no refund)."
            ),
        }

    def _entro_subscriptions(self):
        return request.env["entro.billing.subscription"].search([])

    def _entro_subscription(self, sub_id):
        sub = request.env["entro.billing.subscription"].browse(sub_id).exists()
        try:
            sub.check_access("read")
        except Exception as exc:
            raise NotFound() from exc
        if not sub:
            raise NotFound()
        return sub

    def _entro_plans(self, sub):
        """The plans the subscriber may move to (same invoicing company, currency)."""
        # sudo: the catalogue of the subscription's invoicing company
        return (
            request.env["entro.billing.plan"]
            .sudo()
            .search(
                [
                    ("company_id", "in", (False, sub.company_id.id)),
                    ("currency_id", "=", sub.currency_id.id),
                    ("id", "!=", sub.plan_id.id),
                ]
            )
        )

    @http.route(["/my/entro"], type="http", auth="user", website=True)
    def portal_entro_account(self, **kw):
        subs = self._entro_subscriptions()
        if len(subs) == 1:
            return request.redirect(f"/my/entro/{subs.id}")
        values = self._prepare_portal_layout_values()
        values.update({"subscriptions": subs, "page_name": "entro_account"})
        return request.render("entro_billing.portal_entro_subscriptions", values)

    @http.route(["/my/entro/<int:sub_id>"], type="http", auth="user", website=True)
    def portal_entro_subscription(self, sub_id, message=None, **kw):
        sub = self._entro_subscription(sub_id)
        # sudo: the subscriber's own data; access to sub checked above
        sub_sudo = sub.sudo()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "subscription": sub,
                "invoices": sub_sudo.invoice_ids.sorted("id", reverse=True),
                "open_invoices": sub_sudo._open_invoices().filtered(
                    lambda m: m.payment_state not in ("paid", "in_payment")
                ),
                "bank_account": sub_sudo._transfer_bank_account(),
                "plans": self._entro_plans(sub),
                "page_name": "entro_account",
                # a known code's text, or nothing: never the URL's own text
                "message": self._entro_messages().get(message or ""),
            }
        )
        return request.render("entro_billing.portal_entro_subscription", values)

    @http.route(
        ["/my/entro/<int:sub_id>/<string:action>"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
    )
    def portal_entro_action(self, sub_id, action, **kw):
        sub = self._entro_subscription(sub_id)
        methods = {
            "cancel": "action_cancel",
            "resume": "action_resume",
            "transfer": "action_pay_by_transfer",
        }
        if action not in methods:
            raise NotFound()
        try:
            # sudo: subscribers may not write subscriptions; access to this one
            # was checked above and the action is one of the allowed
            getattr(sub.sudo(), methods[action])()
        except UserError:
            return request.redirect(f"/my/entro/{sub.id}?message={action}_refused")
        if action == "transfer":
            return request.redirect(f"/my/entro/{sub.id}?message=transfer")
        return request.redirect(f"/my/entro/{sub.id}")

    # ------------------------------------------------------------ plan change

    def _entro_plan(self, sub, plan_id):
        plan = self._entro_plans(sub).filtered(lambda p: p.id == plan_id)
        if not plan:
            raise NotFound()
        return plan

    @http.route(
        ["/my/entro/<int:sub_id>/plan/<int:plan_id>"],
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
    )
    def portal_entro_plan_preview(self, sub_id, plan_id, **kw):
        """The price difference, before the seller confirms the change."""
        sub = self._entro_subscription(sub_id)
        plan = self._entro_plan(sub, plan_id)
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "subscription": sub,
                "quote": sub.sudo()._change_plan_quote(plan),
                "page_name": "entro_account",
            }
        )
        return request.render("entro_billing.portal_entro_change_plan", values)

    @http.route(
        ["/my/entro/<int:sub_id>/plan/<int:plan_id>"],
        type="http",
        auth="user",
        methods=["POST"],
        website=True,
        csrf=True,
    )
    def portal_entro_plan_confirm(self, sub_id, plan_id, **kw):
        sub = self._entro_subscription(sub_id)
        plan = self._entro_plan(sub, plan_id)
        # sudo: after the access check; the plan is one of the offered ones
        upgrade = sub.sudo()._is_upgrade(plan)
        try:
            sub.sudo().action_change_plan(plan.id)
        except UserError:
            return request.redirect(f"/my/entro/{sub.id}?message=plan_refused")
        code = "plan_upgraded" if upgrade else "plan_downgraded"
        return request.redirect(f"/my/entro/{sub.id}?message={code}")

    # ------------------------------------------------------------------ card

    @http.route(
        ["/my/entro/<int:sub_id>/card"],
        type="http",
        auth="user",
        methods=["GET"],
        website=True,
    )
    def portal_entro_card(self, sub_id, **kw):
        """Odoo's payment form, in validation mode: the card saved becomes the
        subscription's payment method (see payment.transaction._post_process)."""
        sub = self._entro_subscription(sub_id)
        partner_sudo = request.env.user.partner_id
        company_id = sub.sudo().company_id.id
        report = {}
        providers_sudo = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                company_id,
                partner_sudo.id,
                0.0,
                force_tokenization=True,
                is_validation=True,
                report=report,
            )
        )
        methods_sudo = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers_sudo.ids,
                partner_sudo.id,
                force_tokenization=True,
                report=report,
            )
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "subscription": sub,
                "page_name": "entro_account",
                "mode": "validation",
                "allow_token_selection": False,
                "allow_token_deletion": False,
                "reference_prefix": payment_utils.singularize_reference_prefix(
                    prefix="ENTRO"
                ),
                "partner_id": partner_sudo.id,
                "providers_sudo": providers_sudo,
                "payment_methods_sudo": methods_sudo,
                "tokens_sudo": request.env["payment.token"],
                "availability_report": report,
                "transaction_route": f"/my/entro/{sub.id}/card/transaction",
                "landing_route": f"/my/entro/{sub.id}",
                "access_token": payment_utils.generate_access_token(
                    partner_sudo.id, None, None
                ),
            }
        )
        return request.render("entro_billing.portal_entro_card", values)

    @http.route(["/my/entro/<int:sub_id>/card/transaction"], type="json", auth="user")
    def portal_entro_card_transaction(self, sub_id, access_token, **kwargs):
        """The validation transaction of the card form, tied to the subscription
        (what Odoo's payment form posts to a document's transaction route)."""
        sub = self._entro_subscription(sub_id)
        partner = request.env.user.partner_id
        if not payment_utils.check_access_token(access_token, partner.id, None, None):
            raise ValidationError(request.env._("The access token is invalid."))
        self._validate_transaction_kwargs(kwargs)
        kwargs.update(
            {
                "amount": None,
                "is_validation": True,
                "tokenization_requested": True,
                "landing_route": f"/my/entro/{sub.id}",
                "reference_prefix": payment_utils.singularize_reference_prefix(
                    prefix="ENTRO"
                ),
            }
        )
        tx_sudo = self._create_transaction(
            currency_id=None,
            partner_id=partner.id,
            custom_create_values={"entro_subscription_id": sub.id},
            **kwargs,
        )
        self._update_landing_route(tx_sudo, access_token)
        return tx_sudo._get_processing_values()
