"""Tiki JSON to normalised records: pure functions, no I/O.

The client (:mod:`.client`) reads; these turn what it read into ``Order``,
``OrderLine``, ``Listing``, ``Event``... The zone Tiki prints its times in is
the client's: ``read_time`` is its reader of times (:func:`parse_time` in its
zone); its status table lookups are passed in too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from decimal import Decimal
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
    to_money,
)
from .const import ORDER_EVENTS, SKU_ACCEPTED_STATES, TIME_FORMAT
from .signing import event_dedup_key

#: reads one of Tiki's times (see :func:`parse_time`) into an aware UTC datetime
TimeReader = Callable[[Any], "datetime | None"]

# --------------------------------------------------------------------- values


def obj(row: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``row[key]`` when it is a JSON object, else an empty one."""
    value = row.get(key)
    return value if isinstance(value, Mapping) else {}


def decimal_number(amount: Decimal) -> int | float:
    """A money amount as a JSON number (an integer when it is whole)."""
    value = to_money(amount)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def format_time(moment: datetime, tz: tzinfo) -> str:
    """``moment`` as Tiki reads it: ``YYYY-MM-DD HH:MM:SS`` in ``tz``."""
    return moment.astimezone(tz).strftime(TIME_FORMAT)


def parse_time(value: Any, zone: Callable[[], tzinfo]) -> datetime | None:
    """Tiki's ``YYYY-MM-DD HH:MM:SS``, ISO or epoch, in UTC; a zone-less time is
    in ``zone()`` (asked for only then)."""
    text = _text(value)
    if text is None:
        return None
    if text.isdigit():
        number = int(text)
        if number > 10**11:
            number //= 1000
        return datetime.fromtimestamp(number, tz=timezone.utc)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace(" ", "T", 1))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment.astimezone(timezone.utc)


def page(data: Any, what: str) -> tuple[list[Mapping[str, Any]], int | None]:
    """The rows of a paged answer and its ``paging.last_page`` (None if absent).

    :raise PermanentError: ``bad_response`` without a ``data`` list.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("data"), list):
        raise PermanentError(
            f"malformed Tiki {what}: no 'data' list", code="bad_response"
        )
    paging = obj(data, "paging")
    last = paging.get("last_page")
    try:
        last_page = int(str(last)) if last not in (None, "") else None
    except ValueError:
        last_page = None
    rows = [r for r in data["data"] if isinstance(r, Mapping)]
    return rows, last_page


def rows_of(data: Any) -> list[dict[str, Any]]:
    """The objects of an answer that is a list or ``{"data": [...]}``."""
    rows = data.get("data") if isinstance(data, Mapping) else data
    return [dict(r) for r in rows or [] if isinstance(r, Mapping)]


# --------------------------------------------------------------------- orders


def order_ref(row: Mapping[str, Any], read_time: TimeReader) -> OrderRef:
    """One row of the order list, as a reference."""
    return OrderRef(
        external_id=str(row["code"]),
        update_time=read_time(row.get("updated_at")),
        status=_text(row.get("status")),
    )


def order_items(row: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """An order's items (objects only)."""
    return [i for i in row.get("items") or [] if isinstance(i, Mapping)]


def to_address(addr: Mapping[str, Any]) -> Address:
    """``shipping.address`` of an order."""
    address = Address(
        name=_text(addr.get("full_name")),
        phone=_text(addr.get("phone")),
        street=_text(addr.get("street")),
        ward=_text(addr.get("ward")),
        district=_text(addr.get("district")),
        state=_text(addr.get("region")),
        country_code=(_text(addr.get("country")) or "VN")[:2].upper(),
    )
    address.full_address = (
        ", ".join(
            t
            for t in (address.street, address.ward, address.district, address.state)
            if t
        )
        or None
    )
    return address


def to_order(
    row: Mapping[str, Any],
    read_time: TimeReader,
    normalise_status: Callable[[str], str],
    unknown_statuses_of: Callable[[str], list[str]],
) -> Order:
    """One order v2 JSON, its amounts not filled yet (:func:`sum_amounts`).

    :raise ValueError: an order without items (or an item without quantity).
    """
    items = order_items(row)
    if not items:
        raise ValueError("the order has no items")
    shipping = obj(row, "shipping")
    addr = obj(shipping, "address")
    customer = obj(row, "customer")
    payment = obj(row, "payment")
    cancel = obj(row, "cancel_info")
    status = str(row["status"])
    address = to_address(addr)
    method = _text(payment.get("method"))
    tracking = _text(shipping.get("tracking_code"))
    partner = obj(shipping, "partner")
    carrier = _text(partner.get("partner_name")) or _text(shipping.get("partner_name"))
    return Order(
        external_id=str(row["code"]),
        status=status,
        state=normalise_status(status),
        create_time=read_time(row.get("created_at")),
        update_time=read_time(row.get("updated_at")),
        currency="VND",
        total_amount=ZERO,
        lines=[to_line(i) for i in items],
        buyer=Buyer(
            external_id=_text(customer.get("id")),
            name=_text(customer.get("full_name")) or address.name,
            phone=_text(customer.get("phone")),
            email=_text(customer.get("email")),
        ),
        shipping_address=address,
        payment_method=method,
        cod=(method or "").lower() == "cod",
        ship_by_time=ship_by_time(items, read_time),
        cancel_reason=_text(cancel.get("reason_text")) or _text(cancel.get("reason")),
        cancelled_by=_text(cancel.get("cancelled_by")),
        shipping_carrier=carrier,
        packages=[Package(tracking_number=tracking, carrier=carrier)]
        if tracking
        else [],
        raw={"order": dict(row)},
        unknown_statuses=unknown_statuses_of(status),
    )


