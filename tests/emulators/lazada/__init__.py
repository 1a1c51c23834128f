"""A loopback emulator of the Lazada Open Platform (see ``server``)."""

from .const import TIMESTAMP_TOLERANCE
from .data import (
    CARRIERS,
    ITEM_STATUSES,
    LIFECYCLE,
    STATUS_WEIGHTS,
    buyer_paid,
    generate_catalogue,
    generate_order,
    generate_orders,
)
from .signing import lazada_push_sign, lazada_sign
from .server import LazadaEmulator

__all__ = [
    "CARRIERS",
    "ITEM_STATUSES",
    "LIFECYCLE",
    "STATUS_WEIGHTS",
    "TIMESTAMP_TOLERANCE",
    "LazadaEmulator",
    "buyer_paid",
    "generate_catalogue",
    "generate_order",
    "generate_orders",
    "lazada_push_sign",
    "lazada_sign",
]
