"""Shopee listings: items, models, stock and price updates."""

from __future__ import annotations

from typing import Any

from ..harness import Request, Response
from .const import SHOP


class ShopeeListings:
    """Items, models, stock and price updates."""

    def add_catalogue(self, items: list[dict[str, Any]]) -> None:
        """Add generated items to the store."""
        with self.store.lock:
            for item in items:
                self.store["items"][item["item_id"]] = item

    @staticmethod
    def _price_stock(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "price_info": [
                {
                    "currency": "VND",
                    "original_price": row["price"],
                    "current_price": row["price"],
                }
            ],
            "stock_info_v2": {
                "summary_info": {
                    "total_reserved_stock": 0,
                    "total_available_stock": row["stock"],
                },
                "seller_stock": [{"location_id": "VNZ", "stock": row["stock"]}],
            },
        }

    def _get_item_list(self, req: Request) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        try:
            offset = int(req.arg("offset") or 0)
            page_size = int(req.arg("page_size") or "")
        except ValueError:
            return self._error(
                400, "error_param", "Wrong parameters, detail: not a number."
            )
        if not 1 <= page_size <= 100 or offset < 0:
            return self._error(
                400, "error_param", "page_size should be between 1 and 100."
            )
        statuses = set(req.args("item_status")) or {"NORMAL"}
        with self.store.lock:
            rows = sorted(
                (
                    i
                    for i in self.store["items"].values()
                    if i["item_status"] in statuses
                ),
                key=lambda i: i["item_id"],
            )
        page = rows[offset : offset + page_size]
        more = offset + page_size < len(rows)
        return self._ok(
            {
                "item": [
                    {
                        "item_id": i["item_id"],
                        "item_status": i["item_status"],
                        "update_time": i["update_time"],
                    }
                    for i in page
                ],
                "total_count": len(rows),
                "has_next_page": more,
                "next_offset": offset + page_size if more else 0,
            }
        )

    def _get_item_base_info(self, req: Request) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        ids = [s for s in (req.arg("item_id_list") or "").split(",") if s]
        if not 1 <= len(ids) <= 50 or not all(s.isdigit() for s in ids):
            return self._error(
                400, "error_param", "item_id_list should be between 1 and 50."
            )
        out = []
        with self.store.lock:
            for item_id in ids:
                item = self.store["items"].get(int(item_id))
                if item is None:
                    continue
                row = {
                    "item_id": item["item_id"],
                    "item_name": item["item_name"],
                    "item_sku": item["item_sku"],
                    "item_status": item["item_status"],
                    "has_model": item["has_model"],
                    "update_time": item["update_time"],
                }
                if not item["has_model"]:
                    row.update(self._price_stock(item))
                out.append(row)
        return self._ok({"item_list": out})

    def _get_model_list(self, req: Request) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        item_id = req.arg("item_id") or ""
        with self.store.lock:
            item = self.store["items"].get(int(item_id)) if item_id.isdigit() else None
            if item is None:
                return self._error(400, "error_item_not_found", "Item not found.")
            models = [
                {
                    "model_id": m["model_id"],
                    "model_name": m["model_name"],
                    "model_sku": m["model_sku"],
                    "model_status": m["model_status"],
                    "tier_index": [index],
                    **self._price_stock(m),
                }
                for index, m in enumerate(item["models"])
            ]
        tiers = [
            {
                "name": "Phân loại",
                "option_list": [{"option": m["model_name"]} for m in models],
            }
        ]
        return self._ok({"tier_variation": tiers if models else [], "model": models})

    def _update(
        self, req: Request, list_key: str, value_of: Any, apply: Any
    ) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        entries = body.get(list_key)
        if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
            return self._error(
                400, "error_param", f"{list_key} length should be between 1 and 50."
            )
        success, failure = [], []
        with self.store.lock:
            item = self.store["items"].get(body.get("item_id"))
            if item is None:
                return self._error(400, "error_item_not_found", "Item not found.")
            targets = (
                {m["model_id"]: m for m in item["models"]}
                if item["has_model"]
                else {0: item}
            )
            for entry in entries:
                model_id = entry.get("model_id", 0)
                value = value_of(entry)
                if model_id not in targets:
                    failure.append(
                        {"model_id": model_id, "failed_reason": "model not found"}
                    )
                elif value is None:
                    failure.append(
                        {"model_id": model_id, "failed_reason": "invalid value"}
                    )
                else:
                    success.append(apply(targets[model_id], model_id, value))
        return self._ok({"success_list": success, "failure_list": failure})

    def _update_stock(self, req: Request) -> Response:
        def value_of(entry: dict[str, Any]) -> int | None:
            stocks = entry.get("seller_stock")
            if not isinstance(stocks, list) or not stocks:
                return None
            stock = stocks[0].get("stock")
            return stock if isinstance(stock, int) and stock >= 0 else None

        def apply(target: dict[str, Any], model_id: int, value: int) -> dict[str, Any]:
            target["stock"] = value
            return {"model_id": model_id, "location_id": "VNZ", "stock": value}

        return self._update(req, "stock_list", value_of, apply)

    def _update_price(self, req: Request) -> Response:
        def value_of(entry: dict[str, Any]) -> float | None:
            price = entry.get("original_price")
            ok = (
                isinstance(price, int | float)
                and not isinstance(price, bool)
                and price > 0
            )
            return price if ok else None

        def apply(
            target: dict[str, Any], model_id: int, value: float
        ) -> dict[str, Any]:
            target["price"] = value
            return {"model_id": model_id, "original_price": value}

        return self._update(req, "price_list", value_of, apply)
