"""Lazada JSON to normalised records: pure functions, no I/O.

The country (lower case) is passed where Lazada's data depends on it: the UTC
offset of timestamps printed without one, the address levels, the currency.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

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
    to_money,
)
from .const import (
    BEFORE_SHIPPING,
    CANCELLED,
    COUNTRY_NAMES,
    CURRENCIES,
    FEE_NAMES,
    ITEM_STATUS_MAP,
    LAZADA_RETURN_STATES,
    PUSH_KINDS,
    STATE_RANK,
    UTC_OFFSETS,
)
from .helpers import epoch_time, is_true, parse_time

# ------------------------------------------------------------------------- tokens


def country_sellers(tokens: TokenSet) -> list[dict[str, str]]:
    """The (country, seller_id, user_id, short_code) a token set serves.

    A cross-border seller's single token serves several countries; each country
    is a shop of its own in Odoo (``shop_external_id`` = that country's
    ``seller_id``), sharing the same tokens. Countries are lower case.
    """
    rows = []
    for row in tokens.extra.get("country_user_info") or []:
        if not isinstance(row, Mapping):
            continue
        rows.append(
            {
                "country": str(row.get("country") or "").lower(),
                "seller_id": str(row.get("seller_id") or ""),
                "user_id": str(row.get("user_id") or ""),
                "short_code": str(row.get("short_code") or ""),
            }
        )
    return rows


def token_set(
    data: Mapping[str, Any], now: datetime, previous_refresh_expiry: datetime | None
) -> TokenSet:
    """TokenSet from a create/refresh answer received at ``now``.

    ``refresh_expires_in`` counts down from the first grant (a refresh does
    not extend it), so the expiry is recomputed and never moved later than
    what was known before.
    """
    with malformed("Lazada", "token response", _text(data.get("request_id"))):
        access = data["access_token"]
        if not access:
            raise ValueError("empty access_token")
        expires_in = int(str(data.get("expires_in") or 0))
        refresh_in = int(str(data.get("refresh_expires_in") or 0))
        info = data.get("country_user_info")
        if info is None:
            info = data.get("country_user_info_list")
        rows = [dict(r) for r in info or [] if isinstance(r, Mapping)]
    refresh_expires = now + timedelta(seconds=refresh_in) if refresh_in else None
    if previous_refresh_expiry is not None and (
        refresh_expires is None or refresh_expires > previous_refresh_expiry
    ):
        refresh_expires = previous_refresh_expiry
    extra: dict[str, Any] = {"country_user_info": rows}
    for key in ("country", "account", "account_platform"):
        if _text(data.get(key)):
            extra[key] = str(data[key])
    return TokenSet(
        access_token=str(access),
        refresh_token=_text(data.get("refresh_token")),
        access_expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
        refresh_expires_at=refresh_expires,
        extra=extra,
    )


# ------------------------------------------------------------------ order states


def is_cancelled(
    item: Mapping[str, Any], status_map: Mapping[str, str] = ITEM_STATUS_MAP
) -> bool:
    status = str(item.get("status") or "").lower()
    return status_map.get(status) == CANCELLED


def item_state(
    item: Mapping[str, Any], status_map: Mapping[str, str] = ITEM_STATUS_MAP
) -> str:
    """Normalised state of one order item (see the package docstring)."""
    state = status_map.get(str(item.get("status") or "").lower(), "pending")
    if state in BEFORE_SHIPPING and is_true(item.get("need_cancel_confirm")):
        return "in_cancel"
    return state


def order_state(
    items: Iterable[Mapping[str, Any]],
    status_map: Mapping[str, str] = ITEM_STATUS_MAP,
) -> str:
    """The order's state: the most advanced of its non-cancelled items."""
    states = [item_state(item, status_map) for item in items]
    live = [s for s in states if s != CANCELLED]
    if not live:
        return CANCELLED if states else "pending"
    return max(live, key=lambda s: STATE_RANK.index(s) if s in STATE_RANK else 0)


