"""Shopee JSON to normalised records: pure functions, no I/O.

Order amounts: ``get_order_detail`` gives item prices and ``total_amount`` (what
the buyer paid) but no voucher/shipping breakdown. That breakdown is the
``buyer_payment_info`` of ``/payment/get_escrow_detail_batch``, where
``merchant_subtotal + shipping_fee + seller_voucher + shopee_voucher +
shopee_coins_redeemed (+ buyer fees/taxes) == buyer_total_amount`` with vouchers
and coins as negative numbers; :func:`fill_amounts` maps it to the identity
documented in :mod:`..records`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..payload import deadline, malformed
from ..payload import text as _text
from ..records import (
    ZERO,
    Address,
    Buyer,
    Event,
    Order,
    OrderLine,
    Package,
    Return,
    ReturnLine,
    Settlement,
    SettlementLine,
    TokenSet,
    merge_lines,
    to_money,
)
from ..transport import clean_json
from ._util import _ts
from .const import (
    ESCROW_FEES,
    ESCROW_TYPES,
    ESCROW_WITHHELD,
    PUSH_KINDS,
    REFRESH_TOKEN_LIFETIME,
    SHOPEE_RETURN_STATES,
)

# ---------------------------------------------------------------------- orders


def to_order(
    row: Mapping[str, Any],
    escrow: Mapping[str, Any] | None,
    normalise_status: Callable[[str], str],
    unknown_statuses_of: Callable[[str], list[str]],
) -> Order:
    """An order detail row as an :class:`Order`, its amounts not yet filled in
    (``fill_amounts``); the status callables apply the shop's status table."""
    status = str(row["order_status"])
    address = to_address(row.get("recipient_address") or {})
    order = Order(
        external_id=str(row["order_sn"]),
        status=status,
        state=normalise_status(status),
        create_time=_ts(row.get("create_time")),
        update_time=_ts(row.get("update_time")),
        currency=str(row.get("currency") or "VND"),
        total_amount=ZERO,
        lines=to_lines(row.get("item_list") or []),
        buyer=Buyer(
            external_id=_text(row.get("buyer_user_id")),
            username=_text(row.get("buyer_username")),
            name=address.name,
            phone=address.phone,
        ),
        shipping_address=address,
        payment_method=_text(row.get("payment_method")),
        cod=bool(row.get("cod")),
        pay_time=_ts(row.get("pay_time")),
        # get_order_detail's ship_by_date: "the deadline to ship out the parcel",
        # Unix seconds (open.shopee.com v2.order.get_order_detail)
        ship_by_time=deadline(row.get("ship_by_date"), _ts),
        note=_text(row.get("note")),
        buyer_message=_text(row.get("message_to_seller")),
        cancel_reason=_text(row.get("cancel_reason"))
        or _text(row.get("buyer_cancel_reason")),
        cancelled_by=_text(row.get("cancel_by")),
        shipping_carrier=_text(row.get("shipping_carrier")),
        packages=[
            Package(
                package_number=_text(p.get("package_number")),
                carrier=_text(p.get("shipping_carrier")),
                logistics_status=_text(p.get("logistics_status")),
            )
            for p in row.get("package_list") or []
        ],
        raw={"order": dict(row), "escrow": dict(escrow) if escrow else None},
        unknown_statuses=unknown_statuses_of(status),
    )
    return order


def to_lines(items: list[Mapping[str, Any]]) -> list[OrderLine]:
    lines: list[OrderLine] = []
    used: set[str] = set()
    for item in items:
        quantity = int(item["model_quantity_purchased"])
        original = to_money(item["model_original_price"])
        discounted = to_money(item.get("model_discounted_price", original))
        if discounted == 0 and original > 0:
            # bundle deals report 0: the discount is not broken down per item
            discounted = original
        model_id = str(item.get("model_id") or 0)
        item_id = str(item["item_id"])
        external_id = f"{item.get('order_item_id') or item_id}-{model_id}"
        suffix = 1
        while external_id in used:
            suffix += 1
            external_id = f"{item.get('order_item_id') or item_id}-{model_id}#{suffix}"
        used.add(external_id)
        lines.append(
            OrderLine(
                external_id=external_id,
                item_id=item_id,
                variant_id=model_id,
                sku=_text(item.get("model_sku")) or _text(item.get("item_sku")),
                name=" - ".join(
                    t
                    for t in (
                        _text(item.get("item_name")),
                        _text(item.get("model_name")),
                    )
                    if t
                ),
                quantity=quantity,
                unit_price=original,
                discounted_unit_price=discounted,
                seller_discount=(original - discounted) * quantity,
            )
        )
    return lines


