"""Where ``l10n_vn_edi_viettel``'s calls to SInvoice go, and what a failure was.

``l10n_vn_edi_viettel`` sends every call through one module-level function,
``_l10n_vn_edi_send_request(method, url, json_data, params, headers, cookies)``,
to hard-coded URLs (``SINVOICE_API_URL`` and the login URL, both on
``https://api-vinvoice.viettel.vn``). It answers ``(json, error text)`` and
folds every failure into the text: a service that is down, a timeout and an
invoice SInvoice refused look the same. That function is the narrowest place
to act, and the one its own tests patch: this module replaces it with one that,
inside a :func:`sinvoice_session` only (the bridge's overrides of the
``account.move`` methods that call SInvoice open one), sends the same request

- to the session's base URL instead of Viettel's host (an emulator on loopback,
  on a test or sandbox database only: see ``account_move._entro_sinvoice_base_url``);
- with the session's timeout;
- and records what a failure was (:class:`Failure`): transient (no answer, a
  timeout, HTTP 5xx or a page that is not JSON), the token refused (SInvoice's
  HTTP 500 ``GENERAL``), credentials refused at login, no invoice found by a
  lookup (``NOT_FOUND_DATA``), or a business error (the invoice refused, with
  SInvoice's message).

Outside a session (any database without the bridge) the original function runs,
untouched. Nothing here logs a request's body, parameters or cookies: the login
body holds the password, the cookie the token.
"""

import contextvars
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from requests import RequestException

from odoo.addons.l10n_vn_edi_viettel.models import account_move as l10n_vn_edi

_logger = logging.getLogger(__name__)

#: the origin of l10n_vn_edi_viettel's SINVOICE_API_URL and login URL
VIETTEL_ORIGIN = "https://api-vinvoice.viettel.vn"

TRANSIENT = "transient"
TOKEN = "token"  # the stored access token refused: log in again
AUTH = "auth"  # the username or password refused
NOT_FOUND = "not_found"  # a lookup found nothing (NOT_FOUND_DATA)
REFUSED = "refused"  # a business error: SInvoice refused the request

#: SInvoice's answer to an expired or unknown token (its error table: HTTP 500
#: with this message, not a 401)
TOKEN_MESSAGE = "GENERAL"
NOT_FOUND_MESSAGE = "NOT_FOUND_DATA"


@dataclass
class Failure:
    """What went wrong with the last call of a session."""

    kind: str
    path: str
    status: int | None = None
    code: str | None = None  # SInvoice's error code (``message``), or the exception
    text: str | None = None  # SInvoice's own words (``data``)

    def describe(self):
        """SInvoice's message, for a person (no secret: never the request)."""
        parts = [p for p in (self.code, self.text) if p]
        if self.status and not parts:
            parts = [f"HTTP {self.status}"]
        return ": ".join(parts) or self.kind


class SInvoiceSession:
    """The calls to SInvoice of one operation (a job, a button)."""

    def __init__(self, base_url=None, timeout=None):
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout = timeout
        self.failure = None
        self.calls = 0

    def url(self, url):
        """``url`` on the session's host (Viettel's own when it has none)."""
        if self.base_url and url.startswith(VIETTEL_ORIGIN + "/"):
            return self.base_url + url[len(VIETTEL_ORIGIN) :]
        return url

    def _fail(self, failure, message):
        self.failure = failure
        _logger.info(
            "SInvoice %s: %s (%s)",
            failure.path,
            failure.kind,
            failure.code or failure.status or "-",
        )
        return {}, message

    def request(
        self, method, url, json_data=None, params=None, headers=None, cookies=None
    ):
        """``_l10n_vn_edi_send_request``'s contract: ``(json, error text)``."""
        target = self.url(url)
        path = urlsplit(target).path
        self.failure = None
        self.calls += 1
        started = time.monotonic()
        try:
            response = requests.request(
                method,
                target,
                json=json_data,
                params=params,
                headers=headers,
                cookies=cookies,
                timeout=self.timeout or l10n_vn_edi.SINVOICE_TIMEOUT,
            )
        except RequestException as err:
            return self._fail(
                Failure(TRANSIENT, path, code=type(err).__name__),
                f"SInvoice could not be reached: {type(err).__name__}",
            )
        _logger.debug(
            "SInvoice %s %s: HTTP %s in %.2f s",
            method,
            path,
            response.status_code,
            time.monotonic() - started,
        )
        status = response.status_code
        try:
            body = response.json()
        except ValueError:
            return self._fail(
                Failure(TRANSIENT, path, status=status),
                f"SInvoice answered HTTP {status} without data",
            )
        if not isinstance(body, dict):
            return self._fail(
                Failure(TRANSIENT, path, status=status),
                f"SInvoice answered HTTP {status} without data",
            )
        message = body.get("message")
        message = message if isinstance(message, str) else None
        if status >= 500 and message == TOKEN_MESSAGE:
            return self._fail(
                Failure(TOKEN, path, status=status, code=message),
                "SInvoice refused the access token",
            )
        if status >= 500 or status in (408, 429):
            return self._fail(
                Failure(TRANSIENT, path, status=status, code=message),
                f"SInvoice is unavailable (HTTP {status})",
            )
        # l10n_vn_edi_viettel's own test of an error: a "code" or an "error"
        if body.get("code") or body.get("error"):
            data = (
                body.get("data") or body.get("error_description") or body.get("error")
            )
            text = data if isinstance(data, str) else None
            if path.endswith("/auth/login"):
                kind = AUTH
            elif message == NOT_FOUND_MESSAGE:
                kind = NOT_FOUND
            else:
                kind = REFUSED
            failure = Failure(kind, path, status=status, code=message, text=text)
            return self._fail(
                failure, f"Error when contacting SInvoice: {failure.describe()}."
            )
        return body, None


_SESSION = contextvars.ContextVar("entro_sinvoice_session", default=None)


def current_session():
    """The open session, or None."""
    return _SESSION.get()


@contextmanager
def sinvoice_session(base_url=None, timeout=None):
    """Route the calls of l10n_vn_edi_viettel made inside to ``base_url`` (None:
    Viettel's own host); a session opened inside another is that one."""
    session = _SESSION.get()
    if session is not None:
        yield session
        return
    session = SInvoiceSession(base_url, timeout)
    token = _SESSION.set(session)
    try:
        yield session
    finally:
        _SESSION.reset(token)


_original_send_request = getattr(
    l10n_vn_edi._l10n_vn_edi_send_request,
    "_entro_original",
    l10n_vn_edi._l10n_vn_edi_send_request,
)


def _send_request(method, url, json_data=None, params=None, headers=None, cookies=None):
    session = _SESSION.get()
    if session is None:
        return _original_send_request(
            method,
            url,
            json_data=json_data,
            params=params,
            headers=headers,
            cookies=cookies,
        )
    return session.request(method, url, json_data, params, headers, cookies)


_send_request._entro_original = _original_send_request
l10n_vn_edi._l10n_vn_edi_send_request = _send_request
