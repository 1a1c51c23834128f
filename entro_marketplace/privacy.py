"""Where entro_marketplace keeps personal data.

Read by entro_privacy (export, erasure, retention, and the test that fails on an
undeclared personal field). Pure data: this addon does not depend on entro_privacy,
so nothing here imports it, or Odoo (the buyer keys come from the platforms'
registry, pure Python).

Each entry of ``PERSONAL_DATA`` describes one model:

- ``find``: how a data subject's records are found, every way OR-ed:
  ``partner`` (field paths to a res.partner), ``email`` / ``phone`` (char fields
  compared exactly), ``buyer_key`` (fields holding a platform buyer key),
  ``related`` ((path, model, field): the path equals that field of the subject's
  records of that model), ``document`` ((model field, id field): attached to one of
  the subject's records);
- ``fields``: personal fields and how erasure treats each: ``blank``,
  ``placeholder`` ("Erased person #ID"), ``hash`` (a stable one-way key),
  ``scrub`` (text or JSON: the subject's identifiers removed, and in JSON the
  values under ``scrub_keys``), ``keep`` (exported, never changed);
- ``erase``: ``pseudonymise`` (default: the fields above) or ``delete``;
- ``retain``: records the law requires to keep (a domain, the date field the
  period runs from, the period's name and the reason shown to the officer);
- ``scrub_keys``: keys of JSON payloads whose values are personal (or a function
  that returns them).

``NOT_PERSONAL`` lists fields whose names look personal but are not (a shop's
name is the seller's, a log's endpoint is a path).
"""

from .platforms import PLATFORMS


def _lt(text):
    """Marks a text for translation: it is extracted into this addon's .pot, and
    entro_privacy shows it in the reader's language (this file imports nothing)."""
    return text


# keys of the platforms' raw orders and pushes that hold a buyer's data, whatever
# the platform; each platform adds its own (``PlatformInfo.buyer_keys``)
COMMON_BUYER_KEYS = (
    "name",
    "phone",
    "phone2",
    "email",
    "full_address",
    "first_name",
    "last_name",
    "address1",
    "address2",
    "address3",
    "address4",
    "address5",
    "recipient",
    "buyer",
)


def buyer_keys():
    """The keys of raw payloads that hold a buyer's data: the common ones and
    those of every registered platform (read when a declaration is merged, so a
    platform registered later is covered)."""
    keys = dict.fromkeys(COMMON_BUYER_KEYS)
    for cls in PLATFORMS.values():
        keys.update(dict.fromkeys(cls.info.buyer_keys))
    return tuple(keys)


PERSONAL_DATA = [
    {
        "model": "res.partner",
        "description": _lt("The platform's key of a marketplace buyer"),
        "find": {"buyer_key": ["entro_buyer_key"]},
        "fields": {"entro_buyer_key": "hash"},
    },
    {
        "model": "entro.marketplace.order",
        "description": _lt(
            "Marketplace orders: the platform's raw order (buyer, "
            "recipient, address, messages)"
        ),
        "find": {
            "partner": [
                "sale_order_id.partner_id",
                "sale_order_id.partner_shipping_id",
            ],
            "buyer_key": ["sale_order_id.partner_id.entro_buyer_key"],
        },
        "fields": {
            "name": "keep",
            "external_id": "keep",
            "status": "keep",
            "platform_create_time": "keep",
            "amount_total": "keep",
            "payment_method": "keep",
            "tracking_numbers": "keep",
            "payload": "scrub",
            "payload_text": "keep",
            "exception_reason": "scrub",
            # the buyer's own words to the shop (issue 20)
            "buyer_message": "blank",
        },
        "scrub_keys": buyer_keys,
    },
    {
        "model": "entro.marketplace.event",
        "description": _lt("Platform notifications about the subject's orders"),
        "find": {
            "related": [
                ("order_external_id", "entro.marketplace.order", "external_id"),
            ],
        },
        "fields": {
            "code": "keep",
            "order_external_id": "keep",
            "status": "keep",
            "event_time": "keep",
            "payload": "scrub",
            "result": "keep",
        },
        "scrub_keys": buyer_keys,
    },
    {
        "model": "entro.marketplace.order.staging",
        "description": _lt(
            "Order headers read from a platform's order list and waiting "
            "for their import (buyer, recipient, address, messages)"
        ),
        "find": {
            "buyer_key": ["buyer_key"],
            "phone": ["buyer_phone"],
            "related": [
                ("external_id", "entro.marketplace.order", "external_id"),
            ],
        },
        "fields": {
            "external_id": "keep",
            "update_time": "keep",
            "buyer_key": "keep",
            "buyer_phone": "keep",
            "payload": "keep",
        },
        # a copy kept for an import: erased, it is deleted (the import reads the
        # order from the platform instead)
        "erase": "delete",
        "scrub_keys": buyer_keys,
    },
    {
        "model": "entro.marketplace.return",
        "description": _lt(
            "Returns and refunds of the subject's marketplace orders: the "
            "buyer's reason and the platform's raw return"
        ),
        "find": {
            "partner": ["sale_order_id.partner_id"],
            "related": [
                ("order_id", "entro.marketplace.order", "id"),
            ],
        },
        "fields": {
            "name": "keep",
            "external_id": "keep",
            "order_external_id": "keep",
            "status": "keep",
            "refund_amount": "keep",
            "reason": "scrub",
            "payload": "scrub",
            "exception_reason": "scrub",
        },
        "scrub_keys": buyer_keys,
    },
]

NOT_PERSONAL = {
    "entro.marketplace.shop": [
        "name",
        "app_key",
        "app_secret",
        "external_id",
        "api_base_url",
        "webhook_url",
        "status_map_override",
        "last_error",
    ],
    "entro.marketplace.credential": [
        "app_secret_enc",
        "access_token_enc",
        "refresh_token_enc",
        "oauth_state_hash",
    ],
    "entro.marketplace.shop.connect": [
        "name",
        "app_key",
        "app_secret",
        "external_id",
        "api_base_url",
        "service_id",
        "missing_app_message",
    ],
    # a platform app: the seller's developer credentials, no buyer (c20-connect)
    "entro.marketplace.app": [
        "name",
        "app_key",
        "app_secret",
        "app_secret_enc",
        "api_base_url",
        "service_id",
        "webhook_url",
        "redirect_url",
    ],
    "entro.marketplace.listing": ["name", "sku", "item_id", "variant_id", "status"],
    # API calls and webhooks: endpoint paths, codes and the platform's error text,
    # never a body (tests/privacy/test_retention.py checks it)
    "entro.marketplace.log": ["endpoint", "error_message", "operation", "method"],
    "entro.marketplace.event": ["dedup_key", "platform"],
    "entro.marketplace.order": ["currency_code", "platform", "sync_state"],
    "sale.order.line": ["entro_external_line_id"],
    # payouts: the platform's payout reference, statement totals and fee labels;
    # a payout's data names orders by number, never their buyers
    "entro.marketplace.settlement": ["name", "external_id", "error", "raw"],
    "entro.marketplace.settlement.line": ["label", "raw_code", "transaction_id"],
    # the platform's answer to a shipment (an error text, no buyer data)
    "stock.picking": ["entro_ship_message"],
    # the seller's own note on a cancellation (kept on the order's chatter, which
    # the core declaration of mail.message covers)
    "entro.marketplace.cancel": ["note"],
    # a statement upload (a transient wizard): the seller's own file name, no buyer
    "entro.marketplace.tiki.statement": ["filename"],
}