def to_address(addr: Mapping[str, Any]) -> Address:
    region = _text(addr.get("region"))
    state = _text(addr.get("state"))
    if region == "VN":
        # Shopee VN: state = province, city = district, district = ward
        ward, district, city = (
            _text(addr.get("district")),
            _text(addr.get("city")),
            None,
        )
    else:
        ward, district, city = (
            _text(addr.get("town")),
            _text(addr.get("district")),
            _text(addr.get("city")),
        )
    full = _text(addr.get("full_address"))
    return Address(
        name=_text(addr.get("name")),
        phone=_text(addr.get("phone")),
        full_address=full,
        street=_split_street(full, [ward, district, city, state, region]),
        ward=ward,
        district=district,
        city=city,
        state=state,
        zip=_text(addr.get("zipcode")),
        country_code=region,
    )


def _split_street(full: str | None, parts: list[str | None]) -> str | None:
    """Strip trailing ', ward, district, province' from a full address line."""
    if not full:
        return None
    pieces = [p.strip() for p in full.split(",")]
    known = {p.strip().lower() for p in parts if p}
    while len(pieces) > 1 and pieces[-1].lower() in known:
        pieces.pop()
    return ", ".join(pieces) or None


def fill_amounts(
    order: Order,
    row: Mapping[str, Any],
    escrow: Mapping[str, Any] | None,
    paid: bool = True,
) -> bool:
    """Fill the amount components and the total from the escrow's
    ``buyer_payment_info`` (else the order detail's total alone).

    Sets ``amounts_pending`` on a paid order whose escrow could not be read.
    Returns whether the breakdown is complete (the escrow and the total are
    both there); the client settles the residual
    (:meth:`~..base.Platform._absorb_residual`).
    """
    has_total = row.get("total_amount") not in (None, "")
    payment = (escrow or {}).get("buyer_payment_info") or {}
    complete = bool(payment) and has_total
    order.amounts_pending = paid and has_total and not payment
    if payment:
        order.shipping_fee = to_money(payment.get("shipping_fee"))
        order.seller_voucher = abs(to_money(payment.get("seller_voucher")))
        order.platform_voucher = abs(to_money(payment.get("shopee_voucher")))
        order.coins = abs(to_money(payment.get("shopee_coins_redeemed")))
        order.other_discounts = abs(to_money(payment.get("credit_card_promotion")))
        order.other_discounts += abs(to_money(payment.get("trade_in_bonus")))
        subtotal = payment.get("merchant_subtotal")
        if subtotal not in (None, ""):
            # bundle deals: merchant_subtotal is below the sum of item prices
            order.other_discounts += order.lines_total - to_money(subtotal)
        order.other_fees = sum(
            (
                to_money(payment.get(key))
                for key in (
                    "buyer_service_fee",
                    "buyer_tax_amount",
                    "import_tax_amount",
                    "insurance_premium",
                    "initial_buyer_txn_fee",
                    "shipping_fee_sst_amount",
                    "buyer_paid_packaging_fee",
                    "bulky_handling_fee",
                )
            ),
            ZERO,
        )
    if has_total:
        order.total_amount = to_money(row["total_amount"])
    elif payment.get("buyer_total_amount") not in (None, ""):
        order.total_amount = to_money(payment["buyer_total_amount"])
    else:
        order.total_amount = order.computed_total()
    return complete


# --------------------------------------------------------------------- returns