def ship_by_time(
    items: list[Mapping[str, Any]], read_time: TimeReader
) -> datetime | None:
    """When the order must be ready for the carrier: the earliest of its items'
    ``confirmation.pickup_confirm_sla``, the "pickup confirmation deadline
    (only for drop shipping)", ``YYYY-MM-DD HH:MM:SS`` in Vietnam's time.

    Only community clients transcribing Tiki's order v2 table name it (the
    official page was not readable): its ``available_confirm_sla``, the
    deadline to confirm the items are available, is not a shipping deadline.
    Tiki's other fulfilment types give none (Entro's default applies)."""
    return earliest(
        deadline(obj(item, "confirmation").get("pickup_confirm_sla"), read_time)
        for item in items
    )


def to_line(item: Mapping[str, Any]) -> OrderLine:
    """One order item (one product with a quantity)."""
    product = obj(item, "product")
    invoice = obj(item, "invoice")
    quantity = int(str(invoice.get("quantity") or item.get("qty") or 0))
    if quantity <= 0:
        raise ValueError(f"item {item.get('id')} has no quantity")
    price = to_money(invoice["price"])
    confirmation = item.get("confirmation")
    return OrderLine(
        external_id=str(item["id"]),
        item_id=str(product.get("id") or ""),
        variant_id=None,
        sku=_text(product.get("seller_product_code")) or _text(product.get("sku")),
        name=str(product.get("name") or ""),
        quantity=quantity,
        unit_price=price,
        discounted_unit_price=price,
        status=_text(confirmation.get("status"))
        if isinstance(confirmation, Mapping)
        else None,
    )


def sum_amounts(
    order: Order, invoice: Mapping[str, Any], items: list[Mapping[str, Any]]
) -> bool:
    """Add up the order's vouchers, discounts and fees and set its total (the
    amounts of the package docstring); False when Tiki gave no ``grand_total``
    (the total is then computed)."""
    complete = True
    for item in items:
        inv = item.get("invoice") or {}
        coupon = to_money(inv.get("discount_coupon"))
        if inv.get("is_seller_discount_coupon") in (True, "true", 1, "1"):
            order.seller_voucher += coupon
        else:
            order.platform_voucher += coupon
        order.coins += to_money(inv.get("discount_tikixu"))
        order.other_discounts += (
            to_money(inv.get("discount_promotion"))
            + to_money(inv.get("discount_percent"))
            + to_money(inv.get("discount_other"))
        )
    ship_discount = to_money(invoice.get("shipping_discount_amount"))
    order.shipping_fee = (
        to_money(invoice.get("shipping_amount_after_discount")) + ship_discount
    )
    order.shipping_discount = ship_discount
    order.other_fees = to_money(invoice.get("handling_fee")) + to_money(
        invoice.get("other_fee")
    )
    if invoice.get("grand_total") in (None, ""):
        complete = False
        order.total_amount = order.computed_total()
    else:
        order.total_amount = to_money(invoice["grand_total"])
    return complete


# ----------------------------------------------------------------------- fees


@dataclass
class ItemFees:
    """What Tiki keeps and pays for one order item (payout side)."""

    item_id: str
    sku: str | None
    quantity: int
    seller_fee: Decimal
    seller_income: Decimal
    fees: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class OrderFees:
    """The seller's side of one order: fees per item and the income Tiki pays."""

    order_code: str
    items: list[ItemFees] = field(default_factory=list)

    @property
    def seller_fee(self) -> Decimal:
        return sum((i.seller_fee for i in self.items), ZERO)

    @property
    def seller_income(self) -> Decimal:
        return sum((i.seller_income for i in self.items), ZERO)

    def fees_by_type(self) -> dict[str, Decimal]:
        """Total of each fee type (``fee_type_name`` or ``fee_type_code``)."""
        totals: dict[str, Decimal] = {}
        for item in self.items:
            for fee in item.fees:
                key = str(fee.get("type") or "other")
                totals[key] = totals.get(key, ZERO) + to_money(fee.get("amount"))
        return totals


