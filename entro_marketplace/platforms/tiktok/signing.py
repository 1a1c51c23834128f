"""TikTok Shop request signing and webhook signatures.

Signing (HMAC-SHA256 keyed with the app secret, lower-case hex): the query
parameters but ``sign`` and ``access_token``, sorted by name and concatenated as
``key + value``, prefixed by the request path, followed by the exact JSON body
(unless the request is multipart), the whole wrapped in the app secret:
``secret + path + k1v1k2v2.. + body + secret``. The body is serialised once and
sent as the very bytes that were signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from typing import Any


def param_text(value: Any) -> str:
    """A query value as TikTok signs it (lists joined with commas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def sign(
    app_secret: str,
    path: str,
    params: Mapping[str, Any],
    body: bytes | str | None = None,
) -> str:
    """Request signature: HMAC-SHA256(secret, secret+path+sorted k+v+body+secret)."""
    text = path + "".join(
        f"{key}{param_text(params[key])}"
        for key in sorted(params)
        if key not in ("sign", "access_token")
    )
    if body:
        text += body.decode() if isinstance(body, bytes) else body
    wrapped = f"{app_secret}{text}{app_secret}"
    return hmac.new(app_secret.encode(), wrapped.encode(), hashlib.sha256).hexdigest()


def webhook_signature(app_key: str, app_secret: str, body: bytes) -> str:
    """Expected ``Authorization`` of a webhook: HMAC-SHA256(secret, app_key + body)."""
    message = str(app_key).encode() + body
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def encode_body(body: Any) -> bytes:
    """The one serialisation of a JSON body: signed and sent as these bytes."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
