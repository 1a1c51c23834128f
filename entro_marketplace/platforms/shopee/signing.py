"""Shopee signatures (HMAC-SHA256, lower-case hex, key = partner_key as UTF-8).

- shop API: ``partner_id + path + timestamp + access_token + shop_id``;
- merchant API: ``partner_id + path + timestamp + access_token + merchant_id``;
- public API (auth, token, lost pushes): ``partner_id + path + timestamp``;
- push: ``callback_url + "|" + body``, sent in the ``Authorization`` header.
"""

from __future__ import annotations

import hashlib
import hmac


def sign(
    partner_key: str,
    partner_id: int | str,
    path: str,
    timestamp: int,
    access_token: str | None = None,
    target_id: int | str | None = None,
) -> str:
    """Shopee request signature; pass token and shop/merchant id for non-public APIs."""
    base = f"{partner_id}{path}{timestamp}"
    if access_token is not None:
        base += f"{access_token}{target_id if target_id is not None else ''}"
    return hmac.new(partner_key.encode(), base.encode(), hashlib.sha256).hexdigest()


def push_signature(partner_key: str, callback_url: str, body: bytes) -> str:
    """Expected ``Authorization`` header of a push: HMAC(key, url + "|" + body)."""
    message = callback_url.encode() + b"|" + body
    return hmac.new(partner_key.encode(), message, hashlib.sha256).hexdigest()
