"""Pure-Python marketplace platform layer (no Odoo imports).

``PLATFORMS`` maps a platform code (``"shopee"``, ...) to its :class:`Platform`
subclass; each platform module registers itself with :func:`register`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Platform

PLATFORMS: dict[str, type[Platform]] = {}


def register(cls: type[Platform]) -> type[Platform]:
    """Class decorator: add a platform class to ``PLATFORMS`` under ``cls.name``."""
    if not getattr(cls, "name", ""):
        raise ValueError(f"{cls.__name__} has no platform name")
    existing = PLATFORMS.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"platform {cls.name!r} is already registered")
    PLATFORMS[cls.name] = cls
    return cls


def get_platform_class(name: str) -> type[Platform]:
    """Return the platform class registered under ``name``.

    :raise KeyError: with the known names when ``name`` is not registered.
    """
    try:
        return PLATFORMS[name]
    except KeyError:
        known = ", ".join(PLATFORMS) or "none"  # in registration order
        raise KeyError(f"unknown platform {name!r} (known: {known})") from None


from . import shopee
from . import lazada
from . import tiktok
from . import tiki
