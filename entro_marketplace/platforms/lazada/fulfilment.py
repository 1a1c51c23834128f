"""Lazada fulfilment: pack, ready-to-ship, tracking, labels, cancellations, returns.

A mixin of :class:`~.client.LazadaPlatform` (it uses the client's ``_request``,
``_call``, ``_scrub`` and ``_order_items``).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from ..errors import PermanentError
from ..payload import malformed
from ..payload import text as _text
from ..records import Order, OrderLine, Return, Shipment, ShippingDocument
from .const import ARRANGED, CANCEL_REASON_WORDS, PACKED, TO_PACK
from .helpers import data_of, is_true
from .mappers import is_cancelled, to_return


class LazadaFulfilmentMixin:
    """Shipping, cancelling and returns of Lazada orders (item by item)."""

    cancel_reasons = tuple(CANCEL_REASON_WORDS)
    return_page_size = 50

    def _result(self, data: Mapping[str, Any], what: str) -> Mapping[str, Any]:
        """The ``result.data`` of the fulfilment APIs, or the refusal they carry."""
        result = data.get("result")
        if not isinstance(result, Mapping):
            raise PermanentError(
                f"malformed Lazada {what}: no 'result'",
                code="bad_response",
                request_id=_text(data.get("request_id")),
            )
        if not is_true(result.get("success")):
            code = _text(result.get("error_code")) or "failed"
            raise PermanentError(
                f"Lazada {what} refused: {code}: "
                f"{self._scrub(result.get('error_msg'))}",
                code=code,
                request_id=_text(data.get("request_id")),
            )
        body = result.get("data")
        return body if isinstance(body, Mapping) else {}

    def _item_errors(self, rows: Iterable[Mapping[str, Any]], what: str) -> None:
        failed = [r for r in rows if str(r.get("item_err_code", "0")) != "0"]
        if failed:
            raise PermanentError(
                f"Lazada {what} refused: "
                + "; ".join(self._scrub(r.get("msg")) for r in failed),
                code=str(failed[0].get("item_err_code")),
            )

    def _ship_order(self, order: Order, mode: str) -> Shipment:
        """Pack the live items (dropship), then ready-to-ship their package.

        Lazada takes pickup or drop-off from the seller's Seller Center setting,
        so ``mode`` is recorded but not sent.
        """
        items = [i for i in order.raw.get("items") or [] if not is_cancelled(i)]
        if not items:
            raise PermanentError(
                f"Lazada order {order.external_id} has no item to ship",
                code="order_status",
            )
        statuses = {str(i.get("status") or "").lower() for i in items}
        item_ids = [int(i["order_item_id"]) for i in items]
        shipment = Shipment(
            order.external_id,
            carrier=order.shipping_carrier,
            mode=mode,
            extra={"order_item_ids": item_ids},
        )
        if statuses <= ARRANGED:
            return self._get_tracking(shipment)
        if statuses <= TO_PACK:
            data = self._request(
                "POST",
                "/order/fulfill/pack",
                params={
                    "packReq": json.dumps(
                        {
                            "pack_order_list": [
                                {
                                    "order_id": int(order.external_id),
                                    "order_item_list": item_ids,
                                }
                            ],
                            "delivery_type": "dropship",
                            "shipping_allocate_type": "TFS",
                        }
                    )
                },
                idempotent=False,
            )
            body = self._result(data, "pack")
            with malformed("Lazada", "pack", _text(data.get("request_id"))):
                rows = [
                    row
                    for group in body.get("pack_order_list") or []
                    for row in group.get("order_item_list") or []
                ]
                self._item_errors(rows, "pack")
                shipment.package_number = _text(rows[0].get("package_id"))
                shipment.tracking_number = _text(rows[0].get("tracking_number"))
                shipment.carrier = (
                    _text(rows[0].get("shipment_provider")) or shipment.carrier
                )
        elif statuses <= PACKED:
            shipment.package_number = next(
                (_text(i.get("package_id")) for i in items if i.get("package_id")),
                None,
            )
        else:
            raise PermanentError(
                f"Lazada order {order.external_id} is {order.status}: "
                "it cannot be shipped",
                code="order_status",
            )
        if not shipment.package_number:
            raise PermanentError(
                f"Lazada gave no package for order {order.external_id}",
                code="bad_response",
            )
        data = self._request(
            "POST",
            "/order/package/rts",
            params={
                "readyToShipReq": json.dumps(
                    {"packages": [{"package_id": shipment.package_number}]}
                )
            },
            idempotent=False,
        )
        body = self._result(data, "ready to ship")
        self._item_errors(body.get("packages") or [], "ready to ship")
        if not shipment.tracking_number:
            return self._get_tracking(shipment)
        return shipment

    def _get_tracking(self, shipment: Shipment) -> Shipment:
        items = self._order_items([shipment.order_external_id]).get(
            shipment.order_external_id, []
        )
        if isinstance(items, str):
            raise PermanentError(
                f"malformed Lazada order items: {items}", code="bad_response"
            )
        live = [i for i in items if not is_cancelled(i)]
        for item in live:
            if shipment.package_number and _text(item.get("package_id")) not in (
                None,
                shipment.package_number,
            ):
                continue
            shipment.package_number = shipment.package_number or _text(
                item.get("package_id")
            )
            if _text(item.get("tracking_code")):
                shipment.tracking_number = _text(item.get("tracking_code"))
                shipment.carrier = (
                    _text(item.get("shipment_provider")) or shipment.carrier
                )
                break
        return shipment

    def _get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        if not shipment.package_number or not shipment.tracking_number:
            return None
        data = self._request(
            "POST",
            "/order/package/document/get",
            params={
                "getDocumentReq": json.dumps(
                    {
                        "doc_type": "PDF",
                        "packages": [{"package_id": shipment.package_number}],
                    }
                )
            },
        )
        body = self._result(data, "shipping label")
        encoded = _text(body.get("file"))
        if not encoded:
            return None
        with malformed("Lazada", "shipping label", _text(data.get("request_id"))):
            content = base64.b64decode(encoded, validate=True)
        return ShippingDocument(
            filename=f"lazada-{shipment.order_external_id}.pdf", content=content
        )

    def _cancel_order(self, order: Order, reason: str, lines: list[OrderLine]) -> None:
        """Validate the cancellation (it gives the allowed reasons), then create it."""
        params = {
            "order_id": order.external_id,
            "order_item_id_list": json.dumps([int(li.external_id) for li in lines]),
        }
        data = self._request("GET", "/order/reverse/cancel/validate", params=params)
        body = data_of(data, "cancel validation")
        options = body.get("reason_options") or []
        if not options:
            raise PermanentError(
                f"Lazada does not allow cancelling order {order.external_id}: "
                f"{self._scrub(body.get('tip_content') or 'no reason offered')}",
                code="not_cancellable",
            )
        words = CANCEL_REASON_WORDS[reason]
        option = next(
            (
                o
                for o in options
                if any(w in str(o.get("reason_name", "")).lower() for w in words)
            ),
            options[0],
        )
        self._request(
            "GET",
            "/order/reverse/cancel/create",
            params=dict(params, reason_id=option["reason_id"]),
            idempotent=False,
        )

    def _iter_returns_window(
        self, since: datetime, until: datetime
    ) -> Iterator[Return]:
        page_no = 1
        while True:
            data = self._call(
                self._request,
                "GET",
                "/reverse/getreverseordersforseller",
                params={
                    "page_no": page_no,
                    "page_size": self.return_page_size,
                    "update_start_time": int(since.timestamp() * 1000),
                    "update_end_time": int(until.timestamp() * 1000) + 999,
                },
            )
            body = data_of(data, "reverse orders")
            with malformed("Lazada", "reverse orders", _text(data.get("request_id"))):
                rows = body.get("items") or []
                for row in rows:
                    if str(row.get("request_type", "")).upper() == "CANCEL":
                        continue  # cancellations follow the order's item statuses
                    yield to_return(row)
                total = int(body.get("total") or 0)
            if not rows or page_no * self.return_page_size >= total:
                return
            page_no += 1