def split_items(
    items: list[Mapping[str, Any]], status_map: Mapping[str, str]
) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """The live items and the cancelled ones."""
    live = [i for i in items if not is_cancelled(i, status_map)]
    cancelled = [i for i in items if is_cancelled(i, status_map)]
    return live, cancelled


# ------------------------------------------------------------------------ orders


def order_ref(row: Mapping[str, Any], country: str) -> OrderRef:
    """One row of the order list (a whole header) as a ref carrying it."""
    external_id = str(row["order_id"])
    updated = parse_time(row.get("updated_at"), country)
    statuses = row.get("statuses") or []
    return OrderRef(
        external_id=external_id,
        update_time=updated,
        status=",".join(sorted({str(s) for s in statuses})) or None,
        header=dict(row),
    )


def header_buyer(header: Mapping[str, Any]) -> Buyer | None:
    """The buyer an order header names (phone, buyer id), if any."""
    if not isinstance(header, Mapping):
        return None
    address = header.get("address_shipping")
    phone = _text(address.get("phone")) if isinstance(address, Mapping) else None
    buyer_id = _text(header.get("buyer_id"))
    if not (phone or buyer_id):
        return None
    return Buyer(external_id=buyer_id, phone=phone)


def items_by_order(
    rows: list[Any],
) -> dict[str, list[Mapping[str, Any]] | str]:
    """``/orders/items/get`` rows per order id; an order whose items cannot be
    read maps to the problem (a string)."""
    found: dict[str, list[Mapping[str, Any]] | str] = {}
    for row in rows:
        if not isinstance(row, Mapping) or row.get("order_id") in (None, ""):
            continue  # not attributable: its order has no items, an exception
        items = row.get("order_items") or []
        if not isinstance(items, list):
            found[str(row["order_id"])] = "order_items is not a list"
            continue
        found[str(row["order_id"])] = [i for i in items if isinstance(i, dict)]
    return found


def to_order(
    row: Mapping[str, Any],
    items: list[Mapping[str, Any]],
    *,
    country: str,
    status_map: Mapping[str, str],
    unknown_statuses_of: Callable[..., list[str]],
) -> Order:
    """The order of a header and its items, amounts not yet filled in."""
    if not items:
        raise ValueError("the order has no items")
    live, cancelled = split_items(items, status_map)
    address = to_address(row.get("address_shipping") or {}, country)
    first = live[0] if live else items[0]
    buyer_name = " ".join(
        t
        for t in (
            _text(row.get("customer_first_name")),
            _text(row.get("customer_last_name")),
        )
        if t
    )
    payment = _text(row.get("payment_method"))
    packages: dict[str, Package] = {}
    for item in live:
        number = _text(item.get("package_id")) or _text(item.get("tracking_code"))
        if number and number not in packages:
            packages[number] = Package(
                package_number=_text(item.get("package_id")),
                tracking_number=_text(item.get("tracking_code")),
                carrier=_text(item.get("shipment_provider")),
                logistics_status=_text(item.get("status")),
            )
    return Order(
        external_id=str(row["order_id"]),
        status=",".join(sorted({str(i["status"]) for i in items})),
        state=order_state(items, status_map),
        unknown_statuses=unknown_statuses_of(*(str(i["status"]) for i in items)),
        create_time=parse_time(row.get("created_at"), country),
        update_time=parse_time(row.get("updated_at"), country),
        currency=str(first.get("currency") or CURRENCIES.get(country) or "VND"),
        total_amount=ZERO,
        lines=[to_line(i) for i in live],
        cancelled_lines=[to_line(i) for i in cancelled],
        buyer=Buyer(
            external_id=_text(row.get("buyer_id")) or _text(first.get("buyer_id")),
            name=buyer_name or address.name,
            phone=address.phone,
        ),
        shipping_address=address,
        payment_method=payment,
        cod=(payment or "").upper() == "COD",
        pay_time=epoch_time(first.get("payment_time")),
        ship_by_time=ship_by_time(live, country),
        note=_text(row.get("remarks")),
        buyer_message=_text(row.get("buyer_note")),
        cancel_reason=next(
            (_text(i.get("reason")) for i in cancelled if _text(i.get("reason"))),
            None,
        ),
        cancelled_by=next(
            (
                _text(i.get("cancel_return_initiator"))
                for i in cancelled
                if _text(i.get("cancel_return_initiator"))
            ),
            None,
        ),
        shipping_carrier=_text(first.get("shipment_provider")),
        packages=list(packages.values()),
        raw={"order": dict(row), "items": [dict(i) for i in items]},
    )


