"""A loopback emulator of the Shopee Open Platform API v2 (see ``server``)."""

from .const import DEFAULT_DETAIL_FIELDS, FIFTEEN_DAYS, PUBLIC, SHOP
from .data import (
    CARRIERS,
    CARRIER_CHARGE,
    LIFECYCLE,
    PAYMENT_METHODS,
    SHIPPED_STATUSES,
    STATUS_WEIGHTS,
    generate_catalogue,
    generate_order,
    generate_orders,
    order_income,
)

# the shared fake data this module defined before it became a package
from ..fakedata import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    LOCATIONS,
    MIDDLE_NAMES,
    PRODUCTS,
    STREETS,
)
from .signing import shopee_push_sign, shopee_sign
from .server import ShopeeEmulator

__all__ = [
    "CARRIERS",
    "CARRIER_CHARGE",
    "DEFAULT_DETAIL_FIELDS",
    "FAMILY_NAMES",
    "FIFTEEN_DAYS",
    "GIVEN_NAMES",
    "LIFECYCLE",
    "LOCATIONS",
    "MIDDLE_NAMES",
    "PAYMENT_METHODS",
    "PRODUCTS",
    "PUBLIC",
    "SHIPPED_STATUSES",
    "SHOP",
    "STATUS_WEIGHTS",
    "STREETS",
    "ShopeeEmulator",
    "generate_catalogue",
    "generate_order",
    "generate_orders",
    "order_income",
    "shopee_push_sign",
    "shopee_sign",
]
