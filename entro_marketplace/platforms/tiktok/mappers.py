"""TikTok Shop JSON -> normalised records (pure functions: no I/O).

Orders
------
Each unit bought is a ``line_item`` of its own (no quantity field): Entro keeps
one OrderLine of quantity 1 per line item. Amounts come from the order's
``payment``::

    lines_total       = sum(original_price of the live line items)
    seller_voucher    = payment.seller_discount
    platform_voucher  = payment.platform_discount
    shipping_fee      = payment.original_shipping_fee
    shipping_discount = shipping_fee_seller_discount + shipping_fee_platform_discount
    other_fees        = tax + small_order_fee + buyer_service_fee + handling_fee
                        + shipping_insurance_fee + item_insurance_fee
    total_amount      = payment.total_amount

When the shipping breakdown does not match ``payment.shipping_fee`` the net fee
is used; any remaining difference goes to ``other_discounts``/``other_fees`` and
clears ``amounts_complete`` (the order then waits in exception for a person).

Recipient data are masked by TikTok (``N***n``, ``(+84)9*******12``) while an
order is UNPAID/ON_HOLD/CANCELLED, for platform logistics, and after completion:
masked values are dropped here, and the buyer is known by TikTok's ``user_id``,
so a buyer's orders meet on one partner whatever is masked.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from ..errors import PermanentError
from ..payload import deadline, earliest, malformed
from ..payload import text as _text
from ..records import (
    ZERO,
    Address,
    Buyer,
    Event,
    Listing,
    Order,
    OrderLine,
    OrderRef,
    Package,
    Return,
    ReturnLine,
    Settlement,
    SettlementLine,
    TokenSet,
    credited,
    subsidy_split,
    to_money,
)
from .const import (
    AMOUNT_FEES,
    BREAKDOWN_GROUPS,
    ORDER_PUSHES,
    PUSH_KINDS,
    REGION_CURRENCIES,
    RETURN_STATES,
    STATEMENT_FEES,
)

# --------------------------------------------------------------------------- helpers


def unmasked(value: Any) -> str | None:
    """A recipient value, or None when TikTok masked it (any ``*``)."""
    text = _text(value)
    if text is None or "*" in text:
        return None
    return text


def epoch(value: Any) -> datetime | None:
    """Unix seconds (TikTok's only time format) as an aware datetime."""
    if value in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(str(value)), tz=timezone.utc)


def seconds(moment: datetime) -> int:
    """An aware datetime as Unix seconds."""
    return int(moment.timestamp())


def response_data(payload: Mapping[str, Any], what: str) -> dict[str, Any]:
    """The ``data`` object of an answer, or a PermanentError."""
    body = payload.get("data")
    if not isinstance(body, dict):
        raise PermanentError(
            f"malformed TikTok Shop {what}: no 'data' object",
            code="bad_response",
            request_id=_text(payload.get("request_id")),
        )
    return body


def region_currency(country: str | None) -> str:
    """The currency of a shop's region (VND by default)."""
    return REGION_CURRENCIES.get((country or "vn").upper(), "VND")


# ------------------------------------------------------------- authorization


def token_set(data: Mapping[str, Any]) -> TokenSet:
    """TokenSet from a get/refresh answer: expiries are Unix times; the refresh
    token ends with the seller's authorization."""
    with malformed("TikTok Shop", "token response"):
        access = _text(data["access_token"])
        if not access:
            raise ValueError("empty access_token")
        access_expires = epoch(data.get("access_token_expire_in"))
        refresh_expires = epoch(data.get("refresh_token_expire_in"))
    extra: dict[str, Any] = {}
    for key in ("open_id", "seller_name", "seller_base_region", "user_type"):
        if data.get(key) not in (None, ""):
            extra[key] = data[key]
    if refresh_expires:
        extra["authorization_expires_at"] = refresh_expires
    return TokenSet(
        access_token=access,
        refresh_token=_text(data.get("refresh_token")),
        access_expires_at=access_expires,
        refresh_expires_at=refresh_expires,
        extra=extra,
    )


def shop_row(shop: Mapping[str, Any]) -> dict[str, str]:
    """One shop of Get Authorized Shops: id, cipher, name, region, code, seller_type."""
    return {
        "id": str(shop["id"]),
        "cipher": str(shop["cipher"]),
        "name": str(shop.get("name") or ""),
        "region": str(shop.get("region") or "").upper(),
        "code": str(shop.get("code") or ""),
        "seller_type": str(shop.get("seller_type") or ""),
    }


# -------------------------------------------------------------------- orders