def ship_by_time(items: list[Mapping[str, Any]], country: str) -> datetime | None:
    """When the order must be shipped: the earliest ``sla_time_stamp`` of its
    live items, "time of the ship SLA in ISO 8601 format" (open.lazada.com,
    GetMultipleOrderItems /orders/items/get and GetOrderItems)."""
    return earliest(
        deadline(item.get("sla_time_stamp"), lambda v: parse_time(v, country))
        for item in items
    )


def to_line(item: Mapping[str, Any]) -> OrderLine:
    """One order item: one line of quantity 1."""
    price = to_money(item["item_price"])
    name = " - ".join(
        t for t in (_text(item.get("name")), _text(item.get("variation"))) if t
    )
    return OrderLine(
        external_id=str(item["order_item_id"]),
        item_id=_text(item.get("product_id")) or "",
        variant_id=_text(item.get("sku_id")),
        sku=_text(item.get("sku")),
        name=name,
        quantity=1,
        unit_price=price,
        discounted_unit_price=price,
        status=str(item["status"]),
    )


def to_address(addr: Mapping[str, Any], country: str) -> Address:
    """address1 detail, address3 province, address4 city/district, address5
    third level (the ward in Vietnam), post_code, country (a name)."""
    country_name = _text(addr.get("country"))
    code = COUNTRY_NAMES.get((country_name or "").lower())
    if code is None and country_name and len(country_name) == 2:
        code = country_name.upper()
    code = code or country.upper()
    street = _text(addr.get("address1"))
    state = _text(addr.get("address3"))
    level2 = _text(addr.get("address4")) or _text(addr.get("city"))
    ward = _text(addr.get("address5"))
    if code == "VN":
        district, city = level2, None
    else:
        district, city = _text(addr.get("addressDsitrict")), level2
    name = " ".join(
        t for t in (_text(addr.get("first_name")), _text(addr.get("last_name"))) if t
    )
    return Address(
        name=name or None,
        phone=_text(addr.get("phone")),
        full_address=", ".join(t for t in (street, ward, district, city, state) if t)
        or None,
        street=street,
        ward=ward,
        district=district,
        city=city,
        state=state,
        zip=_text(addr.get("post_code")),
        country_code=code,
    )


def fill_amount_components(
    order: Order,
    row: Mapping[str, Any],
    live: list[Mapping[str, Any]],
    has_cancelled: bool,
) -> bool:
    """Fill the vouchers, discounts, shipping and total of ``order`` from its
    live items (see the package docstring); return whether the items' breakdown
    was complete and matched (a residual is the caller's to settle)."""
    complete = True
    other = ZERO
    ship_net = ship_original = ship_discount = ZERO
    originals_known = True
    for item in live:
        price = to_money(item["item_price"])
        seller = to_money(item.get("voucher_seller"))
        platform = to_money(item.get("voucher_platform"))
        order.seller_voucher += seller
        order.platform_voucher += platform
        if item.get("paid_price") in (None, ""):
            complete = False
        else:
            other += price - to_money(item["paid_price"]) - seller - platform
        ship_net += to_money(item.get("shipping_amount"))
        if item.get("shipping_fee_original") in (None, ""):
            originals_known = False
        ship_original += to_money(item.get("shipping_fee_original"))
        ship_discount += to_money(item.get("shipping_fee_discount_seller"))
        ship_discount += to_money(item.get("shipping_fee_discount_platform"))
    if originals_known and ship_original - ship_discount == ship_net:
        order.shipping_fee, order.shipping_discount = ship_original, ship_discount
    else:
        order.shipping_fee, order.shipping_discount = ship_net, ZERO
    if other > 0:
        order.other_discounts += other
    else:
        order.other_fees -= other
    if other:
        complete = False
    computed = order.computed_total()
    if has_cancelled or row.get("price") in (None, ""):
        order.total_amount = computed
    else:
        order.total_amount = (
            to_money(row["price"])
            - to_money(row.get("voucher"))
            + to_money(row.get("shipping_fee"))
        )
    return complete


