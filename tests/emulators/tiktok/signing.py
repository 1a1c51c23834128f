"""TikTok Shop signatures and ciphers, computed independently from the client."""

from __future__ import annotations

import hashlib
import hmac


def tiktok_sign(secret: str, path: str, params: dict[str, str], body: bytes) -> str:
    """hex HMAC-SHA256(secret, secret + path + sorted k+v + body + secret)."""
    text = path + "".join(
        f"{k}{params[k]}" for k in sorted(params) if k not in ("sign", "access_token")
    )
    wrapped = secret.encode() + text.encode() + body + secret.encode()
    return hmac.new(secret.encode(), wrapped, hashlib.sha256).hexdigest()


def tiktok_push_sign(app_key: str, secret: str, body: bytes) -> str:
    """Webhook ``Authorization``: hex HMAC-SHA256(secret, app_key + body)."""
    return hmac.new(
        secret.encode(), app_key.encode() + body, hashlib.sha256
    ).hexdigest()


def cipher_of(shop_id: str) -> str:
    """The emulator's shop cipher of a shop id."""
    return "ROW_" + hashlib.sha1(shop_id.encode()).hexdigest()[:24]
