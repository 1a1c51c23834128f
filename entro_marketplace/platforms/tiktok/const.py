"""TikTok Shop constants: hosts, API versions, status maps, error codes."""

from __future__ import annotations

from datetime import timedelta

API_URL = "https://open-api.tiktokglobalshop.com"
AUTH_URL = "https://auth.tiktok-shops.com"
CONSENT_URL = "https://services.tiktokshop.com"
VERSION = "202309"
#: Get Transactions by Statement: 202501 (the 202309 version serves the US and
#: UK only)
STATEMENT_TRANSACTIONS_VERSION = "202501"

#: TikTok order status -> normalised state. ON_HOLD: the buyer may still cancel
#: and no address is given yet, so the order stays a quotation (not confirmed, no
#: reservation, nothing to ship). PARTIALLY_SHIPPING and AWAITING_COLLECTION
#: still have parcels in the warehouse: to_ship. Order webhooks say CANCEL.
STATUS_MAP: dict[str, str] = {
    "UNPAID": "unpaid",
    "ON_HOLD": "pending",
    "AWAITING_SHIPMENT": "to_ship",
    "PARTIALLY_SHIPPING": "to_ship",
    "AWAITING_COLLECTION": "to_ship",
    "IN_TRANSIT": "shipped",
    "DELIVERED": "delivered",
    "COMPLETED": "completed",
    "CANCELLED": "cancelled",
    "CANCEL": "cancelled",
}
NOT_SHIPPED = frozenset({"unpaid", "pending", "to_ship"})

#: Webhook type -> normalised event kind. Address updates (3), cancellation (11)
#: and return (12) changes re-fetch the order; package updates (4) too.
PUSH_KINDS: dict[int, str] = {
    1: "order_status",
    3: "order_status",
    4: "tracking",
    6: "auth_revoked",
    7: "auth_expiring",
    11: "order_status",
    12: "order_status",
}
ORDER_PUSHES = frozenset({1, 3, 4, 11, 12})

#: Normalised ship mode -> TikTok ``handover_method``.
HANDOVER_METHODS = {"pickup": "PICKUP", "dropoff": "DROP_OFF"}

#: Normalised cancel reason -> TikTok seller cancel reason (paid, unpaid order).
#: Reasons TikTok names per region; override with the shop's ``cancel_reason_codes``.
CANCEL_REASON_CODES: dict[str, tuple[str, str]] = {
    "out_of_stock": (
        "seller_cancel_reason_out_of_stock",
        "seller_cancel_unpaid_reason_out_of_stock",
    ),
    "undeliverable_area": (
        "seller_cancel_paid_reason_address_not_deliver",
        "seller_cancel_paid_reason_address_not_deliver",
    ),
}

#: TikTok return_status -> normalised return state. Only a completed request has
#: moved the money back; a refused or withdrawn one is cancelled.
RETURN_STATES: dict[str, str] = {
    "RETURN_OR_REFUND_REQUEST_PENDING": "requested",
    "AWAITING_BUYER_SHIP": "requested",
    "BUYER_SHIPPED_ITEM": "requested",
    "REJECT_RECEIVE_PACKAGE": "requested",
    "RETURN_OR_REFUND_REQUEST_SUCCESS": "requested",
    "RETURN_OR_REFUND_REQUEST_COMPLETE": "refunded",
    "REFUND_OR_RETURN_REQUEST_REJECT": "cancelled",
    "RETURN_OR_REFUND_REQUEST_CANCEL": "cancelled",
}
#: packages not yet handed over; shipped ones (FULFILLING, COMPLETED) only
#: give their tracking number
PACKAGE_TO_SHIP = frozenset({"PROCESSING", "TO_FULFILL"})
PACKAGE_SHIPPED = frozenset({"FULFILLING", "COMPLETED"})
SHIPPABLE = frozenset({"AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"})

#: Currency of each region, for price updates (the order says its own).
REGION_CURRENCIES = {
    "VN": "VND",
    "SG": "SGD",
    "TH": "THB",
    "MY": "MYR",
    "PH": "PHP",
    "ID": "IDR",
    "US": "USD",
    "GB": "GBP",
}

RATE_LIMIT_CODE = "36009002"
TOKEN_EXPIRED_CODES = frozenset({"105002", "105001"})
AUTH_CODES = frozenset(
    {"106001", "105005", "36009033", "36009003", "36004002", "36009001"}
)
CIPHER_CODES = frozenset({"101000", "106013"})
TRANSIENT_CODES = frozenset({"36009007", "36009008", "36009999"})

#: Retries come back after 2 min, 30 min, 3 h and 12 h with the first timestamp.
WEBHOOK_TOLERANCE = timedelta(hours=24)

#: the buyer's fees of an order's ``payment`` (``Order.other_fees``)
AMOUNT_FEES = (
    "tax",
    "small_order_fee",
    "buyer_service_fee",
    "handling_fee",
    "shipping_insurance_fee",
    "item_insurance_fee",
    "retail_delivery_fee",
)

#: statement transaction breakdown field -> fee type (the field's name is kept
#: as raw_code); a field not listed takes its group's type (BREAKDOWN_GROUPS)
STATEMENT_FEES: dict[str, str] = {
    "subtotal_before_discount_amount": "order_amount",
    "seller_discount_amount": "order_amount",
    "customer_paid_shipping_fee_amount": "order_amount",
    "refund_subtotal_before_discount_amount": "refund",
    "seller_discount_refund_amount": "refund",
    "cod_service_fee_amount": "service_fee",
    "refund_cod_service_fee_amount": "service_fee",
    "platform_commission_amount": "commission",
    "referral_fee_amount": "commission",
    "dynamic_commission_amount": "commission",
    "transaction_fee_amount": "transaction_fee",
    "credit_card_handling_fee_amount": "transaction_fee",
    "actual_shipping_fee_amount": "shipping_fee",
    "return_shipping_fee_amount": "shipping_fee",
    "shipping_fee_discount_amount": "shipping_rebate",
    "failed_delivery_subsidy_amount": "shipping_rebate",
    "free_return_subsidy_amount": "shipping_rebate",
    "tiktok_shop_shipping_incentive_amount": "shipping_rebate",
    "fbt_fulfillment_fee_reimbursement_amount": "shipping_rebate",
    # fee_tax_breakdown.tax of Get Transactions by Statement / by Order 202501
    # (partner docs 6789c0c11882810314794094 and 6789a057b59cf903096d991b):
    # "The VAT paid by the platform on the seller's behalf. Applicable only for
    # local shop orders" and "The personal income tax (PIT) paid by the platform
    # on the seller's behalf": Vietnam's withholding from household and
    # individual sellers (Decree 117/2025), negative when withheld, positive
    # when a cancelled or returned order's tax is offset back
    "local_vat_amount": "withheld_vat",
    "pit_amount": "withheld_pit",
}
#: (path in the transaction, type of the fields not in STATEMENT_FEES)
BREAKDOWN_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("revenue_breakdown",), "order_amount"),
    (("shipping_cost_breakdown",), "shipping_fee"),
    (("fee_tax_breakdown", "fee"), "service_fee"),
    (("fee_tax_breakdown", "tax"), "adjustment"),
)
