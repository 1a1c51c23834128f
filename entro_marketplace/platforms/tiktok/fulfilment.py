"""TikTok Shop fulfilment: packages, shipping documents, cancellations, returns.

A mixin of :class:`~.client.TikTokPlatform` (it uses the client's ``_request``,
``_call``, ``transport``, ``limiter`` and ``config``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from ..errors import PermanentError, TransientError
from ..payload import malformed
from ..payload import text as _text
from ..records import Order, OrderLine, Return, Shipment, ShippingDocument
from .const import (
    CANCEL_REASON_CODES,
    HANDOVER_METHODS,
    PACKAGE_SHIPPED,
    PACKAGE_TO_SHIP,
    SHIPPABLE,
    VERSION,
)
from .mappers import response_data, seconds, to_return


class TikTokFulfilment:
    """Shipping, labels, cancellations and returns of a TikTok Shop shop."""

    cancel_reasons = tuple(CANCEL_REASON_CODES)
    return_page_size = 50
    #: no documented maximum for the update-time range of Search Returns
    max_return_window = timedelta(days=30)

    @staticmethod
    def _package_ids(order: Order) -> list[str]:
        """The order's packages (``packages[].id``, else the line items')."""
        row = order.raw.get("order") or {}
        ids = [
            str(p["id"])
            for p in row.get("packages") or []
            if isinstance(p, Mapping) and _text(p.get("id"))
        ]
        for line in row.get("line_items") or []:
            number = (
                _text(line.get("package_id")) if isinstance(line, Mapping) else None
            )
            if number and number not in ids:
                ids.append(number)
        return ids

    def _package(self, package_id: str) -> dict[str, Any]:
        payload = self._request("GET", f"/fulfillment/{VERSION}/packages/{package_id}")
        return response_data(payload, "package detail")

    def _ship_order(self, order: Order, mode: str) -> Shipment:
        """Ship every package still to hand over (pickup or drop-off per
        ``mode``); packages already shipped only give their tracking number."""
        packages = self._package_ids(order)
        if not packages:
            raise PermanentError(
                f"TikTok Shop order {order.external_id} ({order.status}) has no "
                "package to ship",
                code="order_status",
            )
        shipment = Shipment(
            order.external_id,
            package_number=packages[0],
            carrier=order.shipping_carrier,
            mode=mode,
            extra={"package_ids": packages},
        )
        method = HANDOVER_METHODS.get(mode, "PICKUP")
        for package_id in packages:
            detail = self._package(package_id)
            status = str(detail.get("package_status") or "").upper()
            if status in PACKAGE_SHIPPED:
                continue
            if status not in PACKAGE_TO_SHIP or order.status not in SHIPPABLE:
                raise PermanentError(
                    f"TikTok Shop order {order.external_id} is {order.status} "
                    f"(package {package_id} {status or 'unknown'}): it cannot be "
                    "shipped",
                    code="order_status",
                )
            self._request(
                "POST",
                f"/fulfillment/{VERSION}/packages/{package_id}/ship",
                body={"handover_method": method},
                idempotent=False,
            )
        return self._get_tracking(shipment)

    def _get_tracking(self, shipment: Shipment) -> Shipment:
        if not shipment.package_number:
            return shipment
        detail = self._package(shipment.package_number)
        with malformed("TikTok Shop", "package detail"):
            tracking = _text(detail.get("tracking_number"))
            if tracking:
                shipment.tracking_number = tracking
                shipment.carrier = (
                    _text(detail.get("shipping_provider_name")) or shipment.carrier
                )
        return shipment

    def _get_shipping_label(self, shipment: Shipment) -> ShippingDocument | None:
        """Get Shipping Document gives a URL; the PDF is downloaded from it."""
        if not shipment.package_number or not shipment.tracking_number:
            return None
        payload = self._request(
            "GET",
            f"/fulfillment/{VERSION}/packages/{shipment.package_number}"
            "/shipping_documents",
            params={
                "document_type": self.config.extra.get(
                    "document_type", "SHIPPING_LABEL"
                ),
                "document_format": "PDF",
            },
        )
        url = _text(response_data(payload, "shipping document").get("doc_url"))
        if not url:
            return None
        content = self.transport.request(
            "GET",
            url,
            parse=self._parse_document,
            limiter=self.limiter,
            timeout=self.config.timeout,
        )
        return ShippingDocument(
            filename=f"tiktok-{shipment.order_external_id}.pdf", content=content
        )

    @staticmethod
    def _parse_document(response: requests.Response) -> bytes:
        if response.status_code >= 500:
            raise TransientError(
                f"TikTok Shop document download: HTTP {response.status_code}",
                http_status=response.status_code,
            )
        if response.status_code != 200 or not response.content.startswith(b"%PDF"):
            raise PermanentError(
                f"TikTok Shop document download: HTTP {response.status_code}, "
                "not a PDF",
                code="bad_document",
            )
        return response.content

    def _cancel_order(self, order: Order, reason: str, lines: list[OrderLine]) -> None:
        """Cancel Order; line item ids only for a partial cancellation."""
        codes = dict(CANCEL_REASON_CODES)
        codes.update(self.config.extra.get("cancel_reason_codes") or {})
        paid, unpaid = codes[reason]
        body: dict[str, Any] = {
            "order_id": order.external_id,
            "cancel_reason": unpaid if order.status == "UNPAID" else paid,
        }
        wanted = {li.external_id for li in lines}
        if wanted != {li.external_id for li in order.lines}:
            body["order_line_item_ids"] = sorted(wanted)
        self._request(
            "POST",
            f"/return_refund/{VERSION}/cancellations",
            body=body,
            idempotent=False,
        )

    def _iter_returns_window(
        self, since: datetime, until: datetime
    ) -> Iterator[Return]:
        token: str | None = None
        seen: set[str] = set()
        while True:
            payload = self._call(
                self._request,
                "POST",
                f"/return_refund/{VERSION}/returns/search",
                params={"page_size": self.return_page_size, "page_token": token},
                body={
                    "update_time_ge": seconds(since),
                    "update_time_lt": seconds(until) + 1,
                },
            )
            body = response_data(payload, "return list")
            with malformed(
                "TikTok Shop", "return list", _text(payload.get("request_id"))
            ):
                rows = body.get("return_orders") or []
                returns = [to_return(row) for row in rows]
            yield from returns
            token = _text(body.get("next_page_token"))
            if not token or not rows or token in seen:
                return
            seen.add(token)
