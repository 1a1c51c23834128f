import logging

from odoo import http
from odoo.exceptions import ValidationError
from odoo.http import request

from ..models.entro_privacy_request import EMAIL_ADDRESS

_logger = logging.getLogger(__name__)

# what a data subject may ask from the form (revoking a shop's access is the
# seller's, in Odoo)
FORM_TYPES = ("export", "erase", "restrict", "correct")
MAX_TEXT = 4000


class EntroPrivacyPortal(http.Controller):
    """The data-subject request form: for the sellers' customers (buyers) and for
    the sellers themselves, logged in (``/my/privacy``) or not
    (``/privacy/request``). It records a request for the Privacy Officer, to
    verify: nothing is exported or erased before a person checks the identity."""

    def _form_values(self, **extra):
        Request = request.env["entro.privacy.request"]
        types = dict(
            Request._fields["request_type"]._description_selection(request.env)
        )
        user = request.env.user
        values = {
            "request_types": [(key, types[key]) for key in FORM_TYPES],
            "logged_in": not user._is_public(),
            "default_name": "" if user._is_public() else user.name,
            "default_email": "" if user._is_public() else (user.email or ""),
            "error": None,
            "form": {},
        }
        values.update(extra)
        return values

    @http.route(["/my/privacy"], type="http", auth="user", website=True)
    def portal_privacy_form(self, **kw):
        return request.render(
            "entro_privacy.portal_privacy_request",
            self._form_values(page_name="privacy"),
        )

    @http.route(["/privacy/request"], type="http", auth="public", website=True)
    def public_privacy_form(self, **kw):
        return request.render(
            "entro_privacy.portal_privacy_request", self._form_values()
        )

    def _company_for(self, about, shop_name):
        """The controller of the data: for a buyer, the seller company of the
        shop they name (exactly); for a seller's own data, Entro (the company of
        the portal's website), which also receives what matches no shop."""
        env = request.env(su=True)
        if about == "buyer" and shop_name:
            shop = env["entro.marketplace.shop"].search(
                [("name", "=ilike", shop_name.strip())], limit=2
            )
            if len(shop) == 1:
                return shop.company_id
        user = request.env.user
        if about == "own" and not user._is_public():
            return user.company_id
        return env.ref("base.main_company")

    @http.route(
        ["/privacy/request/submit"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        csrf=True,
    )
    def privacy_request_submit(self, **post):
        form = {
            key: (post.get(key) or "").strip()[:MAX_TEXT]
            for key in (
                "request_type",
                "about",
                "name",
                "email",
                "phone",
                "shop",
                "message",
            )
        }
        error = None
        if form["request_type"] not in FORM_TYPES:
            error = request.env._("Choose what you ask for.")
        elif not form["name"]:
            error = request.env._("Give your name.")
        elif not EMAIL_ADDRESS.match(form["email"]):
            error = request.env._("Give one valid email address: we answer there.")
        elif form["about"] == "buyer" and not form["shop"]:
            error = request.env._("Give the name of the shop you bought from.")
        if error:
            return request.render(
                "entro_privacy.portal_privacy_request",
                self._form_values(error=error, form=form),
            )
        user = request.env.user
        company = self._company_for(form["about"], form["shop"])
        message = form["message"]
        if form["shop"]:
            message = request.env._("Shop: %(shop)s", shop=form["shop"]) + (
                f"\n{message}" if message else ""
            )
        vals = {
            "request_type": form["request_type"],
            "company_id": company.id,
            "channel": "web" if user._is_public() else "portal",
            "requester_name": form["name"],
            "email": form["email"],
            "phone": form["phone"] or False,
            "request_message": message or False,
            "user_id": False,
        }
        partner = user.partner_id
        if (
            not user._is_public()
            and form["about"] == "own"
            and partner.company_id in (company, company.browse())
        ):
            vals["partner_id"] = partner.id
        try:
            # sudo: requesters create requests only through this form; what they
            # get is a reference, never anyone's data
            privacy_request = (
                request.env["entro.privacy.request"]
                .sudo()
                .with_company(company)
                .create(vals)
            )
        except ValidationError as exc:
            return request.render(
                "entro_privacy.portal_privacy_request",
                self._form_values(error=str(exc.args[0]), form=form),
            )
        return request.render(
            "entro_privacy.portal_privacy_request_done",
            {"privacy_request": privacy_request, "logged_in": not user._is_public()},
        )
