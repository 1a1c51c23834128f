"""The interface every marketplace platform implements.

A :class:`Platform` is bound to one :class:`ShopConfig` (one connected shop, or
only the partner credentials for partner-level work such as OAuth and webhooks).
It speaks the platform's API through one :class:`~.transport.Transport` and
returns only the normalised records of :mod:`.records`.

Subclasses implement the ``_``-prefixed hooks (one page, one batch, one refresh);
this class does the windowing, batching, de-duplication and the single
token-refresh retry around every authenticated call (:meth:`Platform._call`).
"""

from __future__ import annotations

import abc
import hmac
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from .errors import (
    AuthorizationError,
    PermanentError,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
    WebhookRejected,
)
from .payload import header, text
from .records import (
    ZERO,
    Buyer,
    Event,
    Listing,
    Order,
    OrderLine,
    OrderRef,
    PriceUpdate,
    Return,
    Settlement,
    Shipment,
    ShippingDocument,
    StockUpdate,
    TokenSet,
    UpdateResult,
)
from .transport import (
    RateLimiter,
    Transport,
    clean_json,
    parse_retry_after,
    scrub_text,
)

T = TypeVar("T")
U = TypeVar("U", StockUpdate, PriceUpdate)
from .batching import chunked, group_per_item, split_windows, utcnow
from .config import ShopConfig, TokenStore

# the names other modules import from here
__all__ = [
    "Platform",
    "ShopConfig",
    "TokenStore",
    "chunked",
    "group_per_item",
    "split_windows",
    "utcnow",
]


