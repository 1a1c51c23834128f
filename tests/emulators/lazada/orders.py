"""Lazada orders and their items, item statuses and the pushes announcing them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ..harness import Request, Response
from ..push import AppKeyPusher
from .data import (
    generate_catalogue,
    generate_order,
    iso,
    parse_iso,
    stamp_update,
    variants_of,
)
from .signing import lazada_push_sign


class LazadaOrders(AppKeyPusher):
    """Orders and their items, item statuses and the pushes announcing them."""

    sign_push = staticmethod(lazada_push_sign)

    # --------------------------------------------------------------- orders

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Add generated orders."""
        with self.store.lock:
            for order in orders:
                self.store["orders"][str(order["order_id"])] = order

    @staticmethod
    def header(order: dict[str, Any]) -> dict[str, Any]:
        """The order as /order/get shows it (private keys removed)."""
        row = {k: v for k, v in order.items() if not k.startswith("_")}
        return json.loads(json.dumps(row))

    def set_item_status(
        self,
        order_id: Any,
        item_ids: list[Any] | None,
        status: str,
        push_url: str | None = None,
    ) -> list[dict[str, Any]]:
        """Change the status of some items (None = all live ones), bump updated_at, and
        return (and push to ``push_url``) one message_type 0 per item."""
        messages = []
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            now = max(self.clock(), order["_update_ts"] + 1)
            order["_update_ts"] = now
            order["updated_at"] = iso(now)
            wanted = {str(i) for i in item_ids} if item_ids is not None else None
            for item in order["_items"]:
                # "all" means all live units: Lazada never revives a cancelled one
                if wanted is None and item["status"] == "canceled":
                    continue
                if wanted is not None and str(item["order_item_id"]) not in wanted:
                    continue
                item["status"] = status
                item["updated_at"] = iso(now)
                if status == "canceled":
                    item["reason"] = "Thay đổi ý định"
                    item["cancel_return_initiator"] = "cancellation-customer"
                messages.append(self.order_message(order, item, int(now)))
            order["statuses"] = sorted({i["status"] for i in order["_items"]})
        if push_url:
            self.push(push_url, messages)
        return messages

    def order_message(
        self, order: dict[str, Any], item: dict[str, Any], changed: int
    ) -> dict[str, Any]:
        """A message_type 0 trade order push, as Lazada sends it."""
        return {
            "seller_id": order["_seller_id"],
            "message_type": 0,
            "data": {
                "order_status": item["status"],
                "trade_order_id": str(order["order_id"]),
                "trade_order_line_id": str(item["order_item_id"]),
                "status_update_time": changed,
            },
            "timestamp": int(self.clock() * 1000),
            "site": "lazada_vn",
        }

    def _orders_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        try:
            after = params.get("update_after")
            created_after = params.get("created_after")
            if not after and not created_after:
                return self._error("MissingParameter", "update_after or created_after")
            field = "_update_ts" if after else "created_at"
            low = parse_iso(after or created_after or "")
            before = params.get("update_before") or params.get("created_before")
            high = parse_iso(before) if before else float("inf")
            limit = int(params.get("limit", "10"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            return self._error("17", 'E017: "%s" Invalid Date Format')
        if not 1 <= limit <= 100:
            return self._error("19", 'E019: "%s" Invalid Limit')
        if offset < 0 or offset > self.offset_ceiling:
            return self._error("14", 'E014: "%s" Invalid Offset')
        reverse = params.get("sort_direction", "DESC").upper() == "DESC"

        def stamp(order: dict[str, Any]) -> float:
            if field == "_update_ts":
                return order["_update_ts"]
            return parse_iso(order["created_at"])

        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_seller_id"] == seller and low <= stamp(o) <= high
                ),
                key=lambda o: (stamp(o), o["order_id"]),
                reverse=reverse,
            )
            page = [self.header(o) for o in rows[offset : offset + limit]]
        return self._ok({"count": len(page), "countTotal": len(rows), "orders": page})

    def _order_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        with self.store.lock:
            order = self.store["orders"].get(params.get("order_id", ""))
            if order is None or order["_seller_id"] != seller:
                return self._error("16", "Invalid Order ID")
            return self._ok(self.header(order))

    def _order_items_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        text = params.get("order_ids", "")
        try:
            ids = json.loads(text)
            if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
                raise ValueError(text)
        except ValueError:
            return self._error(
                "56", "E056: Invalid OrdersIdList format. Must use array format [1,2]"
            )
        if len(ids) > 50:
            return self._error("38", "E038: Too many orders were requested")
        out = []
        with self.store.lock:
            for order_id in ids:
                order = self.store["orders"].get(str(order_id))
                if order is None or order["_seller_id"] != seller:
                    return self._error(
                        "37", "E037: One or more order id in the list are incorrect"
                    )
                self._assign_late_tracking(order)
                out.append(
                    {
                        "order_id": order["order_id"],
                        "order_number": order["order_number"],
                        "order_items": json.loads(json.dumps(order["_items"])),
                    }
                )
        return self._ok(out)

    # ------------------------------------------------------------ fulfilment

    def _touch(self, order: dict[str, Any]) -> float:
        now = max(self.clock(), order["_update_ts"] + 1)
        order["_update_ts"] = now
        order["updated_at"] = iso(now)
        return now

    def _set_items(
        self, order: dict[str, Any], items: list[dict[str, Any]], status: str
    ) -> None:
        now = self._touch(order)
        for item in items:
            item["status"] = status
            item["updated_at"] = iso(now)
        order["statuses"] = sorted({i["status"] for i in order["_items"]})

    # ----------------------------------------------------------------- push

    def backdate(self, message: dict[str, Any], seconds: int) -> None:
        """Lazada's timestamps are milliseconds (seconds in older messages)."""
        ts = int(message.get("timestamp") or self.clock() * 1000)
        message["timestamp"] = ts - seconds * (1000 if ts > 10**11 else 1)

    def new_order(self, statuses: list[str] | None = None) -> dict[str, Any]:
        """Generate and add one order created now (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["products"].values()) or None
            next_id = 400000000000 + len(self.store["orders"])
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        order = generate_order(
            self.rng,
            variants_of(catalogue or generate_catalogue()),
            now,
            self.seller_id,
            next_id,
            statuses,
        )
        stamp_update(order, now.timestamp())
        self.add_orders([order])
        return order
