from werkzeug.exceptions import NotFound

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class EntroBillingPortal(CustomerPortal):
    """The subscriber's account dashboard: plan, next invoice, invoices, payment
    method, cancel and resume. A subscriber sees only their own subscriptions
    (record rules); actions run as superuser after that check."""

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
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "subscription": sub,
                # sudo: the subscriber's own invoices; access to sub checked above
                "invoices": sub.sudo().invoice_ids.sorted("id", reverse=True),
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
        if action not in ("cancel", "resume"):
            raise NotFound()
        try:
            # sudo: subscribers may not write subscriptions; access to this one
            # was checked above and the action is one of the two allowed
            getattr(sub.sudo(), f"action_{action}")()
        except UserError:
            return request.redirect(f"/my/entro/{sub.id}?message={action}_refused")
        return request.redirect(f"/my/entro/{sub.id}")
