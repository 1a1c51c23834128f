"""Tiki listings: products and SKU updates."""

from __future__ import annotations

from typing import Any

from ..harness import Request, Response


class TikiListings:
    """Products and SKU updates."""

    def add_catalogue(self, products: list[dict[str, Any]]) -> None:
        with self.store.lock:
            for product in products:
                self.store["products"][int(product["product_id"])] = product

    def _products(self, req: Request) -> Response:
        _grant, error = self._auth(req)
        if error:
            return error
        try:
            page = int(req.arg("page", "1") or 1)
            limit = int(req.arg("limit", "20") or 20)
        except ValueError:
            return self._err(400, "invalid page")
        if page < 1 or not 1 <= limit <= 100:
            return self._err(400, "page must be >= 1 and limit in 1..100")
        with self.store.lock:
            rows = sorted(
                self.store["products"].values(), key=lambda p: p["product_id"]
            )
            chunk = [
                {
                    **{k: v for k, v in p.items() if not k.startswith("_")},
                    "inventory": {
                        "quantity_available": p["_qty"],
                        "warehouse_quantities": [
                            {
                                "warehouse_id": self.warehouses[0]["id"],
                                "qty_available": p["_qty"],
                            }
                        ],
                    },
                }
                for p in rows[(page - 1) * limit : page * limit]
            ]
        last = max(1, -(-len(rows) // limit))
        return Response(
            200,
            {
                "data": chunk,
                "paging": {"total": len(rows), "current_page": page, "last_page": last},
            },
        )

    def _update_skus(self, req: Request) -> Response:
        _grant, error = self._auth(req)
        if error:
            return error
        body = self._json(req)
        rows = body.get("data") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not rows:
            return self._err(400, "data is required")
        if len(rows) > 50:
            return self._err(400, "at most 50 SKUs per request")
        warehouse_ids = {w["id"] for w in self.warehouses}
        results = []
        with self.store.lock:
            by_sku = {p["original_sku"]: p for p in self.store["products"].values()}
            for row in rows:
                product = self.store["products"].get(
                    row.get("product_id")
                ) or by_sku.get(row.get("original_sku"))
                ident = {
                    "product_id": row.get("product_id"),
                    "original_sku": row.get("original_sku"),
                }
                if product is None:
                    results.append(
                        {**ident, "state": "failed", "errors": ["product not found"]}
                    )
                    continue
                errors = []
                for wq in row.get("warehouse_quantities") or []:
                    if wq.get("warehouse_id") not in warehouse_ids:
                        errors.append("unknown warehouse")
                    elif int(wq.get("qty_available", -1)) < 0:
                        errors.append("invalid quantity")
                if "price" in row and not (
                    isinstance(row["price"], int | float) and row["price"] > 0
                ):
                    errors.append("invalid price")
                if errors:
                    results.append({**ident, "state": "failed", "errors": errors})
                    continue
                for wq in row.get("warehouse_quantities") or []:
                    product["_qty"] = int(wq["qty_available"])
                if "price" in row:
                    product["price"] = row["price"]
                results.append({**ident, "state": "approved"})
        return Response(200, {"data": results})
