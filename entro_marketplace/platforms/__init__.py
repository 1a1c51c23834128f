"""Pure-Python marketplace platform layer (no Odoo imports).

The registry (``PLATFORMS``, :func:`register`, :class:`PlatformInfo`) lives in
:mod:`.registry`; importing this package registers the four platforms.
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
