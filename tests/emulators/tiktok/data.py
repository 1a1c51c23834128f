"""Fake TikTok Shop data in the API's JSON shapes: products, orders."""

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

STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
STATUS_WEIGHTS = {
    "UNPAID": 6,
    "ON_HOLD": 6,
    "AWAITING_SHIPMENT": 25,
    "AWAITING_COLLECTION": 10,
    "IN_TRANSIT": 15,
    "DELIVERED": 15,
    "COMPLETED": 15,
    "CANCELLED": 8,
}
LIFECYCLE = {
    "UNPAID": "ON_HOLD",
    "ON_HOLD": "AWAITING_SHIPMENT",
    "AWAITING_SHIPMENT": "AWAITING_COLLECTION",
    "AWAITING_COLLECTION": "IN_TRANSIT",
    "IN_TRANSIT": "DELIVERED",
    "DELIVERED": "COMPLETED",
}
CARRIERS = ["J&T Express", "Giao Hàng Nhanh", "Ninja Van", "BEST Express"]
DEFAULT_SHOP = "7494726673780148744"


def generate_catalogue(
    n_items: int = 10, skus_per_item: int = 2, seed: int = 0
) -> list[dict[str, Any]]:
    """Products in Search Products shape, seller SKUs ``TT0001-1`` ..., VND."""
    rng = random.Random(seed)
    products = []
    for index in range(n_items):
        base_name, base_price, variants = PRODUCTS[index % len(PRODUCTS)]
        product_id = str(1729000000000000000 + index * 1013)
        labels = variants or ["Mặc định"]
        skus = []
        for n in range(max(1, min(skus_per_item, len(labels)))):
            price = round_k(base_price * rng.uniform(0.8, 1.2))
            skus.append(
                {
                    "id": str(int(product_id) + 100 + n),
                    "seller_sku": f"TT{index + 1:04d}-{n + 1}",
                    "price": {
                        "currency": "VND",
                        "sale_price": str(price),
                        "tax_exclusive_price": str(price),
                    },
                    "inventory": [
                        {"warehouse_id": "7068517275539719942", "quantity": 50}
                    ],
                    "_name": labels[n % len(labels)],
                }
            )
        products.append(
            {
                "id": product_id,
                "title": f"{base_name} #{index + 1}",
                "status": "ACTIVATE",
                "skus": skus,
                "create_time": int(time.time()),
                "update_time": int(time.time()),
            }
        )
    return products


def variants_of(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "product_id": p["id"],
            "product_name": p["title"],
            "sku_id": s["id"],
            "sku_name": s.get("_name", ""),
            "seller_sku": s["seller_sku"],
            "price": int(s["price"]["sale_price"]),
        }
        for p in catalogue
        for s in p["skus"]
    ]


