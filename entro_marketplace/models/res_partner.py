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
        return self._entro_buyer_partners_many(shop, [order])[0]

    @api.model
    def _entro_buyer_partners_many(self, shop, orders):
        """:meth:`_entro_buyer_partners` of each of these orders, in their order,
        as if one after the other (a buyer or an address met twice is made once),
        with one search of their customers and one creation of the contacts
        missing (an import's detail batch)."""
        company = shop.company_id
        # the buyers' documents (order lines, invoices) in the company's language
        lang = company._entro_lang()
        buyers = []
        for order in orders:
            buyer = order.buyer
            address = order.shipping_address
            buyer_id = _clean(buyer.external_id) if buyer else None
            phone = _clean(address.phone) if address else None
            phone = phone or (_clean(buyer.phone) if buyer else None)
            key = buyer_key(shop, buyer_id, phone)
            name = (
                (buyer and (_clean(buyer.name) or _clean(buyer.username)))
                or (address and _clean(address.name))
                or self.with_context(lang=lang).env._(
                    "%(platform)s buyer", platform=shop._platform_label()
                )
            )
            buyers.append((key, name, buyer, phone))
        partners = {}
        for partner in self.search_fetch(
            [
                ("entro_buyer_key", "in", sorted({b[0] for b in buyers})),
                ("company_id", "=", company.id),
            ],
            ["entro_buyer_key"],
        ):
            # in the model's order: the first is the one a search would find
            partners.setdefault(partner.entro_buyer_key, partner)
        missing = {}
        for key, name, buyer, phone in buyers:
            if key not in partners and key not in missing:
                missing[key] = {
                    "name": name,
                    "entro_buyer_key": key,
                    "company_id": company.id,
                    "email": _clean(buyer.email) if buyer else False,
                    "phone": phone or False,
                    "customer_rank": 1,
                    "lang": lang,
                }
        if missing:
            created = self.create(list(missing.values()))
            partners.update(zip(missing, created, strict=True))
        customers = [partners[key] for key, _name, _buyer, _phone in buyers]
        shippings = self._entro_delivery_addresses(
            [
                (customer, order.shipping_address)
                for customer, order in zip(customers, orders, strict=True)
            ]
        )
        return list(zip(customers, shippings, strict=True))

    def _entro_delivery_address(self, address):
        """The delivery contact for this address (reused when identical)."""
        self.ensure_one()
        return self._entro_delivery_addresses([(self, address)])[0]

    @api.model
    def _entro_delivery_addresses(self, pairs):
        """The delivery contact of each (customer, address) pair (the customer
        itself without an address), an identical one reused, the new ones created
        together."""
        countries, states = {}, {}
        found, wanted = [], []
        for partner, address in pairs:
            if not address:
                found.append(partner)
                continue
            code = (address.country_code or "VN").upper()
            if code not in countries:
                countries[code] = self.env["res.country"].search(
                    [("code", "=", code)], limit=1
                )
            country = countries[code]
            values = {
                "type": "delivery",
                "parent_id": partner.id,
                "company_id": partner.company_id.id,
                "name": _clean(address.name) or partner.name,
                "phone": _clean(address.phone) or False,
                "street": _clean(address.street)
                or _clean(address.full_address)
                or False,
                "street2": _clean(address.ward) or False,
                "city": _clean(address.district) or _clean(address.city) or False,
                "zip": _clean(address.zip) or False,
                "country_id": country.id or False,
            }
            state = _clean(address.state) or _clean(address.city)
            if state and country:
                if (country.id, state.lower()) not in states:
                    states[country.id, state.lower()] = self.env[
                        "res.country.state"
                    ].search(
                        [("country_id", "=", country.id), ("name", "=ilike", state)],
                        limit=1,
                    )
                values["state_id"] = states[country.id, state.lower()].id or False
            match = next(
                (
                    child
                    for child in partner.child_ids
                    if child.type == "delivery" and _same_address(child, values)
                ),
                None,
            )
            if match is None:
                # an address already wanted by an order before it (same contact)
                match = next(
                    (
                        index
                        for index, other in enumerate(wanted)
                        if other["parent_id"] == partner.id
                        and _same_address(other, values)
                    ),
                    None,
                )
                if match is None:
                    wanted.append(values)
                    match = len(wanted) - 1
            found.append(match)
        created = self.create(wanted) if wanted else self.browse()
        return [created[item] if isinstance(item, int) else item for item in found]


def _same_address(contact, values):
    """Whether a delivery contact (a record or the values of one to create) has
    these address values."""

    def value(key):
        if isinstance(contact, dict):
            return contact.get(key) or False
        field = contact[key]
        return field.id if hasattr(field, "id") else field or False

    return all(
        value(k) == (v or False)
        for k, v in values.items()
        if k not in ("parent_id", "company_id", "type")
    )
