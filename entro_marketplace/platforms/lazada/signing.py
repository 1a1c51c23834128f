"""LazOP request signing and push signatures.

A request is signed with HMAC-SHA256 keyed with the app secret, in UPPER-case
hex, over the API path followed by every parameter but ``sign``, sorted by name
and concatenated as ``key + value``. A push carries in ``Authorization`` the
lower-case hex HMAC-SHA256 of ``app_key + raw body`` (the URL is not signed).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any


def param_text(value: Any) -> str:
    """A parameter value as Lazada receives (and signs) it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return str(value)


def sign(app_secret: str, api_path: str, params: Mapping[str, Any]) -> str:
    """LazOP request signature: HMAC-SHA256 of path + sorted key+value, UPPER hex."""
    base = api_path + "".join(
        f"{key}{param_text(params[key])}" for key in sorted(params) if key != "sign"
    )
    digest = hmac.new(app_secret.encode(), base.encode(), hashlib.sha256)
    return digest.hexdigest().upper()


def push_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """Expected ``Authorization`` of a push: HMAC-SHA256(secret, app_key + body)."""
    message = str(app_key).encode() + body
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()
