"""Fake Lazada data in the API's JSON shapes: products, orders and their items."""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from ..fakedata import (
    LOCATIONS,
    PRODUCTS,
    creation_times,
    mobile,
    person_name,
    round_k,
    split_k,
    street_of,
)

ITEM_STATUSES = (
    "unpaid",
    "pending",
    "topack",
    "repacked",
    "packed",
    "ready_to_ship_pending",
    "ready_to_ship",
    "toship",
    "shipped",
    "shipping",
    "delivered",
    "canceled",
    "returned",
    "shipped_back_success",
    "failed",
    "failed_delivery",
    "lost",
    "lost_by_3pl",
    "damaged_by_3pl",
    "shipped_back",
    "shipped_back_failed",
)
STATUS_WEIGHTS = {
    "unpaid": 8,
    "pending": 20,
    "packed": 8,
    "ready_to_ship": 10,
    "shipped": 15,
    "delivered": 25,
    "canceled": 8,
    "returned": 3,
    "failed_delivery": 3,
}
LIFECYCLE = {
    "unpaid": "pending",
    "pending": "packed",
    "packed": "ready_to_ship",
    "ready_to_ship": "shipped",
    "shipped": "delivered",
}
CARRIERS = ["LEX VN", "Giao Hàng Nhanh", "J&T Express", "Ninja Van"]


def iso(ts: float) -> str:
    """Lazada's ISO form in Vietnam time: ``2024-05-01T10:00:00+07:00``."""
    moment = datetime.fromtimestamp(ts, tz=timezone(timedelta(hours=7)))
    return moment.isoformat(timespec="seconds")


def ship_sla(create_ts: float, days: int = 2) -> str:
    """An item's ``sla_time_stamp``: the end of the day ``days`` days after the
    order, in Vietnam time (GetMultipleOrderItems' form,
    ``2019-06-24T23:59:59+08:00``)."""
    day = datetime.fromtimestamp(create_ts, tz=timezone(timedelta(hours=7)))
    end = (day + timedelta(days=days)).replace(hour=23, minute=59, second=59)
    return end.isoformat(timespec="seconds")


def parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def generate_catalogue(
    n_items: int = 10, skus_per_item: int = 2, seed: int = 0
) -> list[dict[str, Any]]:
    """Products in /products/get shape, SellerSku ``LZ0001-1`` ..., VND prices."""
    rng = random.Random(seed)
    products = []
    for index in range(n_items):
        base_name, base_price, variants = PRODUCTS[index % len(PRODUCTS)]
        item_id = 2000000000 + index * 11 + 3
        labels = variants or ["Mặc định"]
        skus = []
        for n in range(max(1, min(skus_per_item, len(labels)))):
            price = round_k(base_price * rng.uniform(0.8, 1.2))
            skus.append(
                {
                    "SkuId": item_id * 10 + n + 1,
                    "SellerSku": f"LZ{index + 1:04d}-{n + 1}",
                    "ShopSku": f"{item_id}_VNAMZ-{n + 1}",
                    "Status": "active",
                    "quantity": rng.randint(0, 200),
                    "Available": 0,
                    "price": price,
                    "special_price": round_k(price * 0.9) if rng.random() < 0.3 else 0,
                    "_variation": labels[n % len(labels)],
                }
            )
        products.append(
            {
                "item_id": item_id,
                "status": "Active",
                "attributes": {
                    "name": f"{base_name} #{index + 1}",
                    "brand": "No Brand",
                },
                "skus": skus,
                "created_time": str(int(time.time() * 1000)),
                "updated_time": str(int(time.time() * 1000)),
            }
        )
    return products


