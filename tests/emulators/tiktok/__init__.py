"""A loopback emulator of the TikTok Shop Partner API (see ``server``)."""

from .common import (
    CODE_AUTH,
    CODE_CIPHER_MISMATCH,
    CODE_CIPHER_MISSING,
    CODE_NOT_CANCELLABLE,
    CODE_NOT_FOUND,
    CODE_PACKAGE_STATUS,
    CODE_PARAM,
    CODE_RATE,
    CODE_SIGN,
    CODE_TOKEN_EXPIRED,
    MASKED_STATUSES,
    PACKAGE_STATUSES,
    SELLER_CANCEL_REASONS,
    V,
)
from .data import (
    CARRIERS,
    DEFAULT_SHOP,
    LIFECYCLE,
    STATUSES,
    STATUS_WEIGHTS,
    buyer_paid,
    generate_catalogue,
    generate_order,
    generate_orders,
)
from .signing import (
    cipher_of,
    tiktok_push_sign,
    tiktok_sign,
)
from .server import (
    TikTokEmulator,
)

__all__ = [
    "CARRIERS",
    "CODE_AUTH",
    "CODE_CIPHER_MISMATCH",
    "CODE_CIPHER_MISSING",
    "CODE_NOT_CANCELLABLE",
    "CODE_NOT_FOUND",
    "CODE_PACKAGE_STATUS",
    "CODE_PARAM",
    "CODE_RATE",
    "CODE_SIGN",
    "CODE_TOKEN_EXPIRED",
    "DEFAULT_SHOP",
    "LIFECYCLE",
    "MASKED_STATUSES",
    "PACKAGE_STATUSES",
    "SELLER_CANCEL_REASONS",
    "STATUSES",
    "STATUS_WEIGHTS",
    "TikTokEmulator",
    "V",
    "buyer_paid",
    "cipher_of",
    "generate_catalogue",
    "generate_order",
    "generate_orders",
    "tiktok_push_sign",
    "tiktok_sign",
]
