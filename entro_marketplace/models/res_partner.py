import re

from odoo import api, fields, models

MASKED = re.compile(r"^[\s*•xX]*$")


def _clean(value):
    """A platform value, or None when empty or masked (e.g. '****')."""
    if value is None:
        return None
    value = str(value).strip()
    if not value or MASKED.match(value) or "***" in value:
        return None
    return value[:256]


def buyer_key(shop, buyer_id, phone):
    """The key of a marketplace buyer's contact (``entro_buyer_key``): the
    platform's buyer id, else the phone (both cleaned), else the shop's one
    default buyer."""
    if buyer_id:
        return f"{shop.platform}:{buyer_id}"
    if phone:
        return f"{shop.platform}:phone:{re.sub(r'[^0-9+]', '', phone)}"
    return f"{shop.platform}:shop:{shop.id}"


class ResPartner(models.Model):
    _inherit = "res.partner"

    entro_buyer_key = fields.Char(
        "Marketplace Buyer Key",
        index=True,
        copy=False,
        readonly=True,
        help="platform:buyer id of the marketplace buyer this contact was made for.",
    )

    @api.model
    def _entro_buyer_partners(self, shop, order):
        """(customer, delivery address) of a platform order, found again on re-import.

        The customer is keyed by the platform's buyer id (per company); without one
        (masked or absent), by the recipient's phone; failing both, one default
        customer per shop, so that an order is never blocked by missing buyer data.
        """
        buyer = order.buyer
        address = order.shipping_address
        buyer_id = _clean(buyer.external_id) if buyer else None
        phone = _clean(address.phone) if address else None
        phone = phone or (_clean(buyer.phone) if buyer else None)
        key = buyer_key(shop, buyer_id, phone)
        # the buyer's documents (order lines, invoices) in the company's language
        lang = shop.company_id._entro_lang()
        name = (
            (buyer and (_clean(buyer.name) or _clean(buyer.username)))
            or (address and _clean(address.name))
            or self.with_context(lang=lang).env._(
                "%(platform)s buyer", platform=shop._platform_label()
            )
        )
        partner = self.search(
            [("entro_buyer_key", "=", key), ("company_id", "=", shop.company_id.id)],
            limit=1,
        )
        if not partner:
            partner = self.create(
                {
                    "name": name,
                    "entro_buyer_key": key,
                    "company_id": shop.company_id.id,
                    "email": _clean(buyer.email) if buyer else False,
                    "phone": phone or False,
                    "customer_rank": 1,
                    "lang": lang,
                }
            )
        shipping = partner._entro_delivery_address(address) if address else partner
        return partner, shipping

    def _entro_delivery_address(self, address):
        """The delivery contact for this address (reused when identical)."""
        self.ensure_one()
        country = self.env["res.country"].search(
            [("code", "=", (address.country_code or "VN").upper())], limit=1
        )
        values = {
            "type": "delivery",
            "parent_id": self.id,
            "company_id": self.company_id.id,
            "name": _clean(address.name) or self.name,
            "phone": _clean(address.phone) or False,
            "street": _clean(address.street) or _clean(address.full_address) or False,
            "street2": _clean(address.ward) or False,
            "city": _clean(address.district) or _clean(address.city) or False,
            "zip": _clean(address.zip) or False,
            "country_id": country.id or False,
        }
        state = _clean(address.state) or _clean(address.city)
        if state and country:
            found = self.env["res.country.state"].search(
                [("country_id", "=", country.id), ("name", "=ilike", state)], limit=1
            )
            values["state_id"] = found.id or False
        for child in self.child_ids.filtered(lambda c: c.type == "delivery"):
            if all(
                (child[k].id if hasattr(child[k], "id") else child[k] or False)
                == (v or False)
                for k, v in values.items()
                if k not in ("parent_id", "company_id", "type")
            ):
                return child
        return self.create(values)
