"""What a platform client is given: the shop's configuration and its token store.

:class:`ShopConfig` carries one connected shop's credentials and settings (or
only the app's, for app-level work such as OAuth and webhooks);
:class:`TokenStore` is where the shop's tokens live, shared by every process.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from .records import TokenSet
from .transport import DEFAULT_TIMEOUT


@dataclass
class ShopConfig:
    """Credentials and settings of one connected shop (or of the partner app).

    ``app_key``/``app_secret`` are the platform's names for the app credentials:
    on Shopee they are ``partner_id``/``partner_key`` (aliases provided).
    ``base_url`` defaults to the platform's production host; point it at an
    emulator in tests and demos.
    """

    app_key: str | None = None
    app_secret: str | None = field(default=None, repr=False)
    base_url: str | None = None
    auth_base_url: str | None = None
    shop_external_id: str | None = None
    merchant_id: str | None = None
    country: str | None = None
    access_token: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    access_expires_at: datetime | None = None
    refresh_expires_at: datetime | None = None
    rate_limit_per_s: float | None = 10.0
    timeout: tuple[float, float] = DEFAULT_TIMEOUT
    max_attempts: int = 5
    #: a Retry-After longer than this is not slept through: RateLimited is raised
    #: so that the caller reschedules (None: always wait, up to the transport cap)
    max_inline_wait: float | None = None
    webhook_tolerance: timedelta | None = timedelta(minutes=15)
    #: the seller's own mapping of raw statuses to states, over ``status_map``
    status_overrides: dict[str, str] = field(default_factory=dict)
    #: where a Retry-After is shared with the other processes (a
    #: transport.HoldStore); None: only this process's calls are held
    hold_store: Any = field(default=None, repr=False, compare=False)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def partner_id(self) -> str | None:
        """Shopee name of ``app_key``."""
        return self.app_key

    @property
    def partner_key(self) -> str | None:
        """Shopee name of ``app_secret``."""
        return self.app_secret

    def secrets(self) -> list[str | None]:
        """Values that must never appear in logs or error messages."""
        return [self.app_secret, self.access_token, self.refresh_token]


class TokenStore(Protocol):
    """Where a shop's tokens live, shared by every process that calls for it.

    Refresh tokens are single-use: two workers refreshing with the same one
    would leave one of them (and the shop) with a void token. The client
    refreshes under :meth:`lock`, after :meth:`reload`, so that a worker that
    finds the tokens already refreshed by another adopts them instead.
    """

    def lock(self) -> AbstractContextManager[Any]:
        """Hold the shop's tokens for this process until the block ends;
        what :meth:`save` writes inside the block is durable when it ends."""

    def reload(self) -> TokenSet | None:
        """The tokens as stored now (inside :meth:`lock`), None when none are."""

    def save(self, tokens: TokenSet) -> None:
        """Store new tokens (inside :meth:`lock`)."""
