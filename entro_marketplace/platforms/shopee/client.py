"""The Shopee Open Platform v2 client: transport, authorization, order reads,
webhooks; fulfilment, listings and finance come from its mixins.

All common parameters, ``sign`` included, travel in the query string; POST
business parameters travel as a JSON body, which is not signed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..base import Platform
from ..errors import (
    AuthorizationError,
    PermanentError,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
)
from ..payload import malformed
from ..payload import text as _text
from ..records import Event, Order, OrderRef, TokenSet
from ..registry import PlatformInfo, register
from ._util import _as_int, _epoch, _response, _ts
from .const import (
    AUTH_CODES,
    ORDER_DETAIL_FIELDS,
    PRODUCTION_URL,
    SHOPEE_STATUS_MAP,
    TRANSIENT_CODES,
    UNPAID,
)
from .finance import ShopeeFinance
from .fulfilment import ShopeeFulfilment
from .listings import ShopeeListings
from .mappers import (
    authorization_end,
    fill_amounts,
    lost_message,
    to_event,
    to_order,
    to_token_set,
)
from .signing import push_signature, sign

_logger = logging.getLogger(__name__)


@register
class ShopeePlatform(ShopeeFulfilment, ShopeeListings, ShopeeFinance, Platform):
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
    vendor = "Shopee"
    #: Shopee's envelope says success by having no ``error``
    ok_codes: frozenset[str] = frozenset()
    app_key_label = "partner_id"
    app_secret_label = "partner_key"

    # ------------------------------------------------------------ low level

    def _partner_id(self) -> int:
        return _as_int(self._app_key(), "partner_id")

    def _common_params(self, path: str, kind: str) -> dict[str, Any]:
        partner_id = self._partner_id()
        timestamp = _epoch(self.now())
        params: dict[str, Any] = {"partner_id": partner_id, "timestamp": timestamp}
        if kind == "public":
            params["sign"] = sign(self._app_secret(), partner_id, path, timestamp)
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
            self._app_secret(), partner_id, path, timestamp, token, target_id
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

    def _envelope(self, data: Mapping[str, Any]) -> tuple[str | None, Any]:
        """Shopee's ``error`` (``"-"`` in the doc samples means none) and message."""
        error = _text(data.get("error"))
        return (None if error == "-" else error), data.get("message")

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
        if short in AUTH_CODES:
            return AuthorizationError(description, **kwargs)
        if short in TRANSIENT_CODES or status >= 500:
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
        # a new authorization: its end, or none known (not a former one's)
        tokens.extra["authorization_expires_at"] = self._authorization_end(tokens)
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
        tokens = self._token_set(data)
        # the seller may have renewed the authorization meanwhile; unread, the
        # end known before stays
        end = self._authorization_end(tokens)
        if end is not None:
            tokens.extra["authorization_expires_at"] = end
        return tokens

    def _token_set(self, data: Mapping[str, Any]) -> TokenSet:
        return to_token_set(data, self.now())

    def _authorization_end(self, tokens: TokenSet) -> datetime | None:
        """The end of the shop's authorization (v2.shop.get_shop_info), read
        with new ``tokens``: one call when the shop connects and at each token
        refresh, never per sync. None when it cannot be read: connecting or
        refreshing goes on (the refresh token's end is then the shop's access
        end), and the failure is logged without the tokens."""
        if not self.config.shop_external_id:
            return None  # a merchant's tokens: no shop to ask
        used = self.config.access_token
        self.config.access_token = tokens.access_token
        try:
            data = self._request("GET", "/api/v2/shop/get_shop_info")
            return authorization_end(data)
        except PlatformError as exc:
            _logger.warning(
                "Shopee shop %s: the authorization's end could not be read "
                "(get_shop_info: %s); the refresh token's end is shown instead",
                self.config.shop_external_id,
                exc.code or type(exc).__name__,
            )
            return None
        finally:
            self.config.access_token = used

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
            if isinstance(r, Mapping) and r.get("order_status") not in UNPAID
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
                # One unreadable order must not block the others of its batch;
                # one without an order number cannot be bound (not returned).
                if not isinstance(row, Mapping) or not row.get("order_sn"):
                    _logger.warning(
                        "Shopee returned an order without order_sn: %s", exc
                    )
                    continue
                status = str(row.get("order_status") or "UNKNOWN")
                orders.append(
                    self._unreadable_order(
                        row["order_sn"],
                        row,
                        str(exc),
                        status=status,
                        state=self.normalise_status(status),
                        updated=row.get("update_time"),
                        parse_time=_ts,
                        raw=dict(row),
                    )
                )
        return orders

    def _to_order(
        self, row: Mapping[str, Any], escrow: Mapping[str, Any] | None
    ) -> Order:
        order = to_order(row, escrow, self.normalise_status, self.unknown_statuses_of)
        status = order.status
        # a cancelled order needs no breakdown: its sale order is cancelled
        paid = status not in UNPAID and status != "CANCELLED"
        # a paid order whose escrow could not be read keeps the order detail's
        # total, the difference from its lines and amounts_pending (a later
        # fetch completes it): that difference is expected, not warned about
        complete = fill_amounts(order, row, escrow, paid=paid)
        payment = (escrow or {}).get("buyer_payment_info")
        self._absorb_residual(
            order, complete, "amounts differ from total", warn=bool(payment)
        )
        return order

    # -------------------------------------------------------------- webhooks

    def _webhook_signature(self, url: str, raw: bytes) -> str | None:
        """Shopee signs the callback URL and the body with the partner key."""
        key = self.config.app_secret
        return push_signature(key, url, raw) if key else None

    def _webhook_time(self, message: Mapping[str, Any]) -> datetime | None:
        return _ts(message.get("timestamp"))

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise a push message (live or recovered through the lost-push API)."""
        return to_event(message, self.name)

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
                events.append(self.event_from_message(lost_message(row)))
            last = body.get("last_message_id")
            self.lost_events_cursor = str(last) if last not in (None, "") else None
            self.lost_events_more = bool(body.get("has_next_page"))
        return events

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
