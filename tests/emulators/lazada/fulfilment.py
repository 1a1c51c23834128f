"""Lazada fulfilment: packing, ready-to-ship, labels, cancellation, reverse orders."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..harness import Request, Response, tiny_pdf


class LazadaFulfilment:
    """Packing, ready-to-ship, documents, cancellation and reverse orders."""

    def _assign_late_tracking(self, order: dict[str, Any]) -> None:
        if not order.get("_tracking"):
            return
        if order.get("_tracking_wait", 0) > 0:
            order["_tracking_wait"] -= 1
            return
        for item in order["_items"]:
            if item["package_id"] and not item["tracking_code"]:
                item["tracking_code"] = order["_tracking"]

    def _request_json(
        self, params: dict[str, str], name: str
    ) -> tuple[Any, Response | None]:
        try:
            return json.loads(params.get(name) or ""), None
        except ValueError:
            return None, self._error("MissingParameter", f"{name} is not valid JSON")

    def _pack(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        pack, error = self._request_json(params, "packReq")
        if error:
            return error
        if pack.get("delivery_type") != "dropship":
            return self._error("InvalidParameter", "delivery_type must be dropship")
        groups = []
        with self.store.lock:
            for group in pack.get("pack_order_list") or []:
                order = self.store["orders"].get(str(group.get("order_id")))
                if order is None or order["_seller_id"] != seller:
                    return self._error("16", "Invalid Order ID")
                wanted = {int(i) for i in group.get("order_item_list") or []}
                items = [i for i in order["_items"] if i["order_item_id"] in wanted]
                if not items or len(items) != len(wanted):
                    return self._error("InvalidParameter", "order_item_list")
                rows = []
                bad = [i for i in items if i["status"] not in ("pending", "repacked")]
                package = f"FP{order['order_id']}"
                tracking = f"LZDVN{self.rng.randint(10**9, 10**10 - 1)}"
                for item in items:
                    ok = not bad
                    rows.append(
                        {
                            "order_item_id": item["order_item_id"],
                            "item_err_code": "0" if ok else "82",
                            "msg": "success"
                            if ok
                            else f"item status {item['status']} cannot be packed",
                            "package_id": package if ok else "",
                            "tracking_number": tracking
                            if ok and not self.tracking_delay
                            else "",
                            "shipment_provider": "LEX VN" if ok else "",
                            "retry": False,
                        }
                    )
                if not bad:
                    carrier = "LEX VN"
                    for item in items:
                        item["package_id"] = package
                        item["shipment_provider"] = carrier
                        item["tracking_code"] = "" if self.tracking_delay else tracking
                    order["_tracking"] = tracking
                    order["_tracking_wait"] = self.tracking_delay
                    self._set_items(order, items, "packed")
                groups.append({"order_id": order["order_id"], "order_item_list": rows})
        return self._ok(
            None, result={"success": True, "data": {"pack_order_list": groups}}
        )

    def _packages(
        self, seller: str | None, packages: list[dict[str, Any]]
    ) -> list[tuple[str, dict[str, Any] | None, list[dict[str, Any]]]]:
        found = []
        for package in packages:
            pid = str(package.get("package_id"))
            match = None
            for order in self.store["orders"].values():
                if order["_seller_id"] != seller:
                    continue
                items = [i for i in order["_items"] if i["package_id"] == pid]
                if items:
                    match = (pid, order, items)
                    break
            found.append(match or (pid, None, []))
        return found

    def _rts(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        rts, error = self._request_json(params, "readyToShipReq")
        if error:
            return error
        rows = []
        with self.store.lock:
            for pid, order, items in self._packages(seller, rts.get("packages") or []):
                if order is None:
                    rows.append(
                        {"package_id": pid, "item_err_code": "20", "msg": "no package"}
                    )
                elif any(i["status"] != "packed" for i in items):
                    rows.append(
                        {
                            "package_id": pid,
                            "item_err_code": "21",
                            "msg": "only packed items can be ready to ship",
                        }
                    )
                else:
                    self._set_items(order, items, "ready_to_ship")
                    rows.append({"package_id": pid, "item_err_code": "0", "msg": ""})
        return self._ok(None, result={"success": True, "data": {"packages": rows}})

    def _document_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        doc, error = self._request_json(params, "getDocumentReq")
        if error:
            return error
        with self.store.lock:
            found = self._packages(seller, doc.get("packages") or [])
            ready = [
                (pid, order, items)
                for pid, order, items in found
                if order is not None
                and items[0]["tracking_code"]
                and all(i["status"] not in ("pending", "packed") for i in items)
            ]
            if not found or len(ready) != len(found):
                return self._ok(
                    None,
                    result={
                        "success": False,
                        "error_code": "DOCUMENT_NOT_READY",
                        "error_msg": "the package must be ready to ship",
                    },
                )
            text = " ".join(
                f"Lazada AWB {pid} {i[0]['tracking_code']}" for pid, _o, i in ready
            )
        pdf = base64.b64encode(tiny_pdf(text)).decode()
        return self._ok(
            None, result={"success": True, "data": {"file": pdf, "pdf_url": ""}}
        )

    def _cancel_items(
        self, params: dict[str, str], seller: str | None
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]], Response | None]:
        order = self.store["orders"].get(params.get("order_id", ""))
        if order is None or order["_seller_id"] != seller:
            return None, [], self._error("16", "Invalid Order ID")
        try:
            wanted = {int(i) for i in json.loads(params.get("order_item_id_list", ""))}
        except (ValueError, TypeError):
            return None, [], self._error("MissingParameter", "order_item_id_list")
        items = [i for i in order["_items"] if i["order_item_id"] in wanted]
        if len(items) != len(wanted) or not items:
            return None, [], self._error("InvalidParameter", "order_item_id_list")
        return order, items, None

    CANCEL_REASONS = (
        {"reason_id": 1001, "reason_name": "Out of stock"},
        {"reason_id": 1002, "reason_name": "Customer requested cancellation"},
        {"reason_id": 1003, "reason_name": "Undeliverable area"},
        {"reason_id": 1004, "reason_name": "COD not supported"},
    )

    def _cancel_validate(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        with self.store.lock:
            _order, items, error = self._cancel_items(params, seller)
            if error:
                return error
            if any(i["status"] not in ("pending", "unpaid", "topack") for i in items):
                return self._ok(
                    {
                        "tip_type": "NOT_ALLOWED",
                        "tip_content": "Items already packed or shipped cannot be "
                        "cancelled",
                        "reason_options": [],
                    }
                )
        return self._ok({"tip_type": "", "reason_options": list(self.CANCEL_REASONS)})

    def _cancel_create(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        reasons = {str(r["reason_id"]): r for r in self.CANCEL_REASONS}
        if params.get("reason_id") not in reasons:
            return self._error("InvalidParameter", "reason_id")
        with self.store.lock:
            order, items, error = self._cancel_items(params, seller)
            if error:
                return error
            if any(i["status"] not in ("pending", "unpaid", "topack") for i in items):
                return self._error("CANCEL_NOT_ALLOWED", "cannot cancel these items")
            for item in items:
                item["reason"] = reasons[params["reason_id"]]["reason_name"]
                item["cancel_return_initiator"] = "cancellation-seller"
            self._set_items(order, items, "canceled")
        return self._ok({})

    def add_reverse_order(
        self,
        order_id: Any,
        item_ids: list[Any] | None = None,
        status: str = "REQUEST_INITIATE",
        request_type: str = "RETURN",
    ) -> dict[str, Any]:
        """Open a return (or refund-only) of some items (None = all live ones)."""
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            wanted = {int(i) for i in item_ids} if item_ids is not None else None
            items = [
                i
                for i in order["_items"]
                if i["status"] != "canceled"
                and (wanted is None or i["order_item_id"] in wanted)
            ]
            now = int(self.clock() * 1000)
            rid = f"{order['order_id']}{len(self.store['reverse']) + 1:03d}"
            row = {
                "reverse_order_id": int(rid),
                "trade_order_id": order["order_id"],
                "request_type": request_type,
                "is_rtm": False,
                "shipping_type": "DROPSHIP",
                "reverse_order_lines": [
                    {
                        "reverse_order_line_id": int(rid) * 10 + n,
                        "trade_order_line_id": item["order_item_id"],
                        "reverse_status": status,
                        "refund_amount": float(item["paid_price"]),
                        "seller_sku_id": item["sku"],
                        "sku_id": item["sku_id"],
                        "product_id": item.get("product_id"),
                        "reason_text": "Sản phẩm bị lỗi",
                        "return_order_line_gmt_create": now,
                        "return_order_line_gmt_modified": now,
                    }
                    for n, item in enumerate(items, start=1)
                ],
                "_seller_id": order["_seller_id"],
            }
            self.store["reverse"][rid] = row
        return row

    def set_reverse_status(self, reverse_order_id: Any, status: str) -> dict[str, Any]:
        """Move every line of a reverse order to ``status`` (REFUND_SUCCESS = done);
        a completed return marks the items returned."""
        with self.store.lock:
            row = self.store["reverse"][str(reverse_order_id)]
            now = int(self.clock() * 1000)
            for line in row["reverse_order_lines"]:
                now = max(now, line["return_order_line_gmt_modified"] + 1)
                line["reverse_status"] = status
                line["return_order_line_gmt_modified"] = now
            if status == "REFUND_SUCCESS" and row["request_type"] == "RETURN":
                order = self.store["orders"][str(row["trade_order_id"])]
                ids = {li["trade_order_line_id"] for li in row["reverse_order_lines"]}
                items = [i for i in order["_items"] if i["order_item_id"] in ids]
                self._set_items(order, items, "returned")
        return row

    def _reverse_orders(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        try:
            page_no = int(params.get("page_no", "1"))
            page_size = int(params.get("page_size", "10"))
            low = int(params.get("update_start_time", "0"))
            high = int(params.get("update_end_time", str(2**62)))
        except ValueError:
            return self._error("InvalidParameter", "page or time")
        if page_no < 1 or not 1 <= page_size <= 100:
            return self._error("InvalidParameter", "page_no/page_size")
        with self.store.lock:
            rows = sorted(
                (
                    r
                    for r in self.store["reverse"].values()
                    if r["_seller_id"] == seller
                    and low
                    <= max(
                        li["return_order_line_gmt_modified"]
                        for li in r["reverse_order_lines"]
                    )
                    <= high
                ),
                key=lambda r: r["reverse_order_id"],
            )
            page = [
                {k: v for k, v in json.loads(json.dumps(r)).items() if k[0] != "_"}
                for r in rows[(page_no - 1) * page_size : page_no * page_size]
            ]
        return self._ok(
            {
                "page_no": page_no,
                "page_size": page_size,
                "total": len(rows),
                "items": page,
            }
        )
