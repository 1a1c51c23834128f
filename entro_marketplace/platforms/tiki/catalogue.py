"""Tiki listings, stock and prices (a mixin of :class:`~.client.TikiPlatform`).

Products are read from ``/integration/v2/products`` (one Tiki product is one
SKU); stock and prices are pushed through ``updateSkus`` in batches of
``extra["sku_batch_size"]``, stock to one seller warehouse.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import AuthorizationError, PermanentError
from ..payload import malformed
from ..payload import text as _text
from ..records import Listing, PriceUpdate, StockUpdate, UpdateResult
from . import mappers
from .const import PRODUCTS_PATH, UPDATE_SKUS_PATH


class TikiCatalogueMixin:
    """Listings and the stock/price pushes of :class:`TikiPlatform`."""

    def iter_listings(self) -> Iterator[Listing]:
        """One Listing per Tiki product (a Tiki product is one SKU)."""
        page = 1
        while True:
            data = self._call(
                self._request,
                "GET",
                PRODUCTS_PATH,
                params={"page": page, "limit": self.product_page_size},
            )
            rows, last_page = self._page(data, "product list")
            with malformed("Tiki", "product list"):
                listings = [self._to_listing(row) for row in rows]
            yield from listings
            if not rows or (last_page is not None and page >= last_page):
                return
            page += 1

    _to_listing = staticmethod(mappers.to_listing)

    def warehouse_id(self) -> str:
        """The seller warehouse stock is pushed to: configured, or the only one."""
        configured = _text(self._extra("warehouse_id"))
        if configured:
            return configured
        warehouses = self.get_warehouses()
        if len(warehouses) == 1 and _text(warehouses[0].get("id")):
            return str(warehouses[0]["id"])
        raise PermanentError(
            "the Tiki seller has several warehouses: choose the one Entro pushes "
            "stock to on the shop",
            code="warehouse_required",
        )

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        warehouse = self.warehouse_id()
        return self._update_skus(
            updates,
            lambda u: {
                "warehouse_quantities": [
                    {
                        "warehouse_id": int(warehouse)
                        if warehouse.isdigit()
                        else warehouse,
                        "qty_available": max(0, int(u.quantity)),
                    }
                ]
            },
        )

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        return self._update_skus(
            updates, lambda u: {"price": mappers.decimal_number(u.price)}
        )

    def update_stock(self, updates: Any) -> list[UpdateResult]:
        """Push stock in ``updateSkus`` batches (size: ``extra["sku_batch_size"]``)."""
        self.max_stock_batch = self.sku_batch_size
        return super().update_stock(updates)

    def update_price(self, updates: Any) -> list[UpdateResult]:
        """Push prices in ``updateSkus`` batches."""
        self.max_price_batch = self.sku_batch_size
        return super().update_price(updates)

    def _update_skus(self, updates: list[Any], values: Any) -> list[UpdateResult]:
        """``PUT /integration/v2.1/products/updateSkus``; values are absolute, so a
        whole batch refused for one bad SKU is not resent: each SKU the answer
        names is reported failed, the others succeeded."""
        rows = [mappers.sku_row(update, values(update)) for update in updates]
        try:
            data = self._request("PUT", UPDATE_SKUS_PATH, json_body={"data": rows})
        except AuthorizationError:
            raise
        except PermanentError as exc:
            named = self._failed_rows(updates, getattr(exc, "detail", None))
            if not named:
                return [
                    UpdateResult(
                        u.item_id,
                        u.variant_id,
                        u.sku,
                        False,
                        exc.code or "failed",
                        self._scrub(exc.message),
                    )
                    for u in updates
                ]
            data = exc.detail
        named = self._failed_rows(updates, data)
        return [
            UpdateResult(u.item_id, u.variant_id, u.sku, False, "rejected", named[n])
            if n in named
            else UpdateResult(u.item_id, u.variant_id, u.sku, True)
            for n, u in enumerate(updates)
        ]

    def _failed_rows(self, updates: list[Any], data: Any) -> dict[int, str]:
        """Positions in ``updates`` that an answer's per-SKU results refuse."""
        return mappers.failed_rows(updates, data, self._scrub)
