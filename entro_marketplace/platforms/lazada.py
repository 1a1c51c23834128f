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
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
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
    merge_lines,
    subsidy_split,
    to_money,
)
from .transport import clean_json, parse_retry_after, scrub_text

_logger = logging.getLogger(__name__)

#: API host per country (ShopConfig.country, lower case).
API_HOSTS: dict[str, str] = {
    "vn": "https://api.lazada.vn/rest",
    "sg": "https://api.lazada.sg/rest",
    "th": "https://api.lazada.co.th/rest",
    "my": "https://api.lazada.com.my/rest",
    "ph": "https://api.lazada.com.ph/rest",
    "id": "https://api.lazada.co.id/rest",
}
AUTH_URL = "https://auth.lazada.com/rest"
DEFAULT_COUNTRY = "vn"

CURRENCIES = {
    "vn": "VND",
    "sg": "SGD",
    "th": "THB",
    "my": "MYR",
    "ph": "PHP",
    "id": "IDR",
}
#: UTC offsets of the ventures, for timestamps Lazada prints without one.
UTC_OFFSETS = {"vn": 7, "th": 7, "id": 7, "sg": 8, "my": 8, "ph": 8}
COUNTRY_NAMES = {
    "vietnam": "VN",
    "viet nam": "VN",
    "singapore": "SG",
    "thailand": "TH",
    "malaysia": "MY",
    "philippines": "PH",
    "indonesia": "ID",
}

#: Lazada order item status -> normalised state (the one mapping table).
#: Delivery failures, parcels lost or damaged by the carrier and parcels on
#: their way back all become ``to_return``: the goods left the warehouse but the
#: sale is not concluded, and a person must follow the parcel or the carrier's
#: compensation. Lazada has no "completed" status: ``delivered`` is final.
ITEM_STATUS_MAP: dict[str, str] = {
    "unpaid": "unpaid",
    "pending": "to_ship",
    "topack": "to_ship",
    "repacked": "to_ship",
    "packed": "to_ship",
    "ready_to_ship_pending": "to_ship",
    "ready_to_ship": "to_ship",
    "toship": "to_ship",
    "shipped": "shipped",
    "shipping": "shipped",
    "delivered": "delivered",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "returned": "returned",
    "shipped_back_success": "returned",
    "failed": "to_return",
    "failed_delivery": "to_return",
    "lost": "to_return",
    "lost_by_3pl": "to_return",
    "damaged_by_3pl": "to_return",
    "shipped_back": "to_return",
    "shipped_back_failed": "to_return",
}
#: How far along an order is, least to most advanced (cancelled items ignored).
STATE_RANK = (
    "pending",
    "unpaid",
    "to_ship",
    "in_cancel",
    "shipped",
    "delivered",
    "to_return",
    "returned",
)
_CANCELLED = "cancelled"
_BEFORE_SHIPPING = frozenset({"unpaid", "pending", "to_ship"})

#: Push message_type -> normalised event kind. Reverse orders (10: returns,
#: refunds, buyer cancellations) change item statuses: the order is re-fetched.
PUSH_KINDS: dict[int, str] = {0: "order_status", 10: "order_status", 8: "auth_expiring"}

_TOKEN_CODES = frozenset({"IllegalAccessToken"})
_AUTH_CODES = frozenset(
    {
        "IllegalRefreshToken",
        "InvalidCode",
        "IncompleteSignature",
        "APP_KEY_INVALID",
        "AppKeyInvalid",
        "InvalidAppKey",
        "AUTH_TYPE_UNSUPPORTED",
        "InsufficientPermission",
    }
)
_RATE_CODES = frozenset(
    {
        "901",
        "E901",
        "ApiCallLimit",
        "AppCallLimit",
        "TRAFFIC_CONTROL",
        "OPEN_API_CALL_EXCEED_LIMIT",
    }
)
_TRANSIENT_CODES = frozenset(
    {"6", "E006", "513", "1000", "InternalError", "ServiceUnavailable"}
)
_UNKNOWN_ORDER_CODES = frozenset({"16", "E016"})

#: item statuses: to pack, packed (ready-to-ship next), shipment already arranged
_TO_PACK = frozenset({"pending", "repacked", "topack"})
_PACKED = frozenset({"packed"})
_ARRANGED = frozenset(
    {"ready_to_ship", "ready_to_ship_pending", "toship", "shipped", "shipping"}
)
#: reverse_status of a reverse order line -> normalised return state
LAZADA_RETURN_STATES: dict[str, str] = {
    "REFUND_SUCCESS": "refunded",
    "REQUEST_CANCEL": "cancelled",
    "REQUEST_REJECT": "cancelled",
    "REFUND_REJECT": "cancelled",
}
#: normalised cancel reason -> words looked for in Lazada's reason options
CANCEL_REASON_WORDS: dict[str, tuple[str, ...]] = {
    "out_of_stock": ("stock", "hết hàng"),
    "customer_request": ("customer", "buyer", "khách"),
    "undeliverable_area": ("area", "address", "khu vực"),
    "cod_not_supported": ("cod",),
}

_TZ_COMPACT = re.compile(r"\s*([+-])(\d{2}):?(\d{2})$")


# ------------------------------------------------------------------------- signatures


def _param_text(value: Any) -> str:
    """A parameter value as Lazada receives (and signs) it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def sign(app_secret: str, api_path: str, params: Mapping[str, Any]) -> str:
    """LazOP request signature: HMAC-SHA256 of path + sorted key+value, UPPER hex."""
    base = api_path + "".join(
        f"{key}{_param_text(params[key])}" for key in sorted(params) if key != "sign"
    )
    digest = hmac.new(app_secret.encode(), base.encode(), hashlib.sha256)
    return digest.hexdigest().upper()


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """Expected ``Authorization`` of a push: HMAC-SHA256(secret, app_key + body)."""
    message = str(app_key).encode() + body
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def country_sellers(tokens: TokenSet) -> list[dict[str, str]]:
    """The (country, seller_id, user_id, short_code) a token set serves.

    A cross-border seller's single token serves several countries; each country
    is a shop of its own in Odoo (``shop_external_id`` = that country's
    ``seller_id``), sharing the same tokens. Countries are lower case.
    """
    rows = []
    for row in tokens.extra.get("country_user_info") or []:
        if not isinstance(row, Mapping):
            continue
        rows.append(
            {
                "country": str(row.get("country") or "").lower(),
                "seller_id": str(row.get("seller_id") or ""),
                "user_id": str(row.get("user_id") or ""),
                "short_code": str(row.get("short_code") or ""),
            }
        )
    return rows


# --------------------------------------------------------------------------- helpers


def _epoch_time(value: Any) -> datetime | None:
    """Seconds or milliseconds since the epoch (Lazada uses both)."""
    if value in (None, "", 0, "0", "null"):
        return None
    number = int(str(value))
    if number > 10**11:
        return datetime.fromtimestamp(number / 1000, tz=timezone.utc)
    return datetime.fromtimestamp(number, tz=timezone.utc)


def _iso(moment: datetime) -> str:
    """ISO 8601 in UTC with an explicit offset, as the list filters expect."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def _is_true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1")