def order_ref(row: Mapping[str, Any]) -> OrderRef:
    """One row of Get Order List."""
    return OrderRef(
        external_id=str(row["id"]),
        update_time=epoch(row.get("update_time")),
        status=_text(row.get("status")),
    )


def to_order(
    row: Mapping[str, Any],
    state_of: Callable[[Mapping[str, Any]], str],
    unknown_statuses_of: Callable[..., list[str]],
) -> Order:
    """An order of Get Order Detail, amounts but the ``payment``'s not yet
    filled (:func:`fill_amounts`); ``state_of`` and ``unknown_statuses_of`` are
    the client's status lookups (the seller's overrides applied)."""
    items = [i for i in row.get("line_items") or [] if isinstance(i, dict)]
    if not items:
        raise ValueError("the order has no line items")
    status = str(row["status"])
    state = state_of(row)
    cancelled_order = state == "cancelled"
    live = [
        i
        for i in items
        if cancelled_order or _text(i.get("display_status")) != "CANCELLED"
    ]
    dropped = [i for i in items if i not in live]
    payment = row.get("payment") or {}
    address = to_address(row.get("recipient_address") or {})
    packages: dict[str, Package] = {}
    for item in live:
        number = _text(item.get("package_id"))
        if number and number not in packages:
            packages[number] = Package(
                package_number=number,
                tracking_number=_text(item.get("tracking_number")),
                carrier=_text(item.get("shipping_provider_name")),
                logistics_status=_text(item.get("package_status")),
            )
    cod = row.get("is_cod") is True
    return Order(
        external_id=str(row["id"]),
        status=status,
        state=state,
        create_time=epoch(row.get("create_time")),
        update_time=epoch(row.get("update_time")),
        currency=str(payment.get("currency") or live[0].get("currency") or ""),
        total_amount=to_money(payment.get("total_amount")),
        lines=[to_line(i) for i in live],
        cancelled_lines=[to_line(i) for i in dropped],
        buyer=Buyer(
            external_id=_text(row.get("user_id")),
            name=address.name,
            phone=address.phone,
        ),
        shipping_address=address,
        payment_method=_text(row.get("payment_method_name")),
        cod=cod,
        pay_time=epoch(row.get("paid_time")),
        ship_by_time=ship_by_time(row),
        buyer_message=_text(row.get("buyer_message")),
        cancel_reason=_text(row.get("cancel_reason")),
        cancelled_by=_text(row.get("cancellation_initiator")),
        shipping_carrier=_text(row.get("shipping_provider")),
        packages=list(packages.values()),
        raw={"order": dict(row)},
        unknown_statuses=unknown_statuses_of(status),
    )


def ship_by_time(row: Mapping[str, Any]) -> datetime | None:
    """When the order must be shipped: Get Order Detail's ``rts_sla_time`` ("the
    latest shipping time specified by the platform"), else its
    ``shipping_due_time`` (not in AWAITING_COLLECTION by then, TikTok Shop
    cancels the order), the earlier of the two when both are given; Unix
    seconds (partner.tiktokshop.com, Get Order Detail 202309, and the changelog
    "SLA information now available in Orders API")."""
    return earliest(
        deadline(row.get(key), epoch) for key in ("rts_sla_time", "shipping_due_time")
    )


def to_line(item: Mapping[str, Any]) -> OrderLine:
    """One line item: one unit."""
    price = to_money(item["original_price"])
    name = " - ".join(
        t for t in (_text(item.get("product_name")), _text(item.get("sku_name"))) if t
    )
    return OrderLine(
        external_id=str(item["id"]),
        item_id=_text(item.get("product_id")) or "",
        variant_id=_text(item.get("sku_id")),
        sku=_text(item.get("seller_sku")),
        name=name,
        quantity=1,
        unit_price=price,
        discounted_unit_price=price,
        seller_discount=to_money(item.get("seller_discount")),
        platform_discount=to_money(item.get("platform_discount")),
        status=_text(item.get("display_status")),
    )


