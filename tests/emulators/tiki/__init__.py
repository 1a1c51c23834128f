"""A loopback emulator of the Tiki Open API (see ``server``)."""

from .data import (
    EVENT_TYPES,
    LIFECYCLE,
    STATUS_WEIGHTS,
    TIKI_PRODUCTS,
    TIME_FORMAT,
    VN,
    buyer_paid,
    generate_catalogue,
    generate_order,
    generate_orders,
    parse_vn_time,
    vn_time,
)
from .server import TikiEmulator
from .statement import (
    STATEMENT_HEADER,
    WITHHOLDING_RATES,
    order_withholding,
    statement_csv,
    statement_rows,
    statement_xlsx,
)

__all__ = [
    "EVENT_TYPES",
    "LIFECYCLE",
    "STATEMENT_HEADER",
    "STATUS_WEIGHTS",
    "TIKI_PRODUCTS",
    "TIME_FORMAT",
    "VN",
    "WITHHOLDING_RATES",
    "TikiEmulator",
    "buyer_paid",
    "generate_catalogue",
    "generate_order",
    "generate_orders",
    "order_withholding",
    "parse_vn_time",
    "statement_csv",
    "statement_rows",
    "statement_xlsx",
    "vn_time",
]