def order_fees(raw: Mapping[str, Any]) -> OrderFees:
    """The seller's fees and income of an order, from its v2 JSON.

    Each item's ``invoice.seller_fee``/``seller_income`` are Tiki's own figures
    (what the statement shows); ``fees[]`` break the fee down when the order was
    read with ``include=items.fees``.
    """
    with malformed("Tiki", "order fees"):
        result = OrderFees(order_code=str(raw["code"]))
        for item in raw.get("items") or []:
            invoice = item.get("invoice") or {}
            product = item.get("product") or {}
            fees = []
            for fee in item.get("fees") or invoice.get("fees") or []:
                if not isinstance(fee, Mapping):
                    continue
                kind = obj(fee, "fee_type")
                fees.append(
                    {
                        "type": _text(fee.get("fee_type_name"))
                        or _text(kind.get("name"))
                        or _text(fee.get("fee_type_code"))
                        or _text(kind.get("code"))
                        or "other",
                        "amount": to_money(
                            fee.get("final_amount", fee.get("total_amount"))
                        ),
                    }
                )
            result.items.append(
                ItemFees(
                    item_id=str(item["id"]),
                    sku=_text(product.get("seller_product_code")),
                    quantity=int(str(invoice.get("quantity") or item.get("qty") or 0)),
                    seller_fee=to_money(invoice.get("seller_fee")),
                    seller_income=to_money(invoice.get("seller_income")),
                    fees=fees,
                )
            )
    return result


# ------------------------------------------------------------------- listings


def to_listing(row: Mapping[str, Any]) -> Listing:
    """One Tiki product (a Tiki product is one SKU)."""
    inventory = obj(row, "inventory")
    quantity = inventory.get("quantity_available")
    if quantity in (None, ""):
        rows = inventory.get("warehouse_quantities") or row.get("warehouse_quantities")
        if isinstance(rows, list):
            quantity = sum(int(str(w.get("qty_available") or 0)) for w in rows)
    price = row.get("price")
    active = row.get("active")
    return Listing(
        item_id=str(row["product_id"]),
        variant_id=None,
        sku=_text(row.get("original_sku")) or _text(row.get("sku")),
        name=str(row.get("name") or ""),
        status="active" if active in (1, True, "1", "true") else "inactive",
        price=to_money(price) if price not in (None, "") else None,
        stock=int(str(quantity)) if quantity not in (None, "") else None,
        raw=dict(row),
    )


def sku_row(update: Any, values: Mapping[str, Any]) -> dict[str, Any]:
    """One row of an updateSkus body: the product (id, else seller SKU) and
    its new ``values``."""
    row: dict[str, Any] = {}
    if str(update.item_id).isdigit():
        row["product_id"] = int(update.item_id)
    elif update.sku:
        row["original_sku"] = update.sku
    row.update(values)
    return row


def failed_rows(
    updates: list[Any], data: Any, scrub: Callable[[Any], str]
) -> dict[int, str]:
    """Positions in ``updates`` that an answer's per-SKU results refuse, with
    the reason (passed through ``scrub``)."""
    if not isinstance(data, Mapping):
        return {}
    rows = data.get("data") if isinstance(data.get("data"), list) else None
    rows = rows if rows is not None else data.get("errors")
    if not isinstance(rows, list):
        return {}
    named: dict[int, str] = {}
    for row in rows:
        if not isinstance(row, Mapping):
            continue
        state = str(row.get("state") or row.get("status") or "").lower()
        errors = row.get("errors") or row.get("message")
        if state in SKU_ACCEPTED_STATES and not errors:
            continue
        if not errors and not state:
            continue
        product_id = _text(row.get("product_id"))
        sku = _text(row.get("original_sku"))
        message = (
            scrub("; ".join(map(str, errors)) if isinstance(errors, list) else errors)
            or state
        )
        for position, update in enumerate(updates):
            if (product_id and str(update.item_id) == product_id) or (
                sku and update.sku == sku
            ):
                named[position] = message[:250]
    return named


# --------------------------------------------------------------------- events


@dataclass
class QueueBatch:
    """One pull from an event queue: its events and the ``ack_id`` naming them."""

    ack_id: str | None
    events: list[Event] = field(default_factory=list)


def event_from_message(
    message: Mapping[str, Any], read_time: TimeReader, platform: str = "tiki"
) -> Event:
    """Normalise one queued event.

    The envelope's field names are not documented: ``id``/``event_id``,
    ``type``/``event_type``, ``sid``/``seller_id``, ``created_at`` and
    ``payload``/``data`` are all read. The dedup key is ``tiki:<id>``, or
    the sha256 of the canonical JSON when an event has no id.
    """
    payload = message.get("payload")
    if not isinstance(payload, Mapping):
        payload = obj(message, "data")
    event_type = _text(message.get("type")) or _text(message.get("event_type")) or ""
    dedup = event_dedup_key(message)
    try:
        when = read_time(message.get("created_at") or message.get("timestamp"))
    except (TypeError, ValueError, OverflowError, OSError):
        when = None
    order_code = _text(payload.get("order_code"))
    is_order = event_type in ORDER_EVENTS and bool(order_code)
    return Event(
        platform=platform,
        dedup_key=dedup,
        kind="order_status" if is_order else "other",
        code=event_type or None,
        shop_external_id=_text(message.get("sid")) or _text(message.get("seller_id")),
        order_external_id=order_code if is_order else None,
        status=_text(payload.get("status")),
        update_time=when,
        raw=dict(message),
    )
