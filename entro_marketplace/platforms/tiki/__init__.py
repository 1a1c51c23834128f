"""Tiki Open API (Tiki Marketplace, Vietnam).

No request signing: every call carries ``Authorization: Bearer <access token>``
over HTTPS. Tokens come from Tiki's OAuth2 server (``/sc/oauth2/token``):

- a **public** app (many sellers) sends the seller to ``/sc/oauth2/auth``
  (authorization code, ``state`` of at least 8 characters checked on return)
  and refreshes with ``grant_type=refresh_token``;
- an **in-house** app (one seller, ``ShopConfig.extra["app_type"] ==
  "in_house"``) authenticates as itself with ``grant_type=client_credentials``;
  it has no refresh token: "refreshing" asks for a new token the same way.

The client authenticates at the token endpoint with HTTP Basic by default
(``extra["token_auth_method"] = "post"`` sends ``client_id``/``client_secret``
in the body instead: Tiki lets each app choose). Lifetimes come from
``expires_in`` (and ``refresh_expires_in`` when Tiki sends one); Tiki documents
no fixed lifetime.

Orders
------
Orders v2 (``/integration/v2/orders``) page by ``page`` (1-based) and ``limit``
and filter by ``updated_from_date``/``updated_to_date``, printed
``YYYY-MM-DD HH:MM:SS`` in Vietnam time (``extra["utc_offset_hours"]``, 7 by
default: Tiki does not say). Paging follows ``paging.last_page`` when present and
otherwise stops at the first empty page, so a silently capped ``limit`` loses
nothing. Orders are read 50 at a time from the same list filtered by ``code``
(a comma list) with ``include=items.fees,status_histories``: the list's rows are
whole orders with their items. An order that answer lacks is read alone from
``/integration/v2/orders/{code}`` (no batch detail endpoint is documented, and
how many codes the filter takes is not either).

One Tiki order item (``items[]``, one product with a quantity) is one
:class:`OrderLine`; ``item_id`` is Tiki's product id (one id per SKU on Tiki,
hence no variant id) and ``sku`` the seller's ``seller_product_code``.

Amounts (per item ``invoice``; Tiki's ``discount_amount`` is the sum of its
parts)::

    lines_total       = sum(price * quantity)
    seller_voucher    = sum(discount_coupon where is_seller_discount_coupon)
    platform_voucher  = sum(discount_coupon where not)
    coins             = sum(discount_tikixu)
    other_discounts   = sum(discount_promotion + discount_percent + discount_other)
    shipping_fee      = invoice.shipping_amount_after_discount
                        + invoice.shipping_discount_amount
    shipping_discount = invoice.shipping_discount_amount
    other_fees        = invoice.handling_fee + invoice.other_fee
    total_amount      = invoice.grand_total        (what the buyer pays)

An unexplained difference goes to ``other_discounts``/``other_fees`` and clears
``amounts_complete``. The seller's fees and income per item (``seller_fee``,
``seller_income``, ``fees[]``) are normalised by :func:`order_fees` for the
payout side.

Event queue
-----------
Tiki has no webhooks: the app creates a queue (``POST /integration/v1/queues``;
a public app with its own client-credentials token), subscribes each seller to
event types with that seller's token, and pulls: ``POST
/integration/v1/queues/{code}/events/pull {"ack_id": <previous>}`` returns
``{"ack_id", "events"}`` and acknowledges the batch the previous ``ack_id``
named. Delivery is at least once, in order: unacknowledged events come again.
:meth:`TikiPlatform.pull_events` returns the batch and its ``ack_id``; the
caller stores both in one transaction and sends that ``ack_id`` with its next
pull, so nothing is acknowledged before it is stored.

Layout
------
:mod:`.const` (hosts, paths, statuses, event types, error codes),
:mod:`.signing` (the OAuth ``state`` check, the token endpoint's Basic
credentials, event identities), :mod:`.mappers` (Tiki JSON to records, no I/O),
:mod:`.client` (:class:`TikiPlatform`: calls, errors, authorization, orders)
with its mixins :mod:`.catalogue` (listings, stock and prices), :mod:`.events`
(the event queue) and :mod:`.fulfilment` (order confirmation), and
:mod:`.statement` (the Seller Center statement file).
"""

from .client import TikiPlatform
from .const import (
    API_URL,
    DEFAULT_SCOPES,
    DEFAULT_UTC_OFFSET,
    EVENT_TYPES,
    MIN_STATE_LENGTH,
    ORDER_EVENTS,
    PRODUCT_EVENTS,
    STATUS_MAP,
)
from .mappers import ItemFees, OrderFees, QueueBatch, order_fees
from .signing import check_state

__all__ = [
    "API_URL",
    "DEFAULT_SCOPES",
    "DEFAULT_UTC_OFFSET",
    "EVENT_TYPES",
    "MIN_STATE_LENGTH",
    "ORDER_EVENTS",
    "PRODUCT_EVENTS",
    "STATUS_MAP",
    "ItemFees",
    "OrderFees",
    "QueueBatch",
    "TikiPlatform",
    "check_state",
    "order_fees",
]
