"""The Lazada client: calls and errors, authorization, order reads, webhooks.

Listings, fulfilment and finance are mixins of :class:`LazadaPlatform`
(:mod:`.listings`, :mod:`.fulfilment`, :mod:`.finance`); the JSON to records
mapping is in :mod:`.mappers`. See the package docstring.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

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
from ..records import Buyer, Event, Order, OrderRef, TokenSet
from ..registry import PlatformInfo, register
from . import mappers
from .const import (
    API_HOSTS,
    AUTH_CODES,
    AUTH_URL,
    DEFAULT_COUNTRY,
    ITEM_STATUS_MAP,
    RATE_CODES,
    TOKEN_CODES,
    TRANSIENT_CODES,
    UNKNOWN_ORDER_CODES,
)
from .finance import LazadaFinanceMixin
from .fulfilment import LazadaFulfilmentMixin
from .helpers import data_of, epoch_time, iso, parse_time
from .listings import LazadaListingsMixin
from .mappers import country_sellers
from .signing import param_text, push_signature, sign


@register
class LazadaPlatform(
    LazadaListingsMixin, LazadaFulfilmentMixin, LazadaFinanceMixin, Platform
):
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
    vendor = "Lazada"

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

    def _signed(
        self, path: str, params: Mapping[str, Any] | None, with_token: bool
    ) -> dict[str, str]:
        merged = {
            key: param_text(value)
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

    def _envelope_error(
        self,
        data: Mapping[str, Any],
        code: str,
        request_id: str | None,
        status: int,
        retry_after: float | None,
    ) -> PlatformError:
        """Lazada's error ``type`` words the error; its ``detail`` is kept."""
        error = self._error(
            code, _text(data.get("type")), data.get("message"), request_id, status
        )
        if isinstance(error, RateLimited) and retry_after is not None:
            error.retry_after = retry_after
        error.detail = data.get("detail")
        return error

    def _error(
        self,
        code: str,
        error_type: str | None,
        message: Any,
        request_id: str | None,
        status: int,
    ) -> PlatformError:
        """Map a Lazada error code and type to the error family (its envelope's
        ``type`` comes second: :meth:`_envelope_error` passes it)."""
        text = self._scrub(message)
        kwargs = {"code": code, "request_id": request_id, "http_status": status}
        label = f"Lazada {code}" + (f" ({error_type})" if error_type else "")
        description = f"{label}: {text}" if text else label
        if code in TOKEN_CODES:
            return TokenExpired(description, **kwargs)
        if code in AUTH_CODES:
            return AuthorizationError(description, **kwargs)
        if code in RATE_CODES:
            return RateLimited(description, retry_after=None, **kwargs)
        if (
            (error_type or "").upper() == "SYSTEM"
            or code in TRANSIENT_CODES
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
        self,
        data: Mapping[str, Any],
        previous_refresh_expiry: datetime | None = None,
    ) -> TokenSet:
        """TokenSet from a create/refresh answer (see :func:`.mappers.token_set`)."""
        return mappers.token_set(data, self.now(), previous_refresh_expiry)

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
            body = data_of(page, "order list")
            last: datetime | None = None
            with malformed("Lazada", "order list", _text(page.get("request_id"))):
                rows = body.get("orders") or []
                if not isinstance(rows, list):
                    raise TypeError("orders is not a list")
                total = body.get("countTotal")
                total = int(str(total)) if total not in (None, "") else None
                refs = []
                for row in rows:
                    ref = mappers.order_ref(row, self.country)
                    updated = ref.update_time
                    if updated is not None and (last is None or updated > last):
                        last = updated
                    refs.append(ref)
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
                "update_after": iso(since.replace(microsecond=0)),
                "update_before": iso(end),
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
                statuses = row.get("statuses")
                statuses = statuses if isinstance(statuses, list) else []
                orders.append(
                    self._unreadable_order(
                        external_id,
                        row,
                        str(exc),
                        status=",".join(sorted({str(s) for s in statuses})),
                        updated=row.get("updated_at"),
                        parse_time=self._time,
                    )
                )
        return orders

    def _read_header(self, external_id: str) -> Mapping[str, Any] | None:
        """One order's header (``/order/get``), None when Lazada knows no such
        order of this seller."""
        try:
            data = self._request("GET", "/order/get", params={"order_id": external_id})
        except AuthorizationError:
            raise
        except PermanentError as exc:
            if exc.code in UNKNOWN_ORDER_CODES:
                return None
            raise
        return data_of(data, "order")

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
        return mappers.header_buyer(header)

    def _order_items(self, ids: list[str]) -> dict[str, list[Mapping[str, Any]] | str]:
        """Each order's items; an order whose items cannot be read maps to the
        problem (a string), so that the others of the batch are imported."""
        data = self._request(
            "GET", "/orders/items/get", params={"order_ids": f"[{','.join(ids)}]"}
        )
        return mappers.items_by_order(data_of(data, "order items", list))

    def _time(self, value: Any) -> datetime | None:
        """Parse Lazada's ISO (``T`` or space, ``+08:00`` or ``+0800``) or epoch."""
        return parse_time(value, self.country)

    def _to_order(
        self, row: Mapping[str, Any], items: list[Mapping[str, Any]]
    ) -> Order:
        status_map = self.status_table()
        order = mappers.to_order(
            row,
            items,
            country=self.country,
            status_map=status_map,
            unknown_statuses_of=self.unknown_statuses_of,
        )
        live, cancelled = mappers.split_items(items, status_map)
        complete = mappers.fill_amount_components(order, row, live, bool(cancelled))
        self._absorb_residual(order, complete, "items differ from its total")
        return order

    # -------------------------------------------------------------- webhooks

    def _webhook_signature(self, url: str, raw: bytes) -> str | None:
        """HMAC-SHA256(app_secret, app_key + raw body); the URL is not signed."""
        key, secret = self.config.app_key, self.config.app_secret
        return push_signature(str(key), secret, raw) if key and secret else None

    def _webhook_time(self, message: Mapping[str, Any]) -> datetime | None:
        """``timestamp`` is in ms (trade orders) or seconds (other messages)."""
        return epoch_time(message.get("timestamp"))

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise a push message (see :func:`.mappers.event_from_message`).

        Lazada keeps no lost pushes: the scheduled order sync covers misses.
        """
        return mappers.event_from_message(message, self.name)
