"""Lazada constants: hosts per country, status maps, error codes, fee names.

Pure data, no I/O (like Odoo's ``payment_stripe/const.py``). API paths are
written where they are called (each is used once or twice, with its parameters).
"""

#: API host per country (ShopConfig.country, lower case).
API_HOSTS: dict[str, str] = {
    "vn": "https://api.lazada.vn/rest",
    "sg": "https://api.lazada.sg/rest",
    "th": "https://api.lazada.co.th/rest",
    "my": "https://api.lazada.com.my/rest",
    "ph": "https://api.lazada.com.ph/rest",
    "id": "https://api.lazada.co.id/rest",
}
AUTH_URL = "https://auth.lazada.com/rest"
DEFAULT_COUNTRY = "vn"

CURRENCIES = {
    "vn": "VND",
    "sg": "SGD",
    "th": "THB",
    "my": "MYR",
    "ph": "PHP",
    "id": "IDR",
}
#: UTC offsets of the ventures, for timestamps Lazada prints without one.
UTC_OFFSETS = {"vn": 7, "th": 7, "id": 7, "sg": 8, "my": 8, "ph": 8}
COUNTRY_NAMES = {
    "vietnam": "VN",
    "viet nam": "VN",
    "singapore": "SG",
    "thailand": "TH",
    "malaysia": "MY",
    "philippines": "PH",
    "indonesia": "ID",
}

#: Lazada order item status -> normalised state (the one mapping table).
#: Delivery failures, parcels lost or damaged by the carrier and parcels on
#: their way back all become ``to_return``: the goods left the warehouse but the
#: sale is not concluded, and a person must follow the parcel or the carrier's
#: compensation. Lazada has no "completed" status: ``delivered`` is final.
ITEM_STATUS_MAP: dict[str, str] = {
    "unpaid": "unpaid",
    "pending": "to_ship",
    "topack": "to_ship",
    "repacked": "to_ship",
    "packed": "to_ship",
    "ready_to_ship_pending": "to_ship",
    "ready_to_ship": "to_ship",
    "toship": "to_ship",
    "shipped": "shipped",
    "shipping": "shipped",
    "delivered": "delivered",
    "canceled": "cancelled",
    "cancelled": "cancelled",
    "returned": "returned",
    "shipped_back_success": "returned",
    "failed": "to_return",
    "failed_delivery": "to_return",
    "lost": "to_return",
    "lost_by_3pl": "to_return",
    "damaged_by_3pl": "to_return",
    "shipped_back": "to_return",
    "shipped_back_failed": "to_return",
}
#: How far along an order is, least to most advanced (cancelled items ignored).
STATE_RANK = (
    "pending",
    "unpaid",
    "to_ship",
    "in_cancel",
    "shipped",
    "delivered",
    "to_return",
    "returned",
)
CANCELLED = "cancelled"
BEFORE_SHIPPING = frozenset({"unpaid", "pending", "to_ship"})

#: Push message_type -> normalised event kind. Reverse orders (10: returns,
#: refunds, buyer cancellations) change item statuses: the order is re-fetched.
PUSH_KINDS: dict[int, str] = {0: "order_status", 10: "order_status", 8: "auth_expiring"}

TOKEN_CODES = frozenset({"IllegalAccessToken"})
AUTH_CODES = frozenset(
    {
        "IllegalRefreshToken",
        "InvalidCode",
        "IncompleteSignature",
        "APP_KEY_INVALID",
        "AppKeyInvalid",
        "InvalidAppKey",
        "AUTH_TYPE_UNSUPPORTED",
        "InsufficientPermission",
    }
)
RATE_CODES = frozenset(
    {
        "901",
        "E901",
        "ApiCallLimit",
        "AppCallLimit",
        "TRAFFIC_CONTROL",
        "OPEN_API_CALL_EXCEED_LIMIT",
    }
)
TRANSIENT_CODES = frozenset(
    {"6", "E006", "513", "1000", "InternalError", "ServiceUnavailable"}
)
UNKNOWN_ORDER_CODES = frozenset({"16", "E016"})

#: item statuses: to pack, packed (ready-to-ship next), shipment already arranged
TO_PACK = frozenset({"pending", "repacked", "topack"})
PACKED = frozenset({"packed"})
ARRANGED = frozenset(
    {"ready_to_ship", "ready_to_ship_pending", "toship", "shipped", "shipping"}
)
#: reverse_status of a reverse order line -> normalised return state
LAZADA_RETURN_STATES: dict[str, str] = {
    "REFUND_SUCCESS": "refunded",
    "REQUEST_CANCEL": "cancelled",
    "REQUEST_REJECT": "cancelled",
    "REFUND_REJECT": "cancelled",
}
#: normalised cancel reason -> words looked for in Lazada's reason options
CANCEL_REASON_WORDS: dict[str, tuple[str, ...]] = {
    "out_of_stock": ("stock", "hết hàng"),
    "customer_request": ("customer", "buyer", "khách"),
    "undeliverable_area": ("area", "address", "khu vực"),
    "cod_not_supported": ("cod",),
}

#: Statement fee_name (lower case) -> normalised fee type (names as in Lazada's
#: statements); a name not listed here is an adjustment (its name is kept)
FEE_NAMES: dict[str, str] = {
    "item price credit": "order_amount",
    "shipping fee (paid by customer)": "order_amount",
    "promotional charges vouchers": "order_amount",
    "promotional charges flexi-combo": "order_amount",
    "reversal item price": "refund",
    "reversal shipping fee (paid by customer)": "refund",
    "reversal promotional charges vouchers": "refund",
    "commission": "commission",
    "reversal commission": "commission",
    "payment fee": "transaction_fee",
    "reversal payment fee": "transaction_fee",
    "shipping fee paid by seller": "shipping_fee",
    "shipping fee (charged by lazada)": "shipping_fee",
    "shipping fee voucher (by lazada)": "shipping_rebate",
    "shipping fee rebate": "shipping_rebate",
    "lazada bonus": "platform_subsidy",
    "lazada bonus - lzd co-fund": "platform_subsidy",
    "free shipping max fee": "service_fee",
    "lazcoins discount promotion fee": "service_fee",
    "marketing solution/social media advertising": "service_fee",
    "seller voucher": "seller_voucher",
}
