"""Fake Tiki data in the API's JSON shapes: products, orders; Vietnam time."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from typing import Any

from ..fakedata import LOCATIONS, creation_times, digits, person_name, street_of

VN = timezone(timedelta(hours=7))
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
STATUS_WEIGHTS = {
    "waiting_payment": 4,
    "queueing": 20,
    "processing": 4,
    "packaging": 8,
    "ready_to_ship": 8,
    "shipping": 15,
    "successful_delivery": 10,
    "complete": 20,
    "canceled": 8,
    "returned": 3,
}
LIFECYCLE = {
    "waiting_payment": "queueing",
    "processing": "queueing",
    "queueing": "packaging",
    "packaging": "ready_to_ship",
    "ready_to_ship": "shipping",
    "shipping": "successful_delivery",
    "successful_delivery": "complete",
}
EVENT_TYPES = (
    "ORDER_CREATED_SUCCESSFULLY",
    "ORDER_STATUS_UPDATED",
    "PRODUCT_PRICE_UPDATED",
    "PRODUCT_MARKET_PRICE_UPDATED",
    "PRODUCT_INVENTORY_UPDATED",
)
TIKI_PRODUCTS = [
    ("Sách tiếng Việt", 89000),
    ("Bình giữ nhiệt 500ml", 189000),
    ("Tai nghe không dây", 459000),
    ("Nồi cơm điện 1.8L", 790000),
    ("Kem chống nắng", 215000),
    ("Bộ lau nhà", 329000),
    ("Cà phê rang xay 500g", 145000),
    ("Balo laptop", 399000),
]


def vn_time(ts: float) -> str:
    """Tiki's zone-less ``YYYY-MM-DD HH:MM:SS``, in Vietnam time."""
    return datetime.fromtimestamp(ts, tz=VN).strftime(TIME_FORMAT)


def parse_vn_time(text: str) -> float:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=VN).timestamp()


def generate_catalogue(n: int = 10, seed: int = 0) -> list[dict[str, Any]]:
    """Tiki products (one SKU each): ``TK0001``..., VND prices."""
    rng = random.Random(seed)
    rows = []
    for index in range(n):
        name, price = TIKI_PRODUCTS[index % len(TIKI_PRODUCTS)]
        rows.append(
            {
                "product_id": 70000000 + index * 7 + 1,
                "sku": str(5000000 + index),
                "original_sku": f"TK{index + 1:04d}",
                "name": f"{name} #{index + 1}",
                "price": max(1000, round(price * rng.uniform(0.8, 1.2) / 1000) * 1000),
                "active": 1,
                "_qty": rng.randint(0, 100),
            }
        )
    return rows


