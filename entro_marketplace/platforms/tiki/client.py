"""The Tiki Open API client: calls and errors, seller, orders.

Authorization (:mod:`.auth`), listings and stock (:mod:`.catalogue`), the event
queue (:mod:`.events`) and order confirmation (:mod:`.fulfilment`) are mixins
of :class:`TikiPlatform`; what the answers hold is read by :mod:`.mappers`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

import requests

from ..base import Platform
from ..errors import (
    AuthorizationError,
    PermanentError,
    RateLimited,
    TokenExpired,
    TransientError,
)
from ..payload import malformed
from ..payload import text as _text
from ..records import Order, OrderRef
from ..registry import PlatformInfo, register
from ..transport import parse_retry_after
from . import mappers
from .auth import TikiAuthMixin
from .catalogue import TikiCatalogueMixin
from .const import (
    API_URL,
    APP_TYPE_IN_HOUSE,
    APP_TYPE_PUBLIC,
    AUTHORIZATION_ERROR_CODES,
    CLIENT_ERROR_CODES,
    DEFAULT_UTC_OFFSET,
    ORDER_FEES_INCLUDE,
    ORDER_INCLUDE,
    ORDER_PATH,
    ORDERS_PATH,
    SELLER_PATH,
    STATUS_MAP,
    WAREHOUSES_PATH,
)
from .events import TikiEventsMixin
from .fulfilment import TikiFulfilmentMixin
from .mappers import OrderFees, obj, order_fees
from .signing import bearer_headers


@register
class TikiPlatform(
    TikiAuthMixin, TikiCatalogueMixin, TikiEventsMixin, TikiFulfilmentMixin, Platform
):
    """Tiki Open API client for one seller (or for the app itself)."""

    name = "tiki"
    info = PlatformInfo(
        label="Tiki",
        channel="tiki",
        payouts_api=False,
        statement_upload=True,
        webhooks=False,
        pull_queue=True,
        # Entro neither arranges Tiki shipments nor fetches their labels (yet):
        # the seller does it in the Tiki Seller Center
        shipping=False,
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
    #: no settlement API: the Seller Center statement is uploaded (tiki.statement)
    payouts_api = False
    product_page_size = 50
    vendor = "Tiki"
    app_key_label = "client id (app key)"
    app_secret_label = "client secret"

    # ------------------------------------------------------------ settings

    def _extra(self, key: str, default: Any = None) -> Any:
        value = self.config.extra.get(key)
        return default if value in (None, "") else value

    @property
    def in_house(self) -> bool:
        """An in-house app authenticates itself (client credentials)."""
        return self._extra("app_type", APP_TYPE_PUBLIC) == APP_TYPE_IN_HOUSE

    @property
    def utc_offset(self) -> timezone:
        """The zone Tiki prints its times in (Vietnam unless configured)."""
        return timezone(
            timedelta(hours=float(self._extra("utc_offset_hours", DEFAULT_UTC_OFFSET)))
        )

    @property
    def sku_batch_size(self) -> int:
        return max(1, int(self._extra("sku_batch_size", self.max_stock_batch)))

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
            headers=bearer_headers(access),
            limiter=self.limiter,
            idempotent=idempotent,
            timeout=self.config.timeout,
        )

    def _parse(self, response: requests.Response) -> Any:
        """Decode a Tiki answer or raise the matching error.

        Tiki's answers have no envelope (any JSON, or nothing): this replaces the
        envelope template of :meth:`Platform._parse`. Tiki's common exceptions:
        the HTTP status tells the kind, the body ``{"errors": [..]}`` (or OAuth's
        ``error``/``error_description``) the detail. 401 token missing/expired/
        not linked; 403 scope or seller inactive; 429 over 200 calls/s per
        seller; 5xx transient. Other 4xx are never retried, as Tiki asks.
        """
        status = response.status_code
        data = self._decode(response)
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
            if code in CLIENT_ERROR_CODES:
                raise AuthorizationError(text, **kwargs)
            raise TokenExpired(text, **kwargs)
        if status == 403 or code in AUTHORIZATION_ERROR_CODES:
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

    # ---------------------------------------------------------------- seller

    def get_seller(self, token: str | None = None) -> dict[str, Any]:
        """``GET /integration/v2/sellers/me``: id, name, operation models..."""
        if token:
            data = self._request("GET", SELLER_PATH, token=token)
        else:
            data = self._call(self._request, "GET", SELLER_PATH)
        if not isinstance(data, Mapping):
            raise PermanentError("malformed Tiki seller", code="bad_response")
        return dict(data)

    def get_warehouses(self) -> list[dict[str, Any]]:
        """The seller's warehouses (``sellers/me/warehouses``)."""
        return mappers.rows_of(self._call(self._request, "GET", WAREHOUSES_PATH))

    # ---------------------------------------------------------------- orders

    def _format_time(self, moment: datetime) -> str:
        return mappers.format_time(moment, self.utc_offset)

    def _time(self, value: Any) -> datetime | None:
        """Tiki's ``YYYY-MM-DD HH:MM:SS`` (zone-less: Vietnam time), ISO or epoch."""
        return mappers.parse_time(value, lambda: self.utc_offset)

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
                ORDERS_PATH,
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
                refs = [mappers.order_ref(row, self._time) for row in rows]
            yield from refs
            if not rows or (last_page is not None and page >= last_page):
                return
            page += 1

    _page = staticmethod(mappers.page)

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
            ORDERS_PATH,
            params={
                "code": ",".join(codes),
                "page": 1,
                "limit": len(codes),
                "include": ORDER_INCLUDE,
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
                ORDER_PATH.format(code=code),
                params={"include": ORDER_INCLUDE},
            )
        except AuthorizationError:
            raise
        except PermanentError as exc:
            if exc.http_status == 404:
                return None
            raise

    def _unreadable(self, code: str, row: Mapping[str, Any], problem: str) -> Order:
        return self._unreadable_order(
            code,
            row,
            problem,
            status=row.get("status"),
            updated=row.get("updated_at"),
            parse_time=self._time,
        )

    def to_order(self, row: Mapping[str, Any]) -> Order:
        """Normalise one order v2 JSON (see the package docstring)."""
        order = mappers.to_order(
            row, self._time, self.normalise_status, self.unknown_statuses_of
        )
        complete = mappers.sum_amounts(
            order, obj(row, "invoice"), mappers.order_items(row)
        )
        self._absorb_residual(order, complete, "items differ from its total")
        return order

    _to_line = staticmethod(mappers.to_line)

    def get_order_fees(self, code: str) -> OrderFees:
        """The seller's fees and income of one order (payout side)."""
        row = self._call(
            self._request,
            "GET",
            ORDER_PATH.format(code=code),
            params={"include": ORDER_FEES_INCLUDE},
        )
        return order_fees(row)
