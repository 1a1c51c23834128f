"""HTTP transport shared by all platforms: timeouts, retries, rate limit, call log.

One :class:`Transport` wraps a ``requests.Session``. Each call

1. waits for a token from the per-shop :class:`RateLimiter` (shared by key across
   every Transport in the process), then, immediately before sending, for the end
   of any ``Retry-After`` the platform gave a call of the shop (in any process,
   through the limiter's :class:`HoldStore`);
2. sends the request with a (connect, read) timeout;
3. lets the platform's ``parse`` callable turn the response into a payload or a
   :mod:`.errors` exception;
4. reports the attempt to ``on_call`` with secrets redacted;
5. retries connection errors, timeouts, 5xx and 429 (and any retryable
   ``PlatformError`` raised by ``parse``) with exponential backoff and jitter,
   honouring ``Retry-After`` (capped).
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any, ClassVar, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from .errors import PlatformError, RateLimited, TransientError

_logger = logging.getLogger(__name__)

REDACTED = "***"
DEFAULT_TIMEOUT = (5.0, 30.0)

_SENSITIVE_EXACT = frozenset({"sign", "signature", "code", "authorization", "cookie"})
_SENSITIVE_PARTS = ("token", "secret", "password", "partner_key", "signature")

ParseFn = Callable[[requests.Response], Any]
ParamsArg = Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None


# --------------------------------------------------------------------------- redaction


def is_sensitive(name: str) -> bool:
    """Tell whether a query parameter, header or field name carries a secret."""
    key = name.strip().lower().replace("-", "_")
    if key in _SENSITIVE_EXACT or key.endswith("_sign"):
        return True
    return any(part in key for part in _SENSITIVE_PARTS)


#: C0 control characters (but tab, newline, carriage return) and DEL: PostgreSQL
#: cannot store NUL in text or JSON, and none of them belongs in business data.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_json(value: Any) -> Any:
    """Decoded platform JSON with control characters removed from every string.

    Apply it to everything a platform sends (responses, webhooks) so that no path
    downstream meets a NUL or an escape sequence.
    """
    if isinstance(value, str):
        return _CONTROL_CHARS.sub("", value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {
            (clean_json(key) if isinstance(key, str) else key): clean_json(item)
            for key, item in value.items()
        }
    return value


def redact(value: Any) -> Any:
    """Return a copy of ``value`` with secrets replaced by ``"***"``.

    - a URL string: sensitive query parameter values are replaced;
    - a mapping (headers, params, JSON body): sensitive keys are replaced,
      nested mappings and lists are walked;
    - anything else is returned unchanged.
    """
    if isinstance(value, str):
        return redact_url(value)
    if isinstance(value, Mapping):
        return {
            k: (REDACTED if is_sensitive(str(k)) else redact_nested(v))
            for k, v in value.items()
        }
    return value


def redact_nested(value: Any) -> Any:
    """Redact mappings inside lists/mappings; leave scalars alone."""
    if isinstance(value, Mapping):
        return redact(value)
    if isinstance(value, list | tuple):
        return [redact_nested(v) for v in value]
    return value


def redact_url(url: str) -> str:
    """Replace the values of sensitive query parameters in ``url``."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    cleaned = [(k, REDACTED if is_sensitive(k) else v) for k, v in pairs]
    query = urlencode(cleaned, safe="*,")
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def scrub_text(text: str, secrets: list[str | None]) -> str:
    """Remove known secret values from free text (e.g. an echoed error message)."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, REDACTED)
    return text


# ------------------------------------------------------------------------ rate limiter


#: the longest a Retry-After holds a shop's other calls (a guard against a
#: mistaken or hostile header)
MAX_HOLD = 3600.0


class HoldStore(Protocol):
    """Where the holds of a key are shared with other processes (e.g. a table).

    Times are wall-clock (``time.time()``) seconds.
    """

    def get(self, key: str) -> float:
        """Until when ``key`` is held (0: it is not)."""

    def put(self, key: str, until: float) -> None:
        """Hold ``key`` until ``until`` (a later hold already stored stays)."""


class RateLimiter:
    """A thread-safe token bucket; instances are shared by key in the process.

    ``acquire`` reserves a token immediately (the bucket may go negative) and then
    sleeps outside the lock until the reservation is due, so concurrent callers
    are served in order without holding the lock while sleeping. A ``rate`` of 0
    paces nothing.

    It also carries the platform's last ``Retry-After`` for its key (:meth:`hold`):
    a throttled shop is throttled for every job of the process, not only for the
    call that was told to wait, and, through ``store`` (a :class:`HoldStore`), for
    the jobs of every other process.
    """

    _registry: ClassVar[dict[str, RateLimiter]] = {}
    _registry_lock = threading.Lock()

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        if rate < 0:
            raise ValueError("rate must not be negative")
        self.rate = float(rate)
        self.burst = float(burst if burst is not None else max(1.0, rate))
        self._clock = clock
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()
        self._held_until = 0.0
        self._held_by: object | None = None
        #: the key this limiter is shared by (for_key), the holds' key in ``store``
        self.key: str | None = None
        self.store: HoldStore | None = None

    @classmethod
    def for_key(
        cls,
        key: str,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> RateLimiter:
        """Return the process-wide limiter for ``key``, creating it if needed.

        A later call with a different rate updates the existing limiter's rate
        (and its burst).
        """
        with cls._registry_lock:
            limiter = cls._registry.get(key)
            if limiter is None:
                limiter = cls(rate, burst, clock)
                limiter.key = key
                cls._registry[key] = limiter
            elif limiter.rate != rate:
                limiter.rate = float(rate)
                limiter.burst = float(burst if burst is not None else max(1.0, rate))
            return limiter

    @classmethod
    def reset_registry(cls) -> None:
        """Forget all shared limiters (tests)."""
        with cls._registry_lock:
            cls._registry.clear()

    def hold(self, seconds: float, owner: object | None = None) -> None:
        """The platform said to wait ``seconds`` (Retry-After): every caller but
        ``owner`` (which waits or reschedules by itself) waits as long, in this
        process and, through ``store``, in the others."""
        seconds = max(0.0, seconds)
        with self._lock:
            until = self._clock() + seconds
            if until > self._held_until:
                self._held_until = until
                self._held_by = owner
        store = self.store
        if store is not None and self.key and seconds:
            try:
                store.put(self.key, time.time() + seconds)
            except Exception:  # the local hold stands; never break the call
                _logger.exception("could not share a Retry-After of %s", self.key)

    def hold_deadline(self, caller: object | None = None) -> float:
        """When, on this limiter's clock, the holds ``caller`` must wait for end
        (its own excepted; the ones of other processes included). 0: none."""
        with self._lock:
            now = self._clock()
            if caller is not None and caller is self._held_by:
                deadline = 0.0
            else:
                deadline = self._held_until
        store = self.store
        if store is not None and self.key:
            try:
                shared = store.get(self.key)
            except Exception:  # as if not shared: the local holds stand
                _logger.exception("could not read the Retry-After of %s", self.key)
                shared = 0.0
            left = shared - time.time() if shared else 0.0
            if left > 0:
                deadline = max(deadline, now + left)
        return deadline

    def held_for(self, caller: object | None = None) -> float:
        """Seconds ``caller`` must still wait for the holds (0: none)."""
        return max(0.0, self.hold_deadline(caller) - self._clock())

    def reserve(self) -> float:
        """Take one token; return how many seconds the caller must wait."""
        if not self.rate:
            return 0.0
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._stamp)
            self._stamp = now
            self._tokens = min(self.burst, self._tokens + elapsed * self.rate)
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens / self.rate

    def acquire(self, sleep: Callable[[float], None] = time.sleep) -> float:
        """Block until a token is available; return the time waited."""
        wait = self.reserve()
        if wait > 0:
            sleep(wait)
        return wait


# --------------------------------------------------------------------------- transport


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header (seconds or HTTP date) into seconds."""
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class Transport:
    """Send HTTP requests with timeouts, retries, a rate limit and a call log.

    :param platform: platform name reported to ``on_call``.
    :param session: a ``requests.Session`` (a new one by default).
    :param timeout: default (connect, read) timeout in seconds.
    :param max_attempts: attempts per call, including the first.
    :param backoff_base: first backoff delay; doubles each retry.
    :param backoff_cap: maximum backoff delay.
    :param retry_after_cap: maximum wait honoured from ``Retry-After``.
    :param sleep: sleep function (inject a recorder in tests).
    :param on_call: callback receiving one dict per HTTP attempt.
    :param max_inline_wait: a Retry-After longer than this is not waited for:
        the RateLimited error is raised for the caller to reschedule.
    :param rng: random source for jitter.
    """

    def __init__(
        self,
        platform: str,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        max_attempts: int = 5,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_after_cap: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        on_call: Callable[[dict[str, Any]], None] | None = None,
        rng: random.Random | None = None,
        max_inline_wait: float | None = None,
    ):
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.platform = platform
        self.session = session or requests.Session()
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_after_cap = retry_after_cap
        self.max_inline_wait = max_inline_wait
        self.sleep = sleep
        self.on_call = on_call
        self._rng = rng or random.Random()

    # -- public

    def request(
        self,
        method: str,
        url: str,
        *,
        parse: ParseFn,
        params: ParamsArg = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: tuple[float, float] | None = None,
        limiter: RateLimiter | None = None,
        idempotent: bool = True,
        allow_redirects: bool = False,
        form: ParamsArg = None,
        content: bytes | None = None,
    ) -> Any:
        """Send a request and return ``parse(response)``, retrying when sensible.

        ``params`` may be a callable, evaluated at each attempt (so signatures
        with timestamps are fresh on every retry). ``form`` (a mapping or a
        callable, likewise) is sent as an ``application/x-www-form-urlencoded``
        body; it is never copied into the call log, nor is ``content``, a body sent
        as these exact bytes (TikTok Shop signs them). With ``idempotent=False`` only
        failures where the request certainly was not processed are retried
        (connect errors, 429).

        :raise PlatformError: the last error once attempts are exhausted, or any
            non-retryable error at once.
        """
        attempt = 0
        while True:
            attempt += 1
            if limiter is not None:
                limiter.acquire(self.sleep)
                # immediately before sending, whatever the attempt: a Retry-After
                # given meanwhile to any call of the shop holds this one too
                self._wait_for_hold(limiter, url)
            query = params() if callable(params) else params
            body_form = form() if callable(form) else form
            try:
                return self._attempt(
                    method,
                    url,
                    parse,
                    query,
                    json_body,
                    headers,
                    timeout,
                    attempt,
                    allow_redirects,
                    body_form,
                    content,
                )
            except PlatformError as exc:
                retry_after = getattr(exc, "retry_after", None)
                if limiter is not None and retry_after:
                    # as long as the job that got it is postponed (not the cap
                    # of an inline wait), within reason
                    limiter.hold(min(float(retry_after), MAX_HOLD), self)
                if not self._should_retry(exc, attempt, idempotent):
                    raise
                delay = self._delay(exc, attempt)
                _logger.info(
                    "%s %s attempt %s failed (%s); retrying in %.2fs",
                    self.platform,
                    urlsplit(url).path,
                    attempt,
                    exc.code,
                    delay,
                )
                self.sleep(delay)

    # -- internals

    def _wait_for_hold(self, limiter: RateLimiter, url: str) -> None:
        """Before a call: wait out another caller's Retry-After for this shop, or
        when longer than a worker may wait, end the call the same way. A hold set
        (or lengthened) while waiting is waited for in turn."""
        waited_until = None
        while True:
            deadline = limiter.hold_deadline(self)
            wait = deadline - limiter._clock()
            if wait <= 0 or (waited_until is not None and deadline <= waited_until):
                return
            if self.max_inline_wait is not None and wait > self.max_inline_wait:
                _logger.info(
                    "%s %s not sent: the platform asked to wait %.1fs more",
                    self.platform,
                    urlsplit(url).path,
                    wait,
                )
                raise RateLimited(
                    f"{self.platform}: waiting for the platform's Retry-After",
                    retry_after=math.ceil(wait),
                    code="rate_limit_hold",
                )
            self.sleep(wait)
            # (a shared deadline moves with the clocks by a hair: not a new hold)
            waited_until = deadline + 0.05

    def _attempt(
        self,
        method: str,
        url: str,
        parse: ParseFn,
        query: Mapping[str, Any] | None,
        json_body: Any,
        headers: Mapping[str, str] | None,
        timeout: tuple[float, float] | None,
        attempt: int,
        allow_redirects: bool,
        body_form: Mapping[str, Any] | None = None,
        content: bytes | None = None,
    ) -> Any:
        record: dict[str, Any] = {
            "platform": self.platform,
            "method": method.upper(),
            "endpoint": urlsplit(url).path,
            "status_code": None,
            "duration_ms": None,
            "request_id": None,
            "error_code": None,
            "error_message": None,
            "attempt": attempt,
            "url_redacted": redact_url(_full_url(url, query)),
        }
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                url,
                params=dict(query) if query else None,
                json=json_body,
                data=content
                if content is not None
                else (dict(body_form) if body_form else None),
                headers=dict(headers) if headers else None,
                timeout=timeout or self.timeout,
                allow_redirects=allow_redirects,
            )
        except requests.exceptions.RequestException as exc:
            error = self._network_error(exc)
            record["duration_ms"] = _elapsed_ms(started)
            record["error_code"] = error.code
            record["error_message"] = error.message
            self._report(record)
            raise error from exc
        record["duration_ms"] = _elapsed_ms(started)
        record["status_code"] = response.status_code
        try:
            result = parse(response)
        except PlatformError as exc:
            record["request_id"] = exc.request_id
            record["error_code"] = exc.code
            record["error_message"] = exc.message
            self._report(record)
            raise
        record["request_id"] = _request_id_of(result)
        self._report(record)
        return result

    @staticmethod
    def _network_error(exc: requests.exceptions.RequestException) -> TransientError:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            code = "connect_timeout"
        elif isinstance(exc, requests.exceptions.Timeout):
            code = "read_timeout"
        elif isinstance(exc, requests.exceptions.ConnectionError):
            code = "connection_error"
        else:
            code = "request_error"
        # The exception text may contain the URL with its query: keep only the class.
        error = TransientError(f"network error: {type(exc).__name__}", code=code)
        error.not_sent = code in ("connect_timeout", "connection_error")
        return error

    def _should_retry(self, exc: PlatformError, attempt: int, idempotent: bool) -> bool:
        if attempt >= self.max_attempts or not exc.retryable:
            return False
        retry_after = getattr(exc, "retry_after", None)
        if (
            self.max_inline_wait is not None
            and retry_after is not None
            and retry_after > self.max_inline_wait
        ):
            # too long to hold a worker: the caller reschedules the work instead
            return False
        if idempotent:
            return True
        return isinstance(exc, RateLimited) or getattr(exc, "not_sent", False)

    def _delay(self, exc: PlatformError, attempt: int) -> float:
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            return min(float(retry_after), self.retry_after_cap)
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** (attempt - 1)))
        # "equal jitter": half fixed, half random, so delays still grow
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _report(self, record: dict[str, Any]) -> None:
        _logger.debug(
            "%s %s %s -> %s in %sms (attempt %s, error %s)",
            record["platform"],
            record["method"],
            record["endpoint"],
            record["status_code"],
            record["duration_ms"],
            record["attempt"],
            record["error_code"],
        )
        if self.on_call is None:
            return
        try:
            self.on_call(record)
        except Exception:  # a logging callback must never break a sync
            _logger.exception("on_call callback failed for %s", record["endpoint"])


def _full_url(url: str, query: Mapping[str, Any] | None) -> str:
    if not query:
        return url
    prepared = requests.Request("GET", url, params=dict(query)).prepare()
    return prepared.url or url


def _elapsed_ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def _request_id_of(result: Any) -> str | None:
    request_id = getattr(result, "request_id", None)
    if request_id is None and isinstance(result, Mapping):
        request_id = result.get("request_id")
    return str(request_id) if request_id else None
