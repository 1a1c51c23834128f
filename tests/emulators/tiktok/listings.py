"""TikTok Shop listings: products, SKUs, inventory and price updates."""

from __future__ import annotations

import json
from typing import Any

from ..harness import Request, Response
from .common import CODE_PARAM


class TikTokListings:
    """Products, SKUs, inventory and price updates."""

    def add_catalogue(self, products: list[dict[str, Any]]) -> None:
        """Add generated products (every shop of the seller lists them)."""
        with self.store.lock:
            for product in products:
                self.store["products"][str(product["id"])] = product

    def _products_search(self, req: Request) -> Response:
        _, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        status = body.get("status", "ALL")
        with self.store.lock:
            rows = sorted(
                (
                    p
                    for p in self.store["products"].values()
                    if status == "ALL" or p["status"] == status
                ),
                key=lambda p: p["id"],
            )
            page, token, error = self._page(req, rows)
            if error:
                return error
            products = [
                {
                    **{k: v for k, v in p.items() if k != "skus"},
                    "skus": [
                        {k: v for k, v in s.items() if not k.startswith("_")}
                        for s in p["skus"]
                    ],
                }
                for p in page
            ]
        return self._ok(
            {
                "products": json.loads(json.dumps(products)),
                "next_page_token": token,
                "total_count": len(rows),
            }
        )

    def _product_skus(
        self, req: Request
    ) -> tuple[dict[str, Any] | None, list[Any], Response | None]:
        _, error = self._check(req)
        if error:
            return None, [], error
        body, error = self._body(req)
        if error:
            return None, [], error
        with self.store.lock:
            product = self.store["products"].get(req.path_id)
        if product is None:
            return None, [], self._error(17019001, "Product not found")
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            return None, [], self._error(CODE_PARAM, "skus is required")
        if product["status"] != "ACTIVATE":
            return None, [], self._error(17019002, "Product is not active")
        by_id = {s["id"]: s for s in product["skus"]}
        for row in skus:
            if not isinstance(row, dict) or str(row.get("id")) not in by_id:
                return (
                    None,
                    [],
                    self._error(17019003, "The SKU does not belong to the product"),
                )
        return product, [(by_id[str(r["id"])], r) for r in skus], None

    def _inventory_update(self, req: Request) -> Response:
        _product, pairs, error = self._product_skus(req)
        if error:
            return error
        for _sku, row in pairs:
            levels = row.get("inventory")
            if not isinstance(levels, list) or not levels:
                return self._error(CODE_PARAM, "inventory is required")
            for level in levels:
                quantity = level.get("quantity")
                if not isinstance(quantity, int) or not 0 <= quantity <= 99999:
                    return self._error(CODE_PARAM, "quantity must be 0-99999")
        with self.store.lock:
            for sku, row in pairs:
                sku["inventory"][0]["quantity"] = row["inventory"][0]["quantity"]
        return self._ok({})

    def _prices_update(self, req: Request) -> Response:
        _product, pairs, error = self._product_skus(req)
        if error:
            return error
        for _sku, row in pairs:
            price = row.get("price") or {}
            try:
                amount = float(price.get("amount"))
            except (TypeError, ValueError):
                return self._error(CODE_PARAM, "price.amount is required")
            if amount <= 0 or price.get("currency") != "VND":
                return self._error(CODE_PARAM, "Invalid price or currency")
        with self.store.lock:
            for sku, row in pairs:
                sku["price"]["sale_price"] = str(row["price"]["amount"])
        return self._ok({})