def generate_order(
    rng: random.Random,
    variants: list[dict[str, Any]],
    created: datetime,
    shop_id: str,
    order_id: int,
    status: str | None = None,
    units: int | None = None,
) -> dict[str, Any]:
    """One Vietnamese TikTok Shop order (Get Order Detail shape) + private keys."""
    status = (
        status or rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    )
    n_units = units or rng.randint(1, 4)
    picked = [rng.choice(variants) for _ in range(n_units)]
    original = sum(v["price"] for v in picked)
    seller_discount = rng.choice([0, 0, 10000, 20000]) if original > 200000 else 0
    platform_discount = rng.choice([0, 0, 5000, 15000]) if original > 100000 else 0
    shipping = rng.choice([15000, 22000, 30000])
    ship_seller = rng.choice([0, 0, 5000])
    ship_platform = rng.choice([0, 10000]) if shipping - ship_seller >= 10000 else 0
    seller_parts = split_k(seller_discount, n_units, rng)
    platform_parts = split_k(platform_discount, n_units, rng)
    family, middle, given = person_name(rng)
    phone = mobile(rng, "(+84)")
    ward, district, province = rng.choice(LOCATIONS)
    street = street_of(rng)
    create_ts = int(created.timestamp())
    update_ts = create_ts + (0 if status == "UNPAID" else rng.randint(60, 86400))
    shipped = status in ("IN_TRANSIT", "DELIVERED", "COMPLETED")
    carrier = rng.choice(CARRIERS)
    items = []
    for n, unit in enumerate(picked):
        sd = min(seller_parts[n], unit["price"])
        pd = min(platform_parts[n], unit["price"] - sd)
        seller_parts[n], platform_parts[n] = sd, pd
        items.append(
            {
                "id": str(order_id * 10 + n + 1),
                "product_id": unit["product_id"],
                "product_name": unit["product_name"],
                "sku_id": unit["sku_id"],
                "sku_name": unit["sku_name"],
                "seller_sku": unit["seller_sku"],
                "original_price": str(unit["price"]),
                "sale_price": str(unit["price"] - sd - pd),
                "seller_discount": str(sd),
                "platform_discount": str(pd),
                "currency": "VND",
                "display_status": status,
                "package_id": f"1152{order_id}" if shipped else "",
                "package_status": "FULFILLING" if shipped else "TO_FULFILL",
                "tracking_number": f"TTVN{order_id}" if shipped else "",
                "shipping_provider_name": carrier if shipped else "",
                "is_gift": False,
            }
        )
    seller_discount = sum(seller_parts)
    platform_discount = sum(platform_parts)
    sub_total = original - seller_discount - platform_discount
    shipping_net = shipping - ship_seller - ship_platform
    order = {
        "id": str(order_id),
        "status": status,
        "create_time": create_ts,
        "update_time": update_ts,
        "paid_time": create_ts + 60 if status != "UNPAID" else None,
        # ready-to-ship deadline (T-SDK): two days after the order here
        "rts_sla_time": create_ts + 2 * 86400,
        "user_id": str(7000000000000000000 + rng.randint(10**6, 10**9)),
        "buyer_email": f"v{rng.randint(10**6, 10**7)}@scs.tiktokw.vn",
        "buyer_message": rng.choice(["", "", "Giao giờ hành chính giúp em"]),
        "payment_method_name": rng.choice(["COD", "COD", "Thẻ tín dụng", "ZaloPay"]),
        "is_cod": False,
        "is_on_hold_order": status == "ON_HOLD",
        "is_buyer_request_cancel": False,
        "shipping_type": "TIKTOK",
        "shipping_provider": carrier if shipped else "",
        "tracking_number": f"TTVN{order_id}" if shipped else "",
        "cancel_reason": "Thay đổi ý định" if status == "CANCELLED" else "",
        "cancellation_initiator": "BUYER" if status == "CANCELLED" else "",
        "payment": {
            "currency": "VND",
            "original_total_product_price": str(original),
            "seller_discount": str(seller_discount),
            "platform_discount": str(platform_discount),
            "sub_total": str(sub_total),
            "original_shipping_fee": str(shipping),
            "shipping_fee_seller_discount": str(ship_seller),
            "shipping_fee_platform_discount": str(ship_platform),
            "shipping_fee": str(shipping_net),
            "tax": "0",
            "total_amount": str(sub_total + shipping_net),
        },
        "line_items": items,
        "packages": [{"id": f"1152{order_id}"}] if shipped else [],
        "_recipient": {
            "name": f"{family} {middle} {given}",
            "phone_number": phone,
            "address_detail": street,
            "region_code": "VN",
            "postal_code": "",
            "district_info": [
                {"address_level": "L0", "address_name": "Việt Nam"},
                {"address_level": "L1", "address_name": province},
                {"address_level": "L2", "address_name": district},
                {"address_level": "L3", "address_name": ward},
            ],
        },
        "_shop_id": str(shop_id),
    }
    order["is_cod"] = order["payment_method_name"] == "COD"
    return order


def buyer_paid(order: dict[str, Any]) -> int:
    """What the buyer pays (payment.total_amount)."""
    return int(order["payment"]["total_amount"])


def generate_orders(
    n: int,
    seed: int = 0,
    catalogue: list[dict[str, Any]] | None = None,
    shop_id: str = DEFAULT_SHOP,
    statuses: list[str] | None = None,
    start: datetime | None = None,
    span: timedelta = timedelta(days=10),
    first_order_id: int | None = None,
) -> list[dict[str, Any]]:
    """``n`` orders created between ``start`` and ``start + span`` (statuses cycle)."""
    rng = random.Random(seed)
    variants = variants_of(catalogue or generate_catalogue(10, 2, seed=seed))
    now = datetime.now(timezone.utc)
    start = start or (now - span)
    next_id = first_order_id or (577000000000000000 + seed * 1000000)
    limit = int(max(now, start + span).timestamp())
    orders = []
    for index, created in creation_times(rng, n, start, span):
        status = statuses[index % len(statuses)] if statuses else None
        order = generate_order(rng, variants, created, shop_id, next_id + index, status)
        order["update_time"] = min(order["update_time"], limit)
        orders.append(order)
    return orders
