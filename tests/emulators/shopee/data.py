"""Fake Shopee data in the API's JSON shapes: catalogue items, orders, escrow."""

from __future__ import annotations

import hashlib
import random
import string
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from ..fakedata import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    LOCATIONS,
    MIDDLE_NAMES,
    PRODUCTS,
    STREETS,
    creation_times,
    round_k,
    street_of,
)
from ..vn_withholding import withheld

LIFECYCLE = {
    "UNPAID": "READY_TO_SHIP",
    "READY_TO_SHIP": "PROCESSED",
    "PROCESSED": "SHIPPED",
    "SHIPPED": "TO_CONFIRM_RECEIVE",
    "TO_CONFIRM_RECEIVE": "COMPLETED",
    "IN_CANCEL": "CANCELLED",
}
STATUS_WEIGHTS = {
    "UNPAID": 8,
    "READY_TO_SHIP": 15,
    "PROCESSED": 12,
    "SHIPPED": 15,
    "TO_CONFIRM_RECEIVE": 8,
    "COMPLETED": 25,
    "IN_CANCEL": 3,
    "CANCELLED": 10,
    "TO_RETURN": 4,
}
SHIPPED_STATUSES = {
    "PROCESSED",
    "SHIPPED",
    "TO_CONFIRM_RECEIVE",
    "COMPLETED",
    "TO_RETURN",
}
CARRIERS = ["SPX Express", "Giao Hàng Nhanh", "J&T Express", "Ninja Van"]
PAYMENT_METHODS = ["ShopeePay", "Credit Card/Debit Card", "Bank Transfer"]


def generate_catalogue(
    n_items: int = 10,
    models_per_item: int = 3,
    seed: int = 0,
    no_model_ratio: float = 0.25,
) -> list[dict[str, Any]]:
    """Build items (some with models) with SKUs, VND prices and stock.

    Each item: ``item_id, item_name, item_sku, item_status, has_model, price,
    stock, models[{model_id, model_name, model_sku, price, stock}], update_time``.
    """
    rng = random.Random(seed)
    items = []
    for index in range(n_items):
        base_name, base_price, variants = PRODUCTS[index % len(PRODUCTS)]
        item_id = 800000000 + index * 7 + 1
        sku = f"SP{index + 1:04d}"
        with_models = models_per_item > 0 and rng.random() >= no_model_ratio
        names = variants or ["Loại 1", "Loại 2", "Loại 3", "Loại 4", "Loại 5"]
        price = round_k(base_price * rng.uniform(0.8, 1.2))
        item: dict[str, Any] = {
            "item_id": item_id,
            "item_name": f"{base_name} #{index + 1}",
            "item_sku": sku,
            "item_status": "NORMAL",
            "has_model": with_models,
            "price": price,
            "stock": rng.randint(0, 200),
            "models": [],
            "update_time": int(time.time()),
        }
        if with_models:
            for m in range(min(models_per_item, len(names)) or models_per_item):
                label = names[m % len(names)]
                item["models"].append(
                    {
                        "model_id": item_id * 100 + m + 1,
                        "model_name": label,
                        "model_sku": f"{sku}-{m + 1}",
                        "price": round_k(price * rng.uniform(0.9, 1.1)),
                        "stock": rng.randint(0, 200),
                        "model_status": "MODEL_NORMAL",
                    }
                )
        items.append(item)
    return items


