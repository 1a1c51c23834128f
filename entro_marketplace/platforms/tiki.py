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
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import quote, urlencode

import requests

from . import PlatformInfo, register
from .base import Platform
from .errors import (
    AuthorizationError,
    PermanentError,
    RateLimited,
    TokenExpired,
    TransientError,
    WebhookRejected,
)
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
    StockUpdate,
    TokenSet,
    UpdateResult,
    to_money,
)
from .transport import clean_json, parse_retry_after, scrub_text

_logger = logging.getLogger(__name__)

API_URL = "https://api.tiki.vn"
DEFAULT_SCOPES = "offline product order inventory"
DEFAULT_UTC_OFFSET = 7
MIN_STATE_LENGTH = 8

#: Tiki order status (order v2) -> normalised state. ``queueing`` is the first
#: status a seller acts upon (Tiki accepted the order, the seller confirms it).
STATUS_MAP: dict[str, str] = {
    "waiting_payment": "unpaid",
    "payment_review": "pending",
    "processing": "pending",
    "holded": "pending",
    "queueing": "to_ship",
    "paid": "to_ship",
    "seller_confirmed": "to_ship",
    "packaging": "to_ship",
    "picking": "to_ship",
    "finished_packing": "to_ship",
    "ready_to_ship": "to_ship",
    "handover_to_partner": "shipped",
    "shipping": "shipped",
    "successful_delivery": "delivered",
    "delivered": "delivered",
    "complete": "completed",
    "closed": "completed",
    "failed_delivery": "to_return",
    "returned": "returned",
    "canceled": "cancelled",
    "cancelled": "cancelled",
}

#: Event types Entro subscribes every seller to.
ORDER_EVENTS = ("ORDER_CREATED_SUCCESSFULLY", "ORDER_STATUS_UPDATED")
PRODUCT_EVENTS = (
    "PRODUCT_PRICE_UPDATED",
    "PRODUCT_MARKET_PRICE_UPDATED",
    "PRODUCT_INVENTORY_UPDATED",
)
EVENT_TYPES = ORDER_EVENTS + PRODUCT_EVENTS

_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


# --------------------------------------------------------------------------- helpers


