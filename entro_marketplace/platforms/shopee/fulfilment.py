"""Shopee fulfilment: shipping (pickup or drop-off), tracking, labels,
cancellation and returns, as a mixin of :class:`.client.ShopeePlatform`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from ..errors import PermanentError
from ..payload import malformed
from ..payload import text as _text
from ..records import Order, OrderLine, Return, Shipment, ShippingDocument
from ._util import _as_int, _epoch, _response
from .const import ARRANGED, LABEL_TYPE, SHIPPABLE
from .mappers import to_return


class ShopeeFulfilment:
    """Shipping, labels, cancellation and returns (uses the client's transport)."""

    cancel_reasons = (
        "out_of_stock",
        "customer_request",
        "undeliverable_area",
        "cod_not_supported",
    )
    return_page_size = 100
    max_return_window = timedelta(days=15, seconds=-1)

    def _ship_order(self, order: Order, mode: str) -> Shipment:
        """get_shipping_parameter, then ship_order with pickup or dropoff.

        When the order's channel does not offer the requested mode, the one it
        offers is used (``Shipment.mode`` says which).
        """
        sn = order.external_id
        package = next((p.package_number for p in order.packages), None)
        shipment = Shipment(sn, package, carrier=order.shipping_carrier, mode=mode)
        if order.status in ARRANGED:
            return self._get_tracking(shipment)
        if order.status not in SHIPPABLE:
            raise PermanentError(
                f"Shopee order {sn} is {order.status}: it cannot be shipped",
                code="order_status",
            )
        target = {"order_sn": sn}
        if package:
            target["package_number"] = package
        data = self._request(
            "GET", "/api/v2/logistics/get_shipping_parameter", params=target
        )
        params = _response(data, "shipping parameter")
        with malformed("Shopee", "shipping parameter", data.get("request_id")):
            info = params.get("info_needed") or {}
            offered = [m for m in ("pickup", "dropoff") if m in info]
            if not offered:
                raise PermanentError(
                    f"Shopee order {sn} uses a non-integrated channel: enter its "
                    "tracking number in Seller Centre",
                    code="non_integrated",
                )
            used = mode if mode in offered else offered[0]
            body: dict[str, Any] = dict(target)
            body[used] = self._ship_details(used, info[used] or [], params)
        self._request(
            "POST", "/api/v2/logistics/ship_order", body=body, idempotent=False
        )
        shipment.mode = used
        return self._get_tracking(shipment)

    def _ship_details(
        self, mode: str, needed: list[str], params: Mapping[str, Any]
    ) -> dict[str, Any]:
        details: dict[str, Any] = {}
        if mode == "pickup":
            if "address_id" in needed:
                addresses = params["pickup"]["address_list"]
                address = next(
                    (
                        a
                        for flag in ("pickup_address", "default_address")
                        for a in addresses
                        if flag in (a.get("address_flag") or [])
                    ),
                    addresses[0],
                )
                details["address_id"] = address["address_id"]
                if "pickup_time_id" in needed:
                    slots = address.get("time_slot_list") or []
                    if not slots:
                        raise PermanentError(
                            "Shopee offers no pickup time slot for this address",
                            code="no_pickup_slot",
                        )
                    details["pickup_time_id"] = slots[0]["pickup_time_id"]
        else:
            if "branch_id" in needed:
                details["branch_id"] = params["dropoff"]["branch_list"][0]["branch_id"]
            if "sender_real_name" in needed:
                details["sender_real_name"] = self.config.extra.get("sender_name", "")
        return details

    def _get_tracking(self, shipment: Shipment) -> Shipment:
        params = {"order_sn": shipment.order_external_id}
        if shipment.package_number:
            params["package_number"] = shipment.package_number
        data = self._request(
            "GET", "/api/v2/logistics/get_tracking_number", params=params
        )
        body = _response(data, "tracking number")
        shipment.tracking_number = _text(body.get("tracking_number"))
        return shipment

    def _document_target(self, shipment: Shipment) -> dict[str, Any]:
        target = {"order_sn": shipment.order_external_id}
        if shipment.package_number:
            target["package_number"] = shipment.package_number
        return target

    def _document_status(self, shipment: Shipment) -> tuple[str | None, str | None]:
        label_type = self.config.extra.get("label_type", LABEL_TYPE)
        data = self._request(
            "POST",
            "/api/v2/logistics/get_shipping_document_result",
            body={
                "order_list": [self._document_target(shipment)],
                "shipping_document_type": label_type,
            },
        )
        rows = (data.get("response") or {}).get("result_list") or [{}]
        row = rows[0] if isinstance(rows[0], Mapping) else {}
        return _text(row.get("status")), _text(row.get("fail_message"))

    def _get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        """create_shipping_document, get_shipping_document_result until READY,
        download_shipping_document. None while Shopee is still producing it."""
        if not shipment.tracking_number:
            return None
        label_type = self.config.extra.get("label_type", LABEL_TYPE)
        status, _message = self._document_status(shipment)
        if status not in ("READY", "PROCESSING"):
            target = dict(
                self._document_target(shipment),
                tracking_number=shipment.tracking_number,
                shipping_document_type=label_type,
            )
            data = self._request(
                "POST",
                "/api/v2/logistics/create_shipping_document",
                body={"order_list": [target]},
            )
            rows = (data.get("response") or {}).get("result_list") or [{}]
            failure = _text(rows[0].get("fail_error")) if rows else None
            if failure:
                raise PermanentError(
                    f"Shopee {failure}: {self._scrub(rows[0].get('fail_message'))}",
                    code=failure,
                    request_id=_text(data.get("request_id")),
                )
            status, _message = self._document_status(shipment)
        if status == "FAILED":
            raise PermanentError(
                f"Shopee could not produce the shipping label: {_message or ''}",
                code="document_failed",
            )
        if status != "READY":
            return None
        content = self.transport.request(
            "POST",
            self.base_url + "/api/v2/logistics/download_shipping_document",
            parse=self._parse_file,
            params=lambda: self._common_params(
                "/api/v2/logistics/download_shipping_document", "shop"
            ),
            json_body={
                "shipping_document_type": label_type,
                "order_list": [self._document_target(shipment)],
            },
            limiter=self.limiter,
            timeout=self.config.timeout,
        )
        return ShippingDocument(
            filename=f"shopee-{shipment.order_external_id}.pdf", content=content
        )

    def _parse_file(self, response: requests.Response) -> bytes:
        kind = response.headers.get("Content-Type", "")
        if response.status_code == 200 and not kind.startswith("application/json"):
            return response.content
        self._parse(response)  # raises the platform's error
        raise PermanentError("Shopee returned no document", code="bad_response")

    def _cancel_order(self, order: Order, reason: str, lines: list[OrderLine]) -> None:
        body: dict[str, Any] = {
            "order_sn": order.external_id,
            "cancel_reason": reason.upper(),
        }
        if reason == "out_of_stock":
            body["item_list"] = [
                {
                    "item_id": _as_int(line.item_id, "item_id"),
                    "model_id": _as_int(line.variant_id or 0, "model_id"),
                }
                for line in lines
            ]
        self._request("POST", "/api/v2/order/cancel_order", body=body, idempotent=False)

    def _iter_returns_window(
        self, since: datetime, until: datetime
    ) -> Iterator[Return]:
        page_no = 0
        while True:
            data = self._call(
                self._request,
                "GET",
                "/api/v2/returns/get_return_list",
                params={
                    "page_no": page_no,
                    "page_size": self.return_page_size,
                    "update_time_from": _epoch(since),
                    "update_time_to": _epoch(until) + (1 if until.microsecond else 0),
                },
            )
            body = _response(data, "return list")
            with malformed("Shopee", "return list", data.get("request_id")):
                for row in body.get("return") or []:
                    yield to_return(row)
                more = bool(body.get("more"))
            if not more:
                return
            page_no += 1
