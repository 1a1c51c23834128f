"""Lazada Open Platform (LazOP).

Signing (HMAC-SHA256 keyed with the app secret, UPPER-case hex): every request
parameter but ``sign`` - system (``app_key``, ``timestamp`` in ms,
``sign_method=sha256``, ``access_token`` when needed) and business parameters,
``payload`` included - sorted by name, concatenated as ``key + value`` and
prefixed by the API path (``/orders/get``). GET sends them in the query string,
POST sends all of them form-encoded, as the official SDKs do.

Hosts: one API host per country (``ShopConfig.country``, Vietnam by default);
tokens are created and refreshed on ``auth.lazada.com/rest`` and the seller
consents on ``auth.lazada.com/oauth/authorize``. ``ShopConfig.base_url`` (and
``auth_base_url``) point both at an emulator, which serves both on one port.

Orders
------
Lazada has no order status: each unit bought is an *order item* with its own
status. Entro maps **one order item to one OrderLine of quantity 1** (its
``external_id`` is the ``order_item_id``, its ``status`` the item status), so a
line keeps its identity whatever happens to its neighbours (a unit cancelled,
another returned) and can be packed, cancelled or returned by its own id.

Each item status maps to a normalised state through :data:`ITEM_STATUS_MAP` and
the seller's overrides (an unknown status counts as ``pending`` and is reported in
``Order.unknown_statuses``, so that the order is held; an item whose
cancellation the buyer requested and the seller must decide,
``need_cancel_confirm``, counts as ``in_cancel`` while it is not shipped). The
order state is the most advanced state, in the order of :data:`STATE_RANK`,
among the items that are **not cancelled**; when
every item is cancelled the order is ``cancelled``. ``Order.status`` is the
sorted, comma-separated set of the raw item statuses (Lazada's ``statuses``).

Reading orders
--------------
The order list (``/orders/get``, 100 a page) returns whole order headers, the
same as ``/order/get``; the items come from ``/orders/items/get``, 50 orders a
call. The refs carry their header (``refs_carry_headers``): handed back to
``get_orders``, a listed header spares its ``/order/get``, so an import costs
the list pages plus one items call per 50 orders. An order without a listed
header is read with ``/order/get`` (Lazada has no multi-order header read), and
so is one whose items changed after its header was listed (an item's
``updated_at`` later than the header's): the order is never built from a header
older than its items.

Amounts
-------
Cancelled items go to ``Order.cancelled_lines`` and count nowhere: ``lines`` and
every amount cover the live items only, so a sale order built from ``lines``
and the adjustments equals ``total_amount``. For the live items::

    lines_total       = sum(item_price)            (one unit per line)
    seller_voucher    = sum(voucher_seller)
    platform_voucher  = sum(voucher_platform)
    other_discounts   = sum(item_price - paid_price - voucher_seller
                            - voucher_platform)   (negative -> other_fees)
    shipping_fee      = sum(shipping_fee_original) } when their difference is
    shipping_discount = sum(shipping_fee_discount_ } sum(shipping_amount), else
                        seller + _platform)        } shipping_amount and 0
    total_amount      = sum(paid_price + shipping_amount)

When no item is cancelled, ``total_amount`` is Lazada's documented buyer-paid
amount of the order, ``price - voucher + shipping_fee``; a difference with the
items' breakdown goes to ``other_discounts``/``other_fees`` and clears
``amounts_complete``. The item prices are the selling prices: order items do
not carry the listing price before the seller's special price.

Package layout: :mod:`.const` (hosts, status maps, error codes, fee names),
:mod:`.signing` (request and push signatures), :mod:`.helpers` and
:mod:`.mappers` (pure: Lazada JSON to records), :mod:`.client`
(:class:`LazadaPlatform`: calls, errors, authorization, order reads, webhooks)
and its mixins :mod:`.listings`, :mod:`.fulfilment` and :mod:`.finance`.
"""

from .const import (
    API_HOSTS,
    AUTH_URL,
    CANCEL_REASON_WORDS,
    COUNTRY_NAMES,
    CURRENCIES,
    DEFAULT_COUNTRY,
    FEE_NAMES,
    ITEM_STATUS_MAP,
    LAZADA_RETURN_STATES,
    PUSH_KINDS,
    STATE_RANK,
    UTC_OFFSETS,
)
from .signing import push_signature, sign
from .mappers import country_sellers, item_state, order_state
from .client import LazadaPlatform

__all__ = [
    "API_HOSTS",
    "AUTH_URL",
    "CANCEL_REASON_WORDS",
    "COUNTRY_NAMES",
    "CURRENCIES",
    "DEFAULT_COUNTRY",
    "FEE_NAMES",
    "ITEM_STATUS_MAP",
    "LAZADA_RETURN_STATES",
    "PUSH_KINDS",
    "STATE_RANK",
    "UTC_OFFSETS",
    "LazadaPlatform",
    "country_sellers",
    "item_state",
    "order_state",
    "push_signature",
    "sign",
]