def _obj(row: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``row[key]`` when it is a JSON object, else an empty one."""
    value = row.get(key)
    return value if isinstance(value, Mapping) else {}


def check_state(expected: str | None, received: str | None) -> None:
    """Refuse an OAuth callback whose ``state`` is not the one we sent.

    :raise AuthorizationError: code ``bad_state``.
    """
    if (
        not expected
        or not received
        or not hmac.compare_digest(str(expected).encode(), str(received).encode())
    ):
        raise AuthorizationError(
            "the authorization answer does not carry the state we sent",
            code="bad_state",
        )


def _decimal_number(amount: Decimal) -> int | float:
    value = to_money(amount)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass
class QueueBatch:
    """One pull from an event queue: its events and the ``ack_id`` naming them."""

    ack_id: str | None
    events: list[Event] = field(default_factory=list)


@dataclass
class ItemFees:
    """What Tiki keeps and pays for one order item (payout side)."""

    item_id: str
    sku: str | None
    quantity: int
    seller_fee: Decimal
    seller_income: Decimal
    fees: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class OrderFees:
    """The seller's side of one order: fees per item and the income Tiki pays."""

    order_code: str
    items: list[ItemFees] = field(default_factory=list)

    @property
    def seller_fee(self) -> Decimal:
        return sum((i.seller_fee for i in self.items), ZERO)

    @property
    def seller_income(self) -> Decimal:
        return sum((i.seller_income for i in self.items), ZERO)

    def fees_by_type(self) -> dict[str, Decimal]:
        """Total of each fee type (``fee_type_name`` or ``fee_type_code``)."""
        totals: dict[str, Decimal] = {}
        for item in self.items:
            for fee in item.fees:
                key = str(fee.get("type") or "other")
                totals[key] = totals.get(key, ZERO) + to_money(fee.get("amount"))
        return totals


def order_fees(raw: Mapping[str, Any]) -> OrderFees:
    """The seller's fees and income of an order, from its v2 JSON.

    Each item's ``invoice.seller_fee``/``seller_income`` are Tiki's own figures
    (what the statement shows); ``fees[]`` break the fee down when the order was
    read with ``include=items.fees``.
    """
    with malformed("Tiki", "order fees"):
        result = OrderFees(order_code=str(raw["code"]))
        for item in raw.get("items") or []:
            invoice = item.get("invoice") or {}
            product = item.get("product") or {}
            fees = []
            for fee in item.get("fees") or invoice.get("fees") or []:
                if not isinstance(fee, Mapping):
                    continue
                kind = _obj(fee, "fee_type")
                fees.append(
                    {
                        "type": _text(fee.get("fee_type_name"))
                        or _text(kind.get("name"))
                        or _text(fee.get("fee_type_code"))
                        or _text(kind.get("code"))
                        or "other",
                        "amount": to_money(
                            fee.get("final_amount", fee.get("total_amount"))
                        ),
                    }
                )
            result.items.append(
                ItemFees(
                    item_id=str(item["id"]),
                    sku=_text(product.get("seller_product_code")),
                    quantity=int(str(invoice.get("quantity") or item.get("qty") or 0)),
                    seller_fee=to_money(invoice.get("seller_fee")),
                    seller_income=to_money(invoice.get("seller_income")),
                    fees=fees,
                )
            )
    return result


# -------------------------------------------------------------------------- platform


@register
class TikiPlatform(Platform):
    """Tiki Open API client for one seller (or for the app itself)."""

    name = "tiki"
    info = PlatformInfo(
        label="Tiki",
        channel="tiki",
        payouts_api=False,
        statement_upload=True,
        webhooks=False,
        pull_queue=True,
        app_type=True,
        api_hosts=frozenset({"api.tiki.vn", "api-sandbox.tiki.vn"}),
        # orders v2 (customer, shipping.address)
        buyer_keys=("customer", "full_name", "address", "street", "ward"),
    )
    default_base_url = API_URL
    #: one detail call per order: this is only how many orders a job takes
    max_detail_batch = 50
    #: updateSkus: Tiki documents no maximum (``extra["sku_batch_size"]``)
    max_stock_batch = 50
    max_price_batch = 50
    max_window = timedelta(days=30)
    status_map = STATUS_MAP
    updates_per_item = False
    order_page_size = 50
    #: no settlement API: the Seller Center statement is uploaded (tiki_statement)
    payouts_api = False
    product_page_size = 50

    #: client-credentials tokens of apps, shared by the process: {key: (token, exp)}
    _app_tokens: dict[str, tuple[str, datetime]] = {}
    _app_tokens_lock = threading.Lock()

    # ------------------------------------------------------------ settings

    def _extra(self, key: str, default: Any = None) -> Any:
        value = self.config.extra.get(key)
        return default if value in (None, "") else value

    @property
    def in_house(self) -> bool:
        """An in-house app authenticates itself (client credentials)."""
        return self._extra("app_type", "public") == "in_house"

    @property
    def utc_offset(self) -> timezone:
        """The zone Tiki prints its times in (Vietnam unless configured)."""
        return timezone(timedelta(hours=float(self._extra("utc_offset_hours", 7))))

    @property
    def sku_batch_size(self) -> int:
        return max(1, int(self._extra("sku_batch_size", self.max_stock_batch)))

    def _app_key(self) -> str:
        if not self.config.app_key:
            raise AuthorizationError("Tiki client id (app key) is not configured")
        return str(self.config.app_key)

    def _app_secret(self) -> str:
        if not self.config.app_secret:
            raise AuthorizationError("Tiki client secret is not configured")
        return self.config.app_secret

    def _scrub(self, text: Any) -> str:
        return scrub_text(str(text or ""), self.config.secrets())

    # ------------------------------------------------------------ low level

    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        token: str | None = None,
        idempotent: bool = True,
    ) -> Any:
        access = token or self.config.access_token
        if not access:
            raise TokenExpired("no Tiki access token yet", code="no_token")
        query = {k: v for k, v in (params or {}).items() if v is not None}
        return self.transport.request(
            method,
            self.base_url + path,
            parse=self._parse,
            params=query or None,
            json_body=json_body,
            headers={
                "Authorization": f"Bearer {access}",
                "Accept": "application/json",
            },
            limiter=self.limiter,
            idempotent=idempotent,
            timeout=self.config.timeout,
        )

    def _parse(self, response: requests.Response) -> Any:
        """Decode a Tiki answer or raise the matching error.

        Tiki's common exceptions: the HTTP status tells the kind, the body
        ``{"errors": [..]}`` (or OAuth's ``error``/``error_description``) the
        detail. 401 token missing/expired/not linked; 403 scope or seller
        inactive; 429 over 200 calls/s per seller; 5xx transient. Other 4xx are
        never retried, as Tiki asks.
        """
        status = response.status_code
        try:
            data = clean_json(response.json()) if response.content else None
        except ValueError:
            data = None
        request_id = _text(response.headers.get("X-Request-Id"))
        if 200 <= status < 300:
            if data is None and response.content:
                raise TransientError(
                    f"Tiki returned a non-JSON response (HTTP {status})",
                    code="bad_response",
                    http_status=status,
                )
            return data if data is not None else {}
        message = self._error_text(data) or f"HTTP {status}"
        code = self._error_code(data) or f"http_{status}"
        kwargs = {"code": code, "request_id": request_id, "http_status": status}
        text = f"Tiki {status}: {message}"
        if status == 429:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            raise RateLimited(text, retry_after=retry_after, **kwargs)
        if status >= 500:
            raise TransientError(text, **kwargs)
        if status == 401:
            if code in ("invalid_client", "unauthorized_client"):
                raise AuthorizationError(text, **kwargs)
            raise TokenExpired(text, **kwargs)
        if status == 403 or code in (
            "invalid_grant",
            "invalid_client",
            "unauthorized_client",
            "access_denied",
            "invalid_scope",
        ):
            raise AuthorizationError(text, **kwargs)
        error = PermanentError(text, **kwargs)
        error.detail = data
        raise error

    def _error_text(self, data: Any) -> str:
        if not isinstance(data, Mapping):
            return ""
        parts: list[str] = []
        errors = data.get("errors")
        if isinstance(errors, list):
            parts.extend(str(e) for e in errors if e not in (None, ""))
        elif errors:
            parts.append(str(errors))
        for key in ("error_description", "message", "error"):
            if data.get(key) and not parts:
                parts.append(str(data[key]))
        return self._scrub("; ".join(parts))[:500]

    @staticmethod
    def _error_code(data: Any) -> str | None:
        if isinstance(data, Mapping):
            return (
                _text(data.get("error"))
                if isinstance(data.get("error"), str)
                else (_text(data.get("code")))
            )
        return None

    # --------------------------------------------------------- authorization

    def authorize_url(self, redirect_uri: str, state: str | None = None) -> str:
        """Tiki's consent page; it redirects to ``redirect_uri?code=..&state=..``.

        :raise ValueError: without a ``state`` of at least 8 characters (Tiki
            requires one; the callback must check it came back unchanged).
        """
        if not state or len(state) < MIN_STATE_LENGTH:
            raise ValueError("Tiki needs a random state of at least 8 characters")
        params = {
            "response_type": "code",
            "client_id": self._app_key(),
            "redirect_uri": redirect_uri,
            "scope": self._extra("scopes", DEFAULT_SCOPES),
            "state": state,
        }
        host = (self.config.auth_base_url or self.base_url).rstrip("/")
        return f"{host}/sc/oauth2/auth?{urlencode(params, quote_via=quote)}"

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        body = dict(form)
        if self._extra("token_auth_method", "basic") == "post":
            body["client_id"] = self._app_key()
            body["client_secret"] = self._app_secret()
        else:
            pair = f"{self._app_key()}:{self._app_secret()}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        host = (self.config.auth_base_url or self.base_url).rstrip("/")
        data = self.transport.request(
            "POST",
            host + "/sc/oauth2/token",
            parse=self._parse,
            form=body,
            headers=headers,
            limiter=self.limiter,
            idempotent=False,
            timeout=self.config.timeout,
        )
        if not isinstance(data, Mapping):
            raise PermanentError("malformed Tiki token response", code="bad_response")
        return dict(data)

    def _token_set(self, data: Mapping[str, Any]) -> TokenSet:
        now = self.now()
        with malformed("Tiki", "token response"):
            access = str(data["access_token"])
            if not access:
                raise ValueError("empty access_token")
            expires_in = int(str(data.get("expires_in") or 0))
            refresh_in = int(str(data.get("refresh_expires_in") or 0))
        extra = {k: str(data[k]) for k in ("scope", "token_type") if _text(data.get(k))}
        return TokenSet(
            access_token=access,
            refresh_token=_text(data.get("refresh_token")),
            access_expires_at=now + timedelta(seconds=expires_in)
            if expires_in
            else None,
            refresh_expires_at=now + timedelta(seconds=refresh_in)
            if refresh_in
            else None,
            extra=extra,
        )

    def exchange_code(self, code: str, **params: Any) -> TokenSet:
        """Exchange the callback ``code`` for the seller's tokens.

        ``redirect_uri=`` must be the one sent to :meth:`authorize_url` when Tiki
        checks it; ``state=`` and ``expected_state=``, when given, are compared
        (:func:`check_state`). The seller's id is read from ``sellers/me`` into
        ``extra["shop_id"]``.
        """
        if "expected_state" in params or "state" in params:
            check_state(params.get("expected_state"), params.get("state"))
        form = {"grant_type": "authorization_code", "code": code}
        if params.get("redirect_uri"):
            form["redirect_uri"] = str(params["redirect_uri"])
        tokens = self._token_set(self._token_request(form))
        self._adopt_seller(tokens, params.get("shop_id"))
        with self._token_lock:
            self._store_tokens(tokens)
        return tokens

    def client_credentials(self) -> TokenSet:
        """An in-house app's own token (it is the seller); stored and reported."""
        tokens = self._token_set(
            self._token_request({"grant_type": "client_credentials"})
        )
        self._adopt_seller(tokens, None)
        with self._token_lock:
            self._store_tokens(tokens)
        return tokens

    def _adopt_seller(self, tokens: TokenSet, wanted: Any) -> None:
        seller = self.get_seller(token=tokens.access_token)
        seller_id = _text(seller.get("id") or seller.get("sid"))
        wanted = _text(wanted) or _text(self.config.shop_external_id)
        if wanted and seller_id and wanted != seller_id:
            raise AuthorizationError(
                "the Tiki account authorized does not sell as this shop",
                code="seller_mismatch",
            )
        if seller_id:
            tokens.extra["shop_id"] = seller_id
            tokens.extra["seller_name"] = _text(seller.get("name")) or ""
            self.config.shop_external_id = seller_id

    def _refresh_tokens(self) -> TokenSet:
        if self.in_house:
            return self._token_set(
                self._token_request({"grant_type": "client_credentials"})
            )
        if not self.config.refresh_token:
            raise AuthorizationError("no Tiki refresh token: authorize the shop again")
        tokens = self._token_set(
            self._token_request(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": self.config.refresh_token,
                }
            )
        )
        if not tokens.refresh_token:
            tokens.refresh_token = self.config.refresh_token
        return tokens

    def _token_needs_refresh(self) -> bool:
        expires = self.config.access_expires_at
        if expires is None or not (self.in_house or self.config.refresh_token):
            return False
        return self.now() >= expires - self.token_refresh_margin

    def app_token(self) -> str:
        """The app's own client-credentials token (public apps own their queues).

        Cached in the process until a minute before it expires. An in-house app
        is its own seller: its token is the shop's token.
        """
        if self.in_house:
            if self._token_needs_refresh() or not self.config.access_token:
                self.refresh_tokens()
            return str(self.config.access_token)
        key = f"{self.base_url}|{self._app_key()}"
        with self._app_tokens_lock:
            cached = self._app_tokens.get(key)
            if cached and cached[1] - timedelta(seconds=60) > self.now():
                return cached[0]
        tokens = self._token_set(
            self._token_request({"grant_type": "client_credentials"})
        )
        expires = tokens.access_expires_at or self.now() + timedelta(minutes=5)
        with self._app_tokens_lock:
            self._app_tokens[key] = (tokens.access_token, expires)
        return tokens.access_token

    def _forget_app_token(self) -> None:
        with self._app_tokens_lock:
            self._app_tokens.pop(f"{self.base_url}|{self.config.app_key}", None)

    def _as_app(self, fn: Any, *args: Any) -> Any:
        """Call ``fn(token, *args)`` with the app's token; renew it once if refused."""
        if self.in_house:
            return self._call(lambda: fn(self.config.access_token, *args))
        try:
            return fn(self.app_token(), *args)
        except TokenExpired:
            self._forget_app_token()
            return fn(self.app_token(), *args)

    # ---------------------------------------------------------------- seller

    def get_seller(self, token: str | None = None) -> dict[str, Any]:
        """``GET /integration/v2/sellers/me``: id, name, operation models..."""
        if token:
            data = self._request("GET", "/integration/v2/sellers/me", token=token)
        else:
            data = self._call(self._request, "GET", "/integration/v2/sellers/me")
        if not isinstance(data, Mapping):
            raise PermanentError("malformed Tiki seller", code="bad_response")
        return dict(data)

    def get_warehouses(self) -> list[dict[str, Any]]:
        """The seller's warehouses (``sellers/me/warehouses``)."""
        data = self._call(self._request, "GET", "/integration/v2/sellers/me/warehouses")
        rows = data.get("data") if isinstance(data, Mapping) else data
        return [dict(r) for r in rows or [] if isinstance(r, Mapping)]

    # ---------------------------------------------------------------- orders

    def _format_time(self, moment: datetime) -> str:
        return moment.astimezone(self.utc_offset).strftime(_TIME_FORMAT)

    def _time(self, value: Any) -> datetime | None:
        """Tiki's ``YYYY-MM-DD HH:MM:SS`` (zone-less: Vietnam time), ISO or epoch."""
        text = _text(value)
        if text is None:
            return None
        if text.isdigit():
            number = int(text)
            if number > 10**11:
                number //= 1000
            return datetime.fromtimestamp(number, tz=timezone.utc)
        moment = datetime.fromisoformat(
            text.replace("Z", "+00:00").replace(" ", "T", 1)
        )
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.utc_offset)
        return moment.astimezone(timezone.utc)

    def _iter_order_refs_window(
        self, since: datetime, until: datetime
    ) -> Iterator[OrderRef]:
        end = until.replace(microsecond=0)
        if until.microsecond:
            end += timedelta(seconds=1)
        page = 1
        while True:
            data = self._call(
                self._request,
                "GET",
                "/integration/v2/orders",
                params={
                    "page": page,
                    "limit": self.order_page_size,
                    "updated_from_date": self._format_time(
                        since.replace(microsecond=0)
                    ),
                    "updated_to_date": self._format_time(end),
                    "order_by": "updated_at|asc",
                },
            )
            rows, last_page = self._page(data, "order list")
            with malformed("Tiki", "order list"):
                refs = [
                    OrderRef(
                        external_id=str(row["code"]),
                        update_time=self._time(row.get("updated_at")),
                        status=_text(row.get("status")),
                    )
                    for row in rows
                ]
            yield from refs
            if not rows or (last_page is not None and page >= last_page):
                return
            page += 1

    @staticmethod
    def _page(data: Any, what: str) -> tuple[list[Mapping[str, Any]], int | None]:
        if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
            raise PermanentError(
                f"malformed Tiki {what}: no 'data' list", code="bad_response"
            )
        paging = _obj(data, "paging")
        last = paging.get("last_page")
        try:
            last_page = int(str(last)) if last not in (None, "") else None
        except ValueError:
            last_page = None
        rows = [r for r in data["data"] if isinstance(r, Mapping)]
        return rows, last_page

    def _get_orders_batch(self, ids: list[str]) -> list[Order]:
        """Up to 50 orders in one call: the order list filtered by ``code`` (a
        comma list), with items and fees. An order the list does not return is
        read alone (``/orders/{code}``), so that none is missed should the
        filter take fewer codes than asked; a 404 there means not this seller's.
        """
        codes = [c for c in ids if c.isalnum()]  # else not a Tiki order code
        if not codes:
            return []
        listed = self._orders_by_code(codes)
        orders = []
        for code in codes:
            row = listed.get(code)
            if row is None:
                row = self._order_alone(code)
                if row is None:
                    continue
            if not isinstance(row, Mapping):
                orders.append(self._unreadable(code, {}, "not a JSON object"))
                continue
            try:
                with malformed("Tiki", "order"):
                    orders.append(self.to_order(row))
            except PermanentError as exc:
                orders.append(self._unreadable(code, row, str(exc)))
        return orders

    def _orders_by_code(self, codes: list[str]) -> dict[str, Mapping[str, Any]]:
        data = self._request(
            "GET",
            "/integration/v2/orders",
            params={
                "code": ",".join(codes),
                "page": 1,
                "limit": len(codes),
                "include": "items.fees,status_histories",
            },
        )
        rows, _last = self._page(data, "order list")
        wanted = set(codes)
        return {
            str(row.get("code")): row for row in rows if str(row.get("code")) in wanted
        }

    def _order_alone(self, code: str) -> Any:
        try:
            return self._request(
                "GET",
                f"/integration/v2/orders/{code}",
                params={"include": "items.fees,status_histories"},
            )
        except AuthorizationError:
            raise
        except PermanentError as exc:
            if exc.http_status == 404:
                return None
            raise

    def _unreadable(self, code: str, row: Mapping[str, Any], problem: str) -> Order:
        try:
            update_time = self._time(row.get("updated_at"))
        except (TypeError, ValueError, OverflowError):
            update_time = None
        return Order(
            external_id=str(code)[:64],
            status=str(row.get("status") or "unknown")[:64],
            state="pending",
            create_time=None,
            update_time=update_time,
            currency="",
            total_amount=ZERO,
            raw={"order": dict(row)},
            problems=[problem],
        )

    def to_order(self, row: Mapping[str, Any]) -> Order:
        """Normalise one order v2 JSON (see the module docstring)."""
        items = [i for i in row.get("items") or [] if isinstance(i, Mapping)]
        if not items:
            raise ValueError("the order has no items")
        shipping = _obj(row, "shipping")
        addr = _obj(shipping, "address")
        customer = _obj(row, "customer")
        payment = _obj(row, "payment")
        invoice = _obj(row, "invoice")
        cancel = _obj(row, "cancel_info")
        status = str(row["status"])
        address = Address(
            name=_text(addr.get("full_name")),
            phone=_text(addr.get("phone")),
            street=_text(addr.get("street")),
            ward=_text(addr.get("ward")),
            district=_text(addr.get("district")),
            state=_text(addr.get("region")),
            country_code=(_text(addr.get("country")) or "VN")[:2].upper(),
        )
        address.full_address = (
            ", ".join(
                t
                for t in (address.street, address.ward, address.district, address.state)
                if t
            )
            or None
        )
        method = _text(payment.get("method"))
        tracking = _text(shipping.get("tracking_code"))
        partner = _obj(shipping, "partner")
        carrier = _text(partner.get("partner_name")) or _text(
            shipping.get("partner_name")
        )
        order = Order(
            external_id=str(row["code"]),
            status=status,
            state=self.normalise_status(status),
            create_time=self._time(row.get("created_at")),
            update_time=self._time(row.get("updated_at")),
            currency="VND",
            total_amount=ZERO,
            lines=[self._to_line(i) for i in items],
            buyer=Buyer(
                external_id=_text(customer.get("id")),
                name=_text(customer.get("full_name")) or address.name,
                phone=_text(customer.get("phone")),
                email=_text(customer.get("email")),
            ),
            shipping_address=address,
            payment_method=method,
            cod=(method or "").lower() == "cod",
            cancel_reason=_text(cancel.get("reason_text"))
            or _text(cancel.get("reason")),
            cancelled_by=_text(cancel.get("cancelled_by")),
            shipping_carrier=carrier,
            packages=[Package(tracking_number=tracking, carrier=carrier)]
            if tracking
            else [],
            raw={"order": dict(row)},
            unknown_statuses=self.unknown_statuses_of(status),
        )
        self._fill_amounts(order, invoice, items)
        return order

    @staticmethod
    def _to_line(item: Mapping[str, Any]) -> OrderLine:
        product = _obj(item, "product")
        invoice = _obj(item, "invoice")
        quantity = int(str(invoice.get("quantity") or item.get("qty") or 0))
        if quantity <= 0:
            raise ValueError(f"item {item.get('id')} has no quantity")
        price = to_money(invoice["price"])
        confirmation = item.get("confirmation")
        return OrderLine(
            external_id=str(item["id"]),
            item_id=str(product.get("id") or ""),
            variant_id=None,
            sku=_text(product.get("seller_product_code")) or _text(product.get("sku")),
            name=str(product.get("name") or ""),
            quantity=quantity,
            unit_price=price,
            discounted_unit_price=price,
            status=_text(confirmation.get("status"))
            if isinstance(confirmation, Mapping)
            else None,
        )

    @staticmethod
    def _fill_amounts(
        order: Order, invoice: Mapping[str, Any], items: list[Mapping[str, Any]]
    ) -> None:
        complete = True
        for item in items:
            inv = item.get("invoice") or {}
            coupon = to_money(inv.get("discount_coupon"))
            if inv.get("is_seller_discount_coupon") in (True, "true", 1, "1"):
                order.seller_voucher += coupon
            else:
                order.platform_voucher += coupon
            order.coins += to_money(inv.get("discount_tikixu"))
            order.other_discounts += (
                to_money(inv.get("discount_promotion"))
                + to_money(inv.get("discount_percent"))
                + to_money(inv.get("discount_other"))
            )
        ship_discount = to_money(invoice.get("shipping_discount_amount"))
        order.shipping_fee = (
            to_money(invoice.get("shipping_amount_after_discount")) + ship_discount
        )
        order.shipping_discount = ship_discount
        order.other_fees = to_money(invoice.get("handling_fee")) + to_money(
            invoice.get("other_fee")
        )
        if invoice.get("grand_total") in (None, ""):
            complete = False
            order.total_amount = order.computed_total()
        else:
            order.total_amount = to_money(invoice["grand_total"])
        residual = order.check_total()
        if residual:
            complete = False
            _logger.warning(
                "Tiki order %s items differ from its total by %s",
                order.external_id,
                residual,
            )
            if residual > 0:
                order.other_discounts += residual
            else:
                order.other_fees -= residual
        order.amounts_complete = complete

    def get_order_fees(self, code: str) -> OrderFees:
        """The seller's fees and income of one order (payout side)."""
        row = self._call(
            self._request,
            "GET",
            f"/integration/v2/orders/{code}",
            params={"include": "items.fees"},
        )
        return order_fees(row)

    # -------------------------------------------------------- confirmation

    def list_seller_inventories(self, tiki_warehouse_code: str) -> list[dict[str, Any]]:
        """Seller inventories usable to confirm an order of that Tiki warehouse."""
        data = self._call(
            self._request,
            "GET",
            "/integration/v2/seller-inventories",
            params={"tiki_warehouse_codes": tiki_warehouse_code},
        )
        rows = data.get("data") if isinstance(data, Mapping) else data
        return [dict(r) for r in rows or [] if isinstance(r, Mapping)]

    def confirm_available(
        self,
        code: str,
        item_ids: list[str],
        seller_inventory_id: str | None = None,
    ) -> dict[str, Any]:
        """Confirm the available items of an instock/seller-delivery order."""
        body: dict[str, Any] = {"item_ids": [int(i) for i in item_ids]}
        if seller_inventory_id:
            body["seller_inventory_id"] = int(seller_inventory_id)
        return self._call(
            self._request,
            "POST",
            f"/integration/v2/orders/{code}/confirm-available",
            json_body=body,
            idempotent=False,
        )

    def confirm_dropship(
        self,
        code: str,
        item_ids: list[str],
        expected_pickup_time: datetime | None = None,
    ) -> dict[str, Any]:
        """Confirm the available items of a dropship order (with the pickup time)."""
        body: dict[str, Any] = {"item_ids": [int(i) for i in item_ids]}
        if expected_pickup_time is not None:
            body["expected_pickup_time"] = self._format_time(expected_pickup_time)
        return self._call(
            self._request,
            "POST",
            f"/integration/v2/orders/{code}/dropship/confirm-available",
            json_body=body,
            idempotent=False,
        )

    # -------------------------------------------------------------- listings

    def iter_listings(self) -> Iterator[Listing]:
        """One Listing per Tiki product (a Tiki product is one SKU)."""
        page = 1
        while True:
            data = self._call(
                self._request,
                "GET",
                "/integration/v2/products",
                params={"page": page, "limit": self.product_page_size},
            )
            rows, last_page = self._page(data, "product list")
            with malformed("Tiki", "product list"):
                listings = [self._to_listing(row) for row in rows]
            yield from listings
            if not rows or (last_page is not None and page >= last_page):
                return
            page += 1

    @staticmethod
    def _to_listing(row: Mapping[str, Any]) -> Listing:
        inventory = _obj(row, "inventory")
        quantity = inventory.get("quantity_available")
        if quantity in (None, ""):
            rows = inventory.get("warehouse_quantities") or row.get(
                "warehouse_quantities"
            )
            if isinstance(rows, list):
                quantity = sum(int(str(w.get("qty_available") or 0)) for w in rows)
        price = row.get("price")
        active = row.get("active")
        return Listing(
            item_id=str(row["product_id"]),
            variant_id=None,
            sku=_text(row.get("original_sku")) or _text(row.get("sku")),
            name=str(row.get("name") or ""),
            status="active" if active in (1, True, "1", "true") else "inactive",
            price=to_money(price) if price not in (None, "") else None,
            stock=int(str(quantity)) if quantity not in (None, "") else None,
            raw=dict(row),
        )

    def warehouse_id(self) -> str:
        """The seller warehouse stock is pushed to: configured, or the only one."""
        configured = _text(self._extra("warehouse_id"))
        if configured:
            return configured
        warehouses = self.get_warehouses()
        if len(warehouses) == 1 and _text(warehouses[0].get("id")):
            return str(warehouses[0]["id"])
        raise PermanentError(
            "the Tiki seller has several warehouses: choose the one Entro pushes "
            "stock to on the shop",
            code="warehouse_required",
        )

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        warehouse = self.warehouse_id()
        return self._update_skus(
            updates,
            lambda u: {
                "warehouse_quantities": [
                    {
                        "warehouse_id": int(warehouse)
                        if warehouse.isdigit()
                        else warehouse,
                        "qty_available": max(0, int(u.quantity)),
                    }
                ]
            },
        )

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        return self._update_skus(updates, lambda u: {"price": _decimal_number(u.price)})

    def update_stock(self, updates: Any) -> list[UpdateResult]:
        """Push stock in ``updateSkus`` batches (size: ``extra["sku_batch_size"]``)."""
        self.max_stock_batch = self.sku_batch_size
        return super().update_stock(updates)

    def update_price(self, updates: Any) -> list[UpdateResult]:
        """Push prices in ``updateSkus`` batches."""
        self.max_price_batch = self.sku_batch_size
        return super().update_price(updates)

    def _update_skus(self, updates: list[Any], values: Any) -> list[UpdateResult]:
        """``PUT /integration/v2.1/products/updateSkus``; values are absolute, so a
        whole batch refused for one bad SKU is not resent: each SKU the answer
        names is reported failed, the others succeeded."""
        rows = []
        for update in updates:
            row: dict[str, Any] = {}
            if str(update.item_id).isdigit():
                row["product_id"] = int(update.item_id)
            elif update.sku:
                row["original_sku"] = update.sku
            row.update(values(update))
            rows.append(row)
        try:
            data = self._request(
                "PUT", "/integration/v2.1/products/updateSkus", json_body={"data": rows}
            )
        except AuthorizationError:
            raise
        except PermanentError as exc:
            named = self._failed_rows(updates, getattr(exc, "detail", None))
            if not named:
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
            data = exc.detail
        named = self._failed_rows(updates, data)
        return [
            UpdateResult(u.item_id, u.variant_id, u.sku, False, "rejected", named[n])
            if n in named
            else UpdateResult(u.item_id, u.variant_id, u.sku, True)
            for n, u in enumerate(updates)
        ]

    def _failed_rows(self, updates: list[Any], data: Any) -> dict[int, str]:
        """Positions in ``updates`` that an answer's per-SKU results refuse."""
        if not isinstance(data, Mapping):
            return {}
        rows = data.get("data") if isinstance(data.get("data"), list) else None
        rows = rows if rows is not None else data.get("errors")
        if not isinstance(rows, list):
            return {}
        named: dict[int, str] = {}
        for row in rows:
            if not isinstance(row, Mapping):
                continue
            state = str(row.get("state") or row.get("status") or "").lower()
            errors = row.get("errors") or row.get("message")
            if state in ("success", "approved", "ok") and not errors:
                continue
            if not errors and not state:
                continue
            product_id = _text(row.get("product_id"))
            sku = _text(row.get("original_sku"))
            message = (
                self._scrub(
                    "; ".join(map(str, errors)) if isinstance(errors, list) else errors
                )
                or state
            )
            for position, update in enumerate(updates):
                if (product_id and str(update.item_id) == product_id) or (
                    sku and update.sku == sku
                ):
                    named[position] = message[:250]
        return named

    # ----------------------------------------------------------- event queue

    def list_queues(self) -> list[dict[str, Any]]:
        """The app's queues."""
        data = self._as_app(
            lambda token: self._request("GET", "/integration/v1/queues", token=token)
        )
        rows = data.get("data") if isinstance(data, Mapping) else data
        return [dict(r) for r in rows or [] if isinstance(r, Mapping)]

    def create_queue(self, name: str) -> str:
        """Create one of the app's queues; return its code."""
        data = self._as_app(
            lambda token: self._request(
                "POST",
                "/integration/v1/queues",
                json_body={"name": name},
                token=token,
                idempotent=False,
            )
        )
        code = _text(data.get("code")) if isinstance(data, Mapping) else None
        if not code:
            raise PermanentError(
                "Tiki created a queue without code", code="bad_response"
            )
        return code

    def ensure_queue(self, name: str) -> str:
        """The code of the app's queue called ``name``, created when missing."""
        for queue in self.list_queues():
            if queue.get("name") == name and _text(queue.get("code")):
                return str(queue["code"])
        return self.create_queue(name)

    def subscribe(
        self, queue_code: str, event_types: tuple[str, ...] = EVENT_TYPES
    ) -> list[str]:
        """Subscribe this seller (its own token) to ``event_types`` in the queue.

        Subscriptions that already exist are left alone; returns the event
        types subscribed to now.
        """
        try:
            data = self._call(
                self._request,
                "GET",
                f"/integration/v1/queues/{queue_code}/subscriptions",
            )
        except AuthorizationError:
            raise
        except PermanentError as exc:
            # listing them may be the app's right only: subscribe to every type
            _logger.info("Tiki subscriptions of %s not listed: %s", queue_code, exc)
            data = []
        rows = data.get("data") if isinstance(data, Mapping) else data
        have = {
            str(r.get("event_type"))
            for r in rows or []
            if isinstance(r, Mapping) and r.get("active", True)
        }
        added = []
        for event_type in event_types:
            if event_type in have:
                continue
            try:
                self._call(
                    self._request,
                    "POST",
                    f"/integration/v1/queues/{queue_code}/subscriptions",
                    json_body={"event_type": event_type},
                    idempotent=False,
                )
            except AuthorizationError:
                raise
            except PermanentError as exc:
                if exc.http_status != 409:
                    raise
                continue  # subscribed already
            added.append(event_type)
        return added

    def pull_events(self, queue_code: str, ack_id: str | None) -> QueueBatch:
        """Pull the next batch; ``ack_id`` acknowledges the previous one.

        Send an ``ack_id`` only once the events it names are durably stored.
        """
        data = self._as_app(
            lambda token: self._request(
                "POST",
                f"/integration/v1/queues/{queue_code}/events/pull",
                json_body={"ack_id": ack_id},
                token=token,
            )
        )
        if not isinstance(data, Mapping):
            raise PermanentError("malformed Tiki pull answer", code="bad_response")
        raw_events = data.get("events") or []
        if not isinstance(raw_events, list):
            raise PermanentError("malformed Tiki pull answer", code="bad_response")
        events = [
            self.event_from_message(m) for m in raw_events if isinstance(m, Mapping)
        ]
        return QueueBatch(ack_id=_text(data.get("ack_id")), events=events)

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise one queued event.

        The envelope's field names are not documented: ``id``/``event_id``,
        ``type``/``event_type``, ``sid``/``seller_id``, ``created_at`` and
        ``payload``/``data`` are all read. The dedup key is ``tiki:<id>``, or
        the sha256 of the canonical JSON when an event has no id.
        """
        payload = message.get("payload")
        if not isinstance(payload, Mapping):
            payload = _obj(message, "data")
        event_type = (
            _text(message.get("type")) or _text(message.get("event_type")) or ""
        )
        event_id = _text(message.get("id")) or _text(message.get("event_id"))
        if event_id:
            dedup = f"tiki:{event_id}"
        else:
            canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
            dedup = "tiki:" + hashlib.sha256(canonical.encode()).hexdigest()
        try:
            when = self._time(message.get("created_at") or message.get("timestamp"))
        except (TypeError, ValueError, OverflowError, OSError):
            when = None
        order_code = _text(payload.get("order_code"))
        is_order = event_type in ORDER_EVENTS and bool(order_code)
        return Event(
            platform=self.name,
            dedup_key=dedup[:200],
            kind="order_status" if is_order else "other",
            code=event_type or None,
            shop_external_id=_text(message.get("sid"))
            or _text(message.get("seller_id")),
            order_external_id=order_code if is_order else None,
            status=_text(payload.get("status")),
            update_time=when,
            raw=dict(message),
        )

    # -------------------------------------------------------------- webhooks

    def verify_webhook(
        self, url: str, headers: Mapping[str, str], body: bytes
    ) -> Event:
        """Tiki pushes nothing: events are pulled (:meth:`pull_events`)."""
        raise WebhookRejected("not_supported", status=404)


__all__ = [
    "EVENT_TYPES",
    "STATUS_MAP",
    "OrderFees",
    "QueueBatch",
    "TikiPlatform",
    "check_state",
    "order_fees",
]