def to_return(row: Mapping[str, Any]) -> Return:
    status = str(row["status"])
    return Return(
        external_id=str(row["return_sn"]),
        order_external_id=str(row["order_sn"]),
        status=status,
        state=SHOPEE_RETURN_STATES.get(status, "requested"),
        update_time=_ts(row.get("update_time")),
        refund_amount=to_money(row.get("refund_amount")),
        goods_returned=row.get("needs_logistics", True) is not False,
        reason=_text(row.get("reason")),
        lines=[
            ReturnLine(
                item_id=_text(item.get("item_id")),
                variant_id=str(item.get("model_id") or 0),
                sku=_text(item.get("variation_sku")) or _text(item.get("item_sku")),
                quantity=int(item["amount"]),
                refund_amount=to_money(item.get("refund_amount")),
            )
            for item in row.get("item") or []
        ],
        raw=dict(row),
    )


# -------------------------------------------------------------------- listings


def price_of(row: Mapping[str, Any]) -> Decimal | None:
    prices = row.get("price_info") or []
    if not prices:
        return None
    return to_money(prices[0].get("original_price"))


def stock_of(row: Mapping[str, Any]) -> int | None:
    info = row.get("stock_info_v2") or {}
    seller = info.get("seller_stock")
    if seller:
        return sum(int(s.get("stock") or 0) for s in seller)
    summary = info.get("summary_info") or {}
    if "total_available_stock" in summary:
        return int(summary["total_available_stock"])
    return None


# ---------------------------------------------------------------------- tokens


def to_token_set(data: Mapping[str, Any], now: datetime) -> TokenSet:
    """The tokens of a token endpoint answer, as of ``now``."""
    with malformed("Shopee", "token response", data.get("request_id")):
        access = data["access_token"]
        if not access:
            raise ValueError("empty access_token")
        expire_in = int(data.get("expire_in") or 0)
        extra: dict[str, Any] = {}
        for key in ("shop_id_list", "merchant_id_list", "supplier_id_list"):
            if data.get(key):
                extra[key] = [str(v) for v in data[key]]
        for key in ("shop_id", "merchant_id"):
            if data.get(key):
                extra[key] = str(data[key])
        return TokenSet(
            access_token=str(access),
            refresh_token=_text(data.get("refresh_token")),
            access_expires_at=now + timedelta(seconds=expire_in) if expire_in else None,
            refresh_expires_at=now + REFRESH_TOKEN_LIFETIME,
            extra=extra,
        )


def authorization_end(data: Mapping[str, Any]) -> datetime | None:
    """When the seller's authorization of the app ends: v2.shop.get_shop_info's
    ``expire_time``, "the expiration date for shop authorization", Unix seconds,
    at the top of the answer (no ``response`` object) (open.shopee.com
    v2.shop.get_shop_info). The token answers do not say it: a refresh token
    lives 30 days, an authorization up to 365 (the seller's choice)."""
    return deadline(data.get("expire_time"), _ts)


# -------------------------------------------------------------------- webhooks


def to_event(message: Mapping[str, Any], platform: str) -> Event:
    """Normalise a push message (live or recovered through the lost-push API)."""
    code = int(message.get("code") or 0)
    data = message.get("data")
    data = data if isinstance(data, Mapping) else {}
    shop = message.get("shop_id") or data.get("shop_id")
    order_sn = _text(data.get("ordersn") or data.get("order_sn"))
    status = _text(data.get("status"))
    if code == 3 and order_sn:
        dedup = f"shopee:3:{shop}:{order_sn}:{status}:{data.get('update_time')}"
    else:
        canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
        dedup = "shopee:" + hashlib.sha256(canonical.encode()).hexdigest()
    return Event(
        platform=platform,
        dedup_key=dedup,
        kind=PUSH_KINDS.get(code, "other"),
        code=str(code),
        shop_external_id=_text(shop),
        order_external_id=order_sn,
        status=status,
        update_time=_ts(data.get("update_time") or message.get("timestamp")),
        raw=dict(message),
    )


def lost_message(row: Mapping[str, Any]) -> Mapping[str, Any]:
    data = row.get("data")
    if isinstance(data, str):
        data = clean_json(json.loads(data)) if data else {}
    if isinstance(data, Mapping) and "code" in data:
        return data  # the sample carries the whole original message
    return {
        "shop_id": row.get("shop_id"),
        "code": row.get("code"),
        "timestamp": row.get("timestamp"),
        "data": data or {},
    }


