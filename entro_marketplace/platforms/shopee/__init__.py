"""Shopee Open Platform API v2.

- :mod:`.const`: hosts, status maps, error codes, requested fields, lifetimes;
- :mod:`.signing`: request and push signatures;
- :mod:`.mappers`: Shopee JSON to normalised records (pure, no I/O);
- :mod:`.client`: :class:`ShopeePlatform` (transport, authorization, order
  reads, webhooks), with its mixins :mod:`.fulfilment` (shipping, labels,
  cancellation, returns), :mod:`.listings` (catalogue, stock and prices) and
  :mod:`.finance` (escrow details, payouts).

Signing (HMAC-SHA256, lower-case hex, key = partner_key as UTF-8):

- shop API: ``partner_id + path + timestamp + access_token + shop_id``;
- merchant API: ``partner_id + path + timestamp + access_token + merchant_id``;
- public API (auth, token, lost pushes): ``partner_id + path + timestamp``.

All common parameters, ``sign`` included, travel in the query string; POST
business parameters travel as a JSON body, which is not signed.

Order amounts: ``get_order_detail`` gives item prices and ``total_amount`` (what
the buyer paid) but no voucher/shipping breakdown. That breakdown is the
``buyer_payment_info`` of ``/payment/get_escrow_detail_batch``, where
``merchant_subtotal + shipping_fee + seller_voucher + shopee_voucher +
shopee_coins_redeemed (+ buyer fees/taxes) == buyer_total_amount`` with vouchers
and coins as negative numbers. :meth:`ShopeePlatform.get_orders` fetches both
for paid orders and maps them to the identity documented in :mod:`..records`.

The payment API is a permission of its own: an app without it gets ``error_auth``
"No permission to current api." (or ``error_permission``) from
``get_escrow_detail_batch``. The order import then goes on without the breakdown,
as it does when that API is down: the order keeps the total of the order detail,
the difference from its lines in one adjustment, and ``amounts_pending`` set, for
a later fetch to complete. Payouts need the escrow and still fail loudly.
"""

from .const import (
    LABEL_TYPE,
    ORDER_DETAIL_FIELDS,
    PRODUCTION_URL,
    PUSH_KINDS,
    REFRESH_TOKEN_LIFETIME,
    SANDBOX_URL,
    SHOPEE_RETURN_STATES,
    SHOPEE_STATUS_MAP,
)
from .signing import push_signature, sign
from .client import ShopeePlatform

__all__ = [
    "LABEL_TYPE",
    "ORDER_DETAIL_FIELDS",
    "PRODUCTION_URL",
    "PUSH_KINDS",
    "REFRESH_TOKEN_LIFETIME",
    "SANDBOX_URL",
    "SHOPEE_RETURN_STATES",
    "SHOPEE_STATUS_MAP",
    "ShopeePlatform",
    "push_signature",
    "sign",
]