def to_return(row: Mapping[str, Any]) -> Return:
    """One reverse order (a return or a refund) of the reverse order list."""
    lines = row.get("reverse_order_lines") or []
    statuses = [str(li.get("reverse_status") or "") for li in lines]
    states = {LAZADA_RETURN_STATES.get(st, "requested") for st in statuses}
    state = states.pop() if len(states) == 1 else "requested"
    return Return(
        external_id=str(row["reverse_order_id"]),
        order_external_id=str(row["trade_order_id"]),
        status=",".join(sorted(set(statuses))),
        state=state,
        update_time=epoch_time(
            max((li.get("return_order_line_gmt_modified") or 0) for li in lines)
            if lines
            else None
        ),
        refund_amount=sum((to_money(li.get("refund_amount")) for li in lines), ZERO),
        goods_returned=str(row.get("request_type", "")).upper() != "ONLY_REFUND",
        reason=next((_text(li.get("reason_text")) for li in lines), None),
        lines=[
            ReturnLine(
                item_id=_text(li.get("product_id")),
                variant_id=_text(li.get("sku_id")),
                sku=_text(li.get("seller_sku_id")),
                quantity=1,
                refund_amount=to_money(li.get("refund_amount")),
                order_line_external_id=_text(li.get("trade_order_line_id")),
            )
            for li in lines
        ],
        raw=dict(row),
    )


# ---------------------------------------------------------------------- listings


def product_listings(product: Mapping[str, Any]) -> list[Listing]:
    """One Listing per SKU of a ``/products/get`` product."""
    item_id = str(product["item_id"])
    attributes = product.get("attributes") or {}
    name = str(attributes.get("name") or "")
    rows = []
    for sku in product.get("skus") or []:
        price = sku.get("price")
        quantity = sku.get("quantity")
        rows.append(
            Listing(
                item_id=item_id,
                variant_id=str(sku["SkuId"]),
                sku=_text(sku.get("SellerSku")),
                name=name,
                status=_text(sku.get("Status")) or _text(product.get("status")),
                price=to_money(price) if price not in (None, "") else None,
                stock=int(str(quantity)) if quantity not in (None, "") else None,
                raw={"item_id": item_id, **dict(sku)},
            )
        )
    return rows


# ------------------------------------------------------------------------ pushes


