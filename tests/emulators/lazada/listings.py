"""Lazada listings: products, SKUs, price and quantity updates."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from ..harness import Request, Response


class LazadaListings:
    """Products, SKUs, price and quantity updates."""

    def add_catalogue(self, products: list[dict[str, Any]]) -> None:
        """Add generated products."""
        with self.store.lock:
            for product in products:
                self.store["products"][int(product["item_id"])] = product

    def _products_get(self, req: Request) -> Response:
        params, _, error = self._check(req)
        if error:
            return error
        try:
            limit = int(params.get("limit", "10"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            return self._error("19", "Invalid Limit")
        if not 1 <= limit <= 50:
            return self._error("19", "Invalid Limit")
        if offset < 0 or offset > 10000:
            return self._error("14", 'E014: "%s" Invalid Offset')
        if params.get("filter", "all") not in ("all", "live"):
            return self._error("36", "E036: Invalid status filter")
        with self.store.lock:
            rows = sorted(self.store["products"].values(), key=lambda p: p["item_id"])
            page = [
                {
                    **{k: v for k, v in p.items() if k != "skus"},
                    "item_id": str(p["item_id"]),
                    "skus": [
                        {k: v for k, v in s.items() if not k.startswith("_")}
                        for s in p["skus"]
                    ],
                }
                for p in rows[offset : offset + limit]
            ]
        return self._ok({"total_products": len(rows), "products": page})

    def _price_quantity_update(self, req: Request) -> Response:
        params, _, error = self._check(req)
        if error:
            return error
        try:
            root = ET.fromstring(params.get("payload", ""))
        except ET.ParseError:
            return self._error("5", "E005: Invalid Request Format")
        nodes = root.findall("./Product/Skus/Sku")
        if root.tag != "Request" or not nodes:
            return self._error("30", "E030: Empty Request")
        if len(nodes) > 50:
            return self._error(
                "4171",
                "The updated SKU quantity exceeds the maximum number 50, please do not "
                "update more than 50 SKUs at once",
            )
        detail = []
        with self.store.lock:
            by_sku_id = {
                str(s["SkuId"]): (p, s)
                for p in self.store["products"].values()
                for s in p["skus"]
            }
            for node in nodes:
                item_id = node.findtext("ItemId")
                sku_id = node.findtext("SkuId")
                seller_sku = node.findtext("SellerSku")
                found = by_sku_id.get(sku_id or "")
                if found is None and seller_sku:
                    found = next(
                        (
                            v
                            for v in by_sku_id.values()
                            if v[1]["SellerSku"] == seller_sku
                        ),
                        None,
                    )
                if found is None or str(found[0]["item_id"]) != item_id:
                    detail.append(
                        {
                            "field": "SkuId",
                            "message": "SKU not found",
                            "seller_sku": seller_sku or "",
                            "sku_id": sku_id or "",
                        }
                    )
                    continue
                quantity, price = node.findtext("Quantity"), node.findtext("Price")
                try:
                    if quantity is not None:
                        if int(quantity) < 0:
                            raise ValueError(quantity)
                        found[1]["quantity"] = int(quantity)
                    if price is not None:
                        if float(price) <= 0:
                            raise ValueError(price)
                        found[1]["price"] = float(price)
                except ValueError:
                    detail.append(
                        {
                            "field": "Quantity" if quantity is not None else "Price",
                            "message": "invalid value",
                            "seller_sku": found[1]["SellerSku"],
                            "sku_id": str(found[1]["SkuId"]),
                        }
                    )
        if detail:
            return self._error("501", "Update product failed", detail=detail)
        return self._ok({})
