"""Lazada signatures, computed independently from the client."""

from __future__ import annotations

import hashlib
import hmac


def lazada_sign(secret: str, path: str, params: dict[str, str]) -> str:
    """UPPER hex HMAC-SHA256 of path + sorted key+value (``sign`` excluded)."""
    base = path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


def lazada_push_sign(app_key: str, secret: str, body: bytes) -> str:
    """Push ``Authorization``: lower hex HMAC-SHA256(secret, app_key + body)."""
    return hmac.new(
        secret.encode(), app_key.encode() + body, hashlib.sha256
    ).hexdigest()