def event_from_message(message: Mapping[str, Any], platform: str) -> Event:
    """Normalise a push message.

    Dedup keys: trade order messages (0) ``lazada:0:seller:order:line:status:
    status_update_time``; reverse orders (10) add the reverse order id and
    status; anything else is the sha256 of the canonical JSON.
    """
    message_type = int(str(message.get("message_type")))
    data = message.get("data")
    data = data if isinstance(data, Mapping) else {}
    seller = _text(message.get("seller_id"))
    if seller in (None, "null"):
        seller = _text(data.get("seller_id"))
    order_id = _text(data.get("trade_order_id"))
    line_id = _text(data.get("trade_order_line_id"))
    changed = data.get("status_update_time")
    if message_type == 0 and order_id:
        status = _text(data.get("order_status"))
        dedup = f"lazada:0:{seller}:{order_id}:{line_id}:{status}:{changed}"
    elif message_type == 10 and order_id:
        status = _text(data.get("reverse_status"))
        reverse = _text(data.get("reverse_order_id"))
        dedup = f"lazada:10:{seller}:{order_id}:{line_id}:{reverse}:{status}:{changed}"
    else:
        status = None
        canonical = json.dumps(message, sort_keys=True, separators=(",", ":"))
        dedup = "lazada:" + hashlib.sha256(canonical.encode()).hexdigest()
    if message_type == 8:
        update_time = epoch_time(data.get("auth_expiry_time"))
    else:
        update_time = epoch_time(changed) or epoch_time(message.get("timestamp"))
    return Event(
        platform=platform,
        dedup_key=dedup,
        kind=PUSH_KINDS.get(message_type, "other"),
        code=str(message_type),
        shop_external_id=seller,
        order_external_id=order_id if message_type in (0, 10) else None,
        status=status,
        update_time=update_time,
        raw=dict(message),
    )


# ----------------------------------------------------------------------- finance


def statement_settlement(
    statement: Mapping[str, Any],
    moment: datetime,
    rows: list[Mapping[str, Any]],
    country: str,
) -> Settlement:
    """The Settlement of a payout statement, without its lines yet."""
    payout_text = str(statement.get("payout") or "0").split()
    currency = (
        payout_text[1] if len(payout_text) > 1 else CURRENCIES.get(country, "VND")
    )
    return Settlement(
        external_id=str(statement["statement_number"]),
        payout_time=moment,
        currency=currency,
        net_amount=to_money(payout_text[0].replace(",", "")),
        paid=is_true(statement.get("paid")),
        raw={"statement": dict(statement), "rows": len(rows)},
    )


def settlement_lines(
    rows: list[Mapping[str, Any]],
    country: str,
    fee_names: Mapping[str, str] = FEE_NAMES,
) -> tuple[list[SettlementLine], dict[str, set[str]], dict[str, set[str]]]:
    """A statement's transaction rows as lines, and the order items they credit
    (``sold``) and take back (``refunded``), per order."""
    lines: list[SettlementLine] = []
    sold: dict[str, set[str]] = {}
    refunded: dict[str, set[str]] = {}
    for row in rows:
        name = str(row.get("fee_name") or row.get("transaction_type") or "")
        fee_type = fee_names.get(name.strip().lower(), "adjustment")
        order_id = _text(row.get("order_no"))
        item_id = _text(row.get("orderItem_no"))
        if order_id and item_id and fee_type in ("order_amount", "refund"):
            target = sold if fee_type == "order_amount" else refunded
            target.setdefault(order_id, set()).add(item_id)
        lines.append(
            SettlementLine(
                fee_type=fee_type,
                amount=to_money(str(row.get("amount") or 0).replace(",", "")),
                raw_code=name or "unknown",
                order_external_id=order_id,
                label=_text(row.get("details")) or name,
                transaction_id=_text(row.get("transaction_number")),
                time=row_time(row.get("transaction_date"), country),
            )
        )
    return lines, sold, refunded


def buyer_paid(item: Mapping[str, Any] | None) -> Decimal:
    """What the buyer paid for one order item (price and shipping)."""
    if not item:
        return ZERO
    return to_money(item.get("paid_price")) + to_money(item.get("shipping_amount"))


def row_time(value: Any, country: str) -> datetime | None:
    """A transaction date (``01 May 2024``, venture time) or any Lazada time."""
    text = _text(value)
    if not text:
        return None
    for pattern in ("%d %b %Y", "%d-%b-%Y"):
        try:
            moment = datetime.strptime(text, pattern)
        except ValueError:
            continue
        offset = timedelta(hours=UTC_OFFSETS.get(country, 7))
        return moment.replace(tzinfo=timezone(offset)).astimezone(timezone.utc)
    return parse_time(text, country)
