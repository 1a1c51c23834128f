"""Shopee emulator constants: list windows, API kinds, default detail fields."""

from __future__ import annotations

FIFTEEN_DAYS = 15 * 24 * 3600
PUBLIC = "public"
SHOP = "shop"

#: fields get_order_detail always returns; the others only when requested
DEFAULT_DETAIL_FIELDS = (
    "order_sn",
    "region",
    "currency",
    "cod",
    "order_status",
    "create_time",
    "update_time",
    "days_to_ship",
    "ship_by_date",
    "message_to_seller",
    "reverse_shipping_fee",
)