class Platform(abc.ABC):
    """Abstract marketplace client bound to one shop configuration.

    :param config: the shop's credentials and settings.
    :param transport: a :class:`Transport` (built from ``config`` by default).
    :param on_call: API-log callback, one dict per HTTP attempt (secrets redacted).
    :param on_tokens: called with the new :class:`TokenSet` *before*
        :meth:`refresh_tokens`/:meth:`exchange_code` return. Refresh tokens are
        single-use, so the callback must persist them durably (its own commit).
    :param clock: returns the current aware UTC datetime (tests freeze it).
    :param token_store: a :class:`TokenStore`: :meth:`refresh_tokens` then
        refreshes under its lock, once across the processes that share it.
    """

    name: ClassVar[str] = ""
    default_base_url: ClassVar[str] = ""
    max_detail_batch: ClassVar[int] = 50
    max_stock_batch: ClassVar[int] = 50
    max_price_batch: ClassVar[int] = 50
    max_window: ClassVar[timedelta] = timedelta(days=15)
    #: raw platform status -> normalised state (see records.ORDER_STATES)
    status_map: ClassVar[Mapping[str, str]] = {}
    #: state for a status missing from status_map (a safe, non-final one)
    unknown_state: ClassVar[str] = "pending"
    #: refresh proactively when the access token expires within this margin
    token_refresh_margin: ClassVar[timedelta] = timedelta(seconds=60)
    #: update APIs take one item per call (True) or mixed items (False)
    updates_per_item: ClassVar[bool] = False
    #: False: no payout API; payouts come from a file a person uploads (Tiki)
    payouts_api: ClassVar[bool] = True
    #: the order list returns whole order headers (``OrderRef.header``): a caller
    #: may keep them and hand them to get_orders, which then reads only what a
    #: header lacks (Lazada: the items) instead of each order again
    refs_carry_headers: ClassVar[bool] = False

    def __init__(
        self,
        config: ShopConfig,
        transport: Transport | None = None,
        on_call: Callable[[dict[str, Any]], None] | None = None,
        on_tokens: Callable[[TokenSet], None] | None = None,
        clock: Callable[[], datetime] | None = None,
        token_store: TokenStore | None = None,
    ):
        self.config = config
        self.clock = clock or utcnow
        self.on_tokens = on_tokens
        self.token_store = token_store
        if transport is None:
            transport = Transport(
                self.name,
                timeout=config.timeout,
                max_attempts=config.max_attempts,
                on_call=on_call,
                max_inline_wait=config.max_inline_wait,
            )
        elif on_call is not None:
            transport.on_call = on_call
        self.transport = transport
        self.limiter = self._make_limiter()
        self._token_lock = threading.RLock()

    # ------------------------------------------------------------------ helpers

    @property
    def base_url(self) -> str:
        """API host (no trailing slash)."""
        return (self.config.base_url or self.default_base_url).rstrip("/")

    @property
    def auth_base_url(self) -> str:
        """Host of the authorization pages and token endpoints."""
        return (self.config.auth_base_url or self.base_url).rstrip("/")

    def now(self) -> datetime:
        """Current aware UTC time from the injected clock."""
        return self.clock()

    def status_key(self, raw_status: str | None) -> str:
        """A raw status as the status tables spell it (as given; Lazada: lower case)."""
        return raw_status or ""

    def status_table(self) -> Mapping[str, str]:
        """Raw status -> state: the platform's map, then the seller's overrides."""
        overrides = self.config.status_overrides
        if not overrides:
            return self.status_map
        return {
            **self.status_map,
            **{self.status_key(k): v for k, v in overrides.items()},
        }

    def normalise_status(self, raw_status: str | None) -> str:
        """Map a raw platform status to a normalised order state (the seller's
        overrides first, then the platform's map, else ``unknown_state``)."""
        return self.status_table().get(self.status_key(raw_status), self.unknown_state)

    def status_known(self, raw_status: str | None) -> bool:
        """Whether a raw status has a mapping (the platform's or the seller's)."""
        return self.status_key(raw_status) in self.status_table()

    def unknown_statuses_of(self, *raw_statuses: str | None) -> list[str]:
        """The statuses no mapping knows, for ``Order.unknown_statuses``.

        An order in an unknown status is imported into nothing: it is held for a
        person, who maps the status on the shop and fetches the order again.
        """
        table = self.status_table()
        return sorted({self.status_key(r) for r in raw_statuses} - set(table))

    def _make_limiter(self) -> RateLimiter:
        """The shop's pace (``rate_limit_per_s``, 0 for none) and the platform's
        last Retry-After for it, shared by the process's jobs."""
        rate = self.config.rate_limit_per_s or 0
        shop = self.config.shop_external_id or self.config.merchant_id or "partner"
        limiter = RateLimiter.for_key(f"{self.name}:{self.config.app_key}:{shop}", rate)
        if self.config.hold_store is not None:
            limiter.store = self.config.hold_store
        return limiter

    # ----------------------------------------------------------- authorization

    @abc.abstractmethod
    def authorize_url(self, redirect_uri: str, state: str | None = None) -> str:
        """The URL where the seller grants access; it redirects to redirect_uri."""

    def deauthorize_url(self, redirect_uri: str) -> str | None:
        """The URL where the seller withdraws the app's access, or None when the
        platform has no such page or API (the seller does it in its seller centre)."""
        return None

    @abc.abstractmethod
    def exchange_code(self, code: str, **params: Any) -> TokenSet:
        """Turn an authorization code into tokens (stored and reported)."""

    @abc.abstractmethod
    def _refresh_tokens(self) -> TokenSet:
        """Call the platform's refresh endpoint and return the new tokens."""

    def refresh_tokens(self) -> TokenSet:
        """Refresh the access token, store it in config, report it, return it.

        ``on_tokens`` (and the token store's ``save``) run before this returns,
        because the old refresh token is now void: if persisting fails, the
        error propagates to the caller.

        With a :class:`TokenStore`, the refresh runs under its lock, after
        reloading the stored tokens: when another process replaced the tokens
        this client holds, they are adopted (and returned) instead, and the
        refresh happens only if they too need it.
        """
        with self._token_lock:
            store = self.token_store
            if store is None:
                tokens = self._refresh_tokens()
                self._store_tokens(tokens)
                return tokens
            used = self.config.access_token
            with store.lock():
                current = store.reload()
                if current is not None and current.access_token != used:
                    self._adopt_tokens(current)
                    if not self._token_needs_refresh():
                        return current
                tokens = self._refresh_tokens()
                self._store_tokens(tokens)
                store.save(tokens)
            return tokens

    def _adopt_tokens(self, tokens: TokenSet) -> None:
        """Use tokens another process stored (they are not reported again)."""
        self.config.access_token = tokens.access_token
        self.config.refresh_token = tokens.refresh_token
        self.config.access_expires_at = tokens.access_expires_at
        self.config.refresh_expires_at = tokens.refresh_expires_at

    def _store_tokens(self, tokens: TokenSet) -> None:
        self.config.access_token = tokens.access_token
        if tokens.refresh_token:
            self.config.refresh_token = tokens.refresh_token
        self.config.access_expires_at = tokens.access_expires_at
        self.config.refresh_expires_at = tokens.refresh_expires_at
        if self.on_tokens is not None:
            self.on_tokens(tokens)

    def _token_needs_refresh(self) -> bool:
        expires = self.config.access_expires_at
        return bool(
            self.config.refresh_token
            and expires is not None
            and self.now() >= expires - self.token_refresh_margin
        )

    def _call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run an authenticated API call; on TokenExpired refresh once and retry.

        A second TokenExpired propagates. Concurrent callers sharing this object
        refresh only once: a caller whose token was already replaced retries
        without refreshing again.
        """
        if self._token_needs_refresh():
            with self._token_lock:
                if self._token_needs_refresh():
                    self.refresh_tokens()
        used = self.config.access_token
        try:
            return fn(*args, **kwargs)
        except TokenExpired:
            with self._token_lock:
                if self.config.access_token == used:
                    self.refresh_tokens()
        return fn(*args, **kwargs)

    # ------------------------------------------------------ calls and answers
    #
    # A platform signs and sends its calls (:meth:`_request`); :meth:`_parse`
    # turns every answer's envelope into the error family of :mod:`.errors`.

    #: the platform's name in error messages ("Shopee", "TikTok Shop")
    vendor: ClassVar[str] = ""
    #: envelope codes that mean success (besides no code at all)
    ok_codes: ClassVar[frozenset[str]] = frozenset({"0"})
    #: envelope codes that mean "throttled" whatever the HTTP status
    rate_limit_codes: ClassVar[frozenset[str]] = frozenset()
    #: the code of a throttled answer that is not JSON (None: no code)
    bare_throttle_code: ClassVar[str | None] = None
    #: every answer carries a code: one without is a transient fault
    code_required: ClassVar[bool] = False

    #: the platform's names of the app's credentials, in messages
    app_key_label: ClassVar[str] = "app_key"
    app_secret_label: ClassVar[str] = "app_secret"

    def _app_key(self) -> str:
        """The app's key (:class:`AuthorizationError` when not configured)."""
        if not self.config.app_key:
            raise AuthorizationError(
                f"{self.vendor} {self.app_key_label} is not configured"
            )
        return str(self.config.app_key)

    def _app_secret(self) -> str:
        """The app's secret (:class:`AuthorizationError` when not configured)."""
        if not self.config.app_secret:
            raise AuthorizationError(
                f"{self.vendor} {self.app_secret_label} is not configured"
            )
        return self.config.app_secret

    @abc.abstractmethod
    def _request(self, method: str, path: str, **options: Any) -> Any:
        """Sign and send one API call (``options``: the platform's own); return
        what :meth:`_parse` makes of the answer."""

    @staticmethod
    def _decode(response: Any) -> Any:
        """The JSON of an answer (cleaned), None when it is not JSON."""
        try:
            return clean_json(response.json())
        except ValueError:
            return None

    def _parse(self, response: Any) -> Any:
        """Decode the platform's envelope, or raise the matching PlatformError.

        Not JSON: throttled (429) or transient (gateway pages are typical of
        outages). Then, in this order: throttled (HTTP 429 or a rate-limit
        code), the envelope's error code (:meth:`_envelope_error`), the HTTP
        status (5xx transient, 4xx permanent), a missing code when one is
        required. A platform whose answers have no envelope overrides this
        (Tiki: the HTTP status is the error), reading them with :meth:`_decode`.
        """
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        data = self._decode(response)
        if not isinstance(data, dict):
            if status == 429:
                raise RateLimited(
                    f"{self.vendor} throttled the call (HTTP 429)",
                    retry_after=retry_after,
                    code=self.bare_throttle_code,
                    http_status=status,
                )
            raise TransientError(
                f"{self.vendor} returned a non-JSON response (HTTP {status})",
                code="bad_response",
                http_status=status,
            )
        request_id = text(data.get("request_id"))
        code, message = self._envelope(data)
        if status == 429 or code in self.rate_limit_codes:
            raise RateLimited(
                f"{self.vendor} throttled the call: {self._scrub(message)}",
                retry_after=retry_after,
                code=code or "http_429",
                request_id=request_id,
                http_status=status,
            )
        if code is not None and code not in self.ok_codes:
            raise self._envelope_error(data, code, request_id, status, retry_after)
        if status >= 400:
            family = TransientError if status >= 500 else PermanentError
            raise family(
                f"{self.vendor} HTTP {status}",
                request_id=request_id,
                http_status=status,
            )
        if code is None and self.code_required:
            raise TransientError(
                f"{self.vendor} answered without a code",
                code="bad_response",
                request_id=request_id,
                http_status=status,
            )
        return data

    def _envelope(self, data: Mapping[str, Any]) -> tuple[str | None, Any]:
        """The envelope's error code (None when it has none) and message."""
        return text(data.get("code")), data.get("message")

    def _envelope_error(
        self,
        data: Mapping[str, Any],
        code: str,
        request_id: str | None,
        status: int,
        retry_after: float | None,
    ) -> PlatformError:
        """The error an envelope's code means: :meth:`_error` of its code and
        message (a platform whose envelope says more overrides this: Lazada's
        error ``type``, its ``detail``)."""
        return self._error(code, data.get("message"), request_id, status)

    def _error(
        self, code: str, message: Any, request_id: str | None, status: int
    ) -> PlatformError:
        """Map an envelope's error code and message to the error family (with
        the platform's code sets, from its ``const``)."""
        raise NotImplementedError(f"{self.name}: _error")

    def _scrub(self, value: Any) -> str:
        """A text fit for an error message or a log: configured secrets removed."""
        return scrub_text(str(value or ""), self.config.secrets())

    @abc.abstractmethod
    def _token_set(self, data: Mapping[str, Any]) -> TokenSet:
        """The tokens of a token answer (code exchange or refresh)."""

    # ---------------------------------------------------------- order reading

    def _absorb_residual(
        self, order: Order, complete: bool, note: str, warn: bool = True
    ) -> None:
        """The last step of filling an order's amounts, once the platform filled
        the components: a difference from the total goes to ``other_discounts``
        (positive) or ``other_fees`` (negative), so that ``check_total() == 0``,
        and leaves the amounts incomplete. ``note`` words the warning logged
        (when ``warn``) under the platform module's logger.
        """
        residual = order.check_total()
        if residual:
            complete = False
            if warn:
                logging.getLogger(type(self).__module__).warning(
                    "%s order %s %s by %s",
                    self.vendor,
                    order.external_id,
                    note,
                    residual,
                )
            if residual > 0:
                order.other_discounts += residual
            else:
                order.other_fees -= residual
        order.amounts_complete = complete

    def _unreadable_order(
        self,
        external_id: Any,
        row: Mapping[str, Any],
        problem: str,
        *,
        status: Any = None,
        state: str = "pending",
        updated: Any = None,
        parse_time: Callable[[Any], datetime | None] | None = None,
        raw: dict[str, Any] | None = None,
    ) -> Order:
        """The placeholder of an order whose data could not be mapped: kept with
        its raw data (default ``{"order": row}``) and the problem, so that one
        unreadable order does not block the others of its batch.

        ``updated`` is read with ``parse_time`` (None when it cannot be).
        """
        try:
            update_time = parse_time(updated) if parse_time else None
        except (TypeError, ValueError, OverflowError):
            update_time = None
        return Order(
            external_id=str(external_id)[:64],
            status=str(status or "unknown")[:64],
            state=state,
            create_time=None,
            update_time=update_time,
            currency="",
            total_amount=ZERO,
            raw={"order": dict(row)} if raw is None else raw,
            problems=[problem],
        )

    # ------------------------------------------------------------------ orders

    @abc.abstractmethod
    def _iter_order_refs_window(
        self, since: datetime, until: datetime
    ) -> Iterator[OrderRef]:
        """Yield the orders updated in one window (at most ``max_window`` long)."""

    @abc.abstractmethod
    def _get_orders_batch(self, ids: list[str]) -> list[Order]:
        """Fetch at most ``max_detail_batch`` orders."""

    def _get_orders_batch_from_headers(
        self, ids: list[str], headers: Mapping[str, Mapping[str, Any]]
    ) -> list[Order]:
        """Fetch at most ``max_detail_batch`` orders, those in ``headers`` from
        their listed header (platforms whose refs carry headers override this)."""
        return self._get_orders_batch(ids)

    def header_buyer(self, header: Mapping[str, Any]) -> Buyer | None:
        """The buyer's platform id and phone as a listed header gives them (None
        when it gives neither): kept beside a staged header, so that a person's
        request for their data finds it."""
        return None

    def iter_order_refs(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[OrderRef]:
        """Yield orders updated in ``[since, until]``, each once.

        The range is split into windows of at most ``max_window``; each window
        follows the platform's pages or cursors.
        """
        until = until or self.now()
        seen: set[str] = set()
        for start, end in split_windows(since, until, self.max_window):
            for ref in self._iter_order_refs_window(start, end):
                if ref.external_id not in seen:
                    seen.add(ref.external_id)
                    yield ref

    @classmethod
    def detail_batches(cls, ids: Iterable[str]) -> list[list[str]]:
        """Order ids, de-duplicated, cut into the batches one detail read takes
        (``max_detail_batch``): how :meth:`get_orders` reads them, and how the
        caller splits its work (one import job per batch)."""
        unique = list(dict.fromkeys(str(i) for i in ids))
        return list(chunked(unique, cls.max_detail_batch))

    def get_orders(
        self,
        ids: Iterable[str],
        headers: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> list[Order]:
        """Fetch full orders, batching by ``max_detail_batch``.

        Ids are de-duplicated; orders the platform does not return are omitted.
        ``headers``: raw headers from ``OrderRef.header`` by id, used when the
        platform's refs carry headers (else ignored): those orders are built from
        their header and a fresh read of what it lacks; a header older than that
        read is read again.
        """
        listed = headers if headers and self.refs_carry_headers else {}
        orders: list[Order] = []
        for batch in self.detail_batches(ids):
            known = {i: listed[i] for i in batch if i in listed}
            if known:
                orders.extend(
                    self._call(self._get_orders_batch_from_headers, batch, known)
                )
            else:
                orders.extend(self._call(self._get_orders_batch, batch))
        return orders

    # -------------------------------------------------------------- fulfilment
    #
    # Each platform overrides the ``_``-prefixed hooks it supports; the public
    # methods add the token-refresh retry. A platform that does not (yet) offer
    # one of them answers with a PermanentError(code="unsupported").

    #: normalised cancel reasons (records.CANCEL_REASONS) the platform accepts
    cancel_reasons: ClassVar[tuple[str, ...]] = ()
    #: the longest update-time window the returns list accepts
    max_return_window: ClassVar[timedelta] = timedelta(days=15)

    def _unsupported(self, what: str) -> PermanentError:
        return PermanentError(
            f"{self.name or 'this platform'} does not support {what} through Entro yet",
            code="unsupported",
        )

    def ship_order(self, order: Order, mode: str) -> Shipment:
        """Arrange the shipment of a paid order (``mode``: records.SHIP_MODES).

        Idempotent: an order whose shipment is already arranged is not shipped
        again; its current shipment is returned.
        """
        return self._call(self._ship_order, order, mode)

    def _ship_order(self, order: Order, mode: str) -> Shipment:
        raise self._unsupported("arranging shipments")

    def get_tracking(self, shipment: Shipment) -> Shipment:
        """The shipment with its tracking number, once the carrier assigned it."""
        return self._call(self._get_tracking, shipment)

    def _get_tracking(self, shipment: Shipment) -> Shipment:
        raise self._unsupported("tracking numbers")

    def get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        """The shipping label, or None while the platform is still producing it."""
        return self._call(self._get_shipping_label, shipment)

    def _get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        raise self._unsupported("shipping labels")

    def cancel_order(
        self, order: Order, reason: str, lines: list[OrderLine] | None = None
    ) -> None:
        """Cancel an order (or only ``lines``) as the seller, for ``reason``.

        :raise PermanentError: when the platform refuses (e.g. already shipped).
        """
        if reason not in self.cancel_reasons:
            raise PermanentError(
                f"{self.name} does not accept the cancel reason {reason!r}",
                code="bad_reason",
            )
        self._call(self._cancel_order, order, reason, lines or order.lines)

    def _cancel_order(self, order: Order, reason: str, lines: list[OrderLine]) -> None:
        raise self._unsupported("seller cancellations")

    def iter_returns(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Return]:
        """Yield the returns/refunds updated in ``[since, until]``, each once."""
        until = until or self.now()
        seen: set[str] = set()
        for start, end in split_windows(since, until, self.max_return_window):
            for ret in self._iter_returns_window(start, end):
                if ret.external_id not in seen:
                    seen.add(ret.external_id)
                    yield ret

    def _iter_returns_window(
        self, since: datetime, until: datetime
    ) -> Iterator[Return]:
        raise self._unsupported("returns")

    # ---------------------------------------------------------------- listings

    @abc.abstractmethod
    def iter_listings(self) -> Iterator[Listing]:
        """Yield every listing (one per item variant) of the shop."""

    @abc.abstractmethod
    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        """Send one stock batch (``item_id`` is None unless updates_per_item)."""

    @abc.abstractmethod
    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        """Send one price batch (``item_id`` is None unless updates_per_item)."""

    def _batches(
        self, updates: Sequence[U], size: int
    ) -> list[tuple[str | None, list[U]]]:
        if self.updates_per_item:
            return list(group_per_item(updates, size))
        return [(None, chunk) for chunk in chunked(list(updates), size)]

    def update_stock(self, updates: Iterable[StockUpdate]) -> list[UpdateResult]:
        """Push stock quantities in batches the platform accepts."""
        results: list[UpdateResult] = []
        for item_id, batch in self._batches(list(updates), self.max_stock_batch):
            results.extend(self._call(self._update_stock_batch, item_id, batch))
        return results

    def update_price(self, updates: Iterable[PriceUpdate]) -> list[UpdateResult]:
        """Push prices in batches the platform accepts."""
        results: list[UpdateResult] = []
        for item_id, batch in self._batches(list(updates), self.max_price_batch):
            results.extend(self._call(self._update_price_batch, item_id, batch))
        return results

    # ---------------------------------------------------------------- webhooks

    #: how late a signed message may come when the platform retries deliveries
    #: with its first timestamp (over ``webhook_tolerance``; TikTok: 24 hours)
    webhook_retry_window: ClassVar[timedelta] = timedelta(0)

    def verify_webhook(
        self, url: str, headers: Mapping[str, str], body: bytes
    ) -> Event:
        """Verify an inbound webhook and return its normalised event.

        ``url`` is the exact callback URL registered with the platform and
        ``body`` the raw request bytes (never a re-serialised JSON). The
        platform gives the expected signature (:meth:`_webhook_signature`) and
        the message's time (:meth:`_webhook_time`); the event comes from
        :meth:`event_from_message`.

        :raise WebhookRejected: status 401 when no secret is configured or the
            signature is missing/wrong; 403 when the message is stale; 400 when a
            correctly signed body cannot be read; 404 when the platform pushes
            nothing.
        """
        raw = body.encode() if isinstance(body, str) else bytes(body)
        expected = self._webhook_signature(url, raw)
        if expected is None:
            raise WebhookRejected("no_secret", status=401)
        given = header(headers, "Authorization")
        if not given:
            raise WebhookRejected("missing_signature", status=401)
        if not hmac.compare_digest(expected.encode(), given.strip().lower().encode()):
            raise WebhookRejected("bad_signature", status=401)
        try:
            message = clean_json(json.loads(raw))
        except ValueError as exc:
            raise WebhookRejected("bad_body", status=400) from exc
        if not isinstance(message, dict):
            raise WebhookRejected("bad_body", status=400)
        try:
            sent_at = self._webhook_time(message)
        except (TypeError, ValueError, OverflowError, OSError) as exc:
            raise WebhookRejected("bad_timestamp", status=403) from exc
        self._check_freshness(sent_at)
        try:
            return self.event_from_message(message)
        except (TypeError, ValueError, AttributeError, OverflowError) as exc:
            raise WebhookRejected("bad_body", status=400) from exc

    def _webhook_signature(self, url: str, raw: bytes) -> str | None:
        """The lower-case hex ``Authorization`` a push of ``raw`` must carry, None
        without the app's credentials (default: the platform pushes nothing)."""
        raise WebhookRejected("not_supported", status=404)

    def _webhook_time(self, message: Mapping[str, Any]) -> datetime | None:
        """When a push was sent (its ``timestamp``), None when it does not say."""
        raise NotImplementedError(f"{self.name}: _webhook_time")

    @abc.abstractmethod
    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise one pushed (or pulled, or recovered) message."""

    def _check_freshness(self, sent_at: datetime | None) -> None:
        """Reject messages older (or further in the future) than the tolerance
        (older than ``webhook_retry_window`` when that is longer)."""
        tolerance = self.config.webhook_tolerance
        if tolerance is None:
            return
        if sent_at is None:
            raise WebhookRejected("missing_timestamp", status=403)
        age = self.now() - sent_at
        if age > max(tolerance, self.webhook_retry_window) or -age > tolerance:
            raise WebhookRejected("stale_timestamp", status=403)

    def fetch_lost_events(self) -> list[Event]:
        """Return notifications the platform failed to deliver (if it keeps them).

        Process (store) them, then call :meth:`confirm_lost_events`.
        """
        return []

    def confirm_lost_events(self, cursor: str | None = None) -> None:
        """Acknowledge the events returned by the last :meth:`fetch_lost_events`."""
        return

    # ----------------------------------------------------------------- finance

    #: how far before ``since`` a settlement read looks for the start of the first
    #: payout (the transactions a payout covers precede it)
    settlement_lookback: ClassVar[timedelta] = timedelta(days=15)

    def iter_settlements(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Settlement]:
        """Yield the payouts made in ``[since, until]``, each with its lines.

        Each :class:`~.records.Settlement` is complete (its lines add up to its
        net amount) and stable: reading it again gives the same lines, so the
        caller can import it idempotently by ``external_id``.
        """
        raise NotImplementedError(f"{self.name}: payouts are not supported yet")
