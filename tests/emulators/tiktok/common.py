"""What the TikTok Shop handlers share: API version, error codes, status sets."""

from __future__ import annotations

from typing import Any

V = "202309"
MASKED_STATUSES = frozenset({"UNPAID", "ON_HOLD", "CANCELLED"})

# Documented codes (T-DOC errors page); the others are the emulator's own.
CODE_RATE = 36009002
CODE_TOKEN_EXPIRED = 105002
CODE_AUTH = 36009004
CODE_SIGN = 106001
CODE_CIPHER_MISMATCH = 101000
CODE_CIPHER_MISSING = 106013
CODE_PARAM = 12052900
CODE_PACKAGE_STATUS = 21011001
CODE_NOT_CANCELLABLE = 25001005
CODE_NOT_FOUND = 21001001
SELLER_CANCEL_REASONS = frozenset(
    {
        "seller_cancel_reason_out_of_stock",
        "seller_cancel_unpaid_reason_out_of_stock",
        "seller_cancel_paid_reason_address_not_deliver",
        "seller_cancel_reason_wrong_price",
    }
)

#: order status -> status of its package
PACKAGE_STATUSES = {
    "AWAITING_SHIPMENT": "PROCESSING",
    "PARTIALLY_SHIPPING": "PROCESSING",
    "AWAITING_COLLECTION": "FULFILLING",
    "IN_TRANSIT": "FULFILLING",
    "DELIVERED": "COMPLETED",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
}


def in_time_range(body: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether ``row`` is in the search body's ``{create,update}_time_ge/_lt``."""
    for name in ("update_time", "create_time"):
        low, high = body.get(f"{name}_ge"), body.get(f"{name}_lt")
        if low is not None and row[name] < int(low):
            return False
        if high is not None and row[name] >= int(high):
            return False
    return True
