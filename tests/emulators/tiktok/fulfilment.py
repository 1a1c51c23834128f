"""TikTok Shop fulfilment: packages, shipping, documents, cancels, returns."""

from __future__ import annotations

import json
import secrets
from typing import Any

from ..harness import Request, Response, tiny_pdf
from .common import (
    CODE_NOT_CANCELLABLE,
    CODE_NOT_FOUND,
    CODE_PACKAGE_STATUS,
    CODE_PARAM,
    PACKAGE_STATUSES,
    SELLER_CANCEL_REASONS,
    in_time_range,
)
from .data import CARRIERS


class TikTokFulfilment:
    """Packages, shipping, documents, cancellation and returns."""

    def _order_of_package(
        self, shop_id: str | None, package_id: str
    ) -> dict[str, Any] | None:
        order = self.store["orders"].get(package_id[4:])
        if not package_id.startswith("1152") or order is None:
            return None
        if order["_shop_id"] != shop_id or order["status"] not in PACKAGE_STATUSES:
            return None
        return order

    def _package_view(self, order: dict[str, Any]) -> dict[str, Any]:
        """Package detail; a shipped package shows its tracking number once the
        carrier gave it (after ``tracking_delay`` polls)."""
        if order.get("_tracking_wait"):
            order["_tracking_wait"] -= 1
        elif order.get("_tracking") and not order["tracking_number"]:
            self._reveal_tracking(order)
        return {
            "package_id": f"1152{order['id']}",
            "package_status": PACKAGE_STATUSES[order["status"]],
            "handover_method": order.get("_handover", ""),
            "order_line_item_ids": [i["id"] for i in order["line_items"]],
            "orders": [{"id": order["id"]}],
            "shipping_provider_name": order["shipping_provider"],
            "tracking_number": order["tracking_number"],
            "shipping_type": order["shipping_type"],
            "update_time": order["update_time"],
        }

    @staticmethod
    def _reveal_tracking(order: dict[str, Any]) -> None:
        order["tracking_number"] = order["_tracking"]
        order["shipping_provider"] = order["_carrier"]
        for item in order["line_items"]:
            if item["display_status"] != "CANCELLED":
                item["tracking_number"] = order["_tracking"]
                item["shipping_provider_name"] = order["_carrier"]

    def _package(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        with self.store.lock:
            order = self._order_of_package(shop_id, req.path_id)
            if order is None:
                return self._error(CODE_NOT_FOUND, "Package not found")
            return self._ok(json.loads(json.dumps(self._package_view(order))))

    def _ship(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        method = body.get("handover_method", "PICKUP")
        if method not in ("PICKUP", "DROP_OFF"):
            return self._error(CODE_PARAM, "handover_method must be PICKUP|DROP_OFF")
        with self.store.lock:
            order = self._order_of_package(shop_id, req.path_id)
            if order is None:
                return self._error(CODE_NOT_FOUND, "Package not found")
            if order["status"] not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
                return self._error(
                    CODE_PACKAGE_STATUS,
                    f"Package status {PACKAGE_STATUSES[order['status']]} cannot be "
                    "shipped",
                )
            package = f"1152{order['id']}"
            order["packages"] = [{"id": package}]
            order["_handover"] = method
            order["_tracking"] = f"TTVN{self.rng.randint(10**9, 10**10 - 1)}"
            order["_carrier"] = self.rng.choice(CARRIERS)
            order["_tracking_wait"] = self.tracking_delay
            for item in order["line_items"]:
                if item["display_status"] != "CANCELLED":
                    item["package_id"] = package
                    item["package_status"] = "FULFILLING"
            if not self.tracking_delay:
                self._reveal_tracking(order)
        self.set_status(order["id"], "AWAITING_COLLECTION")
        return self._ok({})

    def _shipping_documents(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        if req.arg("document_type", "SHIPPING_LABEL") not in (
            "SHIPPING_LABEL",
            "PACKING_SLIP",
            "SHIPPING_LABEL_AND_PACKING_SLIP",
        ):
            return self._error(CODE_PARAM, "Invalid document_type")
        with self.store.lock:
            order = self._order_of_package(shop_id, req.path_id)
            if order is None:
                return self._error(CODE_NOT_FOUND, "Package not found")
            if not order["tracking_number"]:
                return self._error(
                    CODE_PACKAGE_STATUS, "The package has no tracking number yet"
                )
            token = secrets.token_hex(12)
            self.store["documents"][token] = tiny_pdf(
                f"TikTok Shop label {req.path_id} {order['tracking_number']}"
            )
        return self._ok(
            {
                "doc_url": f"{self.base_url}/_documents/{token}.pdf",
                "tracking_number": order["tracking_number"],
            }
        )

    def _document_file(self, req: Request) -> Response:
        """The document URL (unsigned, as TikTok's CDN links are)."""
        with self.store.lock:
            pdf = self.store["documents"].get(req.path_id)
        if pdf is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        return Response(200, pdf, {"Content-Type": "application/pdf"})

    def _cancel(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        if body.get("cancel_reason") not in SELLER_CANCEL_REASONS:
            return self._error(CODE_PARAM, "Invalid cancel_reason")
        with self.store.lock:
            order = self.store["orders"].get(str(body.get("order_id")))
            if order is None or order["_shop_id"] != shop_id:
                return self._error(CODE_NOT_FOUND, "Order not found")
            if order["status"] not in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"):
                return self._error(
                    CODE_NOT_CANCELLABLE,
                    f"An order in {order['status']} cannot be cancelled by the seller",
                )
            wanted = body.get("order_line_item_ids")
            ids = {i["id"] for i in order["line_items"]}
            if wanted is not None and (not wanted or not set(wanted) <= ids):
                return self._error(CODE_PARAM, "Invalid order_line_item_ids")
            order["_seller_cancel_reason"] = body["cancel_reason"]
            whole = wanted is None or set(wanted) == ids
            if not whole:
                for item in order["line_items"]:
                    if item["id"] in wanted:
                        item["display_status"] = "CANCELLED"
                order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
        if whole:
            self.set_status(order["id"], "CANCELLED")
            with self.store.lock:
                order["cancellation_initiator"] = "SELLER"
                order["cancel_reason"] = body["cancel_reason"]
        cancel_id = f"58{order['id'][-12:]}"
        return self._ok(
            {"cancel_id": cancel_id, "cancel_status": "CANCELLATION_SUCCESS"}
        )

    def add_return(
        self,
        order_id: Any,
        item_ids: list[Any] | None = None,
        status: str = "RETURN_OR_REFUND_REQUEST_PENDING",
        return_type: str = "RETURN_AND_REFUND",
    ) -> dict[str, Any]:
        """Open a return (or a REFUND without goods) of some line items (None:
        every live one); each line item is one unit."""
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            wanted = {str(i) for i in item_ids} if item_ids is not None else None
            items = [
                i
                for i in order["line_items"]
                if i["display_status"] != "CANCELLED"
                and (wanted is None or i["id"] in wanted)
            ]
            rid = f"4{order['id'][-15:]}{len(self.store['returns']) + 1:02d}"
            now = int(self.clock())
            total = sum(int(i["sale_price"]) for i in items)
            row = {
                "return_id": rid,
                "order_id": order["id"],
                "return_type": return_type,
                "return_status": status,
                "return_reason": "ecom_order_delivered_refund_and_return_reason_"
                "damaged_product",
                "return_reason_text": "Sản phẩm bị lỗi",
                "create_time": now,
                "update_time": now,
                "role": "BUYER",
                "refund_amount": {
                    "currency": "VND",
                    "refund_total": str(total),
                    "refund_subtotal": str(total),
                    "refund_shipping_fee": "0",
                    "refund_tax": "0",
                },
                "return_line_items": [
                    {
                        "return_line_item_id": f"{rid}{n}",
                        "order_line_item_id": item["id"],
                        "sku_id": item["sku_id"],
                        "seller_sku": item["seller_sku"],
                        "product_name": item["product_name"],
                        "sku_name": item["sku_name"],
                        "refund_amount": {
                            "currency": "VND",
                            "refund_total": item["sale_price"],
                        },
                    }
                    for n, item in enumerate(items, start=1)
                ],
                "_shop_id": order["_shop_id"],
            }
            self.store["returns"][rid] = row
        return row

    def set_return_status(self, return_id: str, status: str) -> dict[str, Any]:
        """Move a return on (RETURN_OR_REFUND_REQUEST_COMPLETE: refunded)."""
        with self.store.lock:
            row = self.store["returns"][str(return_id)]
            row["return_status"] = status
            row["update_time"] = max(int(self.clock()), row["update_time"])
        return row

    def _returns_search(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error

        def keep(row: dict[str, Any]) -> bool:
            wanted = body.get("return_status")
            return in_time_range(body, row) and (
                not wanted or row["return_status"] in wanted
            )

        with self.store.lock:
            rows = sorted(
                (
                    r
                    for r in self.store["returns"].values()
                    if r["_shop_id"] == shop_id and keep(r)
                ),
                key=lambda r: (r["update_time"], r["return_id"]),
            )
            page, token, error = self._page(req, rows, low=10, high=50)
            if error:
                return error
            page = [
                {k: v for k, v in json.loads(json.dumps(r)).items() if k[0] != "_"}
                for r in page
            ]
        return self._ok(
            {"return_orders": page, "next_page_token": token, "total_count": len(rows)}
        )
