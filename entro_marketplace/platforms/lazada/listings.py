"""Lazada listings: the product list, stock and price updates.

A mixin of :class:`~.client.LazadaPlatform` (it uses the client's ``_request``,
``_call`` and ``_scrub``).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from typing import Any

from ..errors import AuthorizationError, PermanentError
from ..payload import malformed
from ..payload import text as _text
from ..records import Listing, PriceUpdate, StockUpdate, UpdateResult
from . import mappers
from .helpers import data_of, decimal_text


class LazadaListingsMixin:
    """One Listing per SKU; stock and prices sent 50 SKUs a call."""

    product_page_size = 50

    def iter_listings(self, filter_: str = "all") -> Iterator[Listing]:
        """Yield one Listing per SKU of every product (``filter`` all by default)."""
        offset = 0
        limit = self.product_page_size
        while True:
            page = self._call(self._products_page, offset, filter_)
            body = data_of(page, "product list")
            listings = []
            with malformed("Lazada", "product list", _text(page.get("request_id"))):
                products = body.get("products") or []
                if not isinstance(products, list):
                    raise TypeError("products is not a list")
                total = body.get("total_products")
                total = int(str(total)) if total not in (None, "") else None
                for product in products:
                    listings.extend(mappers.product_listings(product))
            yield from listings
            if len(products) < limit or (
                total is not None and offset + len(products) >= total
            ):
                return
            offset += limit

    def _products_page(self, offset: int, filter_: str) -> dict[str, Any]:
        return self._request(
            "GET",
            "/products/get",
            params={
                "filter": filter_,
                "limit": self.product_page_size,
                "offset": offset,
            },
        )

    # ----------------------------------------------------- stock and prices

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        return self._send_update(
            updates, "Quantity", lambda u: str(max(0, int(u.quantity)))
        )

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        return self._send_update(updates, "Price", lambda u: decimal_text(u.price))

    @staticmethod
    def update_payload(
        updates: list[StockUpdate] | list[PriceUpdate], tag: str, value_of: Any
    ) -> str:
        """The ``<Request><Product><Skus>`` XML of an update, escaped by ElementTree."""
        root = ET.Element("Request")
        skus = ET.SubElement(ET.SubElement(root, "Product"), "Skus")
        for update in updates:
            node = ET.SubElement(skus, "Sku")
            ET.SubElement(node, "ItemId").text = str(update.item_id)
            if update.variant_id not in (None, "", "0"):
                ET.SubElement(node, "SkuId").text = str(update.variant_id)
            if update.sku:
                ET.SubElement(node, "SellerSku").text = str(update.sku)
            ET.SubElement(node, tag).text = value_of(update)
        return ET.tostring(root, encoding="unicode")

    def _send_update(
        self,
        updates: list[StockUpdate] | list[PriceUpdate],
        tag: str,
        value_of: Any,
    ) -> list[UpdateResult]:
        """Send one batch; SKUs Lazada names as failed are reported, the others
        are sent once more on their own (values are absolute: resending is safe)."""
        failed: dict[int, tuple[str, str]] = {}
        pending = list(range(len(updates)))
        for _round in range(2):
            batch = [updates[i] for i in pending]
            try:
                self._request(
                    "POST",
                    "/product/price_quantity/update",
                    params={"payload": self.update_payload(batch, tag, value_of)},
                )
            except AuthorizationError:
                raise
            except PermanentError as exc:
                named = self._failed_skus(batch, getattr(exc, "detail", None))
                if not named or _round == 1:
                    for index in pending:
                        failed.setdefault(
                            index, (exc.code or "failed", exc.message or "")
                        )
                    break
                for position, message in named.items():
                    failed[pending[position]] = (exc.code or "failed", message)
                pending = [index for n, index in enumerate(pending) if n not in named]
                if not pending:
                    break
                continue
            break
        results = []
        for index, update in enumerate(updates):
            if index in failed:
                code, message = failed[index]
                results.append(
                    UpdateResult(
                        update.item_id,
                        update.variant_id,
                        update.sku,
                        False,
                        code,
                        self._scrub(message),
                    )
                )
            else:
                results.append(
                    UpdateResult(update.item_id, update.variant_id, update.sku, True)
                )
        return results

    @staticmethod
    def _failed_skus(
        batch: list[StockUpdate] | list[PriceUpdate], detail: Any
    ) -> dict[int, str]:
        """Positions in ``batch`` that an error's ``detail`` list names."""
        if not isinstance(detail, list):
            return {}
        named: dict[int, str] = {}
        for row in detail:
            if not isinstance(row, Mapping):
                continue
            seller_sku = _text(row.get("seller_sku") or row.get("SellerSku"))
            sku_id = _text(row.get("sku_id") or row.get("SkuId"))
            message = str(row.get("message") or row.get("field") or "failed")
            for position, update in enumerate(batch):
                if (seller_sku and update.sku == seller_sku) or (
                    sku_id and str(update.variant_id) == sku_id
                ):
                    named[position] = message
        return named
