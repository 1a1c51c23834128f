"""Shopee orders, their statuses and the pushes announcing them (lost ones kept)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from ..harness import Request, Response
from ..push import WebhookPusher
from .const import DEFAULT_DETAIL_FIELDS, FIFTEEN_DAYS, PUBLIC, SHOP
from .data import (
    apply_status_details,
    escrow_detail,
    generate_catalogue,
    generate_order,
    variants_of,
)
from .signing import shopee_push_sign


class ShopeeOrders(WebhookPusher):
    """Orders, their statuses and the pushes that announce them (lost pushes kept)."""

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Add generated orders to the store."""
        with self.store.lock:
            for order in orders:
                self.store["orders"][order["order_sn"]] = order

    def new_order(self, status: str = "READY_TO_SHIP") -> dict[str, Any]:
        """Generate and add one order created now (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["items"].values()) or None
        variants = (
            variants_of(catalogue) if catalogue else variants_of(generate_catalogue())
        )
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        order = generate_order(
            self.rng, variants, now, status, self.shop_id, max_update=now
        )
        self.add_orders([order])
        return order

    def set_status(
        self,
        order_sn: str,
        status: str,
        push_url: str | None = None,
        lost: bool = False,
    ) -> dict[str, Any]:
        """Change an order's status, bump update_time, return the push message.

        With ``push_url`` the code-3 push is sent there; with ``lost=True`` it is
        kept for get_lost_push_message instead.
        """
        with self.store.lock:
            order = self.store["orders"][order_sn]
            order["order_status"] = status
            order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
            if (
                status != "UNPAID"
                and order["pay_time"] is None
                and status != "CANCELLED"
            ):
                order["pay_time"] = order["update_time"]
                amounts = order["_amounts"]
                order["_escrow"] = escrow_detail(
                    order_sn, order["buyer_username"], order["payment_method"], amounts
                )
            apply_status_details(order, status, self.rng)
            message = self.order_message(order_sn)
        if lost:
            self.add_lost_push(message)
        if push_url:
            self.push(push_url, [message])
        return message

    def _get_order_list(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        field = req.arg("time_range_field")
        if field not in ("create_time", "update_time"):
            return self._error(400, "error_param", "time_range_field is invalid")
        try:
            time_from = int(req.arg("time_from") or "")
            time_to = int(req.arg("time_to") or "")
            page_size = int(req.arg("page_size") or "")
            offset = int(req.arg("cursor") or 0)
        except ValueError:
            return self._error(
                400, "error_param", "Wrong parameters, detail: not a number."
            )
        if time_to < time_from or time_to - time_from > FIFTEEN_DAYS:
            return self._error(
                400, "error_param", "The time range should be within 15 days."
            )
        if not 1 <= page_size <= 100:
            return self._error(
                400, "error_param", "page_size should be between 1 and 100."
            )
        wanted = req.arg("order_status")
        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_shop_id"] == shop
                    and time_from <= o[field] <= time_to
                    and (not wanted or o["order_status"] == wanted)
                ),
                key=lambda o: (o[field], o["order_sn"]),
            )
        page = rows[offset : offset + page_size]
        more = offset + page_size < len(rows)
        optional = (req.arg("response_optional_fields") or "").split(",")
        order_list = []
        for o in page:
            row = {"order_sn": o["order_sn"]}
            if "order_status" in optional:
                row["order_status"] = o["order_status"]
            order_list.append(row)
        return self._ok(
            {
                "more": more,
                "next_cursor": str(offset + page_size) if more else "",
                "order_list": order_list,
            }
        )

    def _get_order_detail(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        sns = [s for s in (req.arg("order_sn_list") or "").split(",") if s]
        if not 1 <= len(sns) <= 50:
            return self._error(
                400, "error_param", "order_sn_list should be between 1 and 50."
            )
        fields = set(DEFAULT_DETAIL_FIELDS)
        fields.update(
            f.strip() for f in (req.arg("response_optional_fields") or "").split(",")
        )
        out, missing = [], []
        with self.store.lock:
            for sn in sns:
                order = self.store["orders"].get(sn)
                if order is None or order["_shop_id"] != shop:
                    missing.append(sn)
                    continue
                out.append(
                    json.loads(
                        json.dumps({k: v for k, v in order.items() if k in fields})
                    )
                )
        warning = [f"order_sn not found: {','.join(missing)}"] if missing else []
        return self._ok({"order_list": out}, warning=warning)

    def _get_escrow_batch(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        refused = self._payment_refused()
        if refused:
            return refused
        body, error = self._json_body(req)
        if error:
            return error
        sns = body.get("order_sn_list")
        if not isinstance(sns, list) or not sns:
            return self._error(
                400,
                "error_param",
                "order_sn_list is required, format should be string[]",
            )
        if len(sns) > 50:
            return self._error(
                400,
                "exceed_max_limit",
                "Your request exceeds the max limit of 50 orders.",
            )
        rows = []
        with self.store.lock:
            for sn in sns:
                order = self.store["orders"].get(str(sn))
                if order and order["_shop_id"] == shop and order["_escrow"]:
                    rows.append(
                        {"escrow_detail": json.loads(json.dumps(order["_escrow"]))}
                    )
        return self._ok(rows)

    # ------------------------------------------------------------ fulfilment

    def _shop_order(
        self, shop: int, sn: Any
    ) -> tuple[dict[str, Any] | None, Response | None]:
        order = self.store["orders"].get(str(sn))
        if order is None or order["_shop_id"] != shop:
            return None, self._error(
                400, "error_not_found", f"order_sn {sn} is not found."
            )
        return order, None

    def _bump(self, order: dict[str, Any], status: str) -> None:
        order["order_status"] = status
        order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
        apply_status_details(order, status, self.rng)

    # ----------------------------------------------------------------- push

    def order_message(self, order_sn: str) -> dict[str, Any]:
        """The code-3 (order status) push message of an order, as Shopee sends it."""
        with self.store.lock:
            order = self.store["orders"][order_sn]
            return {
                "data": {
                    "items": [],
                    "ordersn": order_sn,
                    "status": order["order_status"],
                    "completed_scenario": "",
                    "update_time": order["update_time"],
                },
                "shop_id": order["_shop_id"],
                "code": 3,
                "timestamp": int(self.clock()),
            }

    def push_authorization(self, url: str | None, body: bytes, forge: bool) -> str:
        key = self.partner_key + "-forged" if forge else self.partner_key
        return shopee_push_sign(key, url or "", body)

    def backdate(self, message: dict[str, Any], seconds: int) -> None:
        message["timestamp"] = int(message.get("timestamp") or self.clock()) - seconds

    #: ``build_push(url, message, forge, stale_seconds, sign)``: the callback URL
    #: is part of Shopee's signature
    build_push = WebhookPusher.signed_push

    def push(
        self,
        url: str,
        messages: list[dict[str, Any]],
        duplicate: int = 1,
        shuffle: bool = False,
        forge: bool = False,
        stale_seconds: int = 0,
        seed: int | None = None,
    ) -> list[int]:
        """Sign and POST messages to ``url``; failed deliveries become lost pushes."""
        pushes = [self.build_push(url, m, forge, stale_seconds) for m in messages]
        statuses = self.deliver(url, pushes, duplicate, shuffle, seed)
        if any(not 200 <= s < 300 for s in statuses):
            for message in messages:
                self.add_lost_push(message)
        return statuses

    def add_lost_push(self, message: dict[str, Any]) -> int:
        """Keep a push for get_lost_push_message; return its message id."""
        with self.store.lock:
            self.store["next_message_id"] += 1
            message_id = self.store["next_message_id"]
            self.store["lost"].append((message_id, dict(message)))
        return message_id

    def _get_lost_push(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        with self.store.lock:
            pending = [
                (i, m)
                for i, m in self.store["lost"]
                if i > self.store["lost_confirmed"]
            ]
        page = pending[:100]
        rows = [
            {
                "shop_id": m.get("shop_id"),
                "code": m.get("code"),
                "timestamp": m.get("timestamp"),
                "data": json.dumps(m, separators=(",", ":"), ensure_ascii=False),
            }
            for _, m in page
        ]
        return self._ok(
            {
                "push_message_list": rows,
                "has_next_page": len(pending) > 100,
                "last_message_id": page[-1][0] if page else 0,
            }
        )

    def _confirm_lost(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        last = body.get("last_message_id")
        if not isinstance(last, int) or last <= 0:
            return self._error(400, "error_param", "last_message_id is invalid")
        with self.store.lock:
            self.store["lost_confirmed"] = max(self.store["lost_confirmed"], last)
        return self._ok(None)