def _is_cancelled(
    item: Mapping[str, Any], status_map: Mapping[str, str] = ITEM_STATUS_MAP
) -> bool:
    status = str(item.get("status") or "").lower()
    return status_map.get(status) == _CANCELLED


def item_state(
    item: Mapping[str, Any], status_map: Mapping[str, str] = ITEM_STATUS_MAP
) -> str:
    """Normalised state of one order item (see the module docstring)."""
    state = status_map.get(str(item.get("status") or "").lower(), "pending")
    if state in _BEFORE_SHIPPING and _is_true(item.get("need_cancel_confirm")):
        return "in_cancel"
    return state


def order_state(
    items: Iterable[Mapping[str, Any]],
    status_map: Mapping[str, str] = ITEM_STATUS_MAP,
) -> str:
    """The order's state: the most advanced of its non-cancelled items."""
    states = [item_state(item, status_map) for item in items]
    live = [s for s in states if s != _CANCELLED]
    if not live:
        return _CANCELLED if states else "pending"
    return max(live, key=lambda s: STATE_RANK.index(s) if s in STATE_RANK else 0)


def _data(payload: Mapping[str, Any], what: str, kind: type = dict) -> Any:
    body = payload.get("data")
    if not isinstance(body, kind):
        raise PermanentError(
            f"malformed Lazada {what}: no 'data' {kind.__name__}",
            code="bad_response",
            request_id=_text(payload.get("request_id")),
        )
    return body


def _decimal_text(amount: Decimal) -> str:
    value = to_money(amount)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


# -------------------------------------------------------------------------- platform