def to_address(addr: Mapping[str, Any]) -> Address:
    """Address levels from ``district_info`` (L0 country, L1 province, L2
    district or city, L3 ward); masked values are dropped."""
    levels: dict[str, str] = {}
    for row in addr.get("district_info") or []:
        if isinstance(row, Mapping) and unmasked(row.get("address_name")):
            level = str(row.get("address_level") or "").upper()
            levels[level] = str(row["address_name"]).strip()
    region = (_text(addr.get("region_code")) or "").upper() or None
    street = unmasked(addr.get("address_detail")) or unmasked(addr.get("address_line1"))
    if region == "VN":
        district, city = levels.get("L2"), None
    else:
        district, city = None, levels.get("L2")
    name = unmasked(addr.get("name")) or unmasked(
        " ".join(
            t
            for t in (_text(addr.get("first_name")), _text(addr.get("last_name")))
            if t
        )
    )
    return Address(
        name=name,
        phone=unmasked(addr.get("phone_number")),
        full_address=unmasked(addr.get("full_address")),
        street=street,
        ward=levels.get("L3"),
        district=district,
        city=city,
        state=levels.get("L1"),
        zip=unmasked(addr.get("postal_code")),
        country_code=region,
    )


def fill_amounts(order: Order, payment: Mapping[str, Any]) -> bool:
    """Fill the order's amount components from its ``payment``; whether the
    payment gives a total. What the components leave over is the client's
    (:meth:`~..base.Platform._absorb_residual`)."""
    complete = payment.get("total_amount") not in (None, "")
    order.seller_voucher = to_money(payment.get("seller_discount"))
    order.platform_voucher = to_money(payment.get("platform_discount"))
    net = to_money(payment.get("shipping_fee"))
    original = payment.get("original_shipping_fee")
    discount = to_money(payment.get("shipping_fee_seller_discount")) + to_money(
        payment.get("shipping_fee_platform_discount")
    )
    if original not in (None, "") and to_money(original) - discount == net:
        order.shipping_fee, order.shipping_discount = to_money(original), discount
    else:
        order.shipping_fee, order.shipping_discount = net, ZERO
    order.other_fees = sum((to_money(payment.get(k)) for k in AMOUNT_FEES), ZERO)
    return complete


# ------------------------------------------------------------------- returns


def to_return(row: Mapping[str, Any]) -> Return:
    """Each return line item is one unit (TikTok has one line item per unit)."""
    status = str(row.get("return_status") or "")
    refund = row.get("refund_amount") or {}
    lines = [
        ReturnLine(
            item_id=None,
            variant_id=_text(li.get("sku_id")),
            sku=_text(li.get("seller_sku")),
            quantity=1,
            refund_amount=to_money((li.get("refund_amount") or {}).get("refund_total")),
            order_line_external_id=_text(li.get("order_line_item_id")),
        )
        for li in row.get("return_line_items") or []
    ]
    total = refund.get("refund_total")
    return Return(
        external_id=str(row["return_id"]),
        order_external_id=str(row["order_id"]),
        status=status,
        state=RETURN_STATES.get(status, "requested"),
        update_time=epoch(row.get("update_time")),
        refund_amount=to_money(total)
        if total not in (None, "")
        else sum((li.refund_amount for li in lines), ZERO),
        goods_returned=str(row.get("return_type") or "").upper() != "REFUND",
        reason=_text(row.get("return_reason_text")) or _text(row.get("return_reason")),
        lines=lines,
        raw=dict(row),
    )


# ------------------------------------------------------------------ listings


def product_listings(product: Mapping[str, Any]) -> list[Listing]:
    """One Listing per SKU of a product."""
    item_id = str(product["id"])
    name = str(product.get("title") or "")
    rows = []
    for sku in product.get("skus") or []:
        price = sku.get("price") or {}
        amount = price.get("sale_price") or price.get("tax_exclusive_price")
        stock = [
            int(str(w.get("quantity") or 0))
            for w in sku.get("inventory") or []
            if isinstance(w, Mapping)
        ]
        rows.append(
            Listing(
                item_id=item_id,
                variant_id=str(sku["id"]),
                sku=_text(sku.get("seller_sku")),
                name=name,
                status=_text(product.get("status")),
                price=to_money(amount) if amount not in (None, "") else None,
                stock=sum(stock) if stock else None,
                raw={"product_id": item_id, **dict(sku)},
            )
        )
    return rows


# ------------------------------------------------------------------ webhooks