# --------------------------------------------------------------------- finance


def transaction_key(row: Mapping[str, Any]) -> str:
    if row.get("transaction_id") not in (None, ""):
        return str(row["transaction_id"])
    parts = (
        row.get("create_time"),
        row.get("transaction_type"),
        row.get("order_sn"),
        row.get("withdrawal_id"),
        row.get("amount"),
    )
    return "|".join(str(p) for p in parts)


def to_settlement(
    withdrawal: Mapping[str, Any], rows: list[Mapping[str, Any]]
) -> Settlement:
    """The payout of a wallet withdrawal, without its lines yet."""
    with malformed("Shopee", "wallet transaction"):
        payout_id = str(withdrawal.get("withdrawal_id") or transaction_key(withdrawal))
        settlement = Settlement(
            external_id=payout_id,
            payout_time=_ts(withdrawal["create_time"]),
            currency=str(withdrawal.get("currency") or "VND"),
            net_amount=abs(to_money(withdrawal["amount"])),
            paid=str(withdrawal.get("status") or "COMPLETED") == "COMPLETED",
            raw={"withdrawal": dict(withdrawal), "transactions": len(rows)},
        )
    return settlement


def add_settlement_lines(
    settlement: Settlement,
    rows: list[Mapping[str, Any]],
    escrows: Mapping[str, Mapping[str, Any]],
) -> None:
    """The lines of the wallet transactions a payout covers, balanced to it."""
    lines: list[SettlementLine] = []
    for row in rows:
        kind = str(row.get("transaction_type") or "")
        with malformed("Shopee", "wallet transaction"):
            amount = to_money(row.get("amount"))
            sn = _text(row.get("order_sn"))
            moment = _ts(row.get("create_time"))
        if kind in ESCROW_TYPES and sn:
            lines.extend(escrow_lines(sn, amount, escrows.get(sn), moment))
            escrow = escrows.get(sn) or {}
            income = escrow.get("order_income") or {}
            if income.get("buyer_total_amount") not in (None, ""):
                settlement.buyer_paid[sn] = to_money(income["buyer_total_amount"])
            continue
        lines.append(
            SettlementLine(
                fee_type="adjustment",
                amount=amount,
                raw_code=kind or "wallet",
                order_external_id=sn,
                label=_text(row.get("reason")) or _text(row.get("description")),
                transaction_id=transaction_key(row),
                time=moment,
            )
        )
    settlement.lines = merge_lines(lines)
    settlement.balance()


def escrow_lines(
    order_sn: str,
    amount: Decimal,
    escrow: Mapping[str, Any] | None,
    moment: datetime | None,
) -> list[SettlementLine]:
    """The fee lines of one released escrow; they add up to ``amount``."""
    income = (escrow or {}).get("order_income") or {}
    lines = []
    with malformed("Shopee", "escrow detail"):
        for key, (fee_type, sign_) in ESCROW_FEES.items():
            value = abs(to_money(income.get(key)))
            if value:
                lines.append(
                    SettlementLine(
                        fee_type=fee_type,
                        amount=sign_ * value,
                        raw_code=key,
                        order_external_id=order_sn,
                        time=moment,
                    )
                )
        # issue 22: the tax Shopee withheld (or, negative, gave back), signed
        for key, fee_type in ESCROW_WITHHELD.items():
            value = to_money(income.get(key))
            if value:
                lines.append(
                    SettlementLine(
                        fee_type=fee_type,
                        amount=-value,
                        raw_code=key,
                        order_external_id=order_sn,
                        time=moment,
                    )
                )
    rest = amount - sum((line.amount for line in lines), ZERO)
    if rest:
        lines.append(
            SettlementLine(
                fee_type="adjustment",
                amount=rest,
                raw_code="unexplained" if income else "escrow_amount",
                order_external_id=order_sn,
                label=None if income else "No escrow detail from Shopee",
                time=moment,
            )
        )
    return lines