def variants_of(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for product in catalogue:
        for sku in product["skus"]:
            price = sku["special_price"] or sku["price"]
            rows.append(
                {
                    "name": product["attributes"]["name"],
                    "variation": sku.get("_variation", ""),
                    "sku": sku["SellerSku"],
                    "sku_id": sku["SkuId"],
                    "shop_sku": sku["ShopSku"],
                    "price": price,
                }
            )
    return rows


def generate_order(
    rng: random.Random,
    variants: list[dict[str, Any]],
    created: datetime,
    seller_id: str,
    order_id: int,
    statuses: list[str] | None = None,
) -> dict[str, Any]:
    """One Vietnamese Lazada order: header (``/order/get`` shape) + ``_items``.

    ``statuses`` gives the item statuses (one per unit, 1 to 5 units); by
    default one status for all units, sometimes with a partial cancellation.
    """
    n_units = len(statuses) if statuses else rng.randint(1, 5)
    if not statuses:
        main = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
        statuses = [main] * n_units
        if n_units > 1 and main not in ("unpaid", "canceled") and rng.random() < 0.2:
            statuses[rng.randrange(n_units)] = "canceled"
    family, middle, given = person_name(rng)
    phone = mobile(rng, "84")
    ward, district, province = rng.choice(LOCATIONS)
    street = street_of(rng)
    shipping = rng.choice([0, 0, 15000, 22000, 30000])
    ship_discount_seller = rng.choice([0, 0, 5000]) if shipping else 0
    ship_discount_platform = rng.choice([0, 0, 10000]) if shipping > 10000 else 0
    units = [rng.choice(variants) for _ in range(n_units)]
    subtotal = sum(u["price"] for u in units)
    voucher_seller = rng.choice([0, 0, 10000, 20000]) if subtotal > 200000 else 0
    voucher_platform = rng.choice([0, 0, 5000, 15000]) if subtotal > 100000 else 0
    seller_parts = split_k(voucher_seller, n_units, rng)
    platform_parts = split_k(voucher_platform, n_units, rng)
    ship_parts = split_k(shipping, n_units, rng)
    sds_parts = split_k(ship_discount_seller, n_units, rng)
    sdp_parts = split_k(ship_discount_platform, n_units, rng)
    create_ts = created.timestamp()
    update_ts = create_ts + (0 if statuses[0] == "unpaid" else rng.randint(60, 86400))
    buyer_id = str(rng.randint(10**9, 10**10))
    method = rng.choice(["COD", "COD", "MIXEDCARD", "LAZADA_WALLET"])
    carrier = rng.choice(CARRIERS)
    items = []
    for n, (unit, status) in enumerate(zip(units, statuses, strict=True)):
        # the unit's share: vouchers never exceed its price, shipping discounts
        # never exceed its original shipping
        vs = min(seller_parts[n], unit["price"])
        vp = min(platform_parts[n], unit["price"] - vs)
        seller_parts[n], platform_parts[n] = vs, vp
        original = ship_parts[n]
        sds = min(sds_parts[n], original)
        sdp = min(sdp_parts[n], original - sds)
        shipped = status not in ("unpaid", "pending", "topack", "canceled")
        items.append(
            {
                "order_id": order_id,
                "order_item_id": order_id * 10 + n + 1,
                "name": unit["name"],
                "variation": unit["variation"],
                "sku": unit["sku"],
                "sku_id": str(unit["sku_id"]),
                "shop_sku": unit["shop_sku"],
                "status": status,
                "item_price": f"{unit['price']:.2f}",
                "paid_price": f"{unit['price'] - vs - vp:.2f}",
                "voucher_amount": f"{vs + vp:.2f}",
                "voucher_seller": f"{vs:.2f}",
                "voucher_platform": f"{vp:.2f}",
                "shipping_fee_original": f"{original:.2f}",
                "shipping_fee_discount_seller": f"{sds:.2f}",
                "shipping_fee_discount_platform": f"{sdp:.2f}",
                "shipping_amount": f"{original - sds - sdp:.2f}",
                "tax_amount": "0.00",
                "currency": "VND",
                "buyer_id": buyer_id,
                "shipment_provider": carrier if shipped else "",
                "tracking_code": f"LZDVN{order_id}" if shipped else "",
                "package_id": f"FP{order_id}" if shipped else "",
                "reason": "Thay đổi ý định" if status == "canceled" else "",
                "cancel_return_initiator": "cancellation-customer"
                if status == "canceled"
                else "",
                "payment_time": str(int(create_ts * 1000) + 60000)
                if status != "unpaid"
                else "",
                "need_cancel_confirm": "false",
                "sla_time_stamp": ship_sla(create_ts),
                "created_at": iso(create_ts),
                "updated_at": iso(update_ts),
            }
        )
    order = {
        "order_id": order_id,
        "order_number": order_id,
        "created_at": iso(create_ts),
        "updated_at": iso(update_ts),
        "customer_first_name": f"{family} {middle} {given}",
        "customer_last_name": "",
        "payment_method": method,
        "remarks": "",
        "buyer_note": rng.choice(["", "", "Giao giờ hành chính giúp em"]),
        "items_count": n_units,
        "statuses": sorted(set(statuses)),
        "address_shipping": {
            "first_name": f"{family} {middle} {given}",
            "last_name": "",
            "phone": phone,
            "phone2": "",
            "address1": street,
            "address2": "",
            "address3": province,
            "address4": district,
            "address5": ward,
            "city": district,
            "post_code": "",
            "country": "Vietnam",
        },
        "_seller_id": str(seller_id),
        "_items": items,
        "_update_ts": update_ts,
    }
    _refresh_totals(order)
    return order


def stamp_update(order: dict[str, Any], ts: float) -> None:
    """Set a generated order's update time, its items' with it (as on Lazada, an
    order is updated whenever one of its items is, never before it)."""
    order["_update_ts"] = ts
    order["updated_at"] = iso(ts)
    for item in order["_items"]:
        item["updated_at"] = iso(ts)


def _refresh_totals(order: dict[str, Any]) -> None:
    """Order-level price/voucher/shipping as sums over all its items."""
    items = order["_items"]

    def total(key: str) -> float:
        return sum(float(i[key]) for i in items)

    order["price"] = f"{total('item_price'):.2f}"
    order["voucher"] = f"{total('voucher_amount'):.2f}"
    order["voucher_seller"] = f"{total('voucher_seller'):.2f}"
    order["voucher_platform"] = f"{total('voucher_platform'):.2f}"
    order["shipping_fee"] = f"{total('shipping_amount'):.2f}"
    order["shipping_fee_original"] = f"{total('shipping_fee_original'):.2f}"
    order["shipping_fee_discount_seller"] = (
        f"{total('shipping_fee_discount_seller'):.2f}"
    )
    order["shipping_fee_discount_platform"] = (
        f"{total('shipping_fee_discount_platform'):.2f}"
    )


def buyer_paid(order: dict[str, Any], live_only: bool = True) -> int:
    """What the buyer pays: paid_price + shipping_amount of the live items."""
    return round(
        sum(
            float(i["paid_price"]) + float(i["shipping_amount"])
            for i in order["_items"]
            if not live_only or i["status"] != "canceled"
        )
    )


def generate_orders(
    n: int,
    seed: int = 0,
    catalogue: list[dict[str, Any]] | None = None,
    seller_id: str = "200100",
    statuses: list[list[str]] | None = None,
    start: datetime | None = None,
    span: timedelta = timedelta(days=10),
    first_order_id: int | None = None,
) -> list[dict[str, Any]]:
    """Generate ``n`` orders created between ``start`` and ``start + span``.

    ``statuses`` cycles through per-order item status lists (one per unit).
    """
    rng = random.Random(seed)
    variants = variants_of(catalogue or generate_catalogue(10, 2, seed=seed))
    now = datetime.now(timezone.utc)
    start = start or (now - span)
    next_id = first_order_id or (300000000000 + seed * 1000000)
    orders = []
    for index, created in creation_times(rng, n, start, span):
        wanted = list(statuses[index % len(statuses)]) if statuses else None
        order = generate_order(
            rng, variants, created, seller_id, next_id + index, wanted
        )
        limit = max(now, start + span).timestamp()
        if order["_update_ts"] > limit:
            stamp_update(order, max(created.timestamp(), limit))
        orders.append(order)
    return orders
