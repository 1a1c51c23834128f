"""Shopee signatures, computed independently from the client."""

from __future__ import annotations

import hashlib
import hmac


def shopee_sign(key: str, base: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``base`` keyed with the partner key."""
    return hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest()


def shopee_push_sign(key: str, url: str, body: bytes) -> str:
    """Push ``Authorization``: HMAC-SHA256(partner_key, url + "|" + body)."""
    return hmac.new(
        key.encode(), url.encode() + b"|" + body, hashlib.sha256
    ).hexdigest()
