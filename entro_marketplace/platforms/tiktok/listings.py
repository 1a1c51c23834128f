"""TikTok Shop listings: products and their SKUs, stock and price updates.

A mixin of :class:`~.client.TikTokPlatform` (it uses the client's ``_request``,
``_call``, ``_scrub`` and ``config``). Stock and prices are updated per product.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from ..errors import AuthorizationError, PermanentError
from ..payload import malformed
from ..payload import text as _text
from ..records import Listing, PriceUpdate, StockUpdate, UpdateResult, to_money
from .const import VERSION
from .mappers import product_listings, region_currency, response_data


def _amount_text(amount: Decimal) -> str:
    value = to_money(amount)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


class TikTokListings:
    """Products, stock and prices of a TikTok Shop shop."""

    product_page_size = 100

    def iter_listings(self, status: str = "ALL") -> Iterator[Listing]:
        """Yield one Listing per SKU of every product (any status by default)."""
        token: str | None = None
        while True:
            page = self._call(self._products_page, token, status)
            body = response_data(page, "product list")
            listings = []
            with malformed(
                "TikTok Shop", "product list", _text(page.get("request_id"))
            ):
                products = body.get("products") or []
                if not isinstance(products, list):
                    raise TypeError("products is not a list")
                for product in products:
                    listings.extend(product_listings(product))
            yield from listings
            token = _text(body.get("next_page_token"))
            if not token or not products:
                return

    def _products_page(self, page_token: str | None, status: str) -> dict[str, Any]:
        return self._request(
            "POST",
            f"/product/{VERSION}/products/search",
            params={"page_size": self.product_page_size, "page_token": page_token},
            body={"status": status},
        )

    # ----------------------------------------------------- stock and prices

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        warehouse = _text(self.config.extra.get("warehouse_id"))

        def sku(update: StockUpdate) -> dict[str, Any]:
            level: dict[str, Any] = {"quantity": max(0, int(update.quantity))}
            if warehouse:
                level["warehouse_id"] = warehouse
            return {"id": str(update.variant_id), "inventory": [level]}

        return self._send_update(
            f"/product/{VERSION}/products/{item_id}/inventory/update",
            updates,
            [sku(u) for u in updates],
        )

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        currency = _text(self.config.extra.get("currency")) or region_currency(
            self.config.country
        )
        skus = [
            {
                "id": str(u.variant_id),
                "price": {"amount": _amount_text(u.price), "currency": currency},
            }
            for u in updates
        ]
        return self._send_update(
            f"/product/{VERSION}/products/{item_id}/prices/update", updates, skus
        )

    def _send_update(
        self,
        path: str,
        updates: list[StockUpdate] | list[PriceUpdate],
        skus: list[dict[str, Any]],
    ) -> list[UpdateResult]:
        """One product's update; a refusal fails its SKUs (values are absolute:
        the next push sends them again)."""
        try:
            self._request("POST", path, body={"skus": skus}, idempotent=True)
        except AuthorizationError:
            raise
        except PermanentError as exc:
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
        return [UpdateResult(u.item_id, u.variant_id, u.sku, True) for u in updates]
