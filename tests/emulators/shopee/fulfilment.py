"""Shopee fulfilment: shipping parameters and documents, cancellation, returns."""

from __future__ import annotations

import json
from typing import Any

from ..harness import Request, Response, tiny_pdf
from .const import FIFTEEN_DAYS, SHOP


class ShopeeFulfilment:
    """Shipping parameters, shipping, documents, cancellation and returns."""

    def _get_shipping_parameter(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        with self.store.lock:
            order, error = self._shop_order(shop, req.arg("order_sn"))
            if error:
                return error
            if order["order_status"] not in ("READY_TO_SHIP", "RETRY_SHIP"):
                return self._error(
                    400,
                    "logistics.order_status_error",
                    "The order status does not support arranging shipment.",
                )
        info, response = {}, {}
        day = int(self.clock()) // 86400 * 86400
        if "pickup" in self.ship_modes:
            info["pickup"] = ["address_id", "pickup_time_id"]
            response["pickup"] = {
                "address_list": [
                    {
                        "address_id": 2001,
                        "region": "VN",
                        "state": "TP. Hồ Chí Minh",
                        "city": "Quận 1",
                        "address": "12 Lê Lợi",
                        "address_flag": ["default_address", "pickup_address"],
                        "time_slot_list": [
                            {
                                "date": day + 86400,
                                "pickup_time_id": str(day + 86400),
                                "time_text": "08:00-12:00",
                            },
                            {
                                "date": day + 2 * 86400,
                                "pickup_time_id": str(day + 2 * 86400),
                                "time_text": "08:00-12:00",
                            },
                        ],
                    }
                ]
            }
        if "dropoff" in self.ship_modes:
            info["dropoff"] = ["branch_id"]
            response["dropoff"] = {
                "branch_list": [
                    {
                        "branch_id": 77001,
                        "region": "VN",
                        "state": "TP. Hồ Chí Minh",
                        "city": "Quận 3",
                        "address": "Bưu cục SPX Quận 3",
                    }
                ]
            }
        return self._ok({"info_needed": info, **response})

    def _ship_order(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        modes = [m for m in ("pickup", "dropoff", "non_integrated") if m in body]
        if len(modes) != 1 or modes[0] not in self.ship_modes:
            return self._error(
                400, "error_param", "Send exactly one of pickup/dropoff offered."
            )
        details = body[modes[0]] or {}
        if modes[0] == "pickup" and (
            details.get("address_id") != 2001 or not details.get("pickup_time_id")
        ):
            return self._error(
                400, "logistics.invalid_pickup", "address_id/pickup_time_id invalid."
            )
        if modes[0] == "dropoff" and details.get("branch_id") != 77001:
            return self._error(400, "logistics.invalid_branch", "branch_id invalid.")
        with self.store.lock:
            order, error = self._shop_order(shop, body.get("order_sn"))
            if error:
                return error
            if order["order_status"] not in ("READY_TO_SHIP", "RETRY_SHIP"):
                return self._error(
                    400,
                    "logistics.order_status_error",
                    "The order has been arranged shipment already or cannot ship.",
                )
            self._bump(order, "PROCESSED")
            order["_ship_mode"] = modes[0]
            order["_tracking"] = f"SPXVN0{self.rng.randint(10**10, 10**11 - 1)}"
            order["_tracking_wait"] = self.tracking_delay
            for package in order["package_list"]:
                package["logistics_status"] = "LOGISTICS_REQUEST_CREATED"
        return self._ok({})

    def _tracking_of(self, order: dict[str, Any]) -> str:
        """The tracking number once the carrier assigned it ('' before)."""
        if not order.get("_tracking"):
            return ""
        if order.get("_tracking_wait", 0) > 0:
            order["_tracking_wait"] -= 1
            return ""
        return order["_tracking"]

    def _get_tracking_number(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        with self.store.lock:
            order, error = self._shop_order(shop, req.arg("order_sn"))
            if error:
                return error
            number = self._tracking_of(order)
        hint = "" if number else "The 3PL is assigning the tracking number."
        return self._ok({"tracking_number": number, "hint": hint})

    def _document_rows(
        self, req: Request
    ) -> tuple[int | None, list[dict[str, Any]], Response | None]:
        shop, error = self._check(req, SHOP)
        if error:
            return None, [], error
        body, error = self._json_body(req)
        if error:
            return None, [], error
        rows = body.get("order_list")
        if not isinstance(rows, list) or not 1 <= len(rows) <= 50:
            return None, [], self._error(400, "error_param", "order_list 1-50.")
        return shop, rows, None

    def _create_shipping_document(self, req: Request) -> Response:
        shop, rows, error = self._document_rows(req)
        if error:
            return error
        results = []
        with self.store.lock:
            for row in rows:
                sn = str(row.get("order_sn"))
                order = self.store["orders"].get(sn)
                result = {"order_sn": sn, "package_number": row.get("package_number")}
                if order is None or order["_shop_id"] != shop:
                    result.update(fail_error="error_not_found", fail_message="order")
                elif (
                    not order.get("_tracking")
                    or row.get("tracking_number") != (order["_tracking"])
                ):
                    result.update(
                        fail_error="logistics.tracking_number_invalid",
                        fail_message="tracking_number is required and must match.",
                    )
                else:
                    self.store["documents"][sn] = {
                        "status": "PROCESSING",
                        "wait": self.document_delay,
                        "type": row.get("shipping_document_type"),
                    }
                results.append(result)
        if all(r.get("fail_error") for r in results):
            return Response(
                200,
                {
                    **self.error_body(
                        "common.batch_api_all_failed",
                        "; ".join(r["fail_message"] for r in results),
                    ),
                    "response": {"result_list": results},
                },
            )
        return self._ok({"result_list": results})

    def _get_shipping_document_result(self, req: Request) -> Response:
        _shop, rows, error = self._document_rows(req)
        if error:
            return error
        results = []
        with self.store.lock:
            for row in rows:
                sn = str(row.get("order_sn"))
                doc = self.store["documents"].get(sn)
                result = {"order_sn": sn, "package_number": row.get("package_number")}
                if doc is None:
                    result.update(
                        fail_error="logistics.shipping_document_should_print_first",
                        fail_message="Create the shipping document first.",
                    )
                else:
                    if doc["status"] == "PROCESSING":
                        if doc["wait"] > 0:
                            doc["wait"] -= 1
                        else:
                            doc["status"] = "READY"
                    result["status"] = doc["status"]
                results.append(result)
        return self._ok({"result_list": results})

    def _download_shipping_document(self, req: Request) -> Response:
        shop, rows, error = self._document_rows(req)
        if error:
            return error
        with self.store.lock:
            sn = str(rows[0].get("order_sn"))
            doc = self.store["documents"].get(sn)
            order = self.store["orders"].get(sn)
            if doc is None or doc["status"] != "READY" or order["_shop_id"] != shop:
                return self._error(
                    400,
                    "logistics.shipping_document_not_ready",
                    "The shipping document is not ready.",
                )
            text = f"Shopee AWB {sn} {order['_tracking']}"
        return Response(200, tiny_pdf(text), {"Content-Type": "application/pdf"})

    def _cancel_order(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        reason = body.get("cancel_reason")
        if reason not in (
            "OUT_OF_STOCK",
            "CUSTOMER_REQUEST",
            "UNDELIVERABLE_AREA",
            "COD_NOT_SUPPORTED",
        ):
            return self._error(400, "error_param", "cancel_reason is invalid.")
        with self.store.lock:
            order, error = self._shop_order(shop, body.get("order_sn"))
            if error:
                return error
            if reason == "OUT_OF_STOCK":
                wanted = {
                    (str(i.get("item_id")), str(i.get("model_id")))
                    for i in body.get("item_list") or []
                }
                mine = {
                    (str(li["item_id"]), str(li["model_id"]))
                    for li in order["item_list"]
                }
                if not wanted or not wanted <= mine:
                    return self._error(
                        400,
                        "error_param",
                        "item_list is required for OUT_OF_STOCK and must match.",
                    )
            if order["order_status"] not in ("UNPAID", "READY_TO_SHIP", "RETRY_SHIP"):
                return self._error(
                    400,
                    "error_order_status",
                    f"Cannot cancel an order in status {order['order_status']}.",
                )
            self._bump(order, "CANCELLED")
            order["cancel_by"] = "seller"
            order["cancel_reason"] = reason
        return self._ok({"update_time": order["update_time"]})

    def add_return(
        self,
        order_sn: str,
        status: str = "REQUESTED",
        items: list[tuple[int, int, int]] | None = None,
        needs_logistics: bool = True,
    ) -> dict[str, Any]:
        """Open a return of ``items`` ((item_id, model_id, amount); default: all)
        on an order, which moves to TO_RETURN. Returns the return row."""
        with self.store.lock:
            order = self.store["orders"][order_sn]
            lines = {(li["item_id"], li["model_id"]): li for li in order["item_list"]}
            picked = items or [
                (li["item_id"], li["model_id"], li["model_quantity_purchased"])
                for li in order["item_list"]
            ]
            rows = []
            for item_id, model_id, amount in picked:
                line = lines[(item_id, model_id)]
                rows.append(
                    {
                        "item_id": item_id,
                        "model_id": model_id,
                        "name": line["item_name"],
                        "item_sku": line["item_sku"],
                        "variation_sku": line["model_sku"],
                        "amount": amount,
                        "item_price": line["model_discounted_price"],
                        "refund_amount": line["model_discounted_price"] * amount,
                    }
                )
            now = int(self.clock())
            ret = {
                "return_sn": f"{order_sn}R{len(self.store['returns']) + 1}",
                "order_sn": order_sn,
                "status": status,
                "reason": "NOT_RECEIPT" if not needs_logistics else "DAMAGED",
                "needs_logistics": needs_logistics,
                "refund_amount": sum(r["refund_amount"] for r in rows),
                "currency": "VND",
                "create_time": now,
                "update_time": now,
                "item": rows,
                "_shop_id": order["_shop_id"],
            }
            self.store["returns"][ret["return_sn"]] = ret
            self._bump(order, "TO_RETURN")
        return ret

    def set_return_status(self, return_sn: str, status: str) -> dict[str, Any]:
        """Move a return along (ACCEPTED = refunded), bumping its update_time."""
        with self.store.lock:
            ret = self.store["returns"][return_sn]
            ret["status"] = status
            ret["update_time"] = max(int(self.clock()), ret["update_time"] + 1)
            order = self.store["orders"][ret["order_sn"]]
            if status == "ACCEPTED":
                self._bump(order, "COMPLETED")
        return ret

    def _get_return_list(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        try:
            page_no = int(req.arg("page_no") or 0)
            page_size = int(req.arg("page_size") or "")
            low = int(req.arg("update_time_from") or "")
            high = int(req.arg("update_time_to") or "")
        except ValueError:
            return self._error(400, "error_param", "Wrong parameters.")
        if not 1 <= page_size <= 100:
            return self._error(400, "error_param", "page_size should be 1-100.")
        if high < low or high - low > FIFTEEN_DAYS:
            return self._error(
                400, "error_param", "The time range should be within 15 days."
            )
        with self.store.lock:
            rows = sorted(
                (
                    r
                    for r in self.store["returns"].values()
                    if r["_shop_id"] == shop and low <= r["update_time"] <= high
                ),
                key=lambda r: (r["update_time"], r["return_sn"]),
            )
            page = [
                {k: v for k, v in json.loads(json.dumps(r)).items() if k[0] != "_"}
                for r in rows[page_no * page_size : (page_no + 1) * page_size]
            ]
        more = (page_no + 1) * page_size < len(rows)
        return self._ok({"more": more, "return": page})
