"""Tiki orders: listing, detail, status changes and confirmation."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..harness import Request, Response
from .data import generate_catalogue, generate_order, parse_vn_time, vn_time


class TikiOrders:
    """Orders, their statuses and confirmation."""

    def add_orders(self, orders: list[dict[str, Any]], emit: bool = False) -> None:
        with self.store.lock:
            for order in orders:
                self.store["orders"][order["code"]] = order
        if emit:
            for order in orders:
                if order["status"] not in ("waiting_payment", "processing"):
                    self.emit(order["_seller_id"], "ORDER_CREATED_SUCCESSFULLY", order)

    @staticmethod
    def public(order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if not k.startswith("_")}

    def set_status(self, code: str, status: str) -> dict[str, Any]:
        """Change an order's status and queue ORDER_STATUS_UPDATED."""
        with self.store.lock:
            order = self.store["orders"][code]
            order["status"] = status
            order["_update_ts"] = max(self.clock(), order["_update_ts"] + 1)
            order["updated_at"] = vn_time(order["_update_ts"])
            order["status_histories"].append(
                {"status": status, "created_at": order["updated_at"]}
            )
        return self.emit(order["_seller_id"], "ORDER_STATUS_UPDATED", order)

    def _orders(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        try:
            page = int(req.arg("page", "1") or 1)
            limit = int(req.arg("limit", "20") or 20)
            low = req.arg("updated_from_date")
            high = req.arg("updated_to_date")
            low_ts = parse_vn_time(low) if low else float("-inf")
            high_ts = parse_vn_time(high) if high else float("inf")
        except ValueError:
            return self._err(400, "invalid query")
        if page < 1 or not 1 <= limit <= 100:
            return self._err(400, "page must be >= 1 and limit in 1..100")
        reverse = (req.arg("order_by") or "created_at|desc").endswith("desc")
        codes = {
            c for c in (req.arg("code") or "").split(",")[: self.code_filter_limit] if c
        }
        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_seller_id"] == grant["seller_id"]
                    and low_ts <= int(o["_update_ts"]) <= high_ts
                    and (not codes or o["code"] in codes)
                ),
                key=lambda o: (o["_update_ts"], o["code"]),
                reverse=reverse,
            )
            chunk = rows[(page - 1) * limit : page * limit]
            data = [self._served(o, req) for o in chunk]
        last = max(1, -(-len(rows) // limit))
        return Response(
            200,
            {
                "data": data,
                "paging": {
                    "total": len(rows),
                    "per_page": limit,
                    "current_page": page,
                    "last_page": last,
                },
            },
        )

    def _order(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        (code,) = req.path_args
        with self.store.lock:
            order = self.store["orders"].get(code)
            if order is None or order["_seller_id"] != grant["seller_id"]:
                return self._err(404, "order not found")
            return Response(200, self._served(order, req))

    def _served(self, order: dict[str, Any], req: Request) -> dict[str, Any]:
        """An order as the list and the detail show it: items' fees only with
        ``include=items.fees`` (a list row carries the items, as Tiki's does)."""
        body = self.public(order)
        if "items.fees" in (req.arg("include") or ""):
            return body
        items = body.get("items")
        if not isinstance(items, list):
            return body  # hostile-input tests serve broken items as they are
        return {
            **body,
            "items": [
                {
                    **i,
                    "invoice": {k: v for k, v in i["invoice"].items() if k != "fees"},
                }
                if isinstance(i, dict) and isinstance(i.get("invoice"), dict)
                else i
                for i in items
            ],
        }

    def _confirm(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        (code,) = req.path_args
        body = self._json(req)
        if not isinstance(body, dict) or not body.get("item_ids"):
            return self._err(400, "item_ids is required")
        with self.store.lock:
            order = self.store["orders"].get(code)
            if order is None or order["_seller_id"] != grant["seller_id"]:
                return self._err(404, "order not found")
            if order["status"] != "queueing":
                return self._err(400, f"order is {order['status']}, not queueing")
            self.store["confirmed"].append((code, req.path, body))
        self.set_status(code, "packaging")
        return Response(200, {"order_code": code, "status": "packaging"})

    # ------------------------------------------------------------------ demo

    def new_order(self, status: str = "queueing") -> dict[str, Any]:
        """Generate one order created now and queue its event (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["products"].values()) or generate_catalogue()
            code = str(900000000 + len(self.store["orders"]))
        order = generate_order(
            self.rng,
            catalogue,
            datetime.fromtimestamp(self.clock(), tz=timezone.utc),
            self.seller_id,
            code,
            status,
        )
        order["_update_ts"] = self.clock()
        order["updated_at"] = vn_time(order["_update_ts"])
        self.add_orders([order], emit=True)
        return order
