"""TikTok Shop client: calls, shop ciphers, authorization, orders, webhooks
(listings, fulfilment and finance are mixins of their own modules).

The access token travels in the ``x-tts-access-token`` header, never in the
query. Tokens belong to the seller, not to a shop: one authorization can serve
several shops, each addressed by the ``shop_cipher`` of Get Authorized Shops.
The cipher of a shop is looked up once per process and app (:data:`_CIPHERS`),
or taken from ``ShopConfig.extra["shop_cipher"]``.
"""

from __future__ import annotations

import threading
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
from ..records import Event, Order, OrderRef, TokenSet
from ..registry import PlatformInfo, register
from .const import (
    API_URL,
    AUTH_CODES,
    AUTH_URL,
    CIPHER_CODES,
    CONSENT_URL,
    NOT_SHIPPED,
    RATE_LIMIT_CODE,
    STATUS_MAP,
    TOKEN_EXPIRED_CODES,
    TRANSIENT_CODES,
    VERSION,
    WEBHOOK_TOLERANCE,
)
from .finance import TikTokFinance
from .fulfilment import TikTokFulfilment
from .listings import TikTokListings
from .mappers import (
    epoch,
    fill_amounts,
    order_ref,
    response_data,
    seconds,
    shop_row,
    to_event,
    to_order,
    token_set,
)
from .signing import encode_body, param_text, sign, webhook_signature

#: (app_key, shop id) -> shop_cipher, learnt from Get Authorized Shops.
_CIPHERS: dict[tuple[str, str], str] = {}
_CIPHERS_LOCK = threading.Lock()


def forget_ciphers() -> None:
    """Forget every learnt shop cipher (tests)."""
    with _CIPHERS_LOCK:
        _CIPHERS.clear()


# -------------------------------------------------------------------------- platform


@register
class TikTokPlatform(TikTokListings, TikTokFulfilment, TikTokFinance, Platform):
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
    #: access tokens last 7 days: refresh a little ahead
    token_refresh_margin = timedelta(minutes=5)
    vendor = "TikTok Shop"
    rate_limit_codes = frozenset({RATE_LIMIT_CODE})
    bare_throttle_code = "http_429"
    #: an answer without ``code`` is a fault (retried)
    code_required = True
    #: TikTok retries a delivery for up to ~16 hours with its first
    #: ``timestamp``: later ones are refused (replays are harmless anyway:
    #: events are de-duplicated)
    webhook_retry_window = WEBHOOK_TOLERANCE

    # ------------------------------------------------------------ low level

    @property
    def auth_base_url(self) -> str:
        """Token host: auth.tiktok-shops.com (or the configured/emulator host)."""
        return (self.config.auth_base_url or self.config.base_url or AUTH_URL).rstrip(
            "/"
        )

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
            key: param_text(value)
            for key, value in (params or {}).items()
            if value is not None
        }
        query["app_key"] = self._app_key()
        if shop_scoped:
            query["shop_cipher"] = self.shop_cipher()
        content = encode_body(body) if body is not None else None
        secret = self._app_secret()

        def signed() -> dict[str, str]:
            fresh = dict(query, timestamp=str(seconds(self.now())))
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

    def _error(
        self, code: str, message: Any, request_id: str | None, status: int
    ) -> PlatformError:
        """Map a TikTok error code to the error family."""
        text = self._scrub(message)
        kwargs = {"code": code, "request_id": request_id, "http_status": status}
        description = f"TikTok Shop {code}: {text}" if text else f"TikTok Shop {code}"
        if code == RATE_LIMIT_CODE:
            return RateLimited(description, retry_after=None, **kwargs)
        if code in TOKEN_EXPIRED_CODES or (
            code == "36009004" and "token" in text.lower()
        ):
            return TokenExpired(description, **kwargs)
        if code in AUTH_CODES or code == "36009004":
            return AuthorizationError(description, **kwargs)
        if code in CIPHER_CODES:
            self._forget_cipher()
        if code in TRANSIENT_CODES or status >= 500:
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
        body = response_data(payload, "authorized shops")
        rows = []
        with malformed(
            "TikTok Shop", "authorized shops", _text(payload.get("request_id"))
        ):
            for shop in body.get("shops") or []:
                rows.append(shop_row(shop))
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
        return response_data(payload, "token response")

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
        return token_set(data)

    # --------------------------------------------------------------- orders

    def _iter_order_refs_window(
        self, since: datetime, until: datetime
    ) -> Iterator[OrderRef]:
        """Get Order List by update time, following ``next_page_token``."""
        token: str | None = None
        seen_tokens: set[str] = set()
        while True:
            page = self._call(self._orders_page, since, until, token)
            body = response_data(page, "order list")
            with malformed("TikTok Shop", "order list", _text(page.get("request_id"))):
                rows = body.get("orders") or []
                if not isinstance(rows, list):
                    raise TypeError("orders is not a list")
                refs = [order_ref(row) for row in rows]
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
                "update_time_ge": seconds(since),
                "update_time_lt": seconds(until) + 1,
            },
        )

    def _get_orders_batch(self, ids: list[str]) -> list[Order]:
        wanted = [i for i in ids if i.isdigit()]  # TikTok order ids are numbers
        if not wanted:
            return []
        payload = self._request(
            "GET", f"/order/{VERSION}/orders", params={"ids": ",".join(wanted)}
        )
        body = response_data(payload, "order detail")
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
                orders.append(
                    self._unreadable_order(
                        row.get("id") or "unknown",
                        row,
                        str(exc),
                        status=row.get("status"),
                        updated=row.get("update_time"),
                        parse_time=epoch,
                    )
                )
        return orders

    def order_state(self, row: Mapping[str, Any]) -> str:
        """Normalised state of an order (a buyer's pending cancellation request
        before shipping is ``in_cancel``)."""
        state = self.normalise_status(_text(row.get("status")))
        if state in NOT_SHIPPED and row.get("is_buyer_request_cancel") is True:
            return "in_cancel"
        return state

    def _to_order(self, row: Mapping[str, Any]) -> Order:
        order = to_order(row, self.order_state, self.unknown_statuses_of)
        complete = fill_amounts(order, row.get("payment") or {})
        self._absorb_residual(order, complete, "lines differ from its total")
        return order

    # -------------------------------------------------------------- webhooks

    def _webhook_signature(self, url: str, raw: bytes) -> str | None:
        """HMAC-SHA256(app_secret, app_key + raw body); the URL is not signed."""
        key, secret = self.config.app_key, self.config.app_secret
        return webhook_signature(str(key), secret, raw) if key and secret else None

    def _webhook_time(self, message: Mapping[str, Any]) -> datetime | None:
        return epoch(message.get("timestamp"))

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise a webhook (see :func:`.mappers.to_event`).

        TikTok keeps no lost webhooks: the scheduled order sync covers misses.
        """
        return to_event(message, self.name)
