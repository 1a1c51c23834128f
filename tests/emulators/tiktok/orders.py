"""TikTok Shop orders, their statuses and the webhooks announcing them."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ..harness import Request, Response
from ..push import AppKeyPusher
from .common import CODE_PARAM, MASKED_STATUSES, PACKAGE_STATUSES, in_time_range
from .data import generate_catalogue, generate_order, variants_of
from .signing import tiktok_push_sign


class TikTokOrders(AppKeyPusher):
    """Orders, their statuses and the webhooks announcing them."""

    sign_push = staticmethod(tiktok_push_sign)

    # --------------------------------------------------------------- orders

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Add generated orders."""
        with self.store.lock:
            for order in orders:
                self.store["orders"][str(order["id"])] = order

    @staticmethod
    def view(order: dict[str, Any]) -> dict[str, Any]:
        """The order as the API shows it: private keys removed, the recipient
        masked while UNPAID, ON_HOLD or CANCELLED."""
        row = {k: v for k, v in order.items() if not k.startswith("_")}
        recipient = dict(order["_recipient"])
        if order["status"] in MASKED_STATUSES:
            name = recipient["name"]
            recipient["name"] = name[0] + "***" + name[-1]
            phone = recipient["phone_number"]
            recipient["phone_number"] = phone[:6] + "*" * (len(phone) - 8) + phone[-2:]
            recipient["address_detail"] = "****"
            recipient["district_info"] = recipient["district_info"][:2]
        recipient["full_address"] = ", ".join(
            [recipient["address_detail"]]
            + [d["address_name"] for d in reversed(recipient["district_info"])]
        )
        row["recipient_address"] = recipient
        if not row["packages"] and order["status"] in PACKAGE_STATUSES:
            row["packages"] = [{"id": f"1152{order['id']}"}]
        if order["status"] == "ON_HOLD":
            row["recipient_address"] = {"region_code": "VN", "name": recipient["name"]}
        # hostile-input tests: fields served as given, whatever they hold
        row.update(order.get("_served") or {})
        return json.loads(json.dumps(row))

    def set_status(
        self, order_id: Any, status: str, push_url: str | None = None
    ) -> dict[str, Any]:
        """Move an order to ``status`` (update_time bumped); return (and push to
        ``push_url``) its type-1 webhook."""
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
            order["status"] = status
            order["is_on_hold_order"] = order["is_on_hold_order"] or status == "ON_HOLD"
            for item in order["line_items"]:
                item["display_status"] = status
            if status == "CANCELLED":
                order["cancel_reason"] = "Thay đổi ý định"
                order["cancellation_initiator"] = "BUYER"
            if status != "UNPAID" and not order.get("paid_time"):
                order["paid_time"] = order["update_time"]
            message = self.order_message(order)
        if push_url:
            self.push(push_url, [message])
        return message

    def _notification_id(self) -> str:
        with self.store.lock:
            self._notifications += 1
            return str(self._notifications)

    def order_message(self, order: dict[str, Any]) -> dict[str, Any]:
        """A type 1 ORDER_STATUS_CHANGE as TikTok sends it (CANCEL, not CANCELLED)."""
        status = "CANCEL" if order["status"] == "CANCELLED" else order["status"]
        return {
            "type": 1,
            "tts_notification_id": self._notification_id(),
            "shop_id": order["_shop_id"],
            "timestamp": int(self.clock()),
            "data": {
                "order_id": order["id"],
                "order_status": status,
                "is_on_hold_order": order["is_on_hold_order"],
                "update_time": order["update_time"],
            },
        }

    def seller_message(
        self, push_type: int, shop_id: str | None = None, **data: Any
    ) -> dict[str, Any]:
        """A type 6 (seller deauthorized) or 7 (authorization expiring) webhook."""
        shop_id = shop_id or self.shop_id
        if push_type == 6:
            data.setdefault(
                "message",
                f"Shop_id {shop_id} is deauthorized from your APP by merchant.",
            )
        else:
            data.setdefault(
                "message",
                f"Authorization of shop_id {shop_id} is expiring in 7 days. Please "
                "direct the merchant to re-authorize.",
            )
            data.setdefault("expiration_time", str(int(self.clock()) + 7 * 86400))
        return {
            "type": push_type,
            "tts_notification_id": self._notification_id(),
            "shop_id": shop_id,
            "timestamp": int(self.clock()),
            "data": data,
        }

    def _orders_search(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        if req.arg("sort_field", "create_time") not in ("create_time", "update_time"):
            return self._error(CODE_PARAM, "Invalid sort_field")
        field = req.arg("sort_field", "create_time")
        reverse = (req.arg("sort_order") or "DESC").upper() == "DESC"

        def keep(order: dict[str, Any]) -> bool:
            wanted = body.get("order_status")
            return in_time_range(body, order) and (
                not wanted or order["status"] == wanted
            )

        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_shop_id"] == shop_id and keep(o)
                ),
                key=lambda o: (o[field], o["id"]),
                reverse=reverse,
            )
        page, token, error = self._page(req, rows)
        if error:
            return error
        return self._ok(
            {
                "orders": [self.view(o) for o in page],
                "next_page_token": token,
                "total_count": len(rows),
            }
        )

    def _orders_detail(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        ids = [i for i in (req.arg("ids") or "").split(",") if i]
        if not ids or len(ids) > 50:
            return self._error(CODE_PARAM, "ids must hold 1 to 50 order ids")
        with self.store.lock:
            found = [self.store["orders"].get(i) for i in ids]
            rows = [self.view(o) for o in found if o and o["_shop_id"] == shop_id]
        return self._ok({"orders": rows})

    def new_order(self, status: str = "AWAITING_SHIPMENT") -> dict[str, Any]:
        """Generate and add one order created now (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["products"].values()) or None
            next_id = 578000000000000000 + len(self.store["orders"])
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        order = generate_order(
            self.rng,
            variants_of(catalogue or generate_catalogue()),
            now,
            self.shop_id,
            next_id,
            status,
        )
        order["update_time"] = int(now.timestamp())
        self.add_orders([order])
        return order
