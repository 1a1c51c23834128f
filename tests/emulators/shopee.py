"""A loopback emulator of the Shopee Open Platform API v2 (the parts Entro uses).

It checks what Shopee checks (partner id, ±5 min timestamp, HMAC signature,
access token, batch limits, 15-day list windows) and pages like Shopee
(cursor for orders, offset for items). It is written independently from the
client in ``entro_marketplace`` so that one cannot hide the other's bugs.

HTTP status codes: Shopee documents only JSON bodies (its HTTP statuses are
unknown), so the emulator chooses 403 for auth/signature errors, 400 for
parameter errors, 404 for unknown paths, 500 for server errors and 429 for
throttling; every error body is Shopee's envelope
``{request_id, error, message}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
import string
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests

from .harness import (
    TOKEN_EXPIRED,
    EmulatorServer,
    Request,
    Response,
    send_webhooks,
    tiny_pdf,
)

FIFTEEN_DAYS = 15 * 24 * 3600
PUBLIC = "public"
SHOP = "shop"

#: fields get_order_detail always returns; the others only when requested
DEFAULT_DETAIL_FIELDS = (
    "order_sn",
    "region",
    "currency",
    "cod",
    "order_status",
    "create_time",
    "update_time",
    "days_to_ship",
    "ship_by_date",
    "message_to_seller",
    "reverse_shipping_fee",
)

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

FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
]
MIDDLE_NAMES = [
    "Văn",
    "Thị",
    "Minh",
    "Ngọc",
    "Thanh",
    "Hoàng",
    "Đức",
    "Thu",
    "Quang",
    "Hữu",
    "Bảo",
    "Gia",
]
GIVEN_NAMES = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Ngân",
    "Nhung",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Uyên",
    "Vy",
    "Yến",
]
LOCATIONS = [
    ("Phường Bến Nghé", "Quận 1", "TP. Hồ Chí Minh"),
    ("Phường Tân Định", "Quận 1", "TP. Hồ Chí Minh"),
    ("Phường Võ Thị Sáu", "Quận 3", "TP. Hồ Chí Minh"),
    ("Phường Thảo Điền", "TP. Thủ Đức", "TP. Hồ Chí Minh"),
    ("Phường Hàng Bạc", "Quận Hoàn Kiếm", "Hà Nội"),
    ("Phường Dịch Vọng", "Quận Cầu Giấy", "Hà Nội"),
    ("Phường Kim Mã", "Quận Ba Đình", "Hà Nội"),
    ("Phường Hải Châu I", "Quận Hải Châu", "Đà Nẵng"),
    ("Phường An Hải Bắc", "Quận Sơn Trà", "Đà Nẵng"),
    ("Phường Xuân Khánh", "Quận Ninh Kiều", "Cần Thơ"),
    ("Phường Lê Lợi", "Quận Ngô Quyền", "Hải Phòng"),
    ("Xã Phong Thạnh Tây B", "Huyện Phước Long", "Bạc Liêu"),
    ("Phường Vĩnh Phước", "TP. Nha Trang", "Khánh Hòa"),
    ("Thị trấn Long Thành", "Huyện Long Thành", "Đồng Nai"),
]
STREETS = [
    "Nguyễn Huệ",
    "Lê Lợi",
    "Trần Hưng Đạo",
    "Hai Bà Trưng",
    "Lý Thường Kiệt",
    "Phan Chu Trinh",
    "Điện Biên Phủ",
    "Nguyễn Trãi",
    "Cách Mạng Tháng 8",
    "Lê Duẩn",
]
PRODUCTS = [
    ("Áo thun cotton", 159000, ["Trắng", "Đen", "Xám"]),
    ("Quần jean nam", 399000, ["29", "30", "31", "32"]),
    ("Dép tông cao su", 59000, ["38", "39", "40", "41"]),
    ("Nón bảo hiểm 3/4", 250000, ["Đỏ", "Đen"]),
    ("Bình giữ nhiệt 500ml", 189000, ["Xanh", "Hồng"]),
    ("Cà phê hòa tan hộp 18 gói", 65000, []),
    ("Kem chống nắng SPF50 50ml", 275000, []),
    ("Tai nghe Bluetooth", 490000, ["Trắng", "Đen"]),
    ("Sạc dự phòng 10000mAh", 320000, []),
    ("Ốp lưng điện thoại", 49000, ["iPhone 13", "iPhone 14", "Galaxy S23"]),
]
CARRIERS = ["SPX Express", "Giao Hàng Nhanh", "J&T Express", "Ninja Van"]
PAYMENT_METHODS = ["ShopeePay", "Credit Card/Debit Card", "Bank Transfer"]


# ------------------------------------------------------------------------- signatures


def shopee_sign(key: str, base: str) -> str:
    """Lower-case hex HMAC-SHA256 of ``base`` keyed with the partner key."""
    return hmac.new(key.encode(), base.encode(), hashlib.sha256).hexdigest()


def shopee_push_sign(key: str, url: str, body: bytes) -> str:
    """Push ``Authorization``: HMAC-SHA256(partner_key, url + "|" + body)."""
    return hmac.new(
        key.encode(), url.encode() + b"|" + body, hashlib.sha256
    ).hexdigest()


# --------------------------------------------------------------------- data generators


def _round_k(value: float) -> int:
    """Round to a multiple of 1,000 VND (at least 1,000)."""
    return max(1000, round(value / 1000.0) * 1000)


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
        price = _round_k(base_price * rng.uniform(0.8, 1.2))
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
                        "price": _round_k(price * rng.uniform(0.9, 1.1)),
                        "stock": rng.randint(0, 200),
                        "model_status": "MODEL_NORMAL",
                    }
                )
        items.append(item)
    return items


def _variants(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
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
                "price": _round_k(price * rng.uniform(0.8, 1.2)),
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
        street = f"{rng.randint(1, 300)} {rng.choice(STREETS)}"
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
        discounted = _round_k(original * (1 - cut)) if cut else original
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


def _escrow(sn: str, username: str, method: str, amounts: dict[str, int]) -> dict:
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


def order_income(amounts: dict[str, int], refund: int = 0) -> dict[str, Any]:
    """get_escrow_detail ``order_income`` of an order (VND integers).

    ``escrow_amount = buyer_total_amount + voucher_from_shopee + coins
    - commission_fee - service_fee - seller_transaction_fee - actual_shipping_fee
    + shopee_shipping_rebate - seller_return_refund``. A refunded order (``refund``
    = what goes back to the buyer) pays no commission nor fees, and Shopee keeps
    its vouchers; the seller still pays the carrier.
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
        "_escrow": None if unpaid else _escrow(sn, username, method, amounts),
        "_amounts": amounts,
    }
    _apply_status_details(order, status, rng)
    return order


