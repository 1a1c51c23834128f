"""Each platform as the benchmarks use it: its emulator, catalogue, orders, and the
fewest API calls its documented batch sizes allow for an import.

The import reads, per platform (entro_marketplace/platforms/<platform>/):

- Shopee: the order list (100 a page, ids only), order details (50 ids a call)
  and escrow details (50 a call) for the fees;
- Lazada: the order list (100 a page, whole headers, staged for the import
  jobs) and the items of 50 orders a call (``/orders/items/get``); ``/order/get``
  (one order a call) only for an order whose header is missing or behind its
  items;
- TikTok Shop: the order search (100 a page) and order details (50 ids a call);
- Tiki: the order list (50 a page) and the orders with their items and fees, 50
  a call (the same list filtered by ``code``).

The minimum is that design's floor: list pages plus reads at the largest batch
the platform documents. Where a platform's list already carries whole orders
(TikTok), a design that imported straight from the list pages would need fewer
calls; the import re-reads each order when its job runs, so that a job never
acts on a state older than the platform's. Lazada's import reads the items when
its job runs, and the header again where the items changed after it was listed.
"""

import math
from datetime import datetime, timedelta, timezone

from tests.emulators import lazada as lz
from tests.emulators import shopee as sp
from tests.emulators import tiki as tk
from tests.emulators import tiktok as tt


def _window():
    now = datetime.now(timezone.utc)
    return {
        "start": now - timedelta(days=3),
        "span": timedelta(days=3) - timedelta(minutes=5),
    }


class Shopee:
    name = "shopee"
    confirmed = "READY_TO_SHIP"

    def emulator(self, index=0):
        return sp.ShopeeEmulator(shop_id=610000 + index)

    def catalogue(self, items, seed):
        return sp.generate_catalogue(items, 3, seed=seed)

    def skus(self, catalogue):
        return [m["model_sku"] for i in catalogue for m in i["models"]] + [
            i["item_sku"] for i in catalogue if not i["models"]
        ]

    def generate(self, emulator, catalogue, n, seed):
        return sp.generate_orders(
            n,
            seed=seed,
            catalogue=catalogue,
            shop_id=emulator.shop_id,
            statuses=[self.confirmed],
            **_window(),
        )

    def order_id(self, order):
        return order["order_sn"]

    def update_ts(self, order):
        """The order's last update (seconds since the epoch), as the order list
        filters it."""
        return order["update_time"]

    def shop_values(self, emulator):
        return {
            "app_key": str(emulator.partner_id),
            "app_secret": emulator.partner_key,
            "external_id": str(emulator.shop_id),
            "api_base_url": emulator.base_url,
        }

    def minimum_calls(self, n):
        pages = math.ceil(n / 100)
        return pages + 2 * math.ceil(n / 50), (
            "list pages of 100 + detail batches of 50 + escrow batches of 50"
        )


class Lazada(Shopee):
    name = "lazada"
    confirmed = "pending"

    def emulator(self, index=0):
        return lz.LazadaEmulator(sellers={"vn": str(200500 + index)})

    def catalogue(self, items, seed):
        return lz.generate_catalogue(items, 3, seed=seed)

    def skus(self, catalogue):
        return [s["SellerSku"] for p in catalogue for s in p["skus"]]

    def generate(self, emulator, catalogue, n, seed):
        return lz.generate_orders(
            n,
            seed=seed,
            catalogue=catalogue,
            seller_id=emulator.seller_id,
            statuses=[[self.confirmed] * units for units in (1, 2, 3)],
            **_window(),
        )

    def order_id(self, order):
        return str(order["order_id"])

    def update_ts(self, order):
        return datetime.fromisoformat(order["updated_at"]).timestamp()

    def shop_values(self, emulator):
        return {
            "app_key": emulator.app_key,
            "app_secret": emulator.app_secret,
            "external_id": emulator.seller_id,
            "api_base_url": emulator.base_url + "/rest",
            "country_code": "vn",
        }

    def minimum_calls(self, n):
        return math.ceil(n / 100) + math.ceil(n / 50), (
            "list pages of 100 (whole headers, staged for the imports) "
            "+ item batches of 50"
        )


class TikTok(Shopee):
    name = "tiktok"
    confirmed = "AWAITING_SHIPMENT"

    def emulator(self, index=0):
        return tt.TikTokEmulator(shops={str(7494726673780200000 + index): "VN"})

    def catalogue(self, items, seed):
        return tt.generate_catalogue(items, 3, seed=seed)

    def skus(self, catalogue):
        return [s["seller_sku"] for p in catalogue for s in p["skus"]]

    def generate(self, emulator, catalogue, n, seed):
        return tt.generate_orders(
            n,
            seed=seed,
            catalogue=catalogue,
            shop_id=emulator.shop_id,
            statuses=[self.confirmed],
            **_window(),
        )

    def order_id(self, order):
        return str(order["id"])

    def shop_values(self, emulator):
        return {
            "app_key": emulator.app_key,
            "app_secret": emulator.app_secret,
            "service_id": emulator.app_key,
            "external_id": emulator.shop_id,
            "api_base_url": emulator.base_url,
            "country_code": "vn",
        }

    def minimum_calls(self, n):
        return math.ceil(n / 100) + math.ceil(n / 50), (
            "search pages of 100 + detail batches of 50 (the search pages "
            "already carry whole orders)"
        )


class Tiki(Shopee):
    name = "tiki"
    confirmed = "queueing"

    def emulator(self, index=0):
        return tk.TikiEmulator(seller_id=str(3500 + index), rate_limit=100000)

    def catalogue(self, items, seed):
        return tk.generate_catalogue(items * 3, seed=seed)

    def skus(self, catalogue):
        return [p["original_sku"] for p in catalogue]

    def generate(self, emulator, catalogue, n, seed):
        return tk.generate_orders(
            n,
            seed=seed,
            catalogue=catalogue,
            seller_id=emulator.seller_id,
            statuses=[self.confirmed],
            **_window(),
        )

    def order_id(self, order):
        return order["code"]

    def update_ts(self, order):
        return order["_update_ts"]

    def shop_values(self, emulator):
        return {
            "app_key": emulator.client_id,
            "app_secret": emulator.client_secret,
            "external_id": emulator.seller_id,
            "api_base_url": emulator.base_url,
        }

    def minimum_calls(self, n):
        from odoo.addons.entro_marketplace.platforms.tiki import TikiPlatform

        size = TikiPlatform.order_page_size
        batch = TikiPlatform.max_detail_batch
        return math.ceil(n / size) + math.ceil(n / batch), (
            f"list pages of {size} + orders with items and fees by {batch} "
            "(the list filtered by code)"
        )


PLATFORMS = {p.name: p for p in (Shopee(), Lazada(), TikTok(), Tiki())}