def variants_of(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for item in catalogue:
        if item.get("has_model"):
            for model in item["models"]:
                rows.append(
                    {
                        "item_id": item["item_id"],
                        "item_name": item["item_name"],
                        "item_sku": item["item_sku"],
                        "model_id": model["model_id"],
                        "model_name": model["model_name"],
                        "model_sku": model["model_sku"],
                        "price": model["price"],
                    }
                )
        else:
            rows.append(
                {
                    "item_id": item["item_id"],
                    "item_name": item["item_name"],
                    "item_sku": item["item_sku"],
                    "model_id": 0,
                    "model_name": "",
                    "model_sku": "",
                    "price": item["price"],
                }
            )
    return rows


def _variants_from_skus(skus: list[str], rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for index, sku in enumerate(skus):
        name, price, _ = PRODUCTS[index % len(PRODUCTS)]
        rows.append(
            {
                "item_id": 700000000
                + int(hashlib.sha256(sku.encode()).hexdigest()[:6], 16),
                "item_name": name,
                "item_sku": sku,
                "model_id": 0,
                "model_name": "",
                "model_sku": "",
                "price": round_k(price * rng.uniform(0.8, 1.2)),
            }
        )
    return rows


def _person(rng: random.Random) -> tuple[str, str, str]:
    family, middle = rng.choice(FAMILY_NAMES), rng.choice(MIDDLE_NAMES)
    name = f"{family} {middle} {rng.choice(GIVEN_NAMES)}"
    phone = (
        "0" + rng.choice("35789") + "".join(rng.choice(string.digits) for _ in range(8))
    )
    username = "".join(rng.choice(string.ascii_lowercase) for _ in range(6)) + str(
        rng.randint(10, 9999)
    )
    return name, phone, username


def _address(rng: random.Random, name: str, phone: str) -> dict[str, Any]:
    ward, district, province = rng.choice(LOCATIONS)
    if rng.random() < 0.7:
        street = street_of(rng)
    else:
        street = f"{rng.randint(1, 200)}/{rng.randint(1, 40)} {rng.choice(STREETS)}"
    return {
        "name": name,
        "phone": phone,
        "town": "",
        "district": ward,  # Shopee VN: district = ward, city = district
        "city": district,
        "state": province,
        "region": "VN",
        "zipcode": "",
        "full_address": f"{street}, {ward}, {district}, {province}",
    }


def _order_sn(rng: random.Random, created: datetime) -> str:
    alphabet = string.ascii_uppercase + string.digits
    return created.strftime("%y%m%d") + "".join(rng.choice(alphabet) for _ in range(8))


def _lines(rng: random.Random, variants: list[dict[str, Any]]) -> list[dict[str, Any]]:
    picks = rng.sample(variants, k=min(len(variants), rng.randint(1, 5)))
    lines = []
    for variant in picks:
        original = variant["price"]
        cut = rng.choice([0, 0, 0, 0.05, 0.1, 0.2])
        discounted = round_k(original * (1 - cut)) if cut else original
        lines.append(
            {
                "item_id": variant["item_id"],
                "item_name": variant["item_name"],
                "item_sku": variant["item_sku"],
                "model_id": variant["model_id"],
                "model_name": variant["model_name"],
                "model_sku": variant["model_sku"],
                "model_quantity_purchased": rng.choice([1, 1, 1, 2, 2, 3]),
                "model_original_price": original,
                "model_discounted_price": discounted,
                "order_item_id": variant["item_id"],
                "promotion_type": "product_promotion" if cut else "",
                "wholesale": False,
                "add_on_deal": False,
                "main_item": False,
            }
        )
    return lines


def _amounts(rng: random.Random, lines: list[dict[str, Any]]) -> dict[str, int]:
    subtotal = sum(
        li["model_discounted_price"] * li["model_quantity_purchased"] for li in lines
    )
    shipping = rng.choice([0, 0, 15000, 18000, 22000, 30000])
    seller_voucher = rng.choice([0, 0, 0, 10000, 20000]) if subtotal > 100000 else 0
    shopee_voucher = rng.choice([0, 0, 0, 5000, 15000]) if subtotal > 50000 else 0
    coins = rng.choice([0, 0, 0, 0, 300, 1200, 4500])
    coins = min(coins, max(0, subtotal + shipping - seller_voucher - shopee_voucher))
    total = subtotal + shipping - seller_voucher - shopee_voucher - coins
    return {
        "subtotal": subtotal,
        "shipping": shipping,
        "seller_voucher": seller_voucher,
        "shopee_voucher": shopee_voucher,
        "coins": coins,
        "total": total,
    }


def escrow_detail(sn: str, username: str, method: str, amounts: dict[str, int]) -> dict:
    total = amounts["total"]
    return {
        "order_sn": sn,
        "buyer_user_name": username,
        "buyer_payment_info": {
            "buyer_payment_method": method,
            "buyer_service_fee": 0,
            "buyer_tax_amount": 0,
            "buyer_total_amount": total,
            "credit_card_promotion": 0,
            "import_tax_amount": 0,
            "initial_buyer_txn_fee": 0,
            "insurance_premium": 0,
            "is_paid_by_credit_card": method == "Credit Card/Debit Card",
            "merchant_subtotal": amounts["subtotal"],
            "seller_voucher": -amounts["seller_voucher"],
            "shipping_fee": amounts["shipping"],
            "shipping_fee_sst_amount": 0,
            "shopee_voucher": -amounts["shopee_voucher"],
            "shopee_coins_redeemed": -amounts["coins"],
        },
        "order_income": order_income(amounts),
    }


#: what the carrier charges the seller per parcel (VND), and Shopee's free
#: shipping programme: it pays back whatever the buyer did not pay of it
CARRIER_CHARGE = 25000


def order_income(
    amounts: dict[str, int], refund: int = 0, withholding: str | None = None
) -> dict[str, Any]:
    """get_escrow_detail ``order_income`` of an order (VND integers).

    ``escrow_amount = buyer_total_amount + voucher_from_shopee + coins
    - commission_fee - service_fee - seller_transaction_fee - actual_shipping_fee
    + shopee_shipping_rebate - seller_return_refund - withholding_vat_tax
    - withholding_pit_tax``. A refunded order (``refund`` = what goes back to the
    buyer) pays no commission nor fees, and Shopee keeps its vouchers; the seller
    still pays the carrier.

    ``withholding``: the kind of business of a household or individual seller
    (:data:`..vn_withholding.RATES`), whose VAT and PIT Shopee withholds on the
    order's goods revenue (the items after the seller's own discounts and
    voucher; shipping and Shopee's vouchers and coins excluded). A returned
    order's tax is offset within its escrow: it has none left. None: a company,
    nothing withheld.
    """
    total = amounts["total"]
    subtotal = amounts["subtotal"]
    returned = refund > 0
    commission = 0 if returned else subtotal * 4 // 100
    service = 0 if returned else subtotal * 3 // 100
    transaction = 0 if returned else total * 2 // 100
    shopee_voucher = 0 if returned else amounts["shopee_voucher"]
    coins = 0 if returned else amounts["coins"]
    rebate = max(0, CARRIER_CHARGE - amounts["shipping"])
    # a returned order is wholly returned here (see the fees above)
    revenue = 0 if returned else subtotal - amounts["seller_voucher"]
    vat, pit = withheld(revenue, withholding)
    escrow = (
        total
        + shopee_voucher
        + coins
        - commission
        - service
        - transaction
        - CARRIER_CHARGE
        + rebate
        - refund
        - vat
        - pit
    )
    return {
        "buyer_total_amount": total,
        "original_price": subtotal,
        "buyer_paid_shipping_fee": amounts["shipping"],
        "voucher_from_seller": amounts["seller_voucher"],
        "voucher_from_shopee": shopee_voucher,
        "coins": coins,
        "commission_fee": commission,
        "service_fee": service,
        "seller_transaction_fee": transaction,
        "actual_shipping_fee": CARRIER_CHARGE,
        "shopee_shipping_rebate": rebate,
        "seller_return_refund": refund,
        "withholding_vat_tax": vat,
        "withholding_pit_tax": pit,
        "escrow_amount": escrow,
    }


def generate_order(
    rng: random.Random,
    variants: list[dict[str, Any]],
    created: datetime,
    status: str | None = None,
    shop_id: int = 600000,
    max_update: datetime | None = None,
) -> dict[str, Any]:
    """One realistic Vietnamese Shopee order in get_order_detail shape.

    The order carries two private keys: ``_shop_id`` and ``_escrow`` (the
    get_escrow_detail_batch ``escrow_detail``, None until paid).
    """
    status = (
        status or rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    )
    name, phone, username = _person(rng)
    lines = _lines(rng, variants)
    amounts = _amounts(rng, lines)
    cod = rng.random() < 0.4
    method = "Cash on Delivery" if cod else rng.choice(PAYMENT_METHODS)
    create_ts = int(created.timestamp())
    update_ts = create_ts + (rng.randint(60, 2 * 86400) if status != "UNPAID" else 0)
    if max_update is not None:
        update_ts = max(create_ts, min(update_ts, int(max_update.timestamp())))
    unpaid = status == "UNPAID" or (status == "CANCELLED" and rng.random() < 0.5)
    sn = _order_sn(rng, created)
    carrier = rng.choice(CARRIERS)
    order: dict[str, Any] = {
        "order_sn": sn,
        "region": "VN",
        "currency": "VND",
        "cod": cod,
        "order_status": status,
        "create_time": create_ts,
        "update_time": update_ts,
        "days_to_ship": 2,
        "ship_by_date": create_ts + 2 * 86400,
        "message_to_seller": rng.choice(
            ["", "", "Giao giờ hành chính giúp em", "Gói kỹ nhé shop"]
        ),
        "reverse_shipping_fee": 0,
        "buyer_user_id": rng.randint(10**8, 10**9),
        "buyer_username": username,
        "recipient_address": _address(rng, name, phone),
        "item_list": lines,
        "pay_time": None if unpaid else create_ts + rng.randint(30, 600),
        "package_list": [],
        "shipping_carrier": carrier,
        "payment_method": method,
        "total_amount": amounts["total"],
        "estimated_shipping_fee": rng.choice([15000, 22000, 30000]),
        "actual_shipping_fee": 0,
        "note": "",
        "cancel_by": "",
        "cancel_reason": "",
        "buyer_cancel_reason": "",
        "_shop_id": shop_id,
        "_escrow": None if unpaid else escrow_detail(sn, username, method, amounts),
        "_amounts": amounts,
    }
    apply_status_details(order, status, rng)
    return order


def apply_status_details(
    order: dict[str, Any], status: str, rng: random.Random
) -> None:
    if status in ("CANCELLED", "IN_CANCEL"):
        by = "system" if order["pay_time"] is None else rng.choice(["buyer", "seller"])
        order["cancel_by"] = by
        order["cancel_reason"] = {
            "system": "BACKEND_UNPAID",
            "buyer": "Need to change delivery address",
            "seller": "Out of Stock",
        }[by]
    if status in SHIPPED_STATUSES and not order["package_list"]:
        order["package_list"] = [
            {
                "package_number": f"OFG{rng.randint(10**14, 10**15 - 1)}",
                "logistics_status": "LOGISTICS_READY"
                if status == "PROCESSED"
                else "LOGISTICS_DELIVERY_DONE"
                if status in ("COMPLETED", "TO_CONFIRM_RECEIVE")
                else "LOGISTICS_PICKUP_DONE",
                "shipping_carrier": order["shipping_carrier"],
                "item_list": [
                    {
                        "item_id": li["item_id"],
                        "model_id": li["model_id"],
                        "model_quantity": li["model_quantity_purchased"],
                        "order_item_id": li["order_item_id"],
                    }
                    for li in order["item_list"]
                ],
            }
        ]


def generate_orders(
    n: int,
    seed: int = 0,
    skus: list[str] | None = None,
    start: datetime | None = None,
    span: timedelta = timedelta(days=10),
    catalogue: list[dict[str, Any]] | None = None,
    shop_id: int = 600000,
    statuses: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Generate ``n`` orders created between ``start`` and ``start + span``.

    Lines come from ``catalogue`` (so SKUs match listings), else from ``skus``,
    else from a built-in catalogue. ``statuses`` forces a status cycle.
    Each order satisfies ``sum(discounted * qty) + shipping - vouchers - coins ==
    total_amount`` (VND integers; prices are multiples of 1,000).
    """
    rng = random.Random(seed)
    if catalogue is not None:
        variants = variants_of(catalogue)
    elif skus:
        variants = _variants_from_skus(skus, rng)
    else:
        variants = variants_of(generate_catalogue(10, 3, seed=seed))
    now = datetime.now(timezone.utc)
    start = start or (now - span)
    orders = []
    for index, created in creation_times(rng, n, start, span):
        status = statuses[index % len(statuses)] if statuses else None
        orders.append(
            generate_order(
                rng,
                variants,
                created,
                status,
                shop_id,
                max_update=max(now, start + span),
            )
        )
    return orders