def _apply_status_details(
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
        variants = _variants(catalogue)
    elif skus:
        variants = _variants_from_skus(skus, rng)
    else:
        variants = _variants(generate_catalogue(10, 3, seed=seed))
    now = datetime.now(timezone.utc)
    start = start or (now - span)
    orders = []
    for index in range(n):
        created = start + timedelta(seconds=rng.uniform(0, span.total_seconds()))
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


# ---------------------------------------------------------------------------- server


class ShopeeEmulator(EmulatorServer):
    """Shopee Open Platform v2 on loopback.

    :param partner_id: the app's partner id.
    :param partner_key: the app's partner key (signs requests and pushes).
    :param shop_id: default shop authorized by the auth_partner page.
    :param access_ttl: access token lifetime in seconds (Shopee: 4 h).
    :param timestamp_tolerance: accepted clock skew of ``timestamp`` (Shopee: 5 min).
    :param clock: returns Unix seconds (tests may shift it).
    """

    def __init__(
        self,
        partner_id: int = 2001887,
        partner_key: str = "test_partner_key",
        shop_id: int = 600000,
        host: str = "127.0.0.1",
        port: int = 0,
        access_ttl: int = 4 * 3600,
        timestamp_tolerance: int = 300,
        clock: Any = time.time,
        seed: int = 0,
    ):
        super().__init__(host, port)
        self.partner_id = int(partner_id)
        self.partner_key = partner_key
        self.shop_id = int(shop_id)
        self.access_ttl = access_ttl
        self.timestamp_tolerance = timestamp_tolerance
        self.clock = clock
        self.rng = random.Random(seed)
        #: get_tracking_number calls answered without a number after ship_order
        #: (a carrier that assigns it late); 0 = at once
        self.tracking_delay = 0
        #: get_shipping_document_result calls answered PROCESSING after creation
        self.document_delay = 1
        #: the modes get_shipping_parameter offers (info_needed keys)
        self.ship_modes = ("pickup", "dropoff")
        #: None, or the (code, message) every payment API call is refused with
        #: (see :meth:`refuse_payment_api`)
        self.payment_refusal: tuple[str, str] | None = None
        for key in (
            "orders",
            "items",
            "codes",
            "access",
            "refresh",
            "documents",
            "returns",
        ):
            self.store[key] = {}
        self.store["lost"] = []
        self.store["wallet"] = []
        self.store["next_transaction_id"] = 9100000
        self.store["lost_confirmed"] = 0
        self.store["next_message_id"] = 176600
        routes = {
            ("GET", "/api/v2/shop/auth_partner"): self._auth_partner,
            ("POST", "/api/v2/auth/token/get"): self._token_get,
            ("POST", "/api/v2/auth/access_token/get"): self._access_token_get,
            ("GET", "/api/v2/order/get_order_list"): self._get_order_list,
            ("GET", "/api/v2/order/get_order_detail"): self._get_order_detail,
            ("POST", "/api/v2/payment/get_escrow_detail_batch"): self._get_escrow_batch,
            # --- fulfilment
            (
                "GET",
                "/api/v2/logistics/get_shipping_parameter",
            ): self._get_shipping_parameter,
            ("POST", "/api/v2/logistics/ship_order"): self._ship_order,
            ("GET", "/api/v2/logistics/get_tracking_number"): self._get_tracking_number,
            (
                "POST",
                "/api/v2/logistics/create_shipping_document",
            ): self._create_shipping_document,
            (
                "POST",
                "/api/v2/logistics/get_shipping_document_result",
            ): self._get_shipping_document_result,
            (
                "POST",
                "/api/v2/logistics/download_shipping_document",
            ): self._download_shipping_document,
            ("POST", "/api/v2/order/cancel_order"): self._cancel_order,
            ("GET", "/api/v2/returns/get_return_list"): self._get_return_list,
            (
                "GET",
                "/api/v2/payment/get_wallet_transaction_list",
            ): self._get_wallet_transactions,
            ("GET", "/api/v2/product/get_item_list"): self._get_item_list,
            ("GET", "/api/v2/product/get_item_base_info"): self._get_item_base_info,
            ("GET", "/api/v2/product/get_model_list"): self._get_model_list,
            ("POST", "/api/v2/product/update_stock"): self._update_stock,
            ("POST", "/api/v2/product/update_price"): self._update_price,
            ("GET", "/api/v2/push/get_lost_push_message"): self._get_lost_push,
            (
                "POST",
                "/api/v2/push/confirm_consumed_lost_push_message",
            ): self._confirm_lost,
        }
        for (method, path), handler in routes.items():
            self.route(method, path, handler)

    # ------------------------------------------------------------ envelope

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        """Shopee's error envelope."""
        return {"request_id": uuid.uuid4().hex, "error": code, "message": message}

    def _error(self, status: int, code: str, message: str) -> Response:
        return Response(status, self.error_body(code, message))

    def _ok(self, response: Any = None, **top: Any) -> Response:
        body = {"request_id": uuid.uuid4().hex, "error": "", "message": "", **top}
        if response is not None:
            body["response"] = response
        return Response(200, body)

    def generic_fault_kinds(self) -> tuple[str, ...]:
        """Token expiry is applied after the signature check, in :meth:`_check`."""
        return tuple(k for k in super().generic_fault_kinds() if k != TOKEN_EXPIRED)

    # --------------------------------------------------------------- checks

    def _check(self, req: Request, kind: str) -> tuple[int | None, Response | None]:
        """Verify common parameters; return (shop_id, None) or (None, error)."""
        if req.arg("partner_id") in (None, ""):
            return None, self._error(
                400, "error_param", "There is no partner_id in query."
            )
        if req.arg("partner_id") != str(self.partner_id):
            return None, self._error(400, "error_param", "Invalid partner_id.")
        ts = req.arg("timestamp")
        if not ts:
            return None, self._error(400, "error_param", "no timestamp")
        if not ts.isdigit() or abs(self.clock() - int(ts)) > self.timestamp_tolerance:
            return None, self._error(400, "error_param", "Invalid timestamp")
        given = req.arg("sign")
        if not given:
            return None, self._error(400, "error_param", "There is no sign in query.")
        base = f"{self.partner_id}{req.path}{ts}"
        if kind == PUBLIC:
            if not hmac.compare_digest(shopee_sign(self.partner_key, base), given):
                return None, self._error(403, "error_sign", "Wrong sign.")
            return None, None
        token = req.arg("access_token")
        shop = req.arg("shop_id")
        if not token:
            return None, self._error(
                400, "error_param", "There is no access_token in query."
            )
        if not shop or not shop.isdigit():
            return None, self._error(
                400, "error_param", "There is no shop_id in query."
            )
        if not hmac.compare_digest(
            shopee_sign(self.partner_key, base + token + shop), given
        ):
            return None, self._error(403, "error_sign", "Wrong sign.")
        if self.faults.take(req.path, [TOKEN_EXPIRED], req.query) is not None:
            return None, self._error(403, "error_auth", "Invalid access_token.")
        with self.store.lock:
            grant = self.store["access"].get(token)
        if (
            grant is None
            or grant["shop_id"] != int(shop)
            or grant["expires"] < self.clock()
        ):
            return None, self._error(403, "error_auth", "Invalid access_token.")
        return int(shop), None

    def refuse_payment_api(
        self,
        code: str = "error_auth",
        message: str = "No permission to current api.",
    ) -> None:
        """Refuse every payment API call (escrow details, wallet) from now on.

        The default is what Shopee answers an app that lacks the payment API's
        permission (the common error block of the v2.payment.* pages); pass
        ``error_permission`` or an outage's code to emulate those.
        """
        self.payment_refusal = (code, message)

    def restore_payment_api(self) -> None:
        """Answer the payment API again (the seller granted the permission)."""
        self.payment_refusal = None

    def _payment_refused(self) -> Response | None:
        refusal = self.payment_refusal
        if refusal is None:
            return None
        code, message = refusal
        return self._error(500 if code.endswith("server") else 403, code, message)

    @staticmethod
    def _json_body(req: Request) -> tuple[dict[str, Any] | None, Response | None]:
        try:
            body = req.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return None, Response(
                400,
                {
                    "request_id": uuid.uuid4().hex,
                    "error": "error_param",
                    "message": "The request body is not a valid json format",
                },
            )
        return body, None

    # ----------------------------------------------------------------- auth

    def issue_tokens(self, shop_id: int | None = None) -> dict[str, Any]:
        """Grant tokens for a shop directly (tests that skip the OAuth dance)."""
        shop_id = int(shop_id or self.shop_id)
        access = secrets.token_hex(16)
        refresh = secrets.token_hex(16)
        with self.store.lock:
            self.store["access"][access] = {
                "shop_id": shop_id,
                "expires": self.clock() + self.access_ttl,
            }
            self.store["refresh"][refresh] = shop_id
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expire_in": self.access_ttl,
        }

    def expire_access_tokens(self) -> None:
        """Make every current access token expired (refresh tokens stay valid)."""
        with self.store.lock:
            for grant in self.store["access"].values():
                grant["expires"] = 0

    def authorize(self, shop_id: int | None = None) -> str:
        """Create an authorization code as the seller's consent would (10 min)."""
        code = secrets.token_hex(16)
        with self.store.lock:
            self.store["codes"][code] = {
                "shop_id": int(shop_id or self.shop_id),
                "expires": self.clock() + 600,
            }
        return code

    def _auth_partner(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        redirect = req.arg("redirect")
        if not redirect:
            return self._error(400, "error_param", "There is no redirect in query.")
        code = self.authorize()
        parts = urlsplit(redirect)
        extra = urlencode({"code": code, "shop_id": self.shop_id})
        query = f"{parts.query}&{extra}" if parts.query else extra
        return Response(302, b"", {"Location": urlunsplit(parts._replace(query=query))})

    def _token_get(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        if str(body.get("partner_id")) != str(self.partner_id):
            return self._error(400, "error_param", "Invalid partner_id.")
        with self.store.lock:
            grant = self.store["codes"].pop(str(body.get("code")), None)
        if grant is None or grant["expires"] < self.clock():
            return self._error(403, "invalid_code", "Invalid code.")
        if str(body.get("shop_id")) != str(grant["shop_id"]):
            return self._error(403, "invalid_shop_id", "Invalid shop_id.")
        tokens = self.issue_tokens(grant["shop_id"])
        return self._ok(None, **tokens, merchant_id_list=[], shop_id_list=[])

    def _access_token_get(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        if str(body.get("partner_id")) != str(self.partner_id):
            return self._error(400, "error_param", "Invalid partner_id.")
        with self.store.lock:
            shop = self.store["refresh"].get(str(body.get("refresh_token")))
            if shop is None or str(body.get("shop_id")) != str(shop):
                return self._error(403, "error_auth", "Invalid refresh_token.")
            del self.store["refresh"][str(body["refresh_token"])]  # single use
        tokens = self.issue_tokens(shop)
        return self._ok(None, **tokens, partner_id=self.partner_id, shop_id=shop)

    # --------------------------------------------------------------- orders

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Add generated orders to the store."""
        with self.store.lock:
            for order in orders:
                self.store["orders"][order["order_sn"]] = order

    def new_order(self, status: str = "READY_TO_SHIP") -> dict[str, Any]:
        """Generate and add one order created now (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["items"].values()) or None
        variants = (
            _variants(catalogue) if catalogue else _variants(generate_catalogue())
        )
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        order = generate_order(
            self.rng, variants, now, status, self.shop_id, max_update=now
        )
        self.add_orders([order])
        return order

    def set_status(
        self,
        order_sn: str,
        status: str,
        push_url: str | None = None,
        lost: bool = False,
    ) -> dict[str, Any]:
        """Change an order's status, bump update_time, return the push message.

        With ``push_url`` the code-3 push is sent there; with ``lost=True`` it is
        kept for get_lost_push_message instead.
        """
        with self.store.lock:
            order = self.store["orders"][order_sn]
            order["order_status"] = status
            order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
            if (
                status != "UNPAID"
                and order["pay_time"] is None
                and status != "CANCELLED"
            ):
                order["pay_time"] = order["update_time"]
                amounts = order["_amounts"]
                order["_escrow"] = _escrow(
                    order_sn, order["buyer_username"], order["payment_method"], amounts
                )
            _apply_status_details(order, status, self.rng)
            message = self.order_message(order_sn)
        if lost:
            self.add_lost_push(message)
        if push_url:
            self.push(push_url, [message])
        return message

    def _get_order_list(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        field = req.arg("time_range_field")
        if field not in ("create_time", "update_time"):
            return self._error(400, "error_param", "time_range_field is invalid")
        try:
            time_from = int(req.arg("time_from") or "")
            time_to = int(req.arg("time_to") or "")
            page_size = int(req.arg("page_size") or "")
            offset = int(req.arg("cursor") or 0)
        except ValueError:
            return self._error(
                400, "error_param", "Wrong parameters, detail: not a number."
            )
        if time_to < time_from or time_to - time_from > FIFTEEN_DAYS:
            return self._error(
                400, "error_param", "The time range should be within 15 days."
            )
        if not 1 <= page_size <= 100:
            return self._error(
                400, "error_param", "page_size should be between 1 and 100."
            )
        wanted = req.arg("order_status")
        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_shop_id"] == shop
                    and time_from <= o[field] <= time_to
                    and (not wanted or o["order_status"] == wanted)
                ),
                key=lambda o: (o[field], o["order_sn"]),
            )
        page = rows[offset : offset + page_size]
        more = offset + page_size < len(rows)
        optional = (req.arg("response_optional_fields") or "").split(",")
        order_list = []
        for o in page:
            row = {"order_sn": o["order_sn"]}
            if "order_status" in optional:
                row["order_status"] = o["order_status"]
            order_list.append(row)
        return self._ok(
            {
                "more": more,
                "next_cursor": str(offset + page_size) if more else "",
                "order_list": order_list,
            }
        )

    def _get_order_detail(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        sns = [s for s in (req.arg("order_sn_list") or "").split(",") if s]
        if not 1 <= len(sns) <= 50:
            return self._error(
                400, "error_param", "order_sn_list should be between 1 and 50."
            )
        fields = set(DEFAULT_DETAIL_FIELDS)
        fields.update(
            f.strip() for f in (req.arg("response_optional_fields") or "").split(",")
        )
        out, missing = [], []
        with self.store.lock:
            for sn in sns:
                order = self.store["orders"].get(sn)
                if order is None or order["_shop_id"] != shop:
                    missing.append(sn)
                    continue
                out.append(
                    json.loads(
                        json.dumps({k: v for k, v in order.items() if k in fields})
                    )
                )
        warning = [f"order_sn not found: {','.join(missing)}"] if missing else []
        return self._ok({"order_list": out}, warning=warning)

    def _get_escrow_batch(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        refused = self._payment_refused()
        if refused:
            return refused
        body, error = self._json_body(req)
        if error:
            return error
        sns = body.get("order_sn_list")
        if not isinstance(sns, list) or not sns:
            return self._error(
                400,
                "error_param",
                "order_sn_list is required, format should be string[]",
            )
        if len(sns) > 50:
            return self._error(
                400,
                "exceed_max_limit",
                "Your request exceeds the max limit of 50 orders.",
            )
        rows = []
        with self.store.lock:
            for sn in sns:
                order = self.store["orders"].get(str(sn))
                if order and order["_shop_id"] == shop and order["_escrow"]:
                    rows.append(
                        {"escrow_detail": json.loads(json.dumps(order["_escrow"]))}
                    )
        return self._ok(rows)

    # ------------------------------------------------------------ fulfilment

    def _shop_order(
        self, shop: int, sn: Any
    ) -> tuple[dict[str, Any] | None, Response | None]:
        order = self.store["orders"].get(str(sn))
        if order is None or order["_shop_id"] != shop:
            return None, self._error(
                400, "error_not_found", f"order_sn {sn} is not found."
            )
        return order, None

    def _bump(self, order: dict[str, Any], status: str) -> None:
        order["order_status"] = status
        order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
        _apply_status_details(order, status, self.rng)

    def _get_shipping_parameter(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        with self.store.lock:
            order, error = self._shop_order(shop, req.arg("order_sn"))
            if error:
                return error
            if order["order_status"] not in ("READY_TO_SHIP", "RETRY_SHIP"):
                return self._error(
                    400,
                    "logistics.order_status_error",
                    "The order status does not support arranging shipment.",
                )
        info, response = {}, {}
        day = int(self.clock()) // 86400 * 86400
        if "pickup" in self.ship_modes:
            info["pickup"] = ["address_id", "pickup_time_id"]
            response["pickup"] = {
                "address_list": [
                    {
                        "address_id": 2001,
                        "region": "VN",
                        "state": "TP. Hồ Chí Minh",
                        "city": "Quận 1",
                        "address": "12 Lê Lợi",
                        "address_flag": ["default_address", "pickup_address"],
                        "time_slot_list": [
                            {
                                "date": day + 86400,
                                "pickup_time_id": str(day + 86400),
                                "time_text": "08:00-12:00",
                            },
                            {
                                "date": day + 2 * 86400,
                                "pickup_time_id": str(day + 2 * 86400),
                                "time_text": "08:00-12:00",
                            },
                        ],
                    }
                ]
            }
        if "dropoff" in self.ship_modes:
            info["dropoff"] = ["branch_id"]
            response["dropoff"] = {
                "branch_list": [
                    {
                        "branch_id": 77001,
                        "region": "VN",
                        "state": "TP. Hồ Chí Minh",
                        "city": "Quận 3",
                        "address": "Bưu cục SPX Quận 3",
                    }
                ]
            }
        return self._ok({"info_needed": info, **response})

    def _ship_order(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        modes = [m for m in ("pickup", "dropoff", "non_integrated") if m in body]
        if len(modes) != 1 or modes[0] not in self.ship_modes:
            return self._error(
                400, "error_param", "Send exactly one of pickup/dropoff offered."
            )
        details = body[modes[0]] or {}
        if modes[0] == "pickup" and (
            details.get("address_id") != 2001 or not details.get("pickup_time_id")
        ):
            return self._error(
                400, "logistics.invalid_pickup", "address_id/pickup_time_id invalid."
            )
        if modes[0] == "dropoff" and details.get("branch_id") != 77001:
            return self._error(400, "logistics.invalid_branch", "branch_id invalid.")
        with self.store.lock:
            order, error = self._shop_order(shop, body.get("order_sn"))
            if error:
                return error
            if order["order_status"] not in ("READY_TO_SHIP", "RETRY_SHIP"):
                return self._error(
                    400,
                    "logistics.order_status_error",
                    "The order has been arranged shipment already or cannot ship.",
                )
            self._bump(order, "PROCESSED")
            order["_ship_mode"] = modes[0]
            order["_tracking"] = f"SPXVN0{self.rng.randint(10**10, 10**11 - 1)}"
            order["_tracking_wait"] = self.tracking_delay
            for package in order["package_list"]:
                package["logistics_status"] = "LOGISTICS_REQUEST_CREATED"
        return self._ok({})

    def _tracking_of(self, order: dict[str, Any]) -> str:
        """The tracking number once the carrier assigned it ('' before)."""
        if not order.get("_tracking"):
            return ""
        if order.get("_tracking_wait", 0) > 0:
            order["_tracking_wait"] -= 1
            return ""
        return order["_tracking"]

    def _get_tracking_number(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        with self.store.lock:
            order, error = self._shop_order(shop, req.arg("order_sn"))
            if error:
                return error
            number = self._tracking_of(order)
        hint = "" if number else "The 3PL is assigning the tracking number."
        return self._ok({"tracking_number": number, "hint": hint})

    def _document_rows(
        self, req: Request
    ) -> tuple[int | None, list[dict[str, Any]], Response | None]:
        shop, error = self._check(req, SHOP)
        if error:
            return None, [], error
        body, error = self._json_body(req)
        if error:
            return None, [], error
        rows = body.get("order_list")
        if not isinstance(rows, list) or not 1 <= len(rows) <= 50:
            return None, [], self._error(400, "error_param", "order_list 1-50.")
        return shop, rows, None

    def _create_shipping_document(self, req: Request) -> Response:
        shop, rows, error = self._document_rows(req)
        if error:
            return error
        results = []
        with self.store.lock:
            for row in rows:
                sn = str(row.get("order_sn"))
                order = self.store["orders"].get(sn)
                result = {"order_sn": sn, "package_number": row.get("package_number")}
                if order is None or order["_shop_id"] != shop:
                    result.update(fail_error="error_not_found", fail_message="order")
                elif (
                    not order.get("_tracking")
                    or row.get("tracking_number") != (order["_tracking"])
                ):
                    result.update(
                        fail_error="logistics.tracking_number_invalid",
                        fail_message="tracking_number is required and must match.",
                    )
                else:
                    self.store["documents"][sn] = {
                        "status": "PROCESSING",
                        "wait": self.document_delay,
                        "type": row.get("shipping_document_type"),
                    }
                results.append(result)
        if all(r.get("fail_error") for r in results):
            return Response(
                200,
                {
                    **self.error_body(
                        "common.batch_api_all_failed",
                        "; ".join(r["fail_message"] for r in results),
                    ),
                    "response": {"result_list": results},
                },
            )
        return self._ok({"result_list": results})

    def _get_shipping_document_result(self, req: Request) -> Response:
        _shop, rows, error = self._document_rows(req)
        if error:
            return error
        results = []
        with self.store.lock:
            for row in rows:
                sn = str(row.get("order_sn"))
                doc = self.store["documents"].get(sn)
                result = {"order_sn": sn, "package_number": row.get("package_number")}
                if doc is None:
                    result.update(
                        fail_error="logistics.shipping_document_should_print_first",
                        fail_message="Create the shipping document first.",
                    )
                else:
                    if doc["status"] == "PROCESSING":
                        if doc["wait"] > 0:
                            doc["wait"] -= 1
                        else:
                            doc["status"] = "READY"
                    result["status"] = doc["status"]
                results.append(result)
        return self._ok({"result_list": results})

    def _download_shipping_document(self, req: Request) -> Response:
        shop, rows, error = self._document_rows(req)
        if error:
            return error
        with self.store.lock:
            sn = str(rows[0].get("order_sn"))
            doc = self.store["documents"].get(sn)
            order = self.store["orders"].get(sn)
            if doc is None or doc["status"] != "READY" or order["_shop_id"] != shop:
                return self._error(
                    400,
                    "logistics.shipping_document_not_ready",
                    "The shipping document is not ready.",
                )
            text = f"Shopee AWB {sn} {order['_tracking']}"
        return Response(200, tiny_pdf(text), {"Content-Type": "application/pdf"})

    def _cancel_order(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        reason = body.get("cancel_reason")
        if reason not in (
            "OUT_OF_STOCK",
            "CUSTOMER_REQUEST",
            "UNDELIVERABLE_AREA",
            "COD_NOT_SUPPORTED",
        ):
            return self._error(400, "error_param", "cancel_reason is invalid.")
        with self.store.lock:
            order, error = self._shop_order(shop, body.get("order_sn"))
            if error:
                return error
            if reason == "OUT_OF_STOCK":
                wanted = {
                    (str(i.get("item_id")), str(i.get("model_id")))
                    for i in body.get("item_list") or []
                }
                mine = {
                    (str(li["item_id"]), str(li["model_id"]))
                    for li in order["item_list"]
                }
                if not wanted or not wanted <= mine:
                    return self._error(
                        400,
                        "error_param",
                        "item_list is required for OUT_OF_STOCK and must match.",
                    )
            if order["order_status"] not in ("UNPAID", "READY_TO_SHIP", "RETRY_SHIP"):
                return self._error(
                    400,
                    "error_order_status",
                    f"Cannot cancel an order in status {order['order_status']}.",
                )
            self._bump(order, "CANCELLED")
            order["cancel_by"] = "seller"
            order["cancel_reason"] = reason
        return self._ok({"update_time": order["update_time"]})

    def add_return(
        self,
        order_sn: str,
        status: str = "REQUESTED",
        items: list[tuple[int, int, int]] | None = None,
        needs_logistics: bool = True,
    ) -> dict[str, Any]:
        """Open a return of ``items`` ((item_id, model_id, amount); default: all)
        on an order, which moves to TO_RETURN. Returns the return row."""
        with self.store.lock:
            order = self.store["orders"][order_sn]
            lines = {(li["item_id"], li["model_id"]): li for li in order["item_list"]}
            picked = items or [
                (li["item_id"], li["model_id"], li["model_quantity_purchased"])
                for li in order["item_list"]
            ]
            rows = []
            for item_id, model_id, amount in picked:
                line = lines[(item_id, model_id)]
                rows.append(
                    {
                        "item_id": item_id,
                        "model_id": model_id,
                        "name": line["item_name"],
                        "item_sku": line["item_sku"],
                        "variation_sku": line["model_sku"],
                        "amount": amount,
                        "item_price": line["model_discounted_price"],
                        "refund_amount": line["model_discounted_price"] * amount,
                    }
                )
            now = int(self.clock())
            ret = {
                "return_sn": f"{order_sn}R{len(self.store['returns']) + 1}",
                "order_sn": order_sn,
                "status": status,
                "reason": "NOT_RECEIPT" if not needs_logistics else "DAMAGED",
                "needs_logistics": needs_logistics,
                "refund_amount": sum(r["refund_amount"] for r in rows),
                "currency": "VND",
                "create_time": now,
                "update_time": now,
                "item": rows,
                "_shop_id": order["_shop_id"],
            }
            self.store["returns"][ret["return_sn"]] = ret
            self._bump(order, "TO_RETURN")
        return ret

    def set_return_status(self, return_sn: str, status: str) -> dict[str, Any]:
        """Move a return along (ACCEPTED = refunded), bumping its update_time."""
        with self.store.lock:
            ret = self.store["returns"][return_sn]
            ret["status"] = status
            ret["update_time"] = max(int(self.clock()), ret["update_time"] + 1)
            order = self.store["orders"][ret["order_sn"]]
            if status == "ACCEPTED":
                self._bump(order, "COMPLETED")
        return ret

    def _get_return_list(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        try:
            page_no = int(req.arg("page_no") or 0)
            page_size = int(req.arg("page_size") or "")
            low = int(req.arg("update_time_from") or "")
            high = int(req.arg("update_time_to") or "")
        except ValueError:
            return self._error(400, "error_param", "Wrong parameters.")
        if not 1 <= page_size <= 100:
            return self._error(400, "error_param", "page_size should be 1-100.")
        if high < low or high - low > FIFTEEN_DAYS:
            return self._error(
                400, "error_param", "The time range should be within 15 days."
            )
        with self.store.lock:
            rows = sorted(
                (
                    r
                    for r in self.store["returns"].values()
                    if r["_shop_id"] == shop and low <= r["update_time"] <= high
                ),
                key=lambda r: (r["update_time"], r["return_sn"]),
            )
            page = [
                {k: v for k, v in json.loads(json.dumps(r)).items() if k[0] != "_"}
                for r in rows[page_no * page_size : (page_no + 1) * page_size]
            ]
        more = (page_no + 1) * page_size < len(rows)
        return self._ok({"more": more, "return": page})

    # ------------------------------------------------------------- products

    def add_catalogue(self, items: list[dict[str, Any]]) -> None:
        """Add generated items to the store."""
        with self.store.lock:
            for item in items:
                self.store["items"][item["item_id"]] = item

    @staticmethod
    def _price_stock(row: dict[str, Any]) -> dict[str, Any]:
        return {
            "price_info": [
                {
                    "currency": "VND",
                    "original_price": row["price"],
                    "current_price": row["price"],
                }
            ],
            "stock_info_v2": {
                "summary_info": {
                    "total_reserved_stock": 0,
                    "total_available_stock": row["stock"],
                },
                "seller_stock": [{"location_id": "VNZ", "stock": row["stock"]}],
            },
        }

    def _get_item_list(self, req: Request) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        try:
            offset = int(req.arg("offset") or 0)
            page_size = int(req.arg("page_size") or "")
        except ValueError:
            return self._error(
                400, "error_param", "Wrong parameters, detail: not a number."
            )
        if not 1 <= page_size <= 100 or offset < 0:
            return self._error(
                400, "error_param", "page_size should be between 1 and 100."
            )
        statuses = set(req.args("item_status")) or {"NORMAL"}
        with self.store.lock:
            rows = sorted(
                (
                    i
                    for i in self.store["items"].values()
                    if i["item_status"] in statuses
                ),
                key=lambda i: i["item_id"],
            )
        page = rows[offset : offset + page_size]
        more = offset + page_size < len(rows)
        return self._ok(
            {
                "item": [
                    {
                        "item_id": i["item_id"],
                        "item_status": i["item_status"],
                        "update_time": i["update_time"],
                    }
                    for i in page
                ],
                "total_count": len(rows),
                "has_next_page": more,
                "next_offset": offset + page_size if more else 0,
            }
        )

    def _get_item_base_info(self, req: Request) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        ids = [s for s in (req.arg("item_id_list") or "").split(",") if s]
        if not 1 <= len(ids) <= 50 or not all(s.isdigit() for s in ids):
            return self._error(
                400, "error_param", "item_id_list should be between 1 and 50."
            )
        out = []
        with self.store.lock:
            for item_id in ids:
                item = self.store["items"].get(int(item_id))
                if item is None:
                    continue
                row = {
                    "item_id": item["item_id"],
                    "item_name": item["item_name"],
                    "item_sku": item["item_sku"],
                    "item_status": item["item_status"],
                    "has_model": item["has_model"],
                    "update_time": item["update_time"],
                }
                if not item["has_model"]:
                    row.update(self._price_stock(item))
                out.append(row)
        return self._ok({"item_list": out})

    def _get_model_list(self, req: Request) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        item_id = req.arg("item_id") or ""
        with self.store.lock:
            item = self.store["items"].get(int(item_id)) if item_id.isdigit() else None
            if item is None:
                return self._error(400, "error_item_not_found", "Item not found.")
            models = [
                {
                    "model_id": m["model_id"],
                    "model_name": m["model_name"],
                    "model_sku": m["model_sku"],
                    "model_status": m["model_status"],
                    "tier_index": [index],
                    **self._price_stock(m),
                }
                for index, m in enumerate(item["models"])
            ]
        tiers = [
            {
                "name": "Phân loại",
                "option_list": [{"option": m["model_name"]} for m in models],
            }
        ]
        return self._ok({"tier_variation": tiers if models else [], "model": models})

    def _update(
        self, req: Request, list_key: str, value_of: Any, apply: Any
    ) -> Response:
        _, error = self._check(req, SHOP)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        entries = body.get(list_key)
        if not isinstance(entries, list) or not 1 <= len(entries) <= 50:
            return self._error(
                400, "error_param", f"{list_key} length should be between 1 and 50."
            )
        success, failure = [], []
        with self.store.lock:
            item = self.store["items"].get(body.get("item_id"))
            if item is None:
                return self._error(400, "error_item_not_found", "Item not found.")
            targets = (
                {m["model_id"]: m for m in item["models"]}
                if item["has_model"]
                else {0: item}
            )
            for entry in entries:
                model_id = entry.get("model_id", 0)
                value = value_of(entry)
                if model_id not in targets:
                    failure.append(
                        {"model_id": model_id, "failed_reason": "model not found"}
                    )
                elif value is None:
                    failure.append(
                        {"model_id": model_id, "failed_reason": "invalid value"}
                    )
                else:
                    success.append(apply(targets[model_id], model_id, value))
        return self._ok({"success_list": success, "failure_list": failure})

    def _update_stock(self, req: Request) -> Response:
        def value_of(entry: dict[str, Any]) -> int | None:
            stocks = entry.get("seller_stock")
            if not isinstance(stocks, list) or not stocks:
                return None
            stock = stocks[0].get("stock")
            return stock if isinstance(stock, int) and stock >= 0 else None

        def apply(target: dict[str, Any], model_id: int, value: int) -> dict[str, Any]:
            target["stock"] = value
            return {"model_id": model_id, "location_id": "VNZ", "stock": value}

        return self._update(req, "stock_list", value_of, apply)

    def _update_price(self, req: Request) -> Response:
        def value_of(entry: dict[str, Any]) -> float | None:
            price = entry.get("original_price")
            ok = (
                isinstance(price, int | float)
                and not isinstance(price, bool)
                and price > 0
            )
            return price if ok else None

        def apply(
            target: dict[str, Any], model_id: int, value: float
        ) -> dict[str, Any]:
            target["price"] = value
            return {"model_id": model_id, "original_price": value}

        return self._update(req, "price_list", value_of, apply)

    # ----------------------------------------------------------------- push

    def order_message(self, order_sn: str) -> dict[str, Any]:
        """The code-3 (order status) push message of an order, as Shopee sends it."""
        with self.store.lock:
            order = self.store["orders"][order_sn]
            return {
                "data": {
                    "items": [],
                    "ordersn": order_sn,
                    "status": order["order_status"],
                    "completed_scenario": "",
                    "update_time": order["update_time"],
                },
                "shop_id": order["_shop_id"],
                "code": 3,
                "timestamp": int(self.clock()),
            }

    def build_push(
        self,
        url: str,
        message: dict[str, Any],
        forge: bool = False,
        stale_seconds: int = 0,
        sign: bool = True,
    ) -> tuple[dict[str, str], bytes]:
        """Serialise and sign a push for callback ``url``.

        ``forge`` signs with a wrong key; ``stale_seconds`` back-dates the
        message timestamp; ``sign=False`` omits the Authorization header.
        """
        message = dict(message)
        if stale_seconds:
            message["timestamp"] = (
                int(message.get("timestamp") or self.clock()) - stale_seconds
            )
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            key = self.partner_key + "-forged" if forge else self.partner_key
            headers["Authorization"] = shopee_push_sign(key, url, body)
        return headers, body

    def push(
        self,
        url: str,
        messages: list[dict[str, Any]],
        duplicate: int = 1,
        shuffle: bool = False,
        forge: bool = False,
        stale_seconds: int = 0,
        seed: int | None = None,
    ) -> list[int]:
        """Sign and POST messages to ``url``; failed deliveries become lost pushes."""
        pushes = [self.build_push(url, m, forge, stale_seconds) for m in messages]
        try:
            statuses = send_webhooks(url, pushes, duplicate, shuffle, seed)
        except requests.RequestException:
            statuses = [0] * len(pushes) * max(1, duplicate)
        if any(not 200 <= s < 300 for s in statuses):
            for message in messages:
                self.add_lost_push(message)
        return statuses

    def add_lost_push(self, message: dict[str, Any]) -> int:
        """Keep a push for get_lost_push_message; return its message id."""
        with self.store.lock:
            self.store["next_message_id"] += 1
            message_id = self.store["next_message_id"]
            self.store["lost"].append((message_id, dict(message)))
        return message_id

    def _get_lost_push(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        with self.store.lock:
            pending = [
                (i, m)
                for i, m in self.store["lost"]
                if i > self.store["lost_confirmed"]
            ]
        page = pending[:100]
        rows = [
            {
                "shop_id": m.get("shop_id"),
                "code": m.get("code"),
                "timestamp": m.get("timestamp"),
                "data": json.dumps(m, separators=(",", ":"), ensure_ascii=False),
            }
            for _, m in page
        ]
        return self._ok(
            {
                "push_message_list": rows,
                "has_next_page": len(pending) > 100,
                "last_message_id": page[-1][0] if page else 0,
            }
        )

    def _confirm_lost(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        last = body.get("last_message_id")
        if not isinstance(last, int) or last <= 0:
            return self._error(400, "error_param", "last_message_id is invalid")
        with self.store.lock:
            self.store["lost_confirmed"] = max(self.store["lost_confirmed"], last)
        return self._ok(None)

    # -------------------------------------------------------------- finance

    def _wallet_add(
        self, shop_id: int, kind: int, amount: int, when: float, **fields: Any
    ) -> dict[str, Any]:
        with self.store.lock:
            wallet = self.store["wallet"]
            balance = sum(
                t["amount"]
                for t in wallet
                if t["_shop_id"] == shop_id and t["create_time"] <= when
            )
            self.store["next_transaction_id"] += 1
            row = {
                "transaction_id": self.store["next_transaction_id"],
                "status": "COMPLETED",
                "transaction_type": kind,
                "amount": amount,
                "current_balance": balance + amount,
                "create_time": int(when),
                "order_sn": "",
                "refund_sn": "",
                "withdrawal_type": "",
                "transaction_fee": 0,
                "description": "",
                "buyer_name": "",
                "reason": "",
                "withdrawal_id": 0,
                "root_withdrawal_id": 0,
                "money_flow": "MONEY_IN" if amount >= 0 else "MONEY_OUT",
                "_shop_id": shop_id,
                **fields,
            }
            wallet.append(row)
            return row

    def release_escrow(
        self, order_sn: str, when: float, refund: int = 0
    ) -> dict[str, Any]:
        """Verify an order's escrow into the wallet (101, or 102 when negative).

        ``refund``: what went back to the buyer after a return (VND).
        """
        with self.store.lock:
            order = self.store["orders"][order_sn]
            if not order["_escrow"]:
                raise ValueError(f"{order_sn} was never paid")
            income = order_income(order["_amounts"], refund=refund)
            order["_escrow"]["order_income"] = income
            shop = order["_shop_id"]
            name = order["buyer_username"]
        amount = income["escrow_amount"]
        return self._wallet_add(
            shop,
            101 if amount >= 0 else 102,
            amount,
            when,
            order_sn=order_sn,
            buyer_name=name,
        )

    def adjust(
        self,
        amount: int,
        when: float,
        reason: str = "Adjustment",
        order_sn: str = "",
        shop_id: int | None = None,
    ) -> dict[str, Any]:
        """An adjustment paid to (401) or charged from (402) the seller."""
        return self._wallet_add(
            int(shop_id or self.shop_id),
            401 if amount >= 0 else 402,
            amount,
            when,
            order_sn=order_sn,
            reason=reason,
        )

    def withdraw(
        self, when: float, shop_id: int | None = None
    ) -> dict[str, Any] | None:
        """Pay the whole wallet balance out to the seller's bank (201, then 202).

        Returns the WITHDRAWAL_CREATED row (its ``-amount`` is the payout), or
        None when there is nothing to pay out.
        """
        shop = int(shop_id or self.shop_id)
        with self.store.lock:
            balance = sum(
                t["amount"]
                for t in self.store["wallet"]
                if t["_shop_id"] == shop and t["create_time"] <= when
            )
        if balance <= 0:
            return None
        withdrawal_id = int(when) * 10 + shop % 10
        created = self._wallet_add(
            shop,
            201,
            -balance,
            when,
            withdrawal_id=withdrawal_id,
            withdrawal_type="WITHDRAWAL",
        )
        self._wallet_add(
            shop, 202, 0, when + 3600, withdrawal_id=withdrawal_id, withdrawal_type=""
        )
        return created

    def payouts(self, shop_id: int | None = None) -> list[dict[str, Any]]:
        """The withdrawals made so far (the platform's payouts)."""
        shop = int(shop_id or self.shop_id)
        with self.store.lock:
            return [
                dict(t)
                for t in self.store["wallet"]
                if t["_shop_id"] == shop and t["transaction_type"] == 201
            ]

    def _get_wallet_transactions(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        refused = self._payment_refused()
        if refused:
            return refused
        try:
            page_no = int(req.arg("page_no") or "")
            page_size = int(req.arg("page_size") or "")
            time_from = int(req.arg("create_time_from") or "")
            time_to = int(req.arg("create_time_to") or "")
        except ValueError:
            return self._error(
                400, "error_param", "Wrong parameters, detail: not a number."
            )
        if time_to < time_from:
            return self._error(
                400,
                "time_invalid",
                "The param error: create_time_from bigger than create_time_to.",
            )
        if time_to - time_from > FIFTEEN_DAYS:
            return self._error(
                400, "time_period_too_large", "The param error: time period too large."
            )
        if not 1 <= page_size <= 100 or page_no < 0:
            return self._error(400, "error_param", "parameter invalid")
        with self.store.lock:
            rows = sorted(
                (
                    t
                    for t in self.store["wallet"]
                    if t["_shop_id"] == shop
                    and time_from <= t["create_time"] <= time_to
                ),
                key=lambda t: (-t["create_time"], -t["transaction_id"]),
            )
            start = page_no * page_size
            page = [
                {k: v for k, v in t.items() if not k.startswith("_")}
                for t in rows[start : start + page_size]
            ]
        return self._ok(
            {"transaction_list": page, "more": start + page_size < len(rows)}
        )