def to_event(message: Mapping[str, Any], platform: str) -> Event:
    """Normalise a webhook.

    Dedup keys: order status changes ``tiktok:1:shop:order:status:update_time``
    (the same change twice, whatever its notification id); others
    ``tiktok:<type>:<tts_notification_id>``, or the sha256 of the canonical
    JSON without one. Expiry warnings carry ``expiration_time``.
    """
    push_type = int(str(message.get("type")))
    data = message.get("data")
    data = data if isinstance(data, Mapping) else {}
    shop = _text(message.get("shop_id"))
    order_id = _text(data.get("order_id"))
    status = _text(data.get("order_status"))
    changed = _text(data.get("update_time"))
    notification = _text(message.get("tts_notification_id"))
    if push_type == 1 and order_id:
        dedup = f"tiktok:1:{shop}:{order_id}:{status}:{changed}"
    elif notification:
        dedup = f"tiktok:{push_type}:{notification}"
    else:
        canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
        dedup = "tiktok:" + hashlib.sha256(canonical.encode()).hexdigest()
    if push_type == 7:
        update_time = epoch(data.get("expiration_time"))
    else:
        update_time = epoch(changed) or epoch(message.get("timestamp"))
    kind = PUSH_KINDS.get(push_type, "other")
    if kind in ("order_status", "tracking") and not order_id:
        kind = "other"
    return Event(
        platform=platform,
        dedup_key=dedup,
        kind=kind,
        code=str(push_type),
        shop_external_id=shop,
        order_external_id=order_id if push_type in ORDER_PUSHES else None,
        status=status,
        update_time=update_time,
        raw=dict(message),
    )


# ------------------------------------------------------------------- finance


def to_settlement(statement: Mapping[str, Any], country: str | None) -> Settlement:
    """The Settlement of a statement, without its lines yet."""
    return Settlement(
        external_id=str(statement["id"]),
        payout_time=epoch(statement["statement_time"]),
        currency=str(statement.get("currency") or region_currency(country)),
        net_amount=to_money(statement["settlement_amount"]),
        paid=str(statement.get("payment_status") or "PAID") == "PAID",
        raw={"statement": dict(statement)},
    )


def transaction_lines(
    row: Mapping[str, Any],
    moment: datetime | None,
    fees: Mapping[str, str] = STATEMENT_FEES,
    groups: tuple[tuple[tuple[str, ...], str], ...] = BREAKDOWN_GROUPS,
) -> list[SettlementLine]:
    """The fee lines of one statement transaction; they add up to its amount."""
    order_id = _text(row.get("order_id")) or _text(row.get("adjustment_order_id"))
    kind = _text(row.get("type")) or "ORDER"
    label = None if kind == "ORDER" else kind
    when = epoch(row.get("order_create_time")) or moment
    found: list[tuple[str, str, Any]] = []
    for path, default in groups:
        group: Any = row
        for key in path:
            group = group.get(key) if isinstance(group, Mapping) else None
        if not isinstance(group, Mapping):
            continue
        for key, value in group.items():
            if not isinstance(value, Mapping):  # supplementary: not in the total
                found.append((key, fees.get(key, default), value))
    found.append(("adjustment_amount", "adjustment", row.get("adjustment_amount")))
    lines = []
    for key, fee_type, value in found:
        amount = to_money(value)
        if amount:
            lines.append(
                SettlementLine(
                    fee_type=fee_type,
                    amount=amount,
                    raw_code=key,
                    order_external_id=order_id,
                    label=label,
                    transaction_id=_text(row.get("id")),
                    time=when,
                )
            )
    rest = to_money(row["settlement_amount"]) - sum(
        (line.amount for line in lines), ZERO
    )
    if rest:
        lines.append(
            SettlementLine(
                fee_type="adjustment",
                amount=rest,
                raw_code="unexplained",
                order_external_id=order_id,
                label=f"Not explained by TikTok's breakdown ({kind})",
                transaction_id=_text(row.get("id")),
                time=moment,
            )
        )
    return lines


def settled_orders(lines: list[SettlementLine]) -> list[str]:
    """The orders a statement sells or refunds."""
    return sorted(
        {
            line.order_external_id
            for line in lines
            if line.order_external_id and line.fee_type in ("order_amount", "refund")
        }
    )


def add_subsidies(
    settlement: Settlement,
    lines: list[SettlementLine],
    orders: list[str],
    known: Mapping[str, Order],
) -> None:
    """Split what TikTok credited for each known order into what the buyer paid
    and TikTok's subsidy (``lines`` grows; ``settlement.buyer_paid`` is set)."""
    for order_id in orders:
        order = known.get(order_id)
        if order is None:
            continue  # no order data: what TikTok credited stays the sale
        sold = credited(lines, order_id, "order_amount")
        back = credited(lines, order_id, "refund")
        if sold:
            settlement.buyer_paid[order_id] = order.total_amount
            lines.extend(
                subsidy_split(lines, order_id, "order_amount", order.total_amount)
            )
        products = order.lines_total - order.seller_voucher
        if back and -back >= products:  # all of it refunded: the buyer's payment
            lines.extend(subsidy_split(lines, order_id, "refund", -order.total_amount))