@register
class LazadaPlatform(Platform):
    """Lazada Open Platform client for one seller in one country."""

    name = "lazada"
    info = PlatformInfo(
        label="Lazada",
        channel="lazada",
        region=True,
        api_hosts=frozenset(
            {
                "api.lazada.vn",
                "api.lazada.sg",
                "api.lazada.co.th",
                "api.lazada.com.my",
                "api.lazada.com.ph",
                "api.lazada.co.id",
                "auth.lazada.com",
            }
        ),
        # GetOrder(s)
        buyer_keys=(
            "customer_first_name",
            "customer_last_name",
            "address_shipping",
            "address_billing",
            "buyer_note",
            "buyer_id",
            "remarks",
        ),
    )
    default_base_url = API_HOSTS[DEFAULT_COUNTRY]
    #: /orders/items/get takes at most 50 order ids
    max_detail_batch = 50
    max_stock_batch = 50
    max_price_batch = 50
    #: Lazada documents no maximum range for /orders/get
    max_window = timedelta(days=30)
    status_map = ITEM_STATUS_MAP
    updates_per_item = False
    #: /orders/get returns at most 100 orders a page, each with its whole header
    order_page_size = 100
    refs_carry_headers = True
    #: /orders/get refuses larger offsets: the window start then moves on
    order_offset_ceiling = 5000
    product_page_size = 50

    def status_key(self, raw_status: str | None) -> str:
        return (raw_status or "").lower()

    # ------------------------------------------------------------ low level

    @property
    def country(self) -> str:
        """The venture (lower case), Vietnam unless configured."""
        return (self.config.country or DEFAULT_COUNTRY).strip().lower()

    @property
    def base_url(self) -> str:
        """API host of the shop's country (or ShopConfig.base_url)."""
        if self.config.base_url:
            return self.config.base_url.rstrip("/")
        try:
            return API_HOSTS[self.country]
        except KeyError:
            raise PermanentError(
                f"unknown Lazada country {self.country!r}", code="bad_country"
            ) from None

    @property
    def auth_base_url(self) -> str:
        """Token endpoints: auth.lazada.com/rest (or the configured/emulator host)."""
        return (self.config.auth_base_url or self.config.base_url or AUTH_URL).rstrip(
            "/"
        )

    def _app_key(self) -> str:
        if not self.config.app_key:
            raise AuthorizationError("Lazada app_key is not configured")
        return str(self.config.app_key)

    def _app_secret(self) -> str:
        if not self.config.app_secret:
            raise AuthorizationError("Lazada app_secret is not configured")
        return self.config.app_secret

    def _signed(
        self, path: str, params: Mapping[str, Any] | None, with_token: bool
    ) -> dict[str, str]:
        merged = {
            key: _param_text(value)
            for key, value in (params or {}).items()
            if value is not None
        }
        merged["app_key"] = self._app_key()
        merged["timestamp"] = str(int(self.now().timestamp() * 1000))
        merged["sign_method"] = "sha256"
        if with_token:
            token = self.config.access_token
            if not token:
                raise TokenExpired("no Lazada access token yet", code="no_token")
            merged["access_token"] = token
        merged["sign"] = sign(self._app_secret(), path, merged)
        return merged

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        auth_host: bool = False,
        with_token: bool = True,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        url = (self.auth_base_url if auth_host else self.base_url) + path

        def signed() -> dict[str, str]:
            return self._signed(path, params, with_token)

        post = method.upper() == "POST"
        return self.transport.request(
            method,
            url,
            parse=self._parse,
            params=None if post else signed,
            form=signed if post else None,
            limiter=self.limiter,
            idempotent=idempotent,
            timeout=self.config.timeout,
        )

    def _parse(self, response: requests.Response) -> dict[str, Any]:
        """Decode Lazada's envelope or raise the matching PlatformError."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            data = clean_json(response.json())
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if status == 429:
                raise RateLimited(
                    "Lazada throttled the call (HTTP 429)",
                    retry_after=retry_after,
                    http_status=status,
                )
            raise TransientError(
                f"Lazada returned a non-JSON response (HTTP {status})",
                code="bad_response",
                http_status=status,
            )
        request_id = _text(data.get("request_id"))
        code = _text(data.get("code"))
        if status == 429:
            raise RateLimited(
                f"Lazada throttled the call: {self._scrub(data.get('message'))}",
                retry_after=retry_after,
                code=code or "http_429",
                request_id=request_id,
                http_status=status,
            )
        if code not in (None, "0"):
            error = self._error(
                code, _text(data.get("type")), data.get("message"), request_id, status
            )
            if isinstance(error, RateLimited) and retry_after is not None:
                error.retry_after = retry_after
            error.detail = data.get("detail")
            raise error
        if status >= 500:
            raise TransientError(
                f"Lazada HTTP {status}", request_id=request_id, http_status=status
            )
        if status >= 400:
            raise PermanentError(
                f"Lazada HTTP {status}", request_id=request_id, http_status=status
            )
        return data

    def _scrub(self, text: Any) -> str:
        return scrub_text(str(text or ""), self.config.secrets())

    def _error(
        self,
        code: str,
        error_type: str | None,
        message: Any,
        request_id: str | None,
        status: int,
    ) -> PlatformError:
        """Map a Lazada error code and type to the error family."""
        text = self._scrub(message)
        kwargs = {"code": code, "request_id": request_id, "http_status": status}
        label = f"Lazada {code}" + (f" ({error_type})" if error_type else "")
        description = f"{label}: {text}" if text else label
        if code in _TOKEN_CODES:
            return TokenExpired(description, **kwargs)
        if code in _AUTH_CODES:
            return AuthorizationError(description, **kwargs)
        if code in _RATE_CODES:
            return RateLimited(description, retry_after=None, **kwargs)
        if (
            (error_type or "").upper() == "SYSTEM"
            or code in _TRANSIENT_CODES
            or status >= 500
        ):
            return TransientError(description, **kwargs)
        return PermanentError(description, **kwargs)

    # -------------------------------------------------------- authorization

    def authorize_url(self, redirect_uri: str, state: str | None = None) -> str:
        """The seller's consent page; it redirects to ``redirect_uri?code=..``."""
        host = self.auth_base_url.removesuffix("/rest")
        params = {
            "response_type": "code",
            "force_auth": "true",
            "redirect_uri": redirect_uri,
            "client_id": self._app_key(),
        }
        if state:
            params["state"] = state
        return f"{host}/oauth/authorize?{urlencode(params)}"

    def exchange_code(self, code: str, **params: Any) -> TokenSet:
        """Exchange the callback ``code`` (single use, 30 min) for tokens.

        ``extra`` holds ``country_user_info`` (see :func:`country_sellers`),
        ``country``, ``account`` and ``shop_id``: the seller id of this shop's
        country. ``shop_id=`` (or a configured shop_external_id) must be one of
        the token's sellers, else AuthorizationError (code ``seller_mismatch``).
        """
        data = self._request(
            "POST",
            "/auth/token/create",
            params={"code": code},
            auth_host=True,
            with_token=False,
            idempotent=False,
        )
        tokens = self._token_set(data, previous_refresh_expiry=None)
        wanted = _text(params.get("shop_id")) or _text(self.config.shop_external_id)
        sellers = country_sellers(tokens)
        if wanted:
            if sellers and wanted not in {s["seller_id"] for s in sellers}:
                raise AuthorizationError(
                    "the Lazada account authorized does not sell as this shop",
                    code="seller_mismatch",
                )
            seller = wanted
        else:
            seller = self._seller_for_country(sellers)
        if seller:
            tokens.extra["shop_id"] = seller
            self.config.shop_external_id = seller
        with self._token_lock:
            self._store_tokens(tokens)
        return tokens

    def _seller_for_country(self, sellers: list[dict[str, str]]) -> str | None:
        for row in sellers:
            if row["country"] == self.country:
                return row["seller_id"] or None
        if len(sellers) == 1:
            return sellers[0]["seller_id"] or None
        return None

    def _refresh_tokens(self) -> TokenSet:
        if not self.config.refresh_token:
            raise AuthorizationError("no Lazada refresh token: reconnect the shop")
        data = self._request(
            "POST",
            "/auth/token/refresh",
            params={"refresh_token": self.config.refresh_token},
            auth_host=True,
            with_token=False,
            idempotent=False,
        )
        tokens = self._token_set(
            data, previous_refresh_expiry=self.config.refresh_expires_at
        )
        if self.config.shop_external_id:
            tokens.extra["shop_id"] = str(self.config.shop_external_id)
        return tokens

    def _token_set(
        self, data: Mapping[str, Any], previous_refresh_expiry: datetime | None
    ) -> TokenSet:
        """TokenSet from a create/refresh answer.

        ``refresh_expires_in`` counts down from the first grant (a refresh does
        not extend it), so the expiry is recomputed and never moved later than
        what was known before.
        """
        now = self.now()
        with malformed("Lazada", "token response", _text(data.get("request_id"))):
            access = data["access_token"]
            if not access:
                raise ValueError("empty access_token")
            expires_in = int(str(data.get("expires_in") or 0))
            refresh_in = int(str(data.get("refresh_expires_in") or 0))
            info = data.get("country_user_info")
            if info is None:
                info = data.get("country_user_info_list")
            rows = [dict(r) for r in info or [] if isinstance(r, Mapping)]
        refresh_expires = now + timedelta(seconds=refresh_in) if refresh_in else None
        if previous_refresh_expiry is not None and (
            refresh_expires is None or refresh_expires > previous_refresh_expiry
        ):
            refresh_expires = previous_refresh_expiry
        extra: dict[str, Any] = {"country_user_info": rows}
        for key in ("country", "account", "account_platform"):
            if _text(data.get(key)):
                extra[key] = str(data[key])
        return TokenSet(
            access_token=str(access),
            refresh_token=_text(data.get("refresh_token")),
            access_expires_at=now + timedelta(seconds=expires_in)
            if expires_in
            else None,
            refresh_expires_at=refresh_expires,
            extra=extra,
        )

    # --------------------------------------------------------------- orders

    def _iter_order_refs_window(
        self, since: datetime, until: datetime
    ) -> Iterator[OrderRef]:
        """Offset pages, sorted by update time; past the offset ceiling the window
        start moves to the last update time seen and the offset restarts at 0."""
        start, offset = since, 0
        seen: set[str] = set()
        limit = self.order_page_size
        while True:
            page = self._call(self._orders_page, start, until, offset)
            body = _data(page, "order list")
            last: datetime | None = None
            with malformed("Lazada", "order list", _text(page.get("request_id"))):
                rows = body.get("orders") or []
                if not isinstance(rows, list):
                    raise TypeError("orders is not a list")
                total = body.get("countTotal")
                total = int(str(total)) if total not in (None, "") else None
                refs = []
                for row in rows:
                    external_id = str(row["order_id"])
                    updated = self._time(row.get("updated_at"))
                    if updated is not None and (last is None or updated > last):
                        last = updated
                    statuses = row.get("statuses") or []
                    refs.append(
                        OrderRef(
                            external_id=external_id,
                            update_time=updated,
                            status=",".join(sorted({str(s) for s in statuses})) or None,
                            header=dict(row),
                        )
                    )
            for ref in refs:
                if ref.external_id not in seen:
                    seen.add(ref.external_id)
                    yield ref
            if len(rows) < limit or (total is not None and offset + len(rows) >= total):
                return
            offset += limit
            if offset + limit > self.order_offset_ceiling:
                if last is None or last <= start:
                    raise PermanentError(
                        "Lazada order list: more orders share one update time than "
                        "the offset limit lets us page through",
                        code="offset_ceiling",
                    )
                start, offset = last, 0

    def _orders_page(
        self, since: datetime, until: datetime, offset: int
    ) -> dict[str, Any]:
        end = until.replace(microsecond=0)
        if until.microsecond:
            end += timedelta(seconds=1)
        return self._request(
            "GET",
            "/orders/get",
            params={
                "update_after": _iso(since.replace(microsecond=0)),
                "update_before": _iso(end),
                "sort_by": "updated_at",
                "sort_direction": "ASC",
                "limit": self.order_page_size,
                "offset": offset,
            },
        )

    def _get_orders_batch(self, ids: list[str]) -> list[Order]:
        return self._get_orders_batch_from_headers(ids, {})

    def _get_orders_batch_from_headers(
        self, ids: list[str], headers: Mapping[str, Mapping[str, Any]]
    ) -> list[Order]:
        """Listed headers where given (else ``/order/get``), then one items call;
        a listed header older than its items is read again."""
        rows: dict[str, Mapping[str, Any]] = {}
        listed: list[str] = []
        for external_id in ids:
            if not external_id.isdigit():
                continue  # Lazada order ids are numbers: not one of this shop's
            row = headers.get(external_id)
            if isinstance(row, Mapping):
                listed.append(external_id)
            else:
                row = self._read_header(external_id)
            if row is not None:
                rows[external_id] = row
        if not rows:
            return []
        items = self._order_items(list(rows))
        for external_id in listed:
            if self._header_behind(rows[external_id], items.get(external_id)):
                rows[external_id] = self._read_header(external_id) or rows[external_id]
        orders = []
        for external_id, row in rows.items():
            lines = items.get(external_id) or []
            try:
                with malformed("Lazada", "order"):
                    if isinstance(lines, str):
                        raise TypeError(lines)
                    orders.append(self._to_order(row, lines))
            except PermanentError as exc:
                # One unreadable order must not block the others of its batch.
                orders.append(self._unreadable_order(external_id, row, str(exc)))
        return orders

    def _read_header(self, external_id: str) -> Mapping[str, Any] | None:
        """One order's header (``/order/get``), None when Lazada knows no such
        order of this seller."""
        try:
            data = self._request("GET", "/order/get", params={"order_id": external_id})
        except AuthorizationError:
            raise
        except PermanentError as exc:
            if exc.code in _UNKNOWN_ORDER_CODES:
                return None
            raise
        return _data(data, "order")

    def _header_behind(
        self, header: Mapping[str, Any], items: list[Mapping[str, Any]] | str | None
    ) -> bool:
        """Whether a listed header may be older than the order's items: an item
        updated after it, or a header whose update time cannot be read."""
        stamp = self._safe_time(header.get("updated_at"))
        if stamp is None:
            return True
        if not isinstance(items, list):
            return False  # no items to compare: the order is unreadable anyway
        for item in items:
            updated = self._safe_time(item.get("updated_at"))
            if updated is not None and updated > stamp:
                return True
        return False

    def _safe_time(self, value: Any) -> datetime | None:
        try:
            return self._time(value)
        except (TypeError, ValueError, OverflowError):
            return None

    def header_buyer(self, header: Mapping[str, Any]) -> Buyer | None:
        if not isinstance(header, Mapping):
            return None
        address = header.get("address_shipping")
        phone = _text(address.get("phone")) if isinstance(address, Mapping) else None
        buyer_id = _text(header.get("buyer_id"))
        if not (phone or buyer_id):
            return None
        return Buyer(external_id=buyer_id, phone=phone)

    def _order_items(self, ids: list[str]) -> dict[str, list[Mapping[str, Any]] | str]:
        """Each order's items; an order whose items cannot be read maps to the
        problem (a string), so that the others of the batch are imported."""
        data = self._request(
            "GET", "/orders/items/get", params={"order_ids": f"[{','.join(ids)}]"}
        )
        rows = _data(data, "order items", list)
        found: dict[str, list[Mapping[str, Any]] | str] = {}
        for row in rows:
            if not isinstance(row, Mapping) or row.get("order_id") in (None, ""):
                continue  # not attributable: its order has no items, an exception
            items = row.get("order_items") or []
            if not isinstance(items, list):
                found[str(row["order_id"])] = "order_items is not a list"
                continue
            found[str(row["order_id"])] = [i for i in items if isinstance(i, dict)]
        return found

    def _unreadable_order(
        self, external_id: str, row: Mapping[str, Any], problem: str
    ) -> Order:
        try:
            update_time = self._time(row.get("updated_at"))
        except (TypeError, ValueError, OverflowError):
            update_time = None
        statuses = row.get("statuses") if isinstance(row.get("statuses"), list) else []
        status = ",".join(sorted({str(s) for s in statuses})) or "unknown"
        return Order(
            external_id=external_id[:64],
            status=status[:64],
            state="pending",
            create_time=None,
            update_time=update_time,
            currency="",
            total_amount=ZERO,
            raw={"order": dict(row)},
            problems=[problem],
        )

    def _time(self, value: Any) -> datetime | None:
        """Parse Lazada's ISO (``T`` or space, ``+08:00`` or ``+0800``) or epoch."""
        text = _text(value)
        if text is None or text.lower() == "null":
            return None
        if text.isdigit():
            return _epoch_time(text)
        text = text.replace("Z", "+00:00")
        match = _TZ_COMPACT.search(text)
        if match:
            sign_, hours, minutes = match.groups()
            text = text[: match.start()] + f"{sign_}{hours}:{minutes}"
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
        if moment.tzinfo is None:
            offset = timedelta(hours=UTC_OFFSETS.get(self.country, 7))
            moment = moment.replace(tzinfo=timezone(offset))
        return moment.astimezone(timezone.utc)

    def _to_order(
        self, row: Mapping[str, Any], items: list[Mapping[str, Any]]
    ) -> Order:
        if not items:
            raise ValueError("the order has no items")
        status_map = self.status_table()
        live = [i for i in items if not _is_cancelled(i, status_map)]
        cancelled = [i for i in items if _is_cancelled(i, status_map)]
        address = self._to_address(row.get("address_shipping") or {})
        first = live[0] if live else items[0]
        buyer_name = " ".join(
            t
            for t in (
                _text(row.get("customer_first_name")),
                _text(row.get("customer_last_name")),
            )
            if t
        )
        payment = _text(row.get("payment_method"))
        packages: dict[str, Package] = {}
        for item in live:
            number = _text(item.get("package_id")) or _text(item.get("tracking_code"))
            if number and number not in packages:
                packages[number] = Package(
                    package_number=_text(item.get("package_id")),
                    tracking_number=_text(item.get("tracking_code")),
                    carrier=_text(item.get("shipment_provider")),
                    logistics_status=_text(item.get("status")),
                )
        order = Order(
            external_id=str(row["order_id"]),
            status=",".join(sorted({str(i["status"]) for i in items})),
            state=order_state(items, status_map),
            unknown_statuses=self.unknown_statuses_of(
                *(str(i["status"]) for i in items)
            ),
            create_time=self._time(row.get("created_at")),
            update_time=self._time(row.get("updated_at")),
            currency=str(
                first.get("currency") or CURRENCIES.get(self.country) or "VND"
            ),
            total_amount=ZERO,
            lines=[self._to_line(i) for i in live],
            cancelled_lines=[self._to_line(i) for i in cancelled],
            buyer=Buyer(
                external_id=_text(row.get("buyer_id")) or _text(first.get("buyer_id")),
                name=buyer_name or address.name,
                phone=address.phone,
            ),
            shipping_address=address,
            payment_method=payment,
            cod=(payment or "").upper() == "COD",
            pay_time=_epoch_time(first.get("payment_time")),
            note=_text(row.get("remarks")),
            buyer_message=_text(row.get("buyer_note")),
            cancel_reason=next(
                (_text(i.get("reason")) for i in cancelled if _text(i.get("reason"))),
                None,
            ),
            cancelled_by=next(
                (
                    _text(i.get("cancel_return_initiator"))
                    for i in cancelled
                    if _text(i.get("cancel_return_initiator"))
                ),
                None,
            ),
            shipping_carrier=_text(first.get("shipment_provider")),
            packages=list(packages.values()),
            raw={"order": dict(row), "items": [dict(i) for i in items]},
        )
        self._fill_amounts(order, row, live, bool(cancelled))
        return order

    @staticmethod
    def _to_line(item: Mapping[str, Any]) -> OrderLine:
        price = to_money(item["item_price"])
        name = " - ".join(
            t for t in (_text(item.get("name")), _text(item.get("variation"))) if t
        )
        return OrderLine(
            external_id=str(item["order_item_id"]),
            item_id=_text(item.get("product_id")) or "",
            variant_id=_text(item.get("sku_id")),
            sku=_text(item.get("sku")),
            name=name,
            quantity=1,
            unit_price=price,
            discounted_unit_price=price,
            status=str(item["status"]),
        )

    def _to_address(self, addr: Mapping[str, Any]) -> Address:
        """address1 detail, address3 province, address4 city/district, address5
        third level (the ward in Vietnam), post_code, country (a name)."""
        country = _text(addr.get("country"))
        code = COUNTRY_NAMES.get((country or "").lower())
        if code is None and country and len(country) == 2:
            code = country.upper()
        code = code or self.country.upper()
        street = _text(addr.get("address1"))
        state = _text(addr.get("address3"))
        level2 = _text(addr.get("address4")) or _text(addr.get("city"))
        ward = _text(addr.get("address5"))
        if code == "VN":
            district, city = level2, None
        else:
            district, city = _text(addr.get("addressDsitrict")), level2
        name = " ".join(
            t
            for t in (_text(addr.get("first_name")), _text(addr.get("last_name")))
            if t
        )
        return Address(
            name=name or None,
            phone=_text(addr.get("phone")),
            full_address=", ".join(
                t for t in (street, ward, district, city, state) if t
            )
            or None,
            street=street,
            ward=ward,
            district=district,
            city=city,
            state=state,
            zip=_text(addr.get("post_code")),
            country_code=code,
        )

    @staticmethod
    def _fill_amounts(
        order: Order,
        row: Mapping[str, Any],
        live: list[Mapping[str, Any]],
        has_cancelled: bool,
    ) -> None:
        """Fill the amount components so that ``order.check_total() == 0``."""
        complete = True
        other = ZERO
        ship_net = ship_original = ship_discount = ZERO
        originals_known = True
        for item in live:
            price = to_money(item["item_price"])
            seller = to_money(item.get("voucher_seller"))
            platform = to_money(item.get("voucher_platform"))
            order.seller_voucher += seller
            order.platform_voucher += platform
            if item.get("paid_price") in (None, ""):
                complete = False
            else:
                other += price - to_money(item["paid_price"]) - seller - platform
            ship_net += to_money(item.get("shipping_amount"))
            if item.get("shipping_fee_original") in (None, ""):
                originals_known = False
            ship_original += to_money(item.get("shipping_fee_original"))
            ship_discount += to_money(item.get("shipping_fee_discount_seller"))
            ship_discount += to_money(item.get("shipping_fee_discount_platform"))
        if originals_known and ship_original - ship_discount == ship_net:
            order.shipping_fee, order.shipping_discount = ship_original, ship_discount
        else:
            order.shipping_fee, order.shipping_discount = ship_net, ZERO
        if other > 0:
            order.other_discounts += other
        else:
            order.other_fees -= other
        if other:
            complete = False
        computed = order.computed_total()
        if has_cancelled or row.get("price") in (None, ""):
            order.total_amount = computed
        else:
            order.total_amount = (
                to_money(row["price"])
                - to_money(row.get("voucher"))
                + to_money(row.get("shipping_fee"))
            )
        residual = order.check_total()
        if residual:
            complete = False
            _logger.warning(
                "Lazada order %s items differ from its total by %s",
                order.external_id,
                residual,
            )
            if residual > 0:
                order.other_discounts += residual
            else:
                order.other_fees -= residual
        order.amounts_complete = complete

    # --- fulfilment

    cancel_reasons = tuple(CANCEL_REASON_WORDS)
    return_page_size = 50

    def _result(self, data: Mapping[str, Any], what: str) -> Mapping[str, Any]:
        """The ``result.data`` of the fulfilment APIs, or the refusal they carry."""
        result = data.get("result")
        if not isinstance(result, Mapping):
            raise PermanentError(
                f"malformed Lazada {what}: no 'result'",
                code="bad_response",
                request_id=_text(data.get("request_id")),
            )
        if not _is_true(result.get("success")):
            code = _text(result.get("error_code")) or "failed"
            raise PermanentError(
                f"Lazada {what} refused: {code}: "
                f"{self._scrub(result.get('error_msg'))}",
                code=code,
                request_id=_text(data.get("request_id")),
            )
        body = result.get("data")
        return body if isinstance(body, Mapping) else {}

    def _item_errors(self, rows: Iterable[Mapping[str, Any]], what: str) -> None:
        failed = [r for r in rows if str(r.get("item_err_code", "0")) != "0"]
        if failed:
            raise PermanentError(
                f"Lazada {what} refused: "
                + "; ".join(self._scrub(r.get("msg")) for r in failed),
                code=str(failed[0].get("item_err_code")),
            )

    def _ship_order(self, order: Order, mode: str) -> Shipment:
        """Pack the live items (dropship), then ready-to-ship their package.

        Lazada takes pickup or drop-off from the seller's Seller Center setting,
        so ``mode`` is recorded but not sent.
        """
        items = [i for i in order.raw.get("items") or [] if not _is_cancelled(i)]
        if not items:
            raise PermanentError(
                f"Lazada order {order.external_id} has no item to ship",
                code="order_status",
            )
        statuses = {str(i.get("status") or "").lower() for i in items}
        item_ids = [int(i["order_item_id"]) for i in items]
        shipment = Shipment(
            order.external_id,
            carrier=order.shipping_carrier,
            mode=mode,
            extra={"order_item_ids": item_ids},
        )
        if statuses <= _ARRANGED:
            return self._get_tracking(shipment)
        if statuses <= _TO_PACK:
            data = self._request(
                "POST",
                "/order/fulfill/pack",
                params={
                    "packReq": json.dumps(
                        {
                            "pack_order_list": [
                                {
                                    "order_id": int(order.external_id),
                                    "order_item_list": item_ids,
                                }
                            ],
                            "delivery_type": "dropship",
                            "shipping_allocate_type": "TFS",
                        }
                    )
                },
                idempotent=False,
            )
            body = self._result(data, "pack")
            with malformed("Lazada", "pack", _text(data.get("request_id"))):
                rows = [
                    row
                    for group in body.get("pack_order_list") or []
                    for row in group.get("order_item_list") or []
                ]
                self._item_errors(rows, "pack")
                shipment.package_number = _text(rows[0].get("package_id"))
                shipment.tracking_number = _text(rows[0].get("tracking_number"))
                shipment.carrier = (
                    _text(rows[0].get("shipment_provider")) or shipment.carrier
                )
        elif statuses <= _PACKED:
            shipment.package_number = next(
                (_text(i.get("package_id")) for i in items if i.get("package_id")),
                None,
            )
        else:
            raise PermanentError(
                f"Lazada order {order.external_id} is {order.status}: "
                "it cannot be shipped",
                code="order_status",
            )
        if not shipment.package_number:
            raise PermanentError(
                f"Lazada gave no package for order {order.external_id}",
                code="bad_response",
            )
        data = self._request(
            "POST",
            "/order/package/rts",
            params={
                "readyToShipReq": json.dumps(
                    {"packages": [{"package_id": shipment.package_number}]}
                )
            },
            idempotent=False,
        )
        body = self._result(data, "ready to ship")
        self._item_errors(body.get("packages") or [], "ready to ship")
        if not shipment.tracking_number:
            return self._get_tracking(shipment)
        return shipment

    def _get_tracking(self, shipment: Shipment) -> Shipment:
        items = self._order_items([shipment.order_external_id]).get(
            shipment.order_external_id, []
        )
        if isinstance(items, str):
            raise PermanentError(
                f"malformed Lazada order items: {items}", code="bad_response"
            )
        live = [i for i in items if not _is_cancelled(i)]
        for item in live:
            if shipment.package_number and _text(item.get("package_id")) not in (
                None,
                shipment.package_number,
            ):
                continue
            shipment.package_number = shipment.package_number or _text(
                item.get("package_id")
            )
            if _text(item.get("tracking_code")):
                shipment.tracking_number = _text(item.get("tracking_code"))
                shipment.carrier = (
                    _text(item.get("shipment_provider")) or shipment.carrier
                )
                break
        return shipment

    def _get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        if not shipment.package_number or not shipment.tracking_number:
            return None
        data = self._request(
            "POST",
            "/order/package/document/get",
            params={
                "getDocumentReq": json.dumps(
                    {
                        "doc_type": "PDF",
                        "packages": [{"package_id": shipment.package_number}],
                    }
                )
            },
        )
        body = self._result(data, "shipping label")
        encoded = _text(body.get("file"))
        if not encoded:
            return None
        with malformed("Lazada", "shipping label", _text(data.get("request_id"))):
            content = base64.b64decode(encoded, validate=True)
        return ShippingDocument(
            filename=f"lazada-{shipment.order_external_id}.pdf", content=content
        )

    def _cancel_order(self, order: Order, reason: str, lines: list[OrderLine]) -> None:
        """Validate the cancellation (it gives the allowed reasons), then create it."""
        params = {
            "order_id": order.external_id,
            "order_item_id_list": json.dumps([int(li.external_id) for li in lines]),
        }
        data = self._request("GET", "/order/reverse/cancel/validate", params=params)
        body = _data(data, "cancel validation")
        options = body.get("reason_options") or []
        if not options:
            raise PermanentError(
                f"Lazada does not allow cancelling order {order.external_id}: "
                f"{self._scrub(body.get('tip_content') or 'no reason offered')}",
                code="not_cancellable",
            )
        words = CANCEL_REASON_WORDS[reason]
        option = next(
            (
                o
                for o in options
                if any(w in str(o.get("reason_name", "")).lower() for w in words)
            ),
            options[0],
        )
        self._request(
            "GET",
            "/order/reverse/cancel/create",
            params=dict(params, reason_id=option["reason_id"]),
            idempotent=False,
        )

    def _iter_returns_window(
        self, since: datetime, until: datetime
    ) -> Iterator[Return]:
        page_no = 1
        while True:
            data = self._call(
                self._request,
                "GET",
                "/reverse/getreverseordersforseller",
                params={
                    "page_no": page_no,
                    "page_size": self.return_page_size,
                    "update_start_time": int(since.timestamp() * 1000),
                    "update_end_time": int(until.timestamp() * 1000) + 999,
                },
            )
            body = _data(data, "reverse orders")
            with malformed("Lazada", "reverse orders", _text(data.get("request_id"))):
                rows = body.get("items") or []
                for row in rows:
                    if str(row.get("request_type", "")).upper() == "CANCEL":
                        continue  # cancellations follow the order's item statuses
                    yield self._to_return(row)
                total = int(body.get("total") or 0)
            if not rows or page_no * self.return_page_size >= total:
                return
            page_no += 1

    def _to_return(self, row: Mapping[str, Any]) -> Return:
        lines = row.get("reverse_order_lines") or []
        statuses = [str(li.get("reverse_status") or "") for li in lines]
        states = {LAZADA_RETURN_STATES.get(st, "requested") for st in statuses}
        state = states.pop() if len(states) == 1 else "requested"
        return Return(
            external_id=str(row["reverse_order_id"]),
            order_external_id=str(row["trade_order_id"]),
            status=",".join(sorted(set(statuses))),
            state=state,
            update_time=_epoch_time(
                max((li.get("return_order_line_gmt_modified") or 0) for li in lines)
                if lines
                else None
            ),
            refund_amount=sum(
                (to_money(li.get("refund_amount")) for li in lines), ZERO
            ),
            goods_returned=str(row.get("request_type", "")).upper() != "ONLY_REFUND",
            reason=next((_text(li.get("reason_text")) for li in lines), None),
            lines=[
                ReturnLine(
                    item_id=_text(li.get("product_id")),
                    variant_id=_text(li.get("sku_id")),
                    sku=_text(li.get("seller_sku_id")),
                    quantity=1,
                    refund_amount=to_money(li.get("refund_amount")),
                    order_line_external_id=_text(li.get("trade_order_line_id")),
                )
                for li in lines
            ],
            raw=dict(row),
        )

    # ------------------------------------------------------------- listings

    def iter_listings(self, filter_: str = "all") -> Iterator[Listing]:
        """Yield one Listing per SKU of every product (``filter`` all by default)."""
        offset = 0
        limit = self.product_page_size
        while True:
            page = self._call(self._products_page, offset, filter_)
            body = _data(page, "product list")
            listings = []
            with malformed("Lazada", "product list", _text(page.get("request_id"))):
                products = body.get("products") or []
                if not isinstance(products, list):
                    raise TypeError("products is not a list")
                total = body.get("total_products")
                total = int(str(total)) if total not in (None, "") else None
                for product in products:
                    listings.extend(self._product_listings(product))
            yield from listings
            if len(products) < limit or (
                total is not None and offset + len(products) >= total
            ):
                return
            offset += limit

    def _products_page(self, offset: int, filter_: str) -> dict[str, Any]:
        return self._request(
            "GET",
            "/products/get",
            params={
                "filter": filter_,
                "limit": self.product_page_size,
                "offset": offset,
            },
        )

    @staticmethod
    def _product_listings(product: Mapping[str, Any]) -> list[Listing]:
        item_id = str(product["item_id"])
        attributes = product.get("attributes") or {}
        name = str(attributes.get("name") or "")
        rows = []
        for sku in product.get("skus") or []:
            price = sku.get("price")
            quantity = sku.get("quantity")
            rows.append(
                Listing(
                    item_id=item_id,
                    variant_id=str(sku["SkuId"]),
                    sku=_text(sku.get("SellerSku")),
                    name=name,
                    status=_text(sku.get("Status")) or _text(product.get("status")),
                    price=to_money(price) if price not in (None, "") else None,
                    stock=int(str(quantity)) if quantity not in (None, "") else None,
                    raw={"item_id": item_id, **dict(sku)},
                )
            )
        return rows

    # ----------------------------------------------------- stock and prices

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        return self._send_update(
            updates, "Quantity", lambda u: str(max(0, int(u.quantity)))
        )

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        return self._send_update(updates, "Price", lambda u: _decimal_text(u.price))

    @staticmethod
    def update_payload(
        updates: list[StockUpdate] | list[PriceUpdate], tag: str, value_of: Any
    ) -> str:
        """The ``<Request><Product><Skus>`` XML of an update, escaped by ElementTree."""
        root = ET.Element("Request")
        skus = ET.SubElement(ET.SubElement(root, "Product"), "Skus")
        for update in updates:
            node = ET.SubElement(skus, "Sku")
            ET.SubElement(node, "ItemId").text = str(update.item_id)
            if update.variant_id not in (None, "", "0"):
                ET.SubElement(node, "SkuId").text = str(update.variant_id)
            if update.sku:
                ET.SubElement(node, "SellerSku").text = str(update.sku)
            ET.SubElement(node, tag).text = value_of(update)
        return ET.tostring(root, encoding="unicode")

    def _send_update(
        self,
        updates: list[StockUpdate] | list[PriceUpdate],
        tag: str,
        value_of: Any,
    ) -> list[UpdateResult]:
        """Send one batch; SKUs Lazada names as failed are reported, the others
        are sent once more on their own (values are absolute: resending is safe)."""
        failed: dict[int, tuple[str, str]] = {}
        pending = list(range(len(updates)))
        for _round in range(2):
            batch = [updates[i] for i in pending]
            try:
                self._request(
                    "POST",
                    "/product/price_quantity/update",
                    params={"payload": self.update_payload(batch, tag, value_of)},
                )
            except AuthorizationError:
                raise
            except PermanentError as exc:
                named = self._failed_skus(batch, getattr(exc, "detail", None))
                if not named or _round == 1:
                    for index in pending:
                        failed.setdefault(
                            index, (exc.code or "failed", exc.message or "")
                        )
                    break
                for position, message in named.items():
                    failed[pending[position]] = (exc.code or "failed", message)
                pending = [index for n, index in enumerate(pending) if n not in named]
                if not pending:
                    break
                continue
            break
        results = []
        for index, update in enumerate(updates):
            if index in failed:
                code, message = failed[index]
                results.append(
                    UpdateResult(
                        update.item_id,
                        update.variant_id,
                        update.sku,
                        False,
                        code,
                        self._scrub(message),
                    )
                )
            else:
                results.append(
                    UpdateResult(update.item_id, update.variant_id, update.sku, True)
                )
        return results

    @staticmethod
    def _failed_skus(
        batch: list[StockUpdate] | list[PriceUpdate], detail: Any
    ) -> dict[int, str]:
        """Positions in ``batch`` that an error's ``detail`` list names."""
        if not isinstance(detail, list):
            return {}
        named: dict[int, str] = {}
        for row in detail:
            if not isinstance(row, Mapping):
                continue
            seller_sku = _text(row.get("seller_sku") or row.get("SellerSku"))
            sku_id = _text(row.get("sku_id") or row.get("SkuId"))
            message = str(row.get("message") or row.get("field") or "failed")
            for position, update in enumerate(batch):
                if (seller_sku and update.sku == seller_sku) or (
                    sku_id and str(update.variant_id) == sku_id
                ):
                    named[position] = message
        return named

    # -------------------------------------------------------------- webhooks

    def verify_webhook(
        self, url: str, headers: Mapping[str, str], body: bytes
    ) -> Event:
        """Verify a Lazada push (see :meth:`Platform.verify_webhook`).

        ``Authorization`` = hex HMAC-SHA256(app_secret, app_key + raw body); the
        URL is not signed. ``timestamp`` is in ms (trade orders) or seconds
        (other messages); both are checked against the tolerance.
        """
        key, app_key = self.config.app_secret, self.config.app_key
        if not key or not app_key:
            raise WebhookRejected("no_secret", status=401)
        given = _header(headers, "Authorization")
        if not given:
            raise WebhookRejected("missing_signature", status=401)
        raw = body.encode() if isinstance(body, str) else bytes(body)
        expected = push_signature(str(app_key), key, raw).encode()
        if not hmac.compare_digest(expected, given.strip().lower().encode()):
            raise WebhookRejected("bad_signature", status=401)
        try:
            message = clean_json(json.loads(raw))
        except ValueError as exc:
            raise WebhookRejected("bad_body", status=400) from exc
        if not isinstance(message, dict):
            raise WebhookRejected("bad_body", status=400)
        try:
            sent_at = _epoch_time(message.get("timestamp"))
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise WebhookRejected("bad_timestamp", status=403) from exc
        self._check_freshness(sent_at)
        try:
            return self.event_from_message(message)
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise WebhookRejected("bad_body", status=400) from exc

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise a push message.

        Dedup keys: trade order messages (0) ``lazada:0:seller:order:line:status:
        status_update_time``; reverse orders (10) add the reverse order id and
        status; anything else is the sha256 of the canonical JSON.
        """
        message_type = int(str(message.get("message_type")))
        data = message.get("data")
        data = data if isinstance(data, Mapping) else {}
        seller = _text(message.get("seller_id"))
        if seller in (None, "null"):
            seller = _text(data.get("seller_id"))
        order_id = _text(data.get("trade_order_id"))
        line_id = _text(data.get("trade_order_line_id"))
        changed = data.get("status_update_time")
        if message_type == 0 and order_id:
            status = _text(data.get("order_status"))
            dedup = f"lazada:0:{seller}:{order_id}:{line_id}:{status}:{changed}"
        elif message_type == 10 and order_id:
            status = _text(data.get("reverse_status"))
            reverse = _text(data.get("reverse_order_id"))
            dedup = (
                f"lazada:10:{seller}:{order_id}:{line_id}:{reverse}:{status}:{changed}"
            )
        else:
            status = None
            canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
            dedup = "lazada:" + hashlib.sha256(canonical.encode()).hexdigest()
        if message_type == 8:
            update_time = _epoch_time(data.get("auth_expiry_time"))
        else:
            update_time = _epoch_time(changed) or _epoch_time(message.get("timestamp"))
        return Event(
            platform=self.name,
            dedup_key=dedup,
            kind=PUSH_KINDS.get(message_type, "other"),
            code=str(message_type),
            shop_external_id=seller,
            order_external_id=order_id if message_type in (0, 10) else None,
            status=status,
            update_time=update_time,
            raw=dict(message),
        )

    def fetch_lost_events(self) -> list[Event]:
        """Lazada keeps no lost pushes: the scheduled order sync covers misses."""
        return []

    # --------------------------------------------------------------- finance
    #
    # Lazada pays per statement (/finance/payout/status/get: statement_number,
    # payout, paid); the statement's rows come from
    # /finance/transaction/details/get (fee_name, amount, order_no,
    # orderItem_no, statement). Lazada credits the item at its price and pays
    # its own vouchers back inside that credit: the order items tell what the
    # buyer paid, and the rest is shown as the platform's subsidy.

    finance_page_size = 500
    #: a statement covers the rows since the previous one (weekly or so)
    settlement_lookback = timedelta(days=45)
    #: transaction details accept ranges shorter than 180 days
    finance_window = timedelta(days=179)
    #: fee_name -> normalised fee type (names as in Lazada's statements);
    #: a name not listed here is an adjustment (its name is kept)
    FEE_NAMES: dict[str, str] = {
        "item price credit": "order_amount",
        "shipping fee (paid by customer)": "order_amount",
        "promotional charges vouchers": "order_amount",
        "promotional charges flexi-combo": "order_amount",
        "reversal item price": "refund",
        "reversal shipping fee (paid by customer)": "refund",
        "reversal promotional charges vouchers": "refund",
        "commission": "commission",
        "reversal commission": "commission",
        "payment fee": "transaction_fee",
        "reversal payment fee": "transaction_fee",
        "shipping fee paid by seller": "shipping_fee",
        "shipping fee (charged by lazada)": "shipping_fee",
        "shipping fee voucher (by lazada)": "shipping_rebate",
        "shipping fee rebate": "shipping_rebate",
        "lazada bonus": "platform_subsidy",
        "lazada bonus - lzd co-fund": "platform_subsidy",
        "free shipping max fee": "service_fee",
        "lazcoins discount promotion fee": "service_fee",
        "marketing solution/social media advertising": "service_fee",
        "seller voucher": "seller_voucher",
    }

    def iter_settlements(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Settlement]:
        """Yield one Settlement per payout statement created in ``[since, until]``."""
        until = until or self.now()
        data = self._call(
            self._request,
            "GET",
            "/finance/payout/status/get",
            params={"created_after": self._local_date(since)},
        )
        statements = []
        with malformed("Lazada", "payout statements", _text(data.get("request_id"))):
            for row in _data(data, "payout statements", list):
                moment = self._time(row["created_at"])
                if moment is not None and since <= moment <= until:
                    statements.append((moment, row))
        if not statements:
            return
        statements.sort(key=lambda pair: (pair[0], str(pair[1]["statement_number"])))
        start = min(m for m, _row in statements) - self.settlement_lookback
        rows: dict[str, list[Mapping[str, Any]]] = {}
        for row in self._finance_rows(start, until):
            rows.setdefault(str(row.get("statement") or ""), []).append(row)
        for moment, statement in statements:
            yield self._settlement(
                statement, moment, rows.get(str(statement["statement_number"]), [])
            )

    def _local_date(self, moment: datetime) -> str:
        offset = timedelta(hours=UTC_OFFSETS.get(self.country, 7))
        return (moment + offset).strftime("%Y-%m-%d")

    def _finance_rows(
        self, since: datetime, until: datetime
    ) -> Iterator[Mapping[str, Any]]:
        seen: set[str] = set()
        for start, end in split_windows(since, until, self.finance_window):
            offset = 0
            while True:
                data = self._call(
                    self._request,
                    "GET",
                    "/finance/transaction/details/get",
                    params={
                        "start_time": self._local_date(start),
                        "end_time": self._local_date(end),
                        "limit": self.finance_page_size,
                        "offset": offset,
                    },
                )
                page = _data(data, "transaction details", list)
                for row in page:
                    if not isinstance(row, Mapping):
                        continue
                    key = str(row.get("transaction_number") or "") or json.dumps(
                        row, sort_keys=True
                    )
                    if key not in seen:  # window boundaries overlap by a day
                        seen.add(key)
                        yield row
                if len(page) < self.finance_page_size:
                    break
                offset += len(page)

    def _settlement(
        self,
        statement: Mapping[str, Any],
        moment: datetime,
        rows: list[Mapping[str, Any]],
    ) -> Settlement:
        with malformed("Lazada", "payout statement"):
            payout_text = str(statement.get("payout") or "0").split()
            currency = (
                payout_text[1]
                if len(payout_text) > 1
                else CURRENCIES.get(self.country, "VND")
            )
            settlement = Settlement(
                external_id=str(statement["statement_number"]),
                payout_time=moment,
                currency=currency,
                net_amount=to_money(payout_text[0].replace(",", "")),
                paid=_is_true(statement.get("paid")),
                raw={"statement": dict(statement), "rows": len(rows)},
            )
        lines: list[SettlementLine] = []
        sold: dict[str, set[str]] = {}
        refunded: dict[str, set[str]] = {}
        with malformed("Lazada", "transaction details"):
            for row in rows:
                name = str(row.get("fee_name") or row.get("transaction_type") or "")
                fee_type = self.FEE_NAMES.get(name.strip().lower(), "adjustment")
                order_id = _text(row.get("order_no"))
                item_id = _text(row.get("orderItem_no"))
                if order_id and item_id and fee_type in ("order_amount", "refund"):
                    target = sold if fee_type == "order_amount" else refunded
                    target.setdefault(order_id, set()).add(item_id)
                lines.append(
                    SettlementLine(
                        fee_type=fee_type,
                        amount=to_money(str(row.get("amount") or 0).replace(",", "")),
                        raw_code=name or "unknown",
                        order_external_id=order_id,
                        label=_text(row.get("details")) or name,
                        transaction_id=_text(row.get("transaction_number")),
                        time=self._row_time(row.get("transaction_date")),
                    )
                )
        lines = merge_lines(lines)
        orders = sorted(set(sold) | set(refunded))
        items: dict[str, list[Mapping[str, Any]]] = {}
        for chunk in chunked([o for o in orders if o.isdigit()], self.max_detail_batch):
            items.update(self._call(self._order_items, chunk))
        for order_id in orders:
            if order_id not in items:
                continue  # no order data: what Lazada credited stays the sale
            by_item = {str(i.get("order_item_id")): i for i in items[order_id]}
            with malformed("Lazada", "order items"):
                paid = sum(
                    (self._buyer_paid(by_item.get(i)) for i in sold.get(order_id, ())),
                    ZERO,
                )
                back = sum(
                    (
                        self._buyer_paid(by_item.get(i))
                        for i in refunded.get(order_id, ())
                    ),
                    ZERO,
                )
            if order_id in sold:
                settlement.buyer_paid[order_id] = paid
            lines.extend(subsidy_split(lines, order_id, "order_amount", paid))
            lines.extend(subsidy_split(lines, order_id, "refund", -back))
        settlement.lines = merge_lines(lines)
        settlement.balance()
        return settlement

    @staticmethod
    def _buyer_paid(item: Mapping[str, Any] | None) -> Decimal:
        if not item:
            return ZERO
        return to_money(item.get("paid_price")) + to_money(item.get("shipping_amount"))

    def _row_time(self, value: Any) -> datetime | None:
        text = _text(value)
        if not text:
            return None
        for pattern in ("%d %b %Y", "%d-%b-%Y"):
            try:
                moment = datetime.strptime(text, pattern)
            except ValueError:
                continue
            offset = timedelta(hours=UTC_OFFSETS.get(self.country, 7))
            return moment.replace(tzinfo=timezone(offset)).astimezone(timezone.utc)
        return self._time(text)
