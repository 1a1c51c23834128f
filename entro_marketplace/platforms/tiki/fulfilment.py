"""Tiki order confirmation (a mixin of :class:`~.client.TikiPlatform`).

The seller confirms the items it has of an order: from one of its inventories
for instock/seller-delivery orders, with the pickup time for dropship orders.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import mappers
from .const import (
    CONFIRM_AVAILABLE_PATH,
    CONFIRM_DROPSHIP_PATH,
    SELLER_INVENTORIES_PATH,
)


class TikiFulfilmentMixin:
    """Order confirmation calls of :class:`TikiPlatform`."""

    def list_seller_inventories(self, tiki_warehouse_code: str) -> list[dict[str, Any]]:
        """Seller inventories usable to confirm an order of that Tiki warehouse."""
        data = self._call(
            self._request,
            "GET",
            SELLER_INVENTORIES_PATH,
            params={"tiki_warehouse_codes": tiki_warehouse_code},
        )
        return mappers.rows_of(data)

    def confirm_available(
        self,
        code: str,
        item_ids: list[str],
        seller_inventory_id: str | None = None,
    ) -> dict[str, Any]:
        """Confirm the available items of an instock/seller-delivery order."""
        body: dict[str, Any] = {"item_ids": [int(i) for i in item_ids]}
        if seller_inventory_id:
            body["seller_inventory_id"] = int(seller_inventory_id)
        return self._call(
            self._request,
            "POST",
            CONFIRM_AVAILABLE_PATH.format(code=code),
            json_body=body,
            idempotent=False,
        )

    def confirm_dropship(
        self,
        code: str,
        item_ids: list[str],
        expected_pickup_time: datetime | None = None,
    ) -> dict[str, Any]:
        """Confirm the available items of a dropship order (with the pickup time)."""
        body: dict[str, Any] = {"item_ids": [int(i) for i in item_ids]}
        if expected_pickup_time is not None:
            body["expected_pickup_time"] = self._format_time(expected_pickup_time)
        return self._call(
            self._request,
            "POST",
            CONFIRM_DROPSHIP_PATH.format(code=code),
            json_body=body,
            idempotent=False,
        )
