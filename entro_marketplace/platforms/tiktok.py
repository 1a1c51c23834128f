"""TikTok Shop Partner API (versions 202309 and later).

Signing (HMAC-SHA256 keyed with the app secret, lower-case hex): the query
parameters but ``sign`` and ``access_token``, sorted by name and concatenated as
``key + value``, prefixed by the request path, followed by the exact JSON body
(unless the request is multipart), the whole wrapped in the app secret:
``secret + path + k1v1k2v2.. + body + secret``. The body is serialised once and
sent as the very bytes that were signed. The access token travels in the
``x-tts-access-token`` header, never in the query.

Tokens belong to the seller, not to a shop: one authorization can serve several
shops (one per region, or several in one region), each addressed by the
``shop_cipher`` of Get Authorized Shops. Each of them is a shop of its own in
Odoo (``shop_external_id`` = TikTok's shop id, which webhooks carry); they share
one set of tokens. The cipher of a shop is looked up once per process and app
(:data:`_CIPHERS`), or taken from ``ShopConfig.extra["shop_cipher"]``.

Tokens are got and refreshed on ``auth.tiktok-shops.com`` (GET, the app secret
in the query, no signature); their expiries are Unix times in the answer. The
refresh token lasts as long as the seller's authorization.

Orders
------
Each unit bought is a ``line_item`` of its own (no quantity field): Entro keeps
one OrderLine of quantity 1 per line item. Amounts come from the order's
``payment``::

    lines_total       = sum(original_price of the live line items)
    seller_voucher    = payment.seller_discount
    platform_voucher  = payment.platform_discount
    shipping_fee      = payment.original_shipping_fee
    shipping_discount = shipping_fee_seller_discount + shipping_fee_platform_discount
    other_fees        = tax + small_order_fee + buyer_service_fee + handling_fee
                        + shipping_insurance_fee + item_insurance_fee
    total_amount      = payment.total_amount

When the shipping breakdown does not match ``payment.shipping_fee`` the net fee
is used; any remaining difference goes to ``other_discounts``/``other_fees`` and
clears ``amounts_complete`` (the order then waits in exception for a person).

Recipient data are masked by TikTok (``N***n``, ``(+84)9*******12``) while an
order is UNPAID/ON_HOLD/CANCELLED, for platform logistics, and after completion:
masked values are dropped here, and the buyer is known by TikTok's ``user_id``,
so a buyer's orders meet on one partner whatever is masked.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import requests

from . import PlatformInfo, register
from .base import Platform, chunked, split_windows
from .errors import (
    AuthorizationError,
    PermanentError,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
    WebhookRejected,
)
from .payload import header as _header
from .payload import malformed
from .payload import text as _text
from .records import (
    ZERO,
    Address,
    Buyer,
    Event,
    Listing,
    Order,
    OrderLine,
    OrderRef,
    Package,
    PriceUpdate,
    Return,
    ReturnLine,
    Settlement,
    SettlementLine,
    Shipment,
    ShippingDocument,
    StockUpdate,
    TokenSet,
    UpdateResult,
    credited,
    merge_lines,
    subsidy_split,
    to_money,
)
from .transport import clean_json, parse_retry_after, scrub_text

_logger = logging.getLogger(__name__)

API_URL = "https://open-api.tiktokglobalshop.com"
AUTH_URL = "https://auth.tiktok-shops.com"
CONSENT_URL = "https://services.tiktokshop.com"
VERSION = "202309"

#: TikTok order status -> normalised state. ON_HOLD: the buyer may still cancel
#: and no address is given yet, so the order stays a quotation (not confirmed, no
#: reservation, nothing to ship). PARTIALLY_SHIPPING and AWAITING_COLLECTION
#: still have parcels in the warehouse: to_ship. Order webhooks say CANCEL.
STATUS_MAP: dict[str, str] = {
    "UNPAID": "unpaid",
    "ON_HOLD": "pending",
    "AWAITING_SHIPMENT": "to_ship",
    "PARTIALLY_SHIPPING": "to_ship",
    "AWAITING_COLLECTION": "to_ship",
    "IN_TRANSIT": "shipped",
    "DELIVERED": "delivered",
    "COMPLETED": "completed",
    "CANCELLED": "cancelled",
    "CANCEL": "cancelled",
}
_NOT_SHIPPED = frozenset({"unpaid", "pending", "to_ship"})

#: Webhook type -> normalised event kind. Address updates (3), cancellation (11)
#: and return (12) changes re-fetch the order; package updates (4) too.
PUSH_KINDS: dict[int, str] = {
    1: "order_status",
    3: "order_status",
    4: "tracking",
    6: "auth_revoked",
    7: "auth_expiring",
    11: "order_status",
    12: "order_status",
}
_ORDER_PUSHES = frozenset({1, 3, 4, 11, 12})

#: Normalised ship mode -> TikTok ``handover_method``.
HANDOVER_METHODS = {"pickup": "PICKUP", "dropoff": "DROP_OFF"}

#: Normalised cancel reason -> TikTok seller cancel reason (paid, unpaid order).
#: Reasons TikTok names per region; override with the shop's ``cancel_reason_codes``.
CANCEL_REASON_CODES: dict[str, tuple[str, str]] = {
    "out_of_stock": (
        "seller_cancel_reason_out_of_stock",
        "seller_cancel_unpaid_reason_out_of_stock",
    ),
    "undeliverable_area": (
        "seller_cancel_paid_reason_address_not_deliver",
        "seller_cancel_paid_reason_address_not_deliver",
    ),
}

#: TikTok return_status -> normalised return state. Only a completed request has
#: moved the money back; a refused or withdrawn one is cancelled.
RETURN_STATES: dict[str, str] = {
    "RETURN_OR_REFUND_REQUEST_PENDING": "requested",
    "AWAITING_BUYER_SHIP": "requested",
    "BUYER_SHIPPED_ITEM": "requested",
    "REJECT_RECEIVE_PACKAGE": "requested",
    "RETURN_OR_REFUND_REQUEST_SUCCESS": "requested",
    "RETURN_OR_REFUND_REQUEST_COMPLETE": "refunded",
    "REFUND_OR_RETURN_REQUEST_REJECT": "cancelled",
    "RETURN_OR_REFUND_REQUEST_CANCEL": "cancelled",
}
#: packages not yet handed over; shipped ones (FULFILLING, COMPLETED) only
#: give their tracking number
_PACKAGE_TO_SHIP = frozenset({"PROCESSING", "TO_FULFILL"})
_PACKAGE_SHIPPED = frozenset({"FULFILLING", "COMPLETED"})
_SHIPPABLE = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})

#: Currency of each region, for price updates (the order says its own).
REGION_CURRENCIES = {
    "VN": "VND",
    "SG": "SGD",
    "TH": "THB",
    "MY": "MYR",
    "PH": "PHP",
    "ID": "IDR",
    "US": "USD",
    "GB": "GBP",
}

RATE_LIMIT_CODE = "36009002"
_TOKEN_EXPIRED_CODES = frozenset({"105002", "105001"})
_AUTH_CODES = frozenset(
    {"106001", "105005", "36009033", "36009003", "36004002", "36009001"}
)
_CIPHER_CODES = frozenset({"101000", "106013"})
_TRANSIENT_CODES = frozenset({"36009007", "36009008", "36009999"})

#: Retries come back after 2 min, 30 min, 3 h and 12 h with the first timestamp.
WEBHOOK_TOLERANCE = timedelta(hours=24)

#: (app_key, shop id) -> shop_cipher, learnt from Get Authorized Shops.
_CIPHERS: dict[tuple[str, str], str] = {}
_CIPHERS_LOCK = threading.Lock()

_AMOUNT_FEES = (
    "tax",
    "small_order_fee",
    "buyer_service_fee",
    "handling_fee",
    "shipping_insurance_fee",
    "item_insurance_fee",
    "retail_delivery_fee",
)


# ------------------------------------------------------------------------- signatures


def _param_text(value: Any) -> str:
    """A query value as TikTok signs it (lists joined with commas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def sign(
    app_secret: str,
    path: str,
    params: Mapping[str, Any],
    body: bytes | str | None = None,
) -> str:
    """Request signature: HMAC-SHA256(secret, secret+path+sorted k+v+body+secret)."""
    text = path + "".join(
        f"{key}{_param_text(params[key])}"
        for key in sorted(params)
        if key not in ("sign", "access_token")
    )
    if body:
        text += body.decode() if isinstance(body, bytes) else body
    wrapped = f"{app_secret}{text}{app_secret}"
    return hmac.new(app_secret.encode(), wrapped.encode(), hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """Expected ``Authorization`` of a webhook: HMAC-SHA256(secret, app_key + body)."""
    message = str(app_key).encode() + body
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def encode_body(body: Any) -> bytes:
    """The one serialisation of a JSON body: signed and sent as these bytes."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def forget_ciphers() -> None:
    """Forget every learnt shop cipher (tests)."""
    with _CIPHERS_LOCK:
        _CIPHERS.clear()


# --------------------------------------------------------------------------- helpers


def _unmasked(value: Any) -> str | None:
    """A recipient value, or None when TikTok masked it (any ``*``)."""
    text = _text(value)
    if text is None or "*" in text:
        return None
    return text


def _epoch(value: Any) -> datetime | None:
    """Unix seconds (TikTok's only time format) as an aware datetime."""
    if value in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(str(value)), tz=timezone.utc)


def _seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def _data(payload: Mapping[str, Any], what: str) -> dict[str, Any]:
    body = payload.get("data")
    if not isinstance(body, dict):
        raise PermanentError(
            f"malformed TikTok Shop {what}: no 'data' object",
            code="bad_response",
            request_id=_text(payload.get("request_id")),
        )
    return body


def _amount_text(amount: Decimal) -> str:
    value = to_money(amount)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# -------------------------------------------------------------------------- platform


@register
class TikTokPlatform(Platform):
    """TikTok Shop client for one shop of a seller's authorization."""

    name = "tiktok"
    info = PlatformInfo(
        label="TikTok Shop",
        channel="tiktok",
        shipping_methods=True,
        region=True,
        service_id=True,
        api_hosts=frozenset(
            {
                "open-api.tiktokglobalshop.com",
                "auth.tiktok-shops.com",
                "services.tiktokshop.com",
                "services.us.tiktokshop.com",
                "services.tiktokshops.us",
            }
        ),
        # Get Order Detail
        buyer_keys=(
            "user_id",
            "buyer_email",
            "buyer_message",
            "phone_number",
            "address_detail",
            "address_line1",
            "address_line2",
            "address_line3",
            "address_line4",
            "district_info",
        ),
    )
    default_base_url = API_URL
    #: Get Order Detail takes at most 50 ids
    max_detail_batch = 50
    #: stock and prices are updated per product; SKUs per call: not documented
    max_stock_batch = 50
    max_price_batch = 50
    updates_per_item = True
    #: no documented maximum for the update-time range of Get Order List
    max_window = timedelta(days=30)
    status_map = STATUS_MAP
    order_page_size = 100
    product_page_size = 100
    #: access tokens last 7 days: refresh a little ahead
    token_refresh_margin = timedelta(minutes=5)

    # ------------------------------------------------------------ low level

    @property
    def auth_base_url(self) -> str:
        """Token host: auth.tiktok-shops.com (or the configured/emulator host)."""
        return (self.config.auth_base_url or self.config.base_url or AUTH_URL).rstrip(
            "/"
        )

    def _app_key(self) -> str:
        if not self.config.app_key:
            raise AuthorizationError("TikTok Shop app_key is not configured")
        return str(self.config.app_key)

    def _app_secret(self) -> str:
        if not self.config.app_secret:
            raise AuthorizationError("TikTok Shop app_secret is not configured")
        return self.config.app_secret

    def _scrub(self, text: Any) -> str:
        return scrub_text(str(text or ""), self.config.secrets())

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        shop_scoped: bool = True,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """A signed API call (token in the header, shop_cipher when shop-scoped)."""
        token = self.config.access_token
        if not token:
            raise TokenExpired("no TikTok Shop access token yet", code="no_token")
        query = {
            key: _param_text(value)
            for key, value in (params or {}).items()
            if value is not None
        }
        query["app_key"] = self._app_key()
        if shop_scoped:
            query["shop_cipher"] = self.shop_cipher()
        content = encode_body(body) if body is not None else None
        secret = self._app_secret()

        def signed() -> dict[str, str]:
            fresh = dict(query, timestamp=str(_seconds(self.now())))
            fresh["sign"] = sign(secret, path, fresh, content)
            return fresh

        headers = {"x-tts-access-token": token, "Content-Type": "application/json"}
        return self.transport.request(
            method,
            self.base_url + path,
            parse=self._parse,
            params=signed,
            content=content,
            headers=headers,
            limiter=self.limiter,
            idempotent=idempotent,
            timeout=self.config.timeout,
        )

    def _parse(self, response: requests.Response) -> dict[str, Any]:
        """Decode TikTok's ``{code, message, request_id, data}`` or raise."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            data = clean_json(response.json())
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if status == 429:
                raise RateLimited(
                    "TikTok Shop throttled the call (HTTP 429)",
                    retry_after=retry_after,
                    code="http_429",
                    http_status=status,
                )
            raise TransientError(
                f"TikTok Shop returned a non-JSON response (HTTP {status})",
                code="bad_response",
                http_status=status,
            )
        request_id = _text(data.get("request_id"))
        code = _text(data.get("code"))
        if status == 429 or code == RATE_LIMIT_CODE:
            raise RateLimited(
                f"TikTok Shop throttled the call: {self._scrub(data.get('message'))}",
                retry_after=retry_after,
                code=code or "http_429",
                request_id=request_id,
                http_status=status,
            )
        if code not in (None, "0"):
            raise self._error(code, data.get("message"), request_id, status)
        if status >= 500:
            raise TransientError(
                f"TikTok Shop HTTP {status}", request_id=request_id, http_status=status
            )
        if status >= 400:
            raise PermanentError(
                f"TikTok Shop HTTP {status}", request_id=request_id, http_status=status
            )
        if code is None:
            raise TransientError(
                "TikTok Shop answered without a code",
                code="bad_response",
                request_id=request_id,
                http_status=status,
            )
        return data

    def _error(
        self, code: str, message: Any, request_id: str | None, status: int
    ) -> PlatformError:
        """Map a TikTok error code to the error family."""
        text = self._scrub(message)
        kwargs = {"code": code, "request_id": request_id, "http_status": status}
        description = f"TikTok Shop {code}: {text}" if text else f"TikTok Shop {code}"
        if code == RATE_LIMIT_CODE:
            return RateLimited(description, retry_after=None, **kwargs)
        if code in _TOKEN_EXPIRED_CODES or (
            code == "36009004" and "token" in text.lower()
        ):
            return TokenExpired(description, **kwargs)
        if code in _AUTH_CODES or code == "36009004":
            return AuthorizationError(description, **kwargs)
        if code in _CIPHER_CODES:
            self._forget_cipher()
        if code in _TRANSIENT_CODES or status >= 500:
            return TransientError(description, **kwargs)
        return PermanentError(description, **kwargs)

    # ----------------------------------------------------------- shop cipher

    def _cipher_key(self) -> tuple[str, str]:
        return (str(self.config.app_key), str(self.config.shop_external_id or ""))

    def _forget_cipher(self) -> None:
        with _CIPHERS_LOCK:
            _CIPHERS.pop(self._cipher_key(), None)

    def shop_cipher(self) -> str:
        """The cipher of this shop (Get Authorized Shops, asked once per process)."""
        given = _text(self.config.extra.get("shop_cipher"))
        if given:
            return given
        if not self.config.shop_external_id:
            raise PermanentError(
                "this TikTok Shop shop has no shop id: authorize it again",
                code="no_shop_id",
            )
        with _CIPHERS_LOCK:
            known = _CIPHERS.get(self._cipher_key())
        if known:
            return known
        shops = self.authorized_shops()
        for shop in shops:
            if shop["id"] == str(self.config.shop_external_id):
                return shop["cipher"]
        raise AuthorizationError(
            f"the TikTok Shop authorization no longer covers shop "
            f"{self.config.shop_external_id}: authorize it again",
            code="shop_not_authorized",
        )

    def authorized_shops(self) -> list[dict[str, str]]:
        """The shops the seller's authorization serves: id, name, region, cipher,
        code, seller_type (and their ciphers remembered)."""
        payload = self._request(
            "GET", f"/authorization/{VERSION}/shops", shop_scoped=False
        )
        body = _data(payload, "authorized shops")
        rows = []
        with malformed(
            "TikTok Shop", "authorized shops", _text(payload.get("request_id"))
        ):
            for shop in body.get("shops") or []:
                rows.append(
                    {
                        "id": str(shop["id"]),
                        "cipher": str(shop["cipher"]),
                        "name": str(shop.get("name") or ""),
                        "region": str(shop.get("region") or "").upper(),
                        "code": str(shop.get("code") or ""),
                        "seller_type": str(shop.get("seller_type") or ""),
                    }
                )
        with _CIPHERS_LOCK:
            for row in rows:
                _CIPHERS[(str(self.config.app_key), row["id"])] = row["cipher"]
        return rows

    # -------------------------------------------------------- authorization

    def authorize_url(self, redirect_uri: str, state: str | None = None) -> str:
        """The seller's consent page (``service_id`` from Partner Center).

        TikTok sends the seller back to the redirect URL registered for the app,
        not to one given here: register ``redirect_uri`` (without its query) in
        Partner Center; ``state`` travels through.
        """
        service_id = _text(self.config.extra.get("service_id")) or self._app_key()
        host = (self.config.base_url or CONSENT_URL).rstrip("/")
        params = {"service_id": service_id}
        if state:
            params["state"] = state
        if self.config.base_url:
            # the emulator has no app registry: tell it where to send the seller
            params["redirect_uri"] = redirect_uri
        return f"{host}/open/authorize?{urlencode(params)}"

    def _token_call(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        query = {
            "app_key": self._app_key(),
            "app_secret": self._app_secret(),
            **params,
        }
        payload = self.transport.request(
            "GET",
            self.auth_base_url + path,
            parse=self._parse,
            params=query,
            limiter=self.limiter,
            idempotent=False,
            timeout=self.config.timeout,
        )
        return _data(payload, "token response")

    def exchange_code(self, code: str, **params: Any) -> TokenSet:
        """Exchange the callback ``code`` (single use, 30 min) for tokens.

        ``extra["country_user_info"]`` lists every shop the authorization
        serves (``country`` = region in lower case, ``seller_id`` = shop id,
        ``name``); ``extra["shop_id"]`` is this one: the ``shop_id=`` asked for
        (or configured), else the first. AuthorizationError ``seller_mismatch``
        when the asked shop is not among them.
        """
        data = self._token_call(
            "/api/v2/token/get", {"auth_code": code, "grant_type": "authorized_code"}
        )
        tokens = self._token_set(data)
        with self._token_lock:
            self._store_tokens_quietly(tokens)
        shops = self.authorized_shops()
        tokens.extra["country_user_info"] = [
            {
                "country": shop["region"].lower(),
                "seller_id": shop["id"],
                "name": shop["name"],
            }
            for shop in shops
        ]
        wanted = _text(params.get("shop_id")) or _text(self.config.shop_external_id)
        ids = [shop["id"] for shop in shops]
        if wanted and wanted not in ids:
            raise AuthorizationError(
                "the TikTok Shop seller authorized does not own this shop",
                code="seller_mismatch",
            )
        chosen = wanted or (ids[0] if ids else None)
        if chosen:
            tokens.extra["shop_id"] = chosen
            self.config.shop_external_id = chosen
        with self._token_lock:
            self._store_tokens(tokens)
        return tokens

    def _store_tokens_quietly(self, tokens: TokenSet) -> None:
        """Use the new tokens before they are reported (to list the shops)."""
        self.config.access_token = tokens.access_token
        self.config.refresh_token = tokens.refresh_token
        self.config.access_expires_at = tokens.access_expires_at

    def _refresh_tokens(self) -> TokenSet:
        if not self.config.refresh_token:
            raise AuthorizationError("no TikTok Shop refresh token: reconnect the shop")
        data = self._token_call(
            "/api/v2/token/refresh",
            {
                "refresh_token": self.config.refresh_token,
                "grant_type": "refresh_token",
            },
        )
        tokens = self._token_set(data)
        if self.config.shop_external_id:
            tokens.extra["shop_id"] = str(self.config.shop_external_id)
        return tokens

    def _token_set(self, data: Mapping[str, Any]) -> TokenSet:
        """TokenSet from a get/refresh answer: expiries are Unix times; the refresh
        token ends with the seller's authorization."""
        with malformed("TikTok Shop", "token response"):
            access = _text(data["access_token"])
            if not access:
                raise ValueError("empty access_token")
            access_expires = _epoch(data.get("access_token_expire_in"))
            refresh_expires = _epoch(data.get("refresh_token_expire_in"))
        extra: dict[str, Any] = {}
        for key in ("open_id", "seller_name", "seller_base_region", "user_type"):
            if data.get(key) not in (None, ""):
                extra[key] = data[key]
        if refresh_expires:
            extra["authorization_expires_at"] = refresh_expires
        return TokenSet(
            access_token=access,
            refresh_token=_text(data.get("refresh_token")),
            access_expires_at=access_expires,
            refresh_expires_at=refresh_expires,
            extra=extra,
        )

    # --------------------------------------------------------------- orders

    def _iter_order_refs_window(
        self, since: datetime, until: datetime
    ) -> Iterator[OrderRef]:
        """Get Order List by update time, following ``next_page_token``."""
        token: str | None = None
        seen_tokens: set[str] = set()
        while True:
            page = self._call(self._orders_page, since, until, token)
            body = _data(page, "order list")
            with malformed("TikTok Shop", "order list", _text(page.get("request_id"))):
                rows = body.get("orders") or []
                if not isinstance(rows, list):
                    raise TypeError("orders is not a list")
                refs = [
                    OrderRef(
                        external_id=str(row["id"]),
                        update_time=_epoch(row.get("update_time")),
                        status=_text(row.get("status")),
                    )
                    for row in rows
                ]
            yield from refs
            token = _text(body.get("next_page_token"))
            if not token or not rows:
                return
            if token in seen_tokens:
                raise PermanentError(
                    "TikTok Shop order list: the same page token came back twice",
                    code="page_token_loop",
                )
            seen_tokens.add(token)

    def _orders_page(
        self, since: datetime, until: datetime, page_token: str | None
    ) -> dict[str, Any]:
        return self._request(
            "POST",
            f"/order/{VERSION}/orders/search",
            params={
                "page_size": self.order_page_size,
                "page_token": page_token,
                "sort_field": "update_time",
                "sort_order": "ASC",
            },
            # update_time_lt is exclusive: the second after the window's end
            body={
                "update_time_ge": _seconds(since),
                "update_time_lt": _seconds(until) + 1,
            },
        )

    def _get_orders_batch(self, ids: list[str]) -> list[Order]:
        wanted = [i for i in ids if i.isdigit()]  # TikTok order ids are numbers
        if not wanted:
            return []
        payload = self._request(
            "GET", f"/order/{VERSION}/orders", params={"ids": ",".join(wanted)}
        )
        body = _data(payload, "order detail")
        rows = body.get("orders") or []
        if not isinstance(rows, list):
            raise PermanentError(
                "malformed TikTok Shop order detail: orders is not a list",
                code="bad_response",
                request_id=_text(payload.get("request_id")),
            )
        orders = []
        for row in rows:
            if not isinstance(row, dict):
                continue
            try:
                with malformed("TikTok Shop", "order"):
                    orders.append(self._to_order(row))
            except PermanentError as exc:
                # one unreadable order must not block the others of its batch
                orders.append(self._unreadable_order(row, str(exc)))
        return orders

    def _unreadable_order(self, row: Mapping[str, Any], problem: str) -> Order:
        try:
            update_time = _epoch(row.get("update_time"))
        except (TypeError, ValueError, OverflowError):
            update_time = None
        return Order(
            external_id=str(row.get("id") or "unknown")[:64],
            status=str(row.get("status") or "unknown")[:64],
            state="pending",
            create_time=None,
            update_time=update_time,
            currency="",
            total_amount=ZERO,
            raw={"order": dict(row)},
            problems=[problem],
        )

    def order_state(self, row: Mapping[str, Any]) -> str:
        """Normalised state of an order (a buyer's pending cancellation request
        before shipping is ``in_cancel``)."""
        state = self.normalise_status(_text(row.get("status")))
        if state in _NOT_SHIPPED and row.get("is_buyer_request_cancel") is True:
            return "in_cancel"
        return state

    def _to_order(self, row: Mapping[str, Any]) -> Order:
        items = [i for i in row.get("line_items") or [] if isinstance(i, dict)]
        if not items:
            raise ValueError("the order has no line items")
        status = str(row["status"])
        state = self.order_state(row)
        cancelled_order = state == "cancelled"
        live = [
            i
            for i in items
            if cancelled_order or _text(i.get("display_status")) != "CANCELLED"
        ]
        dropped = [i for i in items if i not in live]
        payment = row.get("payment") or {}
        address = self._to_address(row.get("recipient_address") or {})
        packages: dict[str, Package] = {}
        for item in live:
            number = _text(item.get("package_id"))
            if number and number not in packages:
                packages[number] = Package(
                    package_number=number,
                    tracking_number=_text(item.get("tracking_number")),
                    carrier=_text(item.get("shipping_provider_name")),
                    logistics_status=_text(item.get("package_status")),
                )
        cod = row.get("is_cod") is True
        order = Order(
            external_id=str(row["id"]),
            status=status,
            state=state,
            create_time=_epoch(row.get("create_time")),
            update_time=_epoch(row.get("update_time")),
            currency=str(payment.get("currency") or live[0].get("currency") or ""),
            total_amount=to_money(payment.get("total_amount")),
            lines=[self._to_line(i) for i in live],
            cancelled_lines=[self._to_line(i) for i in dropped],
            buyer=Buyer(
                external_id=_text(row.get("user_id")),
                name=address.name,
                phone=address.phone,
            ),
            shipping_address=address,
            payment_method=_text(row.get("payment_method_name")),
            cod=cod,
            pay_time=_epoch(row.get("paid_time")),
            buyer_message=_text(row.get("buyer_message")),
            cancel_reason=_text(row.get("cancel_reason")),
            cancelled_by=_text(row.get("cancellation_initiator")),
            shipping_carrier=_text(row.get("shipping_provider")),
            packages=list(packages.values()),
            raw={"order": dict(row)},
            unknown_statuses=self.unknown_statuses_of(status),
        )
        self._fill_amounts(order, payment)
        return order

    @staticmethod
    def _to_line(item: Mapping[str, Any]) -> OrderLine:
        price = to_money(item["original_price"])
        name = " - ".join(
            t
            for t in (_text(item.get("product_name")), _text(item.get("sku_name")))
            if t
        )
        return OrderLine(
            external_id=str(item["id"]),
            item_id=_text(item.get("product_id")) or "",
            variant_id=_text(item.get("sku_id")),
            sku=_text(item.get("seller_sku")),
            name=name,
            quantity=1,
            unit_price=price,
            discounted_unit_price=price,
            seller_discount=to_money(item.get("seller_discount")),
            platform_discount=to_money(item.get("platform_discount")),
            status=_text(item.get("display_status")),
        )

    @staticmethod
    def _to_address(addr: Mapping[str, Any]) -> Address:
        """Address levels from ``district_info`` (L0 country, L1 province, L2
        district or city, L3 ward); masked values are dropped."""
        levels: dict[str, str] = {}
        for row in addr.get("district_info") or []:
            if isinstance(row, Mapping) and _unmasked(row.get("address_name")):
                level = str(row.get("address_level") or "").upper()
                levels[level] = str(row["address_name"]).strip()
        region = (_text(addr.get("region_code")) or "").upper() or None
        street = _unmasked(addr.get("address_detail")) or _unmasked(
            addr.get("address_line1")
        )
        if region == "VN":
            district, city = levels.get("L2"), None
        else:
            district, city = None, levels.get("L2")
        name = _unmasked(addr.get("name")) or _unmasked(
            " ".join(
                t
                for t in (_text(addr.get("first_name")), _text(addr.get("last_name")))
                if t
            )
        )
        return Address(
            name=name,
            phone=_unmasked(addr.get("phone_number")),
            full_address=_unmasked(addr.get("full_address")),
            street=street,
            ward=levels.get("L3"),
            district=district,
            city=city,
            state=levels.get("L1"),
            zip=_unmasked(addr.get("postal_code")),
            country_code=region,
        )

    @staticmethod
    def _fill_amounts(order: Order, payment: Mapping[str, Any]) -> None:
        """Fill the amount components so that ``order.check_total() == 0``."""
        complete = payment.get("total_amount") not in (None, "")
        order.seller_voucher = to_money(payment.get("seller_discount"))
        order.platform_voucher = to_money(payment.get("platform_discount"))
        net = to_money(payment.get("shipping_fee"))
        original = payment.get("original_shipping_fee")
        discount = to_money(payment.get("shipping_fee_seller_discount")) + to_money(
            payment.get("shipping_fee_platform_discount")
        )
        if original not in (None, "") and to_money(original) - discount == net:
            order.shipping_fee, order.shipping_discount = to_money(original), discount
        else:
            order.shipping_fee, order.shipping_discount = net, ZERO
        order.other_fees = sum((to_money(payment.get(k)) for k in _AMOUNT_FEES), ZERO)
        residual = order.check_total()
        if residual:
            complete = False
            _logger.warning(
                "TikTok Shop order %s lines differ from its total by %s",
                order.external_id,
                residual,
            )
            if residual > 0:
                order.other_discounts += residual
            else:
                order.other_fees -= residual
        order.amounts_complete = complete

    # ------------------------------------------------------------ fulfilment

    cancel_reasons = tuple(CANCEL_REASON_CODES)
    return_page_size = 50
    #: no documented maximum for the update-time range of Search Returns
    max_return_window = timedelta(days=30)

    @staticmethod
    def _package_ids(order: Order) -> list[str]:
        """The order's packages (``packages[].id``, else the line items')."""
        row = order.raw.get("order") or {}
        ids = [
            str(p["id"])
            for p in row.get("packages") or []
            if isinstance(p, Mapping) and _text(p.get("id"))
        ]
        for line in row.get("line_items") or []:
            number = (
                _text(line.get("package_id")) if isinstance(line, Mapping) else None
            )
            if number and number not in ids:
                ids.append(number)
        return ids

    def _package(self, package_id: str) -> dict[str, Any]:
        payload = self._request("GET", f"/fulfillment/{VERSION}/packages/{package_id}")
        return _data(payload, "package detail")

    def _ship_order(self, order: Order, mode: str) -> Shipment:
        """Ship every package still to hand over (pickup or drop-off per
        ``mode``); packages already shipped only give their tracking number."""
        packages = self._package_ids(order)
        if not packages:
            raise PermanentError(
                f"TikTok Shop order {order.external_id} ({order.status}) has no "
                "package to ship",
                code="order_status",
            )
        shipment = Shipment(
            order.external_id,
            package_number=packages[0],
            carrier=order.shipping_carrier,
            mode=mode,
            extra={"package_ids": packages},
        )
        method = HANDOVER_METHODS.get(mode, "PICKUP")
        for package_id in packages:
            detail = self._package(package_id)
            status = str(detail.get("package_status") or "").upper()
            if status in _PACKAGE_SHIPPED:
                continue
            if status not in _PACKAGE_TO_SHIP or order.status not in _SHIPPABLE:
                raise PermanentError(
                    f"TikTok Shop order {order.external_id} is {order.status} "
                    f"(package {package_id} {status or 'unknown'}): it cannot be "
                    "shipped",
                    code="order_status",
                )
            self._request(
                "POST",
                f"/fulfillment/{VERSION}/packages/{package_id}/ship",
                body={"handover_method": method},
                idempotent=False,
            )
        return self._get_tracking(shipment)

    def _get_tracking(self, shipment: Shipment) -> Shipment:
        if not shipment.package_number:
            return shipment
        detail = self._package(shipment.package_number)
        with malformed("TikTok Shop", "package detail"):
            tracking = _text(detail.get("tracking_number"))
            if tracking:
                shipment.tracking_number = tracking
                shipment.carrier = (
                    _text(detail.get("shipping_provider_name")) or shipment.carrier
                )
        return shipment

    def _get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        """Get Shipping Document gives a URL; the PDF is downloaded from it."""
        if not shipment.package_number or not shipment.tracking_number:
            return None
        payload = self._request(
            "GET",
            f"/fulfillment/{VERSION}/packages/{shipment.package_number}"
            "/shipping_documents",
            params={
                "document_type": self.config.extra.get(
                    "document_type", "SHIPPING_LABEL"
                ),
                "document_format": "PDF",
            },
        )
        url = _text(_data(payload, "shipping document").get("doc_url"))
        if not url:
            return None
        content = self.transport.request(
            "GET",
            url,
            parse=self._parse_document,
            limiter=self.limiter,
            timeout=self.config.timeout,
        )
        return ShippingDocument(
            filename=f"tiktok-{shipment.order_external_id}.pdf", content=content
        )

    @staticmethod
    def _parse_document(response: requests.Response) -> bytes:
        if response.status_code >= 500:
            raise TransientError(
                f"TikTok Shop document download: HTTP {response.status_code}",
                http_status=response.status_code,
            )
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise PermanentError(
                f"TikTok Shop document download: HTTP {response.status_code}, "
                "not a PDF",
                code="bad_document",
            )
        return response.content

    def _cancel_order(self, order: Order, reason: str, lines: list[OrderLine]) -> None:
        """Cancel Order; line item ids only for a partial cancellation."""
        codes = dict(CANCEL_REASON_CODES)
        codes.update(self.config.extra.get("cancel_reason_codes") or {})
        paid, unpaid = codes[reason]
        body: dict[str, Any] = {
            "order_id": order.external_id,
            "cancel_reason": unpaid if order.status == "UNPAID" else paid,
        }
        wanted = {li.external_id for li in lines}
        if wanted != {li.external_id for li in order.lines}:
            body["order_line_item_ids"] = sorted(wanted)
        self._request(
            "POST",
            f"/return_refund/{VERSION}/cancellations",
            body=body,
            idempotent=False,
        )

    def _iter_returns_window(
        self, since: datetime, until: datetime
    ) -> Iterator[Return]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            payload = self._call(
                self._request,
                "POST",
                f"/return_refund/{VERSION}/returns/search",
                params={"page_size": self.return_page_size, "page_token": token},
                body={
                    "update_time_ge": _seconds(since),
                    "update_time_lt": _seconds(until) + 1,
                },
            )
            body = _data(payload, "return list")
            with malformed(
                "TikTok Shop", "return list", _text(payload.get("request_id"))
            ):
                rows = body.get("return_orders") or []
                returns = [self._to_return(row) for row in rows]
            yield from returns
            token = _text(body.get("next_page_token"))
            if not token or not rows or token in seen:
                return
            seen.add(token)

    @staticmethod
    def _to_return(row: Mapping[str, Any]) -> Return:
        """Each return line item is one unit (TikTok has one line item per unit)."""
        status = str(row.get("return_status") or "")
        refund = row.get("refund_amount") or {}
        lines = [
            ReturnLine(
                item_id=None,
                variant_id=_text(li.get("sku_id")),
                sku=_text(li.get("seller_sku")),
                quantity=1,
                refund_amount=to_money(
                    (li.get("refund_amount") or {}).get("refund_total")
                ),
                order_line_external_id=_text(li.get("order_line_item_id")),
            )
            for li in row.get("return_line_items") or []
        ]
        total = refund.get("refund_total")
        return Return(
            external_id=str(row["return_id"]),
            order_external_id=str(row["order_id"]),
            status=status,
            state=RETURN_STATES.get(status, "requested"),
            update_time=_epoch(row.get("update_time")),
            refund_amount=to_money(total)
            if total not in (None, "")
            else sum((li.refund_amount for li in lines), ZERO),
            goods_returned=str(row.get("return_type") or "").upper() != "REFUND",
            reason=_text(row.get("return_reason_text"))
            or _text(row.get("return_reason")),
            lines=lines,
            raw=dict(row),
        )

    # ------------------------------------------------------------- listings

    def iter_listings(self, status: str = "ALL") -> Iterator[Listing]:
        """Yield one Listing per SKU of every product (any status by default)."""
        token: str | None = None
        while True:
            page = self._call(self._products_page, token, status)
            body = _data(page, "product list")
            listings = []
            with malformed(
                "TikTok Shop", "product list", _text(page.get("request_id"))
            ):
                products = body.get("products") or []
                if not isinstance(products, list):
                    raise TypeError("products is not a list")
                for product in products:
                    listings.extend(self._product_listings(product))
            yield from listings
            token = _text(body.get("next_page_token"))
            if not token or not products:
                return

    def _products_page(self, page_token: str | None, status: str) -> dict[str, Any]:
        return self._request(
            "POST",
            f"/product/{VERSION}/products/search",
            params={"page_size": self.product_page_size, "page_token": page_token},
            body={"status": status},
        )

    @staticmethod
    def _product_listings(product: Mapping[str, Any]) -> list[Listing]:
        item_id = str(product["id"])
        name = str(product.get("title") or "")
        rows = []
        for sku in product.get("skus") or []:
            price = sku.get("price") or {}
            amount = price.get("sale_price") or price.get("tax_exclusive_price")
            stock = [
                int(str(w.get("quantity") or 0))
                for w in sku.get("inventory") or []
                if isinstance(w, Mapping)
            ]
            rows.append(
                Listing(
                    item_id=item_id,
                    variant_id=str(sku["id"]),
                    sku=_text(sku.get("seller_sku")),
                    name=name,
                    status=_text(product.get("status")),
                    price=to_money(amount) if amount not in (None, "") else None,
                    stock=sum(stock) if stock else None,
                    raw={"product_id": item_id, **dict(sku)},
                )
            )
        return rows

    # ----------------------------------------------------- stock and prices

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        warehouse = _text(self.config.extra.get("warehouse_id"))

        def sku(update: StockUpdate) -> dict[str, Any]:
            level: dict[str, Any] = {"quantity": max(0, int(update.quantity))}
            if warehouse:
                level["warehouse_id"] = warehouse
            return {"id": str(update.variant_id), "inventory": [level]}

        return self._send_update(
            f"/product/{VERSION}/products/{item_id}/inventory/update",
            updates,
            [sku(u) for u in updates],
        )

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        currency = _text(self.config.extra.get("currency")) or REGION_CURRENCIES.get(
            (self.config.country or "vn").upper(), "VND"
        )
        skus = [
            {
                "id": str(u.variant_id),
                "price": {"amount": _amount_text(u.price), "currency": currency},
            }
            for u in updates
        ]
        return self._send_update(
            f"/product/{VERSION}/products/{item_id}/prices/update", updates, skus
        )

    def _send_update(
        self,
        path: str,
        updates: list[StockUpdate] | list[PriceUpdate],
        skus: list[dict[str, Any]],
    ) -> list[UpdateResult]:
        """One product's update; a refusal fails its SKUs (values are absolute:
        the next push sends them again)."""
        try:
            self._request("POST", path, body={"skus": skus}, idempotent=True)
        except AuthorizationError:
            raise
        except PermanentError as exc:
            return [
                UpdateResult(
                    u.item_id,
                    u.variant_id,
                    u.sku,
                    False,
                    exc.code or "failed",
                    self._scrub(exc.message),
                )
                for u in updates
            ]
        return [UpdateResult(u.item_id, u.variant_id, u.sku, True) for u in updates]

    # -------------------------------------------------------------- webhooks

    def verify_webhook(
        self, url: str, headers: Mapping[str, str], body: bytes
    ) -> Event:
        """Verify a TikTok Shop webhook (see :meth:`Platform.verify_webhook`).

        ``Authorization`` = hex HMAC-SHA256(app_secret, app_key + raw body); the
        URL is not signed. TikTok retries a delivery for up to ~16 hours with its
        first ``timestamp``: older messages than :data:`WEBHOOK_TOLERANCE` are
        refused (replays are harmless anyway: events are de-duplicated).
        """
        key, app_key = self.config.app_secret, self.config.app_key
        if not key or not app_key:
            raise WebhookRejected("no_secret", status=401)
        given = _header(headers, "Authorization")
        if not given:
            raise WebhookRejected("missing_signature", status=401)
        raw = body.encode() if isinstance(body, str) else bytes(body)
        expected = webhook_signature(str(app_key), key, raw).encode()
        if not hmac.compare_digest(expected, given.strip().lower().encode()):
            raise WebhookRejected("bad_signature", status=401)
        try:
            message = clean_json(json.loads(raw))
        except ValueError as exc:
            raise WebhookRejected("bad_body", status=400) from exc
        if not isinstance(message, dict):
            raise WebhookRejected("bad_body", status=400)
        try:
            sent_at = _epoch(message.get("timestamp"))
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise WebhookRejected("bad_timestamp", status=403) from exc
        tolerance = self.config.webhook_tolerance
        if tolerance is not None:
            if sent_at is None:
                raise WebhookRejected("missing_timestamp", status=403)
            age = self.now() - sent_at
            if age > max(tolerance, WEBHOOK_TOLERANCE) or -age > tolerance:
                raise WebhookRejected("stale_timestamp", status=403)
        try:
            return self.event_from_message(message)
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise WebhookRejected("bad_body", status=400) from exc

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise a webhook.

        Dedup keys: order status changes ``tiktok:1:shop:order:status:update_time``
        (the same change twice, whatever its notification id); others
        ``tiktok:<type>:<tts_notification_id>``, or the sha256 of the canonical
        JSON without one. Expiry warnings carry ``expiration_time``.
        """
        push_type = int(str(message.get("type")))
        data = message.get("data")
        data = data if isinstance(data, Mapping) else {}
        shop = _text(message.get("shop_id"))
        order_id = _text(data.get("order_id"))
        status = _text(data.get("order_status"))
        changed = _text(data.get("update_time"))
        notification = _text(message.get("tts_notification_id"))
        if push_type == 1 and order_id:
            dedup = f"tiktok:1:{shop}:{order_id}:{status}:{changed}"
        elif notification:
            dedup = f"tiktok:{push_type}:{notification}"
        else:
            canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
            dedup = "tiktok:" + hashlib.sha256(canonical.encode()).hexdigest()
        if push_type == 7:
            update_time = _epoch(data.get("expiration_time"))
        else:
            update_time = _epoch(changed) or _epoch(message.get("timestamp"))
        kind = PUSH_KINDS.get(push_type, "other")
        if kind in ("order_status", "tracking") and not order_id:
            kind = "other"
        return Event(
            platform=self.name,
            dedup_key=dedup,
            kind=kind,
            code=str(push_type),
            shop_external_id=shop,
            order_external_id=order_id if push_type in _ORDER_PUSHES else None,
            status=status,
            update_time=update_time,
            raw=dict(message),
        )

    def fetch_lost_events(self) -> list[Event]:
        """TikTok keeps no lost webhooks: the scheduled order sync covers misses."""
        return []

    # --- finance
    #
    # A payout is a statement (Get Statements, /finance/202309/statements):
    # TikTok settles an order some days after delivery into the day's statement
    # and pays the statement out (payment_status PAID, PROCESSING or FAILED). Get
    # Payments is not offered in South-East Asia, so the statement is the unit.
    # Its transactions (one per order settled, or adjustment) come from Get
    # Transactions by Statement 202501 (the 202309 version serves the US and UK
    # only) with TikTok's breakdown of revenue, shipping costs, fees and taxes,
    # signed as TikTok signs them. TikTok credits the product price after the
    # seller's discounts (its own discounts are paid back inside that credit):
    # the order tells what the buyer paid, and the rest is TikTok's subsidy.
    # Whatever a transaction's breakdown does not explain is an ``unexplained``
    # adjustment, so the lines add up to the statement's settlement_amount.

    statement_page_size = 100
    #: breakdown field -> fee type (the field's name is kept as raw_code); a
    #: field not listed takes its group's type (:attr:`BREAKDOWN_GROUPS`)
    STATEMENT_FEES: dict[str, str] = {
        "subtotal_before_discount_amount": "order_amount",
        "seller_discount_amount": "order_amount",
        "customer_paid_shipping_fee_amount": "order_amount",
        "refund_subtotal_before_discount_amount": "refund",
        "seller_discount_refund_amount": "refund",
        "cod_service_fee_amount": "service_fee",
        "refund_cod_service_fee_amount": "service_fee",
        "platform_commission_amount": "commission",
        "referral_fee_amount": "commission",
        "dynamic_commission_amount": "commission",
        "transaction_fee_amount": "transaction_fee",
        "credit_card_handling_fee_amount": "transaction_fee",
        "actual_shipping_fee_amount": "shipping_fee",
        "return_shipping_fee_amount": "shipping_fee",
        "shipping_fee_discount_amount": "shipping_rebate",
        "failed_delivery_subsidy_amount": "shipping_rebate",
        "free_return_subsidy_amount": "shipping_rebate",
        "tiktok_shop_shipping_incentive_amount": "shipping_rebate",
        "fbt_fulfillment_fee_reimbursement_amount": "shipping_rebate",
    }
    #: (path in the transaction, type of the fields not in STATEMENT_FEES)
    BREAKDOWN_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
        (("revenue_breakdown",), "order_amount"),
        (("shipping_cost_breakdown",), "shipping_fee"),
        (("fee_tax_breakdown", "fee"), "service_fee"),
        (("fee_tax_breakdown", "tax"), "adjustment"),
    )

    def iter_settlements(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Settlement]:
        """Yield one Settlement per statement dated in ``[since, until]``."""
        until = until or self.now()
        statements: dict[str, Mapping[str, Any]] = {}
        for start, end in split_windows(since, until, self.max_window):
            for row in self._statements(start, end):
                statements[str(row["id"])] = row
        ordered = sorted(
            statements.values(),
            key=lambda r: (int(r.get("statement_time") or 0), str(r["id"])),
        )
        for row in ordered:
            yield self._statement_settlement(row)

    def _statements(self, since: datetime, until: datetime) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        token = None
        while True:
            data = self._call(
                self._request,
                "GET",
                f"/finance/{VERSION}/statements",
                params={
                    "statement_time_ge": _seconds(since),
                    "statement_time_lt": _seconds(until) + 1,
                    "page_size": self.statement_page_size,
                    "page_token": token,
                    "sort_field": "statement_time",
                    "sort_order": "ASC",
                },
            )
            body = _data(data, "statements")
            with malformed("TikTok Shop", "statements", _text(data.get("request_id"))):
                for row in body.get("statements") or []:
                    if isinstance(row, Mapping) and _text(row["id"]):
                        rows.append(row)
            token = _text(body.get("next_page_token"))
            if not token:
                return rows

    def _statement_transactions(self, statement_id: str) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        token = None
        while True:
            data = self._call(
                self._request,
                "GET",
                f"/finance/202501/statements/{statement_id}/statement_transactions",
                params={
                    "page_size": self.statement_page_size,
                    "page_token": token,
                    "sort_field": "order_create_time",
                    "sort_order": "ASC",
                },
            )
            body = _data(data, "statement transactions")
            found = body.get("transactions") or []
            if not isinstance(found, list):
                raise PermanentError(
                    "malformed TikTok Shop statement transactions: not a list",
                    code="bad_response",
                    request_id=_text(data.get("request_id")),
                )
            rows.extend(r for r in found if isinstance(r, Mapping))
            token = _text(body.get("next_page_token"))
            if not token or not found:
                return rows

    def _statement_settlement(self, statement: Mapping[str, Any]) -> Settlement:
        with malformed("TikTok Shop", "statement"):
            statement_id = str(statement["id"])
            moment = _epoch(statement["statement_time"])
            settlement = Settlement(
                external_id=statement_id,
                payout_time=moment,
                currency=str(
                    statement.get("currency")
                    or REGION_CURRENCIES.get(
                        (self.config.country or "vn").upper(), "VND"
                    )
                ),
                net_amount=to_money(statement["settlement_amount"]),
                paid=str(statement.get("payment_status") or "PAID") == "PAID",
                raw={"statement": dict(statement)},
            )
        rows = self._statement_transactions(statement_id)
        settlement.raw["transactions"] = len(rows)
        lines: list[SettlementLine] = []
        with malformed("TikTok Shop", "statement transaction"):
            for row in rows:
                lines.extend(self._transaction_lines(row, moment))
        lines = merge_lines(lines)
        orders = sorted(
            {
                line.order_external_id
                for line in lines
                if line.order_external_id
                and line.fee_type in ("order_amount", "refund")
            }
        )
        known: dict[str, Order] = {}
        for chunk in chunked(orders, self.max_detail_batch):
            for order in self._call(self._get_orders_batch, chunk):
                if not order.problems and order.amounts_complete:
                    known[order.external_id] = order
        for order_id in orders:
            order = known.get(order_id)
            if order is None:
                continue  # no order data: what TikTok credited stays the sale
            sold = credited(lines, order_id, "order_amount")
            back = credited(lines, order_id, "refund")
            if sold:
                settlement.buyer_paid[order_id] = order.total_amount
                lines.extend(
                    subsidy_split(lines, order_id, "order_amount", order.total_amount)
                )
            products = order.lines_total - order.seller_voucher
            if back and -back >= products:  # all of it refunded: the buyer's payment
                lines.extend(
                    subsidy_split(lines, order_id, "refund", -order.total_amount)
                )
        settlement.lines = merge_lines(lines)
        settlement.balance()
        return settlement

    def _transaction_lines(
        self, row: Mapping[str, Any], moment: datetime | None
    ) -> list[SettlementLine]:
        """The fee lines of one statement transaction; they add up to its amount."""
        order_id = _text(row.get("order_id")) or _text(row.get("adjustment_order_id"))
        kind = _text(row.get("type")) or "ORDER"
        label = None if kind == "ORDER" else kind
        when = _epoch(row.get("order_create_time")) or moment
        found: list[tuple[str, str, Any]] = []
        for path, default in self.BREAKDOWN_GROUPS:
            group: Any = row
            for key in path:
                group = group.get(key) if isinstance(group, Mapping) else None
            if not isinstance(group, Mapping):
                continue
            for key, value in group.items():
                if not isinstance(value, Mapping):  # supplementary: not in the total
                    found.append((key, self.STATEMENT_FEES.get(key, default), value))
        found.append(("adjustment_amount", "adjustment", row.get("adjustment_amount")))
        lines = []
        for key, fee_type, value in found:
            amount = to_money(value)
            if amount:
                lines.append(
                    SettlementLine(
                        fee_type=fee_type,
                        amount=amount,
                        raw_code=key,
                        order_external_id=order_id,
                        label=label,
                        transaction_id=_text(row.get("id")),
                        time=when,
                    )
                )
        rest = to_money(row["settlement_amount"]) - sum(
            (line.amount for line in lines), ZERO
        )
        if rest:
            lines.append(
                SettlementLine(
                    fee_type="adjustment",
                    amount=rest,
                    raw_code="unexplained",
                    order_external_id=order_id,
                    label=f"Not explained by TikTok's breakdown ({kind})",
                    transaction_id=_text(row.get("id")),
                    time=moment,
                )
            )
        return lines
