"""Shopee Open Platform API v2.

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
for paid orders and maps them to the identity documented in :mod:`.records`.

The payment API is a permission of its own: an app without it gets ``error_auth``
"No permission to current api." (or ``error_permission``) from
``get_escrow_detail_batch``. The order import then goes on without the breakdown,
as it does when that API is down: the order keeps the total of the order detail,
the difference from its lines in one adjustment, and ``amounts_pending`` set, for
a later fetch to complete. Payouts need the escrow and still fail loudly.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

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
    to_money,
)
from .transport import clean_json, parse_retry_after, scrub_text

_logger = logging.getLogger(__name__)

PRODUCTION_URL = "https://partner.shopeemobile.com"
SANDBOX_URL = "https://openplatform.sandbox.test-stable.shopee.sg"

#: Documented lifetime of a refresh token (it is not returned by the API).
REFRESH_TOKEN_LIFETIME = timedelta(days=30)

#: Shopee order_status -> normalised state. Shopee has no order-level "returned"
#: status: returns live in the returns API, so "returned" is never produced here.
SHOPEE_STATUS_MAP: dict[str, str] = {
    "UNPAID": "unpaid",
    "PENDING": "pending",
    "INVOICE_PENDING": "pending",
    "READY_TO_SHIP": "to_ship",
    "PROCESSED": "to_ship",
    "RETRY_SHIP": "to_ship",
    "SHIPPED": "shipped",
    "TO_CONFIRM_RECEIVE": "delivered",
    "COMPLETED": "completed",
    "IN_CANCEL": "in_cancel",
    "CANCELLED": "cancelled",
    "TO_RETURN": "to_return",
}

#: Push code -> normalised event kind.
PUSH_KINDS: dict[int, str] = {
    1: "auth_granted",
    2: "auth_revoked",
    3: "order_status",
    4: "tracking",
    12: "auth_expiring",
}

#: Optional fields requested from get_order_detail.
ORDER_DETAIL_FIELDS = (
    "buyer_user_id",
    "buyer_username",
    "recipient_address",
    "item_list",
    "pay_time",
    "package_list",
    "shipping_carrier",
    "payment_method",
    "total_amount",
    "estimated_shipping_fee",
    "actual_shipping_fee",
    "note",
    "cancel_by",
    "cancel_reason",
    "buyer_cancel_reason",
)

_TRANSIENT_CODES = frozenset(
    {
        "error_server",
        "error_network",
        "error_inner",
        "error_system_busy",
        "error_busy",
        "error_timeout",
    }
)
_AUTH_CODES = frozenset(
    {
        "error_sign",
        "error_permission",
        "invalid_code",
        "invalid_shop_id",
        "invalid_main_acount_id",
        "invalid_main_account_id",
        "merchant_access_expired",
        "error_merchant_refresh_token",
    }
)
_UNPAID = frozenset({"UNPAID"})
#: how Shopee says the app may not use an API (its permissions, not the token)
_PERMISSION_CODES = frozenset({"error_permission"})
#: order statuses in which ship_order is accepted, and those already arranged
_SHIPPABLE = frozenset({"READY_TO_SHIP", "RETRY_SHIP"})
_ARRANGED = frozenset({"PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED"})
#: returns/get_return_list status -> normalised return state (records.RETURN_STATES):
#: ACCEPTED is the refund granted (COMPLETED, listed by some SDKs, likewise);
#: CANCELLED (by the buyer) and CLOSED end a request without a refund; REQUESTED,
#: PROCESSING, JUDGING, SELLER_DISPUTE are pending
SHOPEE_RETURN_STATES: dict[str, str] = {
    "ACCEPTED": "refunded",
    "COMPLETED": "refunded",
    "CANCELLED": "cancelled",
    "CLOSED": "cancelled",
}
#: default air waybill type (printable on A4/A6 as well as thermal printers)
LABEL_TYPE = "NORMAL_AIR_WAYBILL"


# ------------------------------------------------------------------------- signatures


def sign(
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int,
    access_token: str | None = None,
    target_id: int | str | None = None,
) -> str:
    """Shopee request signature; pass token and shop/merchant id for non-public APIs."""
    base = f"{partner_id}{path}{timestamp}"
    if access_token is not None:
        base += f"{access_token}{target_id if target_id is not None else ''}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def push_signature(partner_key: str, callback_url: str, body: bytes) -> str:
    """Expected ``Authorization`` header of a push: HMAC(key, url + "|" + body)."""
    message = callback_url.encode() + b"|" + body
    return hmac.new(partner_key.encode(), message, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- helpers


def _ts(value: Any) -> datetime | None:
    if value in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(value), tz=timezone.utc)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _json_number(amount: Decimal) -> int | float:
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def _as_int(value: Any, what: str) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError) as exc:
        raise PermanentError(f"Shopee {what} must be numeric, got {value!r}") from exc


def _response(payload: Mapping[str, Any], what: str) -> Mapping[str, Any]:
    body = payload.get("response")
    if not isinstance(body, Mapping):
        raise PermanentError(
            f"malformed Shopee {what}: no 'response' object",
            code="bad_response",
            request_id=payload.get("request_id"),
        )
    return body


def _split_street(full: str | None, parts: list[str | None]) -> str | None:
    """Strip trailing ', ward, district, province' from a full address line."""
    if not full:
        return None
    pieces = [p.strip() for p in full.split(",")]
    known = {p.strip().lower() for p in parts if p}
    while len(pieces) > 1 and pieces[-1].lower() in known:
        pieces.pop()
    return ", ".join(pieces) or None


# -------------------------------------------------------------------------- platform


@register
class ShopeePlatform(Platform):
    """Shopee Open Platform v2 client for one shop (or merchant)."""

    name = "shopee"
    info = PlatformInfo(
        label="Shopee",
        channel="shopee",
        shipping_methods=True,
        api_hosts=frozenset(
            {
                "partner.shopeemobile.com",
                "openplatform.shopee.cn",
                "openplatform.shopee.com.br",
                "openplatform.sandbox.test-stable.shopee.sg",
                "openplatform.sandbox.test-stable.shopee.cn",
                "partner.test-stable.shopeemobile.com",
            }
        ),
        # get_order_detail / escrow
        buyer_keys=(
            "buyer_user_id",
            "buyer_username",
            "buyer_user_name",
            "recipient_address",
            "message_to_seller",
            "note",
            "buyer_cancel_reason",
            "invoice_data",
        ),
    )
    default_base_url = PRODUCTION_URL
    max_detail_batch = 50
    max_stock_batch = 50
    max_price_batch = 50
    #: 15 days minus one second: window ends are sent as whole seconds (start
    #: floored, end rounded up), and Shopee refuses ranges over 15 days
    max_window = timedelta(days=15, seconds=-1)
    status_map = SHOPEE_STATUS_MAP
    updates_per_item = True
    order_page_size = 100
    item_page_size = 100
    max_item_info_batch = 50
    #: get_escrow_detail_batch takes 1-50 orders (Shopee recommends 1-20): Entro
    #: asks the documented maximum, one call per detail batch (API economy)
    max_escrow_batch = 50
    #: set once Shopee refused the payment API to this client (this job)
    _payment_refused = False

    # ------------------------------------------------------------ low level

    def _partner_id(self) -> int:
        if not self.config.app_key:
            raise AuthorizationError("Shopee partner_id is not configured")
        return _as_int(self.config.app_key, "partner_id")

    def _partner_key(self) -> str:
        if not self.config.app_secret:
            raise AuthorizationError("Shopee partner_key is not configured")
        return self.config.app_secret

    def _common_params(self, path: str, kind: str) -> dict[str, Any]:
        partner_id = self._partner_id()
        timestamp = _epoch(self.now())
        params: dict[str, Any] = {"partner_id": partner_id, "timestamp": timestamp}
        if kind == "public":
            params["sign"] = sign(self._partner_key(), partner_id, path, timestamp)
            return params
        token = self.config.access_token
        if not token:
            raise TokenExpired("no Shopee access token yet", code="no_token")
        if self.config.shop_external_id:
            target_name, target = "shop_id", self.config.shop_external_id
        elif self.config.merchant_id:
            target_name, target = "merchant_id", self.config.merchant_id
        else:
            raise AuthorizationError("Shopee shop_id or merchant_id is not configured")
        target_id = _as_int(target, target_name)
        params["access_token"] = token
        params[target_name] = target_id
        params["sign"] = sign(
            self._partner_key(), partner_id, path, timestamp, token, target_id
        )
        return params

    def _request(
        self,
        method: str,
        path: str,
        *,
        kind: str = "shop",
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        def query() -> dict[str, Any]:
            merged = dict(params or {})
            merged.update(self._common_params(path, kind))
            return merged

        return self.transport.request(
            method,
            self.base_url + path,
            parse=self._parse,
            params=query,
            json_body=body,
            limiter=self.limiter,
            idempotent=idempotent,
            timeout=self.config.timeout,
        )

    def _parse(self, response: requests.Response) -> dict[str, Any]:
        """Decode Shopee's envelope or raise the matching PlatformError."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            data = clean_json(response.json())
        except ValueError:
            data = None
        if not isinstance(data, dict):
            if status == 429:
                raise RateLimited(
                    "Shopee throttled the call (HTTP 429)",
                    retry_after=retry_after,
                    http_status=status,
                )
            # HTML error pages from gateways are typical of outages: retry.
            raise TransientError(
                f"Shopee returned a non-JSON response (HTTP {status})",
                code="bad_response",
                http_status=status,
            )
        request_id = _text(data.get("request_id"))
        error = _text(data.get("error"))
        if error == "-":  # the doc samples use "-" for "no error"
            error = None
        if status == 429:
            raise RateLimited(
                f"Shopee throttled the call: {self._scrub(data.get('message'))}",
                retry_after=retry_after,
                code=error or "http_429",
                request_id=request_id,
                http_status=status,
            )
        if error:
            raise self._error(error, data.get("message"), request_id, status)
        if status >= 500:
            raise TransientError(
                f"Shopee HTTP {status}", request_id=request_id, http_status=status
            )
        if status >= 400:
            raise PermanentError(
                f"Shopee HTTP {status}", request_id=request_id, http_status=status
            )
        return data

    def _scrub(self, text: Any) -> str:
        return scrub_text(str(text or ""), self.config.secrets())

    def _error(
        self, code: str, message: Any, request_id: str | None, status: int
    ) -> PlatformError:
        """Map a Shopee error code and message to the error family."""
        text = self._scrub(message)
        short = code.rsplit(".", 1)[-1]
        lowered = text.lower()
        kwargs = {"code": code, "request_id": request_id, "http_status": status}
        description = f"Shopee {code}: {text}" if text else f"Shopee {code}"
        if "rate_limit" in short or "too many requests" in lowered:
            return RateLimited(description, retry_after=None, **kwargs)
        if short == "error_auth":
            if "refresh" in lowered:
                return AuthorizationError(description, **kwargs)
            if "access_token" in lowered or "expire" in lowered:
                return TokenExpired(description, **kwargs)
            return AuthorizationError(description, **kwargs)
        if short in _AUTH_CODES:
            return AuthorizationError(description, **kwargs)
        if short in _TRANSIENT_CODES or status >= 500:
            return TransientError(description, **kwargs)
        return PermanentError(description, **kwargs)

    # -------------------------------------------------------- authorization

    def authorize_url(self, redirect_uri: str, state: str | None = None) -> str:
        """Seller authorization link (valid 5 minutes).

        Shopee has no ``state`` parameter, so ``state`` is appended to the
        redirect URL's query, where the callback finds it next to code/shop_id.
        """
        path = "/api/v2/shop/auth_partner"
        if state:
            parts = urlsplit(redirect_uri)
            query = f"{parts.query}&" if parts.query else ""
            query += urlencode({"state": state})
            redirect_uri = urlunsplit(parts._replace(query=query))
        params = self._common_params(path, "public")
        params["redirect"] = redirect_uri
        return f"{self.auth_base_url}{path}?{urlencode(params)}"

    def deauthorize_url(self, redirect_uri: str) -> str | None:
        """Shopee's cancel-authorization link: same form as the authorization one."""
        path = "/api/v2/shop/cancel_auth_partner"
        params = self._common_params(path, "public")
        params["redirect"] = redirect_uri
        return f"{self.auth_base_url}{path}?{urlencode(params)}"

    def exchange_code(self, code: str, **params: Any) -> TokenSet:
        """Exchange the callback ``code`` for tokens.

        Pass ``shop_id=`` (shop account) or ``main_account_id=`` (main account)
        from the callback. The tokens are stored in config and ``on_tokens`` runs
        before returning. ``extra`` holds shop_id / shop_id_list / merchant_id_list.
        """
        body: dict[str, Any] = {"code": code, "partner_id": self._partner_id()}
        shop_id = params.get("shop_id") or self.config.shop_external_id
        if params.get("main_account_id"):
            body["main_account_id"] = _as_int(
                params["main_account_id"], "main_account_id"
            )
        elif shop_id:
            body["shop_id"] = _as_int(shop_id, "shop_id")
        else:
            raise PermanentError("exchange_code needs shop_id or main_account_id")
        data = self._request(
            "POST", "/api/v2/auth/token/get", kind="public", body=body, idempotent=False
        )
        tokens = self._token_set(data)
        if "shop_id" in body:
            tokens.extra["shop_id"] = str(body["shop_id"])
            self.config.shop_external_id = self.config.shop_external_id or str(
                body["shop_id"]
            )
        with self._token_lock:
            self._store_tokens(tokens)
        return tokens

    def _refresh_tokens(self) -> TokenSet:
        if not self.config.refresh_token:
            raise AuthorizationError("no Shopee refresh token: reconnect the shop")
        body: dict[str, Any] = {
            "refresh_token": self.config.refresh_token,
            "partner_id": self._partner_id(),
        }
        if self.config.shop_external_id:
            body["shop_id"] = _as_int(self.config.shop_external_id, "shop_id")
        elif self.config.merchant_id:
            body["merchant_id"] = _as_int(self.config.merchant_id, "merchant_id")
        else:
            raise AuthorizationError("Shopee shop_id or merchant_id is not configured")
        data = self._request(
            "POST",
            "/api/v2/auth/access_token/get",
            kind="public",
            body=body,
            idempotent=False,
        )
        return self._token_set(data)

    def _token_set(self, data: Mapping[str, Any]) -> TokenSet:
        now = self.now()
        with malformed("Shopee", "token response", data.get("request_id")):
            access = data["access_token"]
            if not access:
                raise ValueError("empty access_token")
            expire_in = int(data.get("expire_in") or 0)
            extra: dict[str, Any] = {}
            for key in ("shop_id_list", "merchant_id_list", "supplier_id_list"):
                if data.get(key):
                    extra[key] = [str(v) for v in data[key]]
            for key in ("shop_id", "merchant_id"):
                if data.get(key):
                    extra[key] = str(data[key])
            return TokenSet(
                access_token=str(access),
                refresh_token=_text(data.get("refresh_token")),
                access_expires_at=now + timedelta(seconds=expire_in)
                if expire_in
                else None,
                refresh_expires_at=now + REFRESH_TOKEN_LIFETIME,
                extra=extra,
            )

    # --------------------------------------------------------------- orders

    def _iter_order_refs_window(
        self, since: datetime, until: datetime
    ) -> Iterator[OrderRef]:
        cursor = ""
        while True:
            page = self._call(self._order_list_page, since, until, cursor)
            body = _response(page, "order list")
            with malformed("Shopee", "order list", page.get("request_id")):
                for row in body.get("order_list") or []:
                    yield OrderRef(
                        external_id=str(row["order_sn"]),
                        status=_text(row.get("order_status")),
                    )
                more = bool(body.get("more"))
                cursor = str(body.get("next_cursor") or "")
            if not more:
                return
            if not cursor:
                raise PermanentError(
                    "malformed Shopee order list: more=true without next_cursor",
                    code="bad_response",
                )

    def _order_list_page(
        self, since: datetime, until: datetime, cursor: str
    ) -> dict[str, Any]:
        return self._request(
            "GET",
            "/api/v2/order/get_order_list",
            params={
                "time_range_field": "update_time",
                "time_from": _epoch(since),
                "time_to": _epoch(until) + (1 if until.microsecond else 0),
                "page_size": self.order_page_size,
                "cursor": cursor,
                "response_optional_fields": "order_status",
            },
        )

    def _get_orders_batch(self, ids: list[str]) -> list[Order]:
        data = self._request(
            "GET",
            "/api/v2/order/get_order_detail",
            params={
                "order_sn_list": ",".join(ids),
                "response_optional_fields": ",".join(ORDER_DETAIL_FIELDS),
            },
        )
        body = _response(data, "order detail")
        rows = body.get("order_list")
        if not isinstance(rows, list):
            raise PermanentError(
                "malformed Shopee order detail: no order_list",
                code="bad_response",
                request_id=data.get("request_id"),
            )
        paid = [
            str(r.get("order_sn"))
            for r in rows
            if isinstance(r, Mapping) and r.get("order_status") not in _UNPAID
        ]
        escrows = self._escrows(paid)
        orders = []
        for row in rows:
            try:
                with malformed("Shopee", "order", data.get("request_id")):
                    orders.append(
                        self._to_order(row, escrows.get(str(row["order_sn"])))
                    )
            except PermanentError as exc:
                # One unreadable order must not block the others of its batch.
                broken = self._unreadable_order(row, str(exc))
                if broken is not None:
                    orders.append(broken)
        return orders

    def _unreadable_order(self, row: Any, problem: str) -> Order | None:
        """An order whose data could not be mapped, kept with its raw data.

        Returns None when the row does not even carry an order number (it cannot
        be bound; the caller reports it as not returned by the platform).
        """
        if not isinstance(row, Mapping) or not row.get("order_sn"):
            _logger.warning("Shopee returned an order without order_sn: %s", problem)
            return None
        status = str(row.get("order_status") or "UNKNOWN")
        try:
            update_time = _ts(row.get("update_time"))
        except (TypeError, ValueError, OverflowError):
            update_time = None
        return Order(
            external_id=str(row["order_sn"])[:64],
            status=status[:64],
            state=self.normalise_status(status),
            create_time=None,
            update_time=update_time,
            currency="",
            total_amount=ZERO,
            raw=dict(row),
            problems=[problem],
        )

    def _escrows(self, order_sns: list[str]) -> dict[str, Mapping[str, Any]]:
        """Escrow detail per order, from get_escrow_detail_batch (best effort).

        Once Shopee refused the payment API to this client (the app lacks the
        permission), it is not asked again for the rest of the job.
        """
        if (
            not order_sns
            or not self.config.extra.get("fetch_escrow", True)
            or self._payment_refused
        ):
            return {}
        return self._escrow_details(order_sns, strict=False)

    @staticmethod
    def _is_permission_refusal(exc: PlatformError) -> bool:
        """Whether Shopee refused the API to the app (not the token or the shop)."""
        short = (exc.code or "").rsplit(".", 1)[-1]
        if short in _PERMISSION_CODES:
            return True
        return short == "error_auth" and "permission" in exc.message.lower()

    def _escrow_details(
        self, order_sns: list[str], strict: bool = True
    ) -> dict[str, Mapping[str, Any]]:
        """``escrow_detail`` per order, in batches of ``max_escrow_batch``.

        The order import reads ``buyer_payment_info`` from it (best effort:
        ``strict=False`` goes on without the batches Shopee refuses or cannot
        answer, its orders then come with ``amounts_pending``); payouts read
        ``order_income`` and need every batch.
        """
        found: dict[str, Mapping[str, Any]] = {}
        for chunk in chunked(order_sns, self.max_escrow_batch):
            try:
                data = self._request(
                    "POST",
                    "/api/v2/payment/get_escrow_detail_batch",
                    body={"order_sn_list": chunk},
                )
            except AuthorizationError as exc:
                if strict or not self._is_permission_refusal(exc):
                    raise
                # the app lacks the payment API: the other batches would be too
                _logger.warning(
                    "Shopee refused the payment API, order amounts pending: %s", exc
                )
                self._payment_refused = True
                break
            except TransientError as exc:
                # an outage outlasting the transport's retries: the orders come
                # without their breakdown rather than not at all
                if strict:
                    raise
                _logger.warning("Shopee escrow details unavailable: %s", exc)
                break
            except PermanentError as exc:
                if strict:
                    raise
                _logger.warning("Shopee escrow details unavailable: %s", exc)
                continue
            rows = data.get("response")
            for row in rows if isinstance(rows, list) else []:
                detail = row.get("escrow_detail") if isinstance(row, Mapping) else None
                if isinstance(detail, Mapping) and detail.get("order_sn"):
                    found[str(detail["order_sn"])] = detail
        return found

    def _to_order(
        self, row: Mapping[str, Any], escrow: Mapping[str, Any] | None
    ) -> Order:
        status = str(row["order_status"])
        address = self._to_address(row.get("recipient_address") or {})
        order = Order(
            external_id=str(row["order_sn"]),
            status=status,
            state=self.normalise_status(status),
            create_time=_ts(row.get("create_time")),
            update_time=_ts(row.get("update_time")),
            currency=str(row.get("currency") or "VND"),
            total_amount=ZERO,
            lines=self._to_lines(row.get("item_list") or []),
            buyer=Buyer(
                external_id=_text(row.get("buyer_user_id")),
                username=_text(row.get("buyer_username")),
                name=address.name,
                phone=address.phone,
            ),
            shipping_address=address,
            payment_method=_text(row.get("payment_method")),
            cod=bool(row.get("cod")),
            pay_time=_ts(row.get("pay_time")),
            note=_text(row.get("note")),
            buyer_message=_text(row.get("message_to_seller")),
            cancel_reason=_text(row.get("cancel_reason"))
            or _text(row.get("buyer_cancel_reason")),
            cancelled_by=_text(row.get("cancel_by")),
            shipping_carrier=_text(row.get("shipping_carrier")),
            packages=[
                Package(
                    package_number=_text(p.get("package_number")),
                    carrier=_text(p.get("shipping_carrier")),
                    logistics_status=_text(p.get("logistics_status")),
                )
                for p in row.get("package_list") or []
            ],
            raw={"order": dict(row), "escrow": dict(escrow) if escrow else None},
            unknown_statuses=self.unknown_statuses_of(status),
        )
        # a cancelled order needs no breakdown: its sale order is cancelled
        paid = status not in _UNPAID and status != "CANCELLED"
        self._fill_amounts(order, row, escrow, paid=paid)
        return order

    def _to_lines(self, items: list[Mapping[str, Any]]) -> list[OrderLine]:
        lines: list[OrderLine] = []
        used: set[str] = set()
        for item in items:
            quantity = int(item["model_quantity_purchased"])
            original = to_money(item["model_original_price"])
            discounted = to_money(item.get("model_discounted_price", original))
            if discounted == 0 and original > 0:
                # bundle deals report 0: the discount is not broken down per item
                discounted = original
            model_id = str(item.get("model_id") or 0)
            item_id = str(item["item_id"])
            external_id = f"{item.get('order_item_id') or item_id}-{model_id}"
            suffix = 1
            while external_id in used:
                suffix += 1
                external_id = (
                    f"{item.get('order_item_id') or item_id}-{model_id}#{suffix}"
                )
            used.add(external_id)
            lines.append(
                OrderLine(
                    external_id=external_id,
                    item_id=item_id,
                    variant_id=model_id,
                    sku=_text(item.get("model_sku")) or _text(item.get("item_sku")),
                    name=" - ".join(
                        t
                        for t in (
                            _text(item.get("item_name")),
                            _text(item.get("model_name")),
                        )
                        if t
                    ),
                    quantity=quantity,
                    unit_price=original,
                    discounted_unit_price=discounted,
                    seller_discount=(original - discounted) * quantity,
                )
            )
        return lines

    @staticmethod
    def _to_address(addr: Mapping[str, Any]) -> Address:
        region = _text(addr.get("region"))
        state = _text(addr.get("state"))
        if region == "VN":
            # Shopee VN: state = province, city = district, district = ward
            ward, district, city = (
                _text(addr.get("district")),
                _text(addr.get("city")),
                None,
            )
        else:
            ward, district, city = (
                _text(addr.get("town")),
                _text(addr.get("district")),
                _text(addr.get("city")),
            )
        full = _text(addr.get("full_address"))
        return Address(
            name=_text(addr.get("name")),
            phone=_text(addr.get("phone")),
            full_address=full,
            street=_split_street(full, [ward, district, city, state, region]),
            ward=ward,
            district=district,
            city=city,
            state=state,
            zip=_text(addr.get("zipcode")),
            country_code=region,
        )

    @staticmethod
    def _fill_amounts(
        order: Order,
        row: Mapping[str, Any],
        escrow: Mapping[str, Any] | None,
        paid: bool = True,
    ) -> None:
        """Fill the amount components so that ``order.check_total() == 0``.

        A paid order whose escrow could not be read keeps the order detail's
        total, the difference from its lines in ``other_discounts`` (or
        ``other_fees``), and ``amounts_pending``: a later fetch completes it.
        """
        has_total = row.get("total_amount") not in (None, "")
        payment = (escrow or {}).get("buyer_payment_info") or {}
        complete = bool(payment) and has_total
        order.amounts_pending = paid and has_total and not payment
        if payment:
            order.shipping_fee = to_money(payment.get("shipping_fee"))
            order.seller_voucher = abs(to_money(payment.get("seller_voucher")))
            order.platform_voucher = abs(to_money(payment.get("shopee_voucher")))
            order.coins = abs(to_money(payment.get("shopee_coins_redeemed")))
            order.other_discounts = abs(to_money(payment.get("credit_card_promotion")))
            order.other_discounts += abs(to_money(payment.get("trade_in_bonus")))
            subtotal = payment.get("merchant_subtotal")
            if subtotal not in (None, ""):
                # bundle deals: merchant_subtotal is below the sum of item prices
                order.other_discounts += order.lines_total - to_money(subtotal)
            order.other_fees = sum(
                (
                    to_money(payment.get(key))
                    for key in (
                        "buyer_service_fee",
                        "buyer_tax_amount",
                        "import_tax_amount",
                        "insurance_premium",
                        "initial_buyer_txn_fee",
                        "shipping_fee_sst_amount",
                        "buyer_paid_packaging_fee",
                        "bulky_handling_fee",
                    )
                ),
                ZERO,
            )
        if has_total:
            order.total_amount = to_money(row["total_amount"])
        elif payment.get("buyer_total_amount") not in (None, ""):
            order.total_amount = to_money(payment["buyer_total_amount"])
        else:
            order.total_amount = order.computed_total()
        residual = order.check_total()
        if residual:
            complete = False
            if payment:
                _logger.warning(
                    "Shopee order %s amounts differ from total by %s",
                    order.external_id,
                    residual,
                )
            if residual > 0:
                order.other_discounts += residual
            else:
                order.other_fees -= residual
        order.amounts_complete = complete

    # --- fulfilment

    cancel_reasons = (
        "out_of_stock",
        "customer_request",
        "undeliverable_area",
        "cod_not_supported",
    )
    return_page_size = 100
    max_return_window = timedelta(days=15, seconds=-1)

    def _ship_order(self, order: Order, mode: str) -> Shipment:
        """get_shipping_parameter, then ship_order with pickup or dropoff.

        When the order's channel does not offer the requested mode, the one it
        offers is used (``Shipment.mode`` says which).
        """
        sn = order.external_id
        package = next((p.package_number for p in order.packages), None)
        shipment = Shipment(sn, package, carrier=order.shipping_carrier, mode=mode)
        if order.status in _ARRANGED:
            return self._get_tracking(shipment)
        if order.status not in _SHIPPABLE:
            raise PermanentError(
                f"Shopee order {sn} is {order.status}: it cannot be shipped",
                code="order_status",
            )
        target = {"order_sn": sn}
        if package:
            target["package_number"] = package
        data = self._request(
            "GET", "/api/v2/logistics/get_shipping_parameter", params=target
        )
        params = _response(data, "shipping parameter")
        with malformed("Shopee", "shipping parameter", data.get("request_id")):
            info = params.get("info_needed") or {}
            offered = [m for m in ("pickup", "dropoff") if m in info]
            if not offered:
                raise PermanentError(
                    f"Shopee order {sn} uses a non-integrated channel: enter its "
                    "tracking number in Seller Centre",
                    code="non_integrated",
                )
            used = mode if mode in offered else offered[0]
            body: dict[str, Any] = dict(target)
            body[used] = self._ship_details(used, info[used] or [], params)
        self._request(
            "POST", "/api/v2/logistics/ship_order", body=body, idempotent=False
        )
        shipment.mode = used
        return self._get_tracking(shipment)

    def _ship_details(
        self, mode: str, needed: list[str], params: Mapping[str, Any]
    ) -> dict[str, Any]:
        details: dict[str, Any] = {}
        if mode == "pickup":
            if "address_id" in needed:
                addresses = params["pickup"]["address_list"]
                address = next(
                    (
                        a
                        for flag in ("pickup_address", "default_address")
                        for a in addresses
                        if flag in (a.get("address_flag") or [])
                    ),
                    addresses[0],
                )
                details["address_id"] = address["address_id"]
                if "pickup_time_id" in needed:
                    slots = address.get("time_slot_list") or []
                    if not slots:
                        raise PermanentError(
                            "Shopee offers no pickup time slot for this address",
                            code="no_pickup_slot",
                        )
                    details["pickup_time_id"] = slots[0]["pickup_time_id"]
        else:
            if "branch_id" in needed:
                details["branch_id"] = params["dropoff"]["branch_list"][0]["branch_id"]
            if "sender_real_name" in needed:
                details["sender_real_name"] = self.config.extra.get("sender_name", "")
        return details

    def _get_tracking(self, shipment: Shipment) -> Shipment:
        params = {"order_sn": shipment.order_external_id}
        if shipment.package_number:
            params["package_number"] = shipment.package_number
        data = self._request(
            "GET", "/api/v2/logistics/get_tracking_number", params=params
        )
        body = _response(data, "tracking number")
        shipment.tracking_number = _text(body.get("tracking_number"))
        return shipment

    def _document_target(self, shipment: Shipment) -> dict[str, Any]:
        target = {"order_sn": shipment.order_external_id}
        if shipment.package_number:
            target["package_number"] = shipment.package_number
        return target

    def _document_status(self, shipment: Shipment) -> tuple[str | None, str | None]:
        label_type = self.config.extra.get("label_type", LABEL_TYPE)
        data = self._request(
            "POST",
            "/api/v2/logistics/get_shipping_document_result",
            body={
                "order_list": [self._document_target(shipment)],
                "shipping_document_type": label_type,
            },
        )
        rows = (data.get("response") or {}).get("result_list") or [{}]
        row = rows[0] if isinstance(rows[0], Mapping) else {}
        return _text(row.get("status")), _text(row.get("fail_message"))

    def _get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        """create_shipping_document, get_shipping_document_result until READY,
        download_shipping_document. None while Shopee is still producing it."""
        if not shipment.tracking_number:
            return None
        label_type = self.config.extra.get("label_type", LABEL_TYPE)
        status, _message = self._document_status(shipment)
        if status not in ("READY", "PROCESSING"):
            target = dict(
                self._document_target(shipment),
                tracking_number=shipment.tracking_number,
                shipping_document_type=label_type,
            )
            data = self._request(
                "POST",
                "/api/v2/logistics/create_shipping_document",
                body={"order_list": [target]},
            )
            rows = (data.get("response") or {}).get("result_list") or [{}]
            failure = _text(rows[0].get("fail_error")) if rows else None
            if failure:
                raise PermanentError(
                    f"Shopee {failure}: {self._scrub(rows[0].get('fail_message'))}",
                    code=failure,
                    request_id=_text(data.get("request_id")),
                )
            status, _message = self._document_status(shipment)
        if status == "FAILED":
            raise PermanentError(
                f"Shopee could not produce the shipping label: {_message or ''}",
                code="document_failed",
            )
        if status != "READY":
            return None
        content = self.transport.request(
            "POST",
            self.base_url + "/api/v2/logistics/download_shipping_document",
            parse=self._parse_file,
            params=lambda: self._common_params(
                "/api/v2/logistics/download_shipping_document", "shop"
            ),
            json_body={
                "shipping_document_type": label_type,
                "order_list": [self._document_target(shipment)],
            },
            limiter=self.limiter,
            timeout=self.config.timeout,
        )
        return ShippingDocument(
            filename=f"shopee-{shipment.order_external_id}.pdf", content=content
        )

    def _parse_file(self, response: requests.Response) -> bytes:
        kind = response.headers.get("Content-Type", "")
        if response.status_code == 200 and not kind.startswith("application/json"):
            return response.content
        self._parse(response)  # raises the platform's error
        raise PermanentError("Shopee returned no document", code="bad_response")

    def _cancel_order(self, order: Order, reason: str, lines: list[OrderLine]) -> None:
        body: dict[str, Any] = {
            "order_sn": order.external_id,
            "cancel_reason": reason.upper(),
        }
        if reason == "out_of_stock":
            body["item_list"] = [
                {
                    "item_id": _as_int(line.item_id, "item_id"),
                    "model_id": _as_int(line.variant_id or 0, "model_id"),
                }
                for line in lines
            ]
        self._request("POST", "/api/v2/order/cancel_order", body=body, idempotent=False)

    def _iter_returns_window(
        self, since: datetime, until: datetime
    ) -> Iterator[Return]:
        page_no = 0
        while True:
            data = self._call(
                self._request,
                "GET",
                "/api/v2/returns/get_return_list",
                params={
                    "page_no": page_no,
                    "page_size": self.return_page_size,
                    "update_time_from": _epoch(since),
                    "update_time_to": _epoch(until) + (1 if until.microsecond else 0),
                },
            )
            body = _response(data, "return list")
            with malformed("Shopee", "return list", data.get("request_id")):
                for row in body.get("return") or []:
                    yield self._to_return(row)
                more = bool(body.get("more"))
            if not more:
                return
            page_no += 1

    @staticmethod
    def _to_return(row: Mapping[str, Any]) -> Return:
        status = str(row["status"])
        return Return(
            external_id=str(row["return_sn"]),
            order_external_id=str(row["order_sn"]),
            status=status,
            state=SHOPEE_RETURN_STATES.get(status, "requested"),
            update_time=_ts(row.get("update_time")),
            refund_amount=to_money(row.get("refund_amount")),
            goods_returned=row.get("needs_logistics", True) is not False,
            reason=_text(row.get("reason")),
            lines=[
                ReturnLine(
                    item_id=_text(item.get("item_id")),
                    variant_id=str(item.get("model_id") or 0),
                    sku=_text(item.get("variation_sku")) or _text(item.get("item_sku")),
                    quantity=int(item["amount"]),
                    refund_amount=to_money(item.get("refund_amount")),
                )
                for item in row.get("item") or []
            ],
            raw=dict(row),
        )

    # ------------------------------------------------------------- listings

    def iter_listings(
        self, statuses: tuple[str, ...] = ("NORMAL",)
    ) -> Iterator[Listing]:
        """Yield one Listing per model (or per item without models)."""
        offset = 0
        while True:
            page = self._call(self._item_list_page, offset, statuses)
            body = _response(page, "item list")
            with malformed("Shopee", "item list", page.get("request_id")):
                ids = [str(row["item_id"]) for row in body.get("item") or []]
                has_next = bool(body.get("has_next_page"))
                next_offset = int(body.get("next_offset") or 0)
            for chunk in chunked(ids, self.max_item_info_batch):
                for info in self._call(self._item_base_info, chunk):
                    yield from self._item_listings(info)
            if not has_next:
                return
            if next_offset <= offset:
                raise PermanentError(
                    "malformed Shopee item list: next_offset does not advance",
                    code="bad_response",
                )
            offset = next_offset

    def _item_list_page(self, offset: int, statuses: tuple[str, ...]) -> dict[str, Any]:
        return self._request(
            "GET",
            "/api/v2/product/get_item_list",
            params={
                "offset": offset,
                "page_size": self.item_page_size,
                "item_status": list(statuses),
            },
        )

    def _item_base_info(self, item_ids: list[str]) -> list[Mapping[str, Any]]:
        data = self._request(
            "GET",
            "/api/v2/product/get_item_base_info",
            params={"item_id_list": ",".join(item_ids)},
        )
        rows = _response(data, "item info").get("item_list")
        return [r for r in rows or [] if isinstance(r, Mapping)]

    def _item_listings(self, info: Mapping[str, Any]) -> Iterator[Listing]:
        with malformed("Shopee", "item info"):
            item_id = str(info["item_id"])
            name = str(info.get("item_name") or "")
            status = _text(info.get("item_status"))
            if not info.get("has_model"):
                yield Listing(
                    item_id=item_id,
                    variant_id="0",
                    sku=_text(info.get("item_sku")),
                    name=name,
                    status=status,
                    price=self._price_of(info),
                    stock=self._stock_of(info),
                    raw=dict(info),
                )
                return
        data = self._call(self._model_list, item_id)
        models = _response(data, "model list").get("model") or []
        with malformed("Shopee", "model list", data.get("request_id")):
            for model in models:
                model_name = _text(model.get("model_name"))
                yield Listing(
                    item_id=item_id,
                    variant_id=str(model["model_id"]),
                    sku=_text(model.get("model_sku")),
                    name=f"{name} - {model_name}" if model_name else name,
                    status=_text(model.get("model_status")) or status,
                    price=self._price_of(model),
                    stock=self._stock_of(model),
                    raw=dict(model),
                )

    def _model_list(self, item_id: str) -> dict[str, Any]:
        return self._request(
            "GET",
            "/api/v2/product/get_model_list",
            params={"item_id": _as_int(item_id, "item_id")},
        )

    @staticmethod
    def _price_of(row: Mapping[str, Any]) -> Decimal | None:
        prices = row.get("price_info") or []
        if not prices:
            return None
        return to_money(prices[0].get("original_price"))

    @staticmethod
    def _stock_of(row: Mapping[str, Any]) -> int | None:
        info = row.get("stock_info_v2") or {}
        seller = info.get("seller_stock")
        if seller:
            return sum(int(s.get("stock") or 0) for s in seller)
        summary = info.get("summary_info") or {}
        if "total_available_stock" in summary:
            return int(summary["total_available_stock"])
        return None

    # ----------------------------------------------------- stock and prices

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        body = {
            "item_id": _as_int(item_id, "item_id"),
            "stock_list": [
                {
                    "model_id": _as_int(u.variant_id or 0, "model_id"),
                    "seller_stock": [{"stock": int(u.quantity)}],
                }
                for u in updates
            ],
        }
        return self._send_update("/api/v2/product/update_stock", body, updates)

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        body = {
            "item_id": _as_int(item_id, "item_id"),
            "price_list": [
                {
                    "model_id": _as_int(u.variant_id or 0, "model_id"),
                    "original_price": _json_number(to_money(u.price)),
                }
                for u in updates
            ],
        }
        return self._send_update("/api/v2/product/update_price", body, updates)

    def _send_update(
        self,
        path: str,
        body: dict[str, Any],
        updates: list[StockUpdate] | list[PriceUpdate],
    ) -> list[UpdateResult]:
        try:
            data = self._request("POST", path, body=body)
        except AuthorizationError:
            raise
        except PermanentError as exc:
            return [
                UpdateResult(
                    u.item_id, u.variant_id, u.sku, False, exc.code, exc.message
                )
                for u in updates
            ]
        response = _response(data, "update result")
        ok = {str(r.get("model_id", 0)) for r in response.get("success_list") or []}
        failed = {
            str(r.get("model_id", 0)): self._scrub(r.get("failed_reason"))
            for r in response.get("failure_list") or []
        }
        results = []
        for u in updates:
            model = str(u.variant_id or 0)
            if model in failed:
                results.append(
                    UpdateResult(
                        u.item_id, u.variant_id, u.sku, False, "failed", failed[model]
                    )
                )
            elif model in ok:
                results.append(UpdateResult(u.item_id, u.variant_id, u.sku, True))
            else:
                results.append(
                    UpdateResult(
                        u.item_id,
                        u.variant_id,
                        u.sku,
                        False,
                        "no_result",
                        "not in Shopee's answer",
                    )
                )
        return results

    # -------------------------------------------------------------- webhooks

    def verify_webhook(
        self, url: str, headers: Mapping[str, str], body: bytes
    ) -> Event:
        """Verify a Shopee push (see :meth:`Platform.verify_webhook`)."""
        key = self.config.app_secret
        if not key:
            raise WebhookRejected("no_secret", status=401)
        given = _header(headers, "Authorization")
        if not given:
            raise WebhookRejected("missing_signature", status=401)
        raw = body.encode() if isinstance(body, str) else bytes(body)
        expected = push_signature(key, url, raw).encode()
        if not hmac.compare_digest(expected, given.strip().lower().encode()):
            raise WebhookRejected("bad_signature", status=401)
        try:
            message = clean_json(json.loads(raw))
        except ValueError as exc:
            raise WebhookRejected("bad_body", status=400) from exc
        if not isinstance(message, dict):
            raise WebhookRejected("bad_body", status=400)
        try:
            sent_at = _ts(message.get("timestamp"))
        except (TypeError, ValueError) as exc:
            raise WebhookRejected("bad_timestamp", status=403) from exc
        self._check_freshness(sent_at)
        try:
            return self.event_from_message(message)
        except (TypeError, ValueError, AttributeError) as exc:
            raise WebhookRejected("bad_body", status=400) from exc

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise a push message (live or recovered through the lost-push API)."""
        code = int(message.get("code") or 0)
        data = message.get("data")
        data = data if isinstance(data, Mapping) else {}
        shop = message.get("shop_id") or data.get("shop_id")
        order_sn = _text(data.get("ordersn") or data.get("order_sn"))
        status = _text(data.get("status"))
        if code == 3 and order_sn:
            dedup = f"shopee:3:{shop}:{order_sn}:{status}:{data.get('update_time')}"
        else:
            canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
            dedup = "shopee:" + hashlib.sha256(canonical.encode()).hexdigest()
        return Event(
            platform=self.name,
            dedup_key=dedup,
            kind=PUSH_KINDS.get(code, "other"),
            code=str(code),
            shop_external_id=_text(shop),
            order_external_id=order_sn,
            status=status,
            update_time=_ts(data.get("update_time") or message.get("timestamp")),
            raw=dict(message),
        )

    def fetch_lost_events(self) -> list[Event]:
        """Earliest (up to 100) pushes Shopee failed to deliver in the last 3 days.

        Store them, then call :meth:`confirm_lost_events`; repeat while
        ``self.lost_events_more`` is true.
        """
        data = self._request("GET", "/api/v2/push/get_lost_push_message", kind="public")
        body = _response(data, "lost push list")
        events = []
        with malformed("Shopee", "lost push list", data.get("request_id")):
            for row in body.get("push_message_list") or []:
                events.append(self.event_from_message(self._lost_message(row)))
            last = body.get("last_message_id")
            self.lost_events_cursor = str(last) if last not in (None, "") else None
            self.lost_events_more = bool(body.get("has_next_page"))
        return events

    @staticmethod
    def _lost_message(row: Mapping[str, Any]) -> Mapping[str, Any]:
        data = row.get("data")
        if isinstance(data, str):
            data = clean_json(json.loads(data)) if data else {}
        if isinstance(data, Mapping) and "code" in data:
            return data  # the sample carries the whole original message
        return {
            "shop_id": row.get("shop_id"),
            "code": row.get("code"),
            "timestamp": row.get("timestamp"),
            "data": data or {},
        }

    def confirm_lost_events(self, cursor: str | None = None) -> None:
        """Mark lost pushes up to ``cursor`` (default: last fetched) consumed."""
        cursor = cursor or getattr(self, "lost_events_cursor", None)
        if not cursor:
            return
        self._request(
            "POST",
            "/api/v2/push/confirm_consumed_lost_push_message",
            kind="public",
            body={"last_message_id": _as_int(cursor, "last_message_id")},
        )

    # --------------------------------------------------------------- finance
    #
    # A local shop's money flows through its Shopee wallet: each order's escrow
    # is released into it (transaction 101, or 102 when negative), adjustments
    # add or deduct (4xx), and a withdrawal (201) pays the balance out to the
    # seller's bank. One payout = one withdrawal, covering the wallet
    # transactions since the previous one; each order's escrow is broken down
    # into fee lines with get_escrow_detail_batch (``order_income``).

    wallet_page_size = 100
    #: wallet transaction types that pay a balance out (the payout itself)
    WITHDRAWAL_TYPES = frozenset({"201", "WITHDRAWAL_CREATED"})
    #: wallet types ignored: the follow-up states of a withdrawal
    WITHDRAWAL_FOLLOW_UPS = frozenset({"202", "WITHDRAWAL_COMPLETED"})
    ESCROW_TYPES = frozenset(
        {"101", "102", "ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_MINUS"}
    )
    #: order_income field -> (fee type, sign applied to its absolute value)
    ESCROW_FEES: dict[str, tuple[str, int]] = {
        "buyer_total_amount": ("order_amount", 1),
        "voucher_from_shopee": ("platform_subsidy", 1),
        "coins": ("platform_subsidy", 1),
        "credit_card_promotion": ("platform_subsidy", 1),
        "commission_fee": ("commission", -1),
        "service_fee": ("service_fee", -1),
        "seller_transaction_fee": ("transaction_fee", -1),
        "credit_card_transaction_fee": ("transaction_fee", -1),
        "actual_shipping_fee": ("shipping_fee", -1),
        "reverse_shipping_fee": ("shipping_fee", -1),
        "shopee_shipping_rebate": ("shipping_rebate", 1),
        "seller_return_refund": ("refund", -1),
    }

    def iter_settlements(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Settlement]:
        """Yield one Settlement per wallet withdrawal made in ``[since, until]``."""
        until = until or self.now()
        start = since - self.settlement_lookback
        rows: dict[str, Mapping[str, Any]] = {}
        for window_start, window_end in split_windows(start, until, self.max_window):
            for row in self._wallet_transactions(window_start, window_end):
                rows[self._transaction_key(row)] = row
        ordered = sorted(
            rows.values(),
            key=lambda r: (int(r.get("create_time") or 0), self._transaction_key(r)),
        )
        pending: list[Mapping[str, Any]] = []
        for row in ordered:
            kind = str(row.get("transaction_type") or "")
            if kind in self.WITHDRAWAL_FOLLOW_UPS:
                continue
            if str(row.get("status") or "COMPLETED") == "FAILED":
                continue
            if kind not in self.WITHDRAWAL_TYPES:
                pending.append(row)
                continue
            covered, pending = pending, []
            with malformed("Shopee", "wallet transaction"):
                moment = _ts(row["create_time"])
            if moment is None or moment < since or moment > until:
                continue
            yield self._settlement(row, covered)

    @staticmethod
    def _transaction_key(row: Mapping[str, Any]) -> str:
        if row.get("transaction_id") not in (None, ""):
            return str(row["transaction_id"])
        parts = (
            row.get("create_time"),
            row.get("transaction_type"),
            row.get("order_sn"),
            row.get("withdrawal_id"),
            row.get("amount"),
        )
        return "|".join(str(p) for p in parts)

    def _wallet_transactions(
        self, since: datetime, until: datetime
    ) -> Iterator[Mapping[str, Any]]:
        page_no = 0
        while True:
            data = self._call(
                self._request,
                "GET",
                "/api/v2/payment/get_wallet_transaction_list",
                params={
                    "page_no": page_no,
                    "page_size": self.wallet_page_size,
                    "create_time_from": _epoch(since),
                    "create_time_to": _epoch(until) + (1 if until.microsecond else 0),
                },
            )
            body = _response(data, "wallet transactions")
            rows = body.get("transaction_list") or []
            if not isinstance(rows, list):
                raise PermanentError(
                    "malformed Shopee wallet transactions: no transaction_list",
                    code="bad_response",
                    request_id=data.get("request_id"),
                )
            yield from (r for r in rows if isinstance(r, Mapping))
            if not body.get("more") or not rows:
                return
            page_no += 1

    def _settlement(
        self, withdrawal: Mapping[str, Any], rows: list[Mapping[str, Any]]
    ) -> Settlement:
        with malformed("Shopee", "wallet transaction"):
            payout_id = str(
                withdrawal.get("withdrawal_id") or self._transaction_key(withdrawal)
            )
            settlement = Settlement(
                external_id=payout_id,
                payout_time=_ts(withdrawal["create_time"]),
                currency=str(withdrawal.get("currency") or "VND"),
                net_amount=abs(to_money(withdrawal["amount"])),
                paid=str(withdrawal.get("status") or "COMPLETED") == "COMPLETED",
                raw={"withdrawal": dict(withdrawal), "transactions": len(rows)},
            )
        escrow_sns = list(
            dict.fromkeys(
                str(r["order_sn"])
                for r in rows
                if str(r.get("transaction_type") or "") in self.ESCROW_TYPES
                and r.get("order_sn")
            )
        )
        escrows = self._call(self._escrow_details, escrow_sns) if escrow_sns else {}
        lines: list[SettlementLine] = []
        for row in rows:
            kind = str(row.get("transaction_type") or "")
            with malformed("Shopee", "wallet transaction"):
                amount = to_money(row.get("amount"))
                sn = _text(row.get("order_sn"))
                moment = _ts(row.get("create_time"))
            if kind in self.ESCROW_TYPES and sn:
                lines.extend(self._escrow_lines(sn, amount, escrows.get(sn), moment))
                escrow = escrows.get(sn) or {}
                income = escrow.get("order_income") or {}
                if income.get("buyer_total_amount") not in (None, ""):
                    settlement.buyer_paid[sn] = to_money(income["buyer_total_amount"])
                continue
            lines.append(
                SettlementLine(
                    fee_type="adjustment",
                    amount=amount,
                    raw_code=kind or "wallet",
                    order_external_id=sn,
                    label=_text(row.get("reason")) or _text(row.get("description")),
                    transaction_id=self._transaction_key(row),
                    time=moment,
                )
            )
        settlement.lines = merge_lines(lines)
        settlement.balance()
        return settlement

    def _escrow_lines(
        self,
        order_sn: str,
        amount: Decimal,
        escrow: Mapping[str, Any] | None,
        moment: datetime | None,
    ) -> list[SettlementLine]:
        """The fee lines of one released escrow; they add up to ``amount``."""
        income = (escrow or {}).get("order_income") or {}
        lines = []
        with malformed("Shopee", "escrow detail"):
            for key, (fee_type, sign_) in self.ESCROW_FEES.items():
                value = abs(to_money(income.get(key)))
                if value:
                    lines.append(
                        SettlementLine(
                            fee_type=fee_type,
                            amount=sign_ * value,
                            raw_code=key,
                            order_external_id=order_sn,
                            time=moment,
                        )
                    )
        rest = amount - sum((line.amount for line in lines), ZERO)
        if rest:
            lines.append(
                SettlementLine(
                    fee_type="adjustment",
                    amount=rest,
                    raw_code="unexplained" if income else "escrow_amount",
                    order_external_id=order_sn,
                    label=None if income else "No escrow detail from Shopee",
                    time=moment,
                )
            )
        return lines
