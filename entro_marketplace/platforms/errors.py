"""The one error family raised by the platform layer.

Callers branch on the class, never on message text:

- :class:`TokenExpired` — refresh the access token once and retry;
- :class:`RateLimited` — retry after ``retry_after`` seconds (None = unknown);
- :class:`TransientError` — network/server trouble, retry with backoff;
- :class:`AuthorizationError` — bad credentials, signature or revoked access: a
  human must reconnect the shop; do not retry;
- :class:`PermanentError` — the request itself is wrong (parameters, state);
  do not retry;
- :class:`WebhookRejected` — an inbound webhook failed verification.

Messages never contain secrets: platform modules scrub configured secrets from
any text they put in an error.
"""

from __future__ import annotations


class PlatformError(Exception):
    """Base class: a marketplace call failed."""

    retryable = False

    def __init__(
        self,
        message: str,
        code: str | None = None,
        request_id: str | None = None,
        http_status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status

    def __str__(self) -> str:
        parts = [self.message]
        if self.code:
            parts.append(f"code={self.code}")
        if self.http_status:
            parts.append(f"http={self.http_status}")
        if self.request_id:
            parts.append(f"request_id={self.request_id}")
        return (
            " ".join(parts)
            if len(parts) == 1
            else f"{parts[0]} ({', '.join(parts[1:])})"
        )


class TokenExpired(PlatformError):
    """The access token is expired or unknown; refresh it and retry once."""


class RateLimited(PlatformError):
    """The platform throttled us; wait ``retry_after`` seconds (None if unknown)."""

    retryable = True

    def __init__(self, message: str, retry_after: float | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class TransientError(PlatformError):
    """Temporary failure (network, timeout, 5xx, platform busy); safe to retry."""

    retryable = True


class PermanentError(PlatformError):
    """The platform refused the request for a reason retrying will not fix."""


class AuthorizationError(PermanentError):
    """Bad partner credentials or signature, revoked access, or invalid code."""


class WebhookRejected(PlatformError):
    """An inbound webhook failed verification.

    ``status`` is the HTTP status the controller should answer with: 401 for a
    missing/invalid signature or no configured secret, 403 for a stale or replayed
    message, 400 for a well-signed but unreadable body.
    """

    def __init__(self, reason: str, status: int = 401):
        super().__init__(reason, code=reason, http_status=status)
        self.reason = reason
        self.status = status
