"""What Tiki has in place of signing.

Tiki signs nothing: calls carry ``Authorization: Bearer <access token>``, the
token endpoint takes the app's credentials (HTTP Basic by default), the OAuth
callback is trusted through its ``state``, and queued events, pulled rather than
pushed, are told apart by their id (or a digest of their content).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any

from ..errors import AuthorizationError
from ..payload import text as _text


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


def bearer_headers(access_token: str) -> dict[str, str]:
    """The headers of an API call made with ``access_token``."""
    return {
        "Authorization": f"Bearer {access_token}",
        "Accept": "application/json",
    }


def basic_authorization(client_id: str, client_secret: str) -> str:
    """The ``Authorization`` header value of the token endpoint (HTTP Basic)."""
    pair = f"{client_id}:{client_secret}".encode()
    return "Basic " + base64.b64encode(pair).decode()


def event_dedup_key(message: Mapping[str, Any]) -> str:
    """``tiki:<id>`` of a queued event, or the sha256 of its canonical JSON when
    it has no id (``id`` or ``event_id``); at most 200 characters."""
    event_id = _text(message.get("id")) or _text(message.get("event_id"))
    if event_id:
        dedup = f"tiki:{event_id}"
    else:
        canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
        dedup = "tiki:" + hashlib.sha256(canonical.encode()).hexdigest()
    return dedup[:200]
