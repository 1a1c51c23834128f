"""Shopee listings: the catalogue read (items and their models) and the stock
and price updates, as a mixin of :class:`.client.ShopeePlatform`."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..base import chunked
from ..errors import AuthorizationError, PermanentError
from ..payload import malformed
from ..payload import text as _text
from ..records import Listing, PriceUpdate, StockUpdate, UpdateResult, to_money
from ._util import _as_int, _json_number, _response
from .mappers import price_of, stock_of


class ShopeeListings:
    """Listings, stock and prices (uses the client's transport)."""

    def iter_listings(
        self, statuses: tuple[str, ...] = ("NORMAL",)
    ) -> Iterator[Listing]:
        """Yield one Listing per model (or per item without models)."""
        offset = 0
        while True:
            page = self._call(self._item_list_page, offset, statuses)
            body = _response(page, "item list")
            with malformed("Shopee", "item list", page.get("request_id")):
                ids = [str(row["item_id"]) for row in body.get("item") or []]
                has_next = bool(body.get("has_next_page"))
                next_offset = int(body.get("next_offset") or 0)
            for chunk in chunked(ids, self.max_item_info_batch):
                for info in self._call(self._item_base_info, chunk):
                    yield from self._item_listings(info)
            if not has_next:
                return
            if next_offset <= offset:
                raise PermanentError(
                    "malformed Shopee item list: next_offset does not advance",
                    code="bad_response",
                )
            offset = next_offset

    def _item_list_page(self, offset: int, statuses: tuple[str, ...]) -> dict[str, Any]:
        return self._request(
            "GET",
            "/api/v2/product/get_item_list",
            params={
                "offset": offset,
                "page_size": self.item_page_size,
                "item_status": list(statuses),
            },
        )

    def _item_base_info(self, item_ids: list[str]) -> list[Mapping[str, Any]]:
        data = self._request(
            "GET",
            "/api/v2/product/get_item_base_info",
            params={"item_id_list": ",".join(item_ids)},
        )
        rows = _response(data, "item info").get("item_list")
        return [r for r in rows or [] if isinstance(r, Mapping)]

    def _item_listings(self, info: Mapping[str, Any]) -> Iterator[Listing]:
        with malformed("Shopee", "item info"):
            item_id = str(info["item_id"])
            name = str(info.get("item_name") or "")
            status = _text(info.get("item_status"))
            if not info.get("has_model"):
                yield Listing(
                    item_id=item_id,
                    variant_id="0",
                    sku=_text(info.get("item_sku")),
                    name=name,
                    status=status,
                    price=price_of(info),
                    stock=stock_of(info),
                    raw=dict(info),
                )
                return
        data = self._call(self._model_list, item_id)
        models = _response(data, "model list").get("model") or []
        with malformed("Shopee", "model list", data.get("request_id")):
            for model in models:
                model_name = _text(model.get("model_name"))
                yield Listing(
                    item_id=item_id,
                    variant_id=str(model["model_id"]),
                    sku=_text(model.get("model_sku")),
                    name=f"{name} - {model_name}" if model_name else name,
                    status=_text(model.get("model_status")) or status,
                    price=price_of(model),
                    stock=stock_of(model),
                    raw=dict(model),
                )

    def _model_list(self, item_id: str) -> dict[str, Any]:
        return self._request(
            "GET",
            "/api/v2/product/get_model_list",
            params={"item_id": _as_int(item_id, "item_id")},
        )

    # ----------------------------------------------------- stock and prices

    def _update_stock_batch(
        self, item_id: str | None, updates: list[StockUpdate]
    ) -> list[UpdateResult]:
        body = {
            "item_id": _as_int(item_id, "item_id"),
            "stock_list": [
                {
                    "model_id": _as_int(u.variant_id or 0, "model_id"),
                    "seller_stock": [{"stock": int(u.quantity)}],
                }
                for u in updates
            ],
        }
        return self._send_update("/api/v2/product/update_stock", body, updates)

    def _update_price_batch(
        self, item_id: str | None, updates: list[PriceUpdate]
    ) -> list[UpdateResult]:
        body = {
            "item_id": _as_int(item_id, "item_id"),
            "price_list": [
                {
                    "model_id": _as_int(u.variant_id or 0, "model_id"),
                    "original_price": _json_number(to_money(u.price)),
                }
                for u in updates
            ],
        }
        return self._send_update("/api/v2/product/update_price", body, updates)

    def _send_update(
        self,
        path: str,
        body: dict[str, Any],
        updates: list[StockUpdate] | list[PriceUpdate],
    ) -> list[UpdateResult]:
        try:
            data = self._request("POST", path, body=body)
        except AuthorizationError:
            raise
        except PermanentError as exc:
            return [
                UpdateResult(
                    u.item_id, u.variant_id, u.sku, False, exc.code, exc.message
                )
                for u in updates
            ]
        response = _response(data, "update result")
        ok = {str(r.get("model_id", 0)) for r in response.get("success_list") or []}
        failed = {
            str(r.get("model_id", 0)): self._scrub(r.get("failed_reason"))
            for r in response.get("failure_list") or []
        }
        results = []
        for u in updates:
            model = str(u.variant_id or 0)
            if model in failed:
                results.append(
                    UpdateResult(
                        u.item_id, u.variant_id, u.sku, False, "failed", failed[model]
                    )
                )
            elif model in ok:
                results.append(UpdateResult(u.item_id, u.variant_id, u.sku, True))
            else:
                results.append(
                    UpdateResult(
                        u.item_id,
                        u.variant_id,
                        u.sku,
                        False,
                        "no_result",
                        "not in Shopee's answer",
                    )
                )
        return results
