"""The marketplace platform layer: pure Python, no Odoo imports.

One package per platform (``<code>/``: const, signing, mappers, client and a module
per large domain), behind the interface of :mod:`.base`. The registry
(``PLATFORMS``, :func:`register`, :class:`PlatformInfo`) lives in :mod:`.registry`;
importing this package registers the platforms: one import line each, below.

A platform's Odoo side, where it has one (``<code>/odoo/``: models, views, data),
is imported by the addon, never from here, so this package loads without Odoo.
"""

from .registry import (
    CAPABILITIES,
    PLATFORMS,
    PlatformInfo,
    get_info,
    get_platform_class,
    register,
    unregister,
)

__all__ = [
    "CAPABILITIES",
    "PLATFORMS",
    "PlatformInfo",
    "get_info",
    "get_platform_class",
    "register",
    "unregister",
]

from . import shopee
from . import lazada
from . import tiktok
from . import tiki
