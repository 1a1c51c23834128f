"""Tiki authorization (a mixin of :class:`~.client.TikiPlatform`).

A public app sends the seller to Tiki's consent page and exchanges the code it
gets back; an in-house app authenticates as itself (client credentials). Both
refresh at the token endpoint; a public app also holds its own
client-credentials token, shared by the process, for the queues it owns.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from ..errors import AuthorizationError, PermanentError, TokenExpired
from ..payload import malformed
from ..payload import text as _text
from ..records import TokenSet
from .const import (
    AUTHORIZE_PATH,
    DEFAULT_SCOPES,
    MIN_STATE_LENGTH,
    TOKEN_AUTH_BASIC,
    TOKEN_AUTH_POST,
    TOKEN_PATH,
)
from .signing import basic_authorization, check_state


class TikiAuthMixin:
    """Tokens of :class:`TikiPlatform`: the seller's, and the app's own."""

    #: client-credentials tokens of apps, shared by the process: {key: (token, exp)}
    _app_tokens: dict[str, tuple[str, datetime]] = {}
    _app_tokens_lock = threading.Lock()

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
        return f"{host}{AUTHORIZE_PATH}?{urlencode(params, quote_via=quote)}"

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        body = dict(form)
        if self._extra("token_auth_method", TOKEN_AUTH_BASIC) == TOKEN_AUTH_POST:
            body["client_id"] = self._app_key()
            body["client_secret"] = self._app_secret()
        else:
            headers["Authorization"] = basic_authorization(
                self._app_key(), self._app_secret()
            )
        host = (self.config.auth_base_url or self.base_url).rstrip("/")
        data = self.transport.request(
            "POST",
            host + TOKEN_PATH,
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
