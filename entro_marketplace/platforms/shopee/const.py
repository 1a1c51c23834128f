"""Shopee constants: hosts, status maps, error codes, fields and lifetimes."""

from __future__ import annotations

from datetime import timedelta

PRODUCTION_URL = "https://partner.shopeemobile.com"
SANDBOX_URL = "https://openplatform.sandbox.test-stable.shopee.sg"

#: Documented lifetime of a refresh token (it is not returned by the API).
REFRESH_TOKEN_LIFETIME = timedelta(days=30)

#: Shopee order_status -> normalised state. Shopee has no order-level "returned"
#: status: returns live in the returns API, so "returned" is never produced here.
SHOPEE_STATUS_MAP: dict[str, str] = {
    "UNPAID": "unpaid",
    "PENDING": "pending",
    "INVOICE_PENDING": "pending",
    "READY_TO_SHIP": "to_ship",
    "PROCESSED": "to_ship",
    "RETRY_SHIP": "to_ship",
    "SHIPPED": "shipped",
    "TO_CONFIRM_RECEIVE": "delivered",
    "COMPLETED": "completed",
    "IN_CANCEL": "in_cancel",
    "CANCELLED": "cancelled",
    "TO_RETURN": "to_return",
}

#: Push code -> normalised event kind.
PUSH_KINDS: dict[int, str] = {
    1: "auth_granted",
    2: "auth_revoked",
    3: "order_status",
    4: "tracking",
    12: "auth_expiring",
}

#: Optional fields requested from get_order_detail.
ORDER_DETAIL_FIELDS = (
    "buyer_user_id",
    "buyer_username",
    "recipient_address",
    "item_list",
    "pay_time",
    "package_list",
    "shipping_carrier",
    "payment_method",
    "total_amount",
    "estimated_shipping_fee",
    "actual_shipping_fee",
    "note",
    "cancel_by",
    "cancel_reason",
    "buyer_cancel_reason",
)

TRANSIENT_CODES = frozenset(
    {
        "error_server",
        "error_network",
        "error_inner",
        "error_system_busy",
        "error_busy",
        "error_timeout",
    }
)
AUTH_CODES = frozenset(
    {
        "error_sign",
        "error_permission",
        "invalid_code",
        "invalid_shop_id",
        "invalid_main_acount_id",
        "invalid_main_account_id",
        "merchant_access_expired",
        "error_merchant_refresh_token",
    }
)
UNPAID = frozenset({"UNPAID"})
#: how Shopee says the app may not use an API (its permissions, not the token)
PERMISSION_CODES = frozenset({"error_permission"})
#: order statuses in which ship_order is accepted, and those already arranged
SHIPPABLE = frozenset({"READY_TO_SHIP", "RETRY_SHIP"})
ARRANGED = frozenset({"PROCESSED", "SHIPPED", "TO_CONFIRM_RECEIVE", "COMPLETED"})
#: returns/get_return_list status -> normalised return state (records.RETURN_STATES):
#: ACCEPTED is the refund granted (COMPLETED, listed by some SDKs, likewise);
#: CANCELLED (by the buyer) and CLOSED end a request without a refund; REQUESTED,
#: PROCESSING, JUDGING, SELLER_DISPUTE are pending
SHOPEE_RETURN_STATES: dict[str, str] = {
    "ACCEPTED": "refunded",
    "COMPLETED": "refunded",
    "CANCELLED": "cancelled",
    "CLOSED": "cancelled",
}
#: default air waybill type (printable on A4/A6 as well as thermal printers)
LABEL_TYPE = "NORMAL_AIR_WAYBILL"

# finance: a local shop's wallet (see :mod:`.finance`)

#: wallet transaction types that pay a balance out (the payout itself)
WITHDRAWAL_TYPES = frozenset({"201", "WITHDRAWAL_CREATED"})
#: wallet types ignored: the follow-up states of a withdrawal
WITHDRAWAL_FOLLOW_UPS = frozenset({"202", "WITHDRAWAL_COMPLETED"})
ESCROW_TYPES = frozenset({"101", "102", "ESCROW_VERIFIED_ADD", "ESCROW_VERIFIED_MINUS"})
#: order_income field -> (fee type, sign applied to its absolute value)
ESCROW_FEES: dict[str, tuple[str, int]] = {
    "buyer_total_amount": ("order_amount", 1),
    "voucher_from_shopee": ("platform_subsidy", 1),
    "coins": ("platform_subsidy", 1),
    "credit_card_promotion": ("platform_subsidy", 1),
    "commission_fee": ("commission", -1),
    "service_fee": ("service_fee", -1),
    "seller_transaction_fee": ("transaction_fee", -1),
    "credit_card_transaction_fee": ("transaction_fee", -1),
    "actual_shipping_fee": ("shipping_fee", -1),
    "reverse_shipping_fee": ("shipping_fee", -1),
    "shopee_shipping_rebate": ("shipping_rebate", 1),
    "seller_return_refund": ("refund", -1),
    # a corporate seller's withheld CIT is no VAT nor PIT: an adjustment, named
    "withholding_cit_tax": ("adjustment", -1),
}
#: issue 22 (Decree 117/2025/ND-CP): order_income fields of the tax Shopee
#: withholds from a Vietnamese household or individual seller -> fee type. They
#: come out of ``escrow_amount`` ("escrow_amount = ... - withholding_vat_tax -
#: withholding_pit_tax - withholding_cit_tax ...", and "By VN law, E-commerce
#: platforms need to Withhold VAT tax [Personal Income Tax] applicable to all VN
#: business household and VN individual sellers"): Shopee's v2.payment.
#: get_escrow_detail(_batch) reference, open.shopee.com/documents/v2/
#: v2.payment.get_escrow_detail. ``withholding_tax`` is the older single total
#: (no VAT/PIT split): booked as withheld VAT, its raw code kept. The amounts are
#: signed: what is withheld is deducted (a line of ``-value``), a negative value
#: (an offset of a cancelled or returned order) comes back.
ESCROW_WITHHELD: dict[str, str] = {
    "withholding_vat_tax": "withheld_vat",
    "withholding_pit_tax": "withheld_pit",
    "withholding_tax": "withheld_vat",
}