def generate_order(
    rng: random.Random,
    catalogue: list[dict[str, Any]],
    created: datetime,
    seller_id: str,
    code: str,
    status: str | None = None,
    no_phone: bool | None = None,
    no_customer: bool = False,
) -> dict[str, Any]:
    """One order v2 (``/integration/v2/orders/{code}`` shape) + private keys."""
    status = (
        status or rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    )
    family, middle, given = person_name(rng)
    ward, district, region = rng.choice(LOCATIONS)
    if no_phone is None:
        no_phone = rng.random() < 0.2  # Tiki does not always give the phone
    phone = "" if no_phone else "09" + digits(rng, 8)
    items = []
    for n, product in enumerate(
        rng.sample(catalogue, rng.randint(1, min(3, len(catalogue))))
    ):
        qty = rng.randint(1, 3)
        price = product["price"]
        subtotal = price * qty
        coupon = rng.choice([0, 0, 10000]) if subtotal > 100000 else 0
        tikixu = rng.choice([0, 0, 0, 5000])
        promotion = rng.choice([0, 0, 15000]) if subtotal > 150000 else 0
        discount = coupon + tikixu + promotion
        fee = round(subtotal * 0.08)
        items.append(
            {
                "id": int(code) * 10 + n + 1,
                "product": {
                    "id": product["product_id"],
                    "name": product["name"],
                    "sku": product["sku"],
                    "seller_product_code": product["original_sku"],
                },
                "invoice": {
                    "price": price,
                    "quantity": qty,
                    "subtotal": subtotal,
                    "row_total": subtotal - discount,
                    "discount_amount": discount,
                    "discount_tikixu": tikixu,
                    "discount_promotion": promotion,
                    "discount_percent": 0,
                    "discount_coupon": coupon,
                    "discount_other": 0,
                    "is_seller_discount_coupon": rng.random() < 0.5,
                    "is_taxable": True,
                    "seller_fee": fee,
                    "seller_income": subtotal - fee - (coupon if n % 2 else 0),
                    "fees": [
                        {
                            "id": int(code) * 100 + n,
                            "fee_type_key": "percent_per_item_sales_value",
                            "fee_type_name": "Phí cố định",
                            "status": 1,
                            "quantity": qty,
                            "base_amount": subtotal,
                            "total_amount": fee,
                            "discount_amount": 0,
                            "final_amount": fee,
                        }
                    ],
                },
                # the deadlines of order v2's item confirmation: availability
                # within 12 hours; the pickup one is set below, for drop-shipping
                "confirmation": {
                    "status": "waiting",
                    "available_confirm_sla": vn_time(created.timestamp() + 12 * 3600),
                    "pickup_confirm_sla": None,
                },
            }
        )
    shipping = rng.choice([0, 0, 15000, 25000])
    ship_discount = rng.choice([0, 10000]) if shipping >= 15000 else 0
    handling = rng.choice([0, 0, 3000])
    rows_total = sum(i["invoice"]["row_total"] for i in items)
    create_ts = created.timestamp()
    update_ts = create_ts + (
        0 if status == "waiting_payment" else rng.randint(60, 86400)
    )
    order = {
        "code": code,
        "relation_code": "",
        "fulfillment_type": rng.choice(
            ["dropship", "tiki_delivery", "seller_delivery"]
        ),
        "status": status,
        "is_rma": False,
        "created_at": vn_time(create_ts),
        "updated_at": vn_time(update_ts),
        "invoice": {
            "items_count": len(items),
            "items_quantity": sum(i["invoice"]["quantity"] for i in items),
            "subtotal": sum(i["invoice"]["subtotal"] for i in items),
            "grand_total": rows_total + shipping - ship_discount + handling,
            "collectible_amount": 0,
            "discount_amount": sum(i["invoice"]["discount_amount"] for i in items),
            "shipping_amount_after_discount": shipping - ship_discount,
            "shipping_discount_amount": ship_discount,
            "handling_fee": handling,
            "other_fee": 0,
            "total_seller_fee": sum(i["invoice"]["seller_fee"] for i in items),
            "total_seller_income": sum(i["invoice"]["seller_income"] for i in items),
        },
        "items": items,
        "shipping": {
            "address": {
                "full_name": f"{family} {middle} {given}",
                "street": street_of(rng),
                "ward": ward,
                "district": district,
                "region": region,
                "country": "VN",
                "phone": phone,
            },
            "tracking_code": f"TIKI{code}"
            if status in ("shipping", "complete")
            else "",
            "partner_name": "TikiNOW Smart Logistics",
        },
        "payment": {"method": rng.choice(["cod", "cybersource", "momo"])},
        "customer": {}
        if no_customer
        else {"id": rng.randint(10**6, 10**7), "full_name": f"{family} {given}"},
        "cancel_info": {"reason_text": "Khách đổi ý"} if status == "canceled" else {},
        "status_histories": [{"status": status, "created_at": vn_time(update_ts)}],
        "_seller_id": str(seller_id),
        "_update_ts": update_ts,
    }
    if order["fulfillment_type"] == "dropship":
        # a drop-shipped order is ready for Tiki's pickup within a day and a half
        for item in items:
            item["confirmation"]["pickup_confirm_sla"] = vn_time(create_ts + 36 * 3600)
    return order


def generate_orders(
    n: int,
    seed: int = 0,
    catalogue: list[dict[str, Any]] | None = None,
    seller_id: str = "3001",
    statuses: list[str] | None = None,
    start: datetime | None = None,
    span: timedelta = timedelta(days=5),
    first_code: int | None = None,
) -> list[dict[str, Any]]:
    """``n`` orders created in ``[start, start + span]`` (statuses cycle)."""
    rng = random.Random(seed)
    catalogue = catalogue or generate_catalogue(seed=seed)
    now = datetime.now(timezone.utc)
    start = start or now - span
    first = first_code or 800000000 + seed * 100000
    orders = []
    for index, created in creation_times(rng, n, start, span):
        status = statuses[index % len(statuses)] if statuses else None
        order = generate_order(
            rng, catalogue, created, seller_id, str(first + index), status
        )
        if order["_update_ts"] > now.timestamp():
            order["_update_ts"] = max(created.timestamp(), now.timestamp() - 1)
            order["updated_at"] = vn_time(order["_update_ts"])
        orders.append(order)
    return orders


def buyer_paid(order: dict[str, Any]) -> int:
    """What the buyer pays (``invoice.grand_total``)."""
    return int(order["invoice"]["grand_total"])
