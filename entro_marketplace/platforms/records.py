"""Normalised records shared by every marketplace platform.

Every platform module turns its own JSON into these plain dataclasses, so the Odoo
layer never has to read platform JSON (``raw`` is kept for storage and debugging
only).

Money
-----
All amounts are :class:`decimal.Decimal` in the order's currency, never ``float``.
VND has no minor unit, but other Shopee markets (SG, MY, ...) do, and Decimal keeps
both exact. Use :func:`to_money` to convert platform numbers (JSON floats, ints or
strings) without binary rounding noise.

Order amount identity
---------------------
An :class:`Order` satisfies::

    sum(line.subtotal)                      # discounted_unit_price * quantity
    + shipping_fee                          # shipping charged to the buyer
    - shipping_discount                     # shipping discounts not already netted
    - seller_voucher                        # vouchers funded by the seller
    - platform_voucher                      # vouchers funded by the platform
    - coins                                 # platform coins redeemed by the buyer
    - other_discounts                       # anything else lowering the price
    + other_fees                            # buyer-paid fees and taxes
    == total_amount                         # what the buyer pays (platform number)

:meth:`Order.check_total` returns ``computed - total_amount`` (zero when the
identity holds). Platform modules fill the components from the platform's own
breakdown; when a platform does not expose the breakdown for an order, the module
puts the unexplained residual in ``other_discounts`` (or ``other_fees`` when
negative) and sets ``amounts_complete = False`` so the Odoo layer can flag it.
When the breakdown exists but could not be read this time (the platform's payment
API refused or failed), the module also sets ``amounts_pending = True``: the total
is still the platform's, and a later fetch of the order brings the breakdown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

ZERO = Decimal(0)

#: The normalised order states, in rough life-cycle order.
ORDER_STATES = (
    "unpaid",
    "pending",
    "to_ship",
    "shipped",
    "delivered",
    "completed",
    "in_cancel",
    "cancelled",
    "to_return",
    "returned",
)

#: The normalised event kinds.
EVENT_KINDS = (
    "order_status",
    "tracking",
    "auth_granted",
    "auth_revoked",
    "auth_expiring",
    "other",
)


def to_money(value: Any) -> Decimal:
    """Convert a platform amount to Decimal exactly as the platform printed it.

    Floats go through ``repr`` (shortest round-trip form), so ``1.1`` becomes
    ``Decimal("1.1")`` and not the binary expansion. ``None`` and ``""`` become 0.

    :raise ValueError: for values that are not numbers (including NaN/inf).
    """
    if value is None or value == "":
        return ZERO
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int) and not isinstance(value, bool):
        result = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not an amount: {value!r}")
        result = Decimal(repr(value))
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation as exc:
            raise ValueError(f"not an amount: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not an amount: {value!r}")
    return result


@dataclass
class Address:
    """A postal address as the platform gave it (possibly masked, e.g. ``****``)."""

    name: str | None = None
    phone: str | None = None
    full_address: str | None = None
    street: str | None = None
    ward: str | None = None
    district: str | None = None
    city: str | None = None
    state: str | None = None
    zip: str | None = None
    country_code: str | None = None


@dataclass
class Buyer:
    """The buyer account on the platform."""

    external_id: str | None = None
    username: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass
class OrderLine:
    """One order line (one item/variant with a quantity).

    ``unit_price`` is the listing price before any discount; ``discounted_unit_price``
    is the price per unit the buyer is charged before order-level vouchers.
    ``seller_discount`` and ``platform_discount`` are line totals (not per unit) of
    the item-level discounts, split by who funds them when the platform says so.
    """

    external_id: str
    item_id: str
    variant_id: str | None
    sku: str | None
    name: str
    quantity: int
    unit_price: Decimal
    discounted_unit_price: Decimal
    seller_discount: Decimal = ZERO
    platform_discount: Decimal = ZERO
    status: str | None = None

    @property
    def subtotal(self) -> Decimal:
        """Discounted line amount: ``discounted_unit_price * quantity``."""
        return self.discounted_unit_price * self.quantity

    @property
    def original_subtotal(self) -> Decimal:
        """Line amount at the listing price: ``unit_price * quantity``."""
        return self.unit_price * self.quantity


@dataclass
class Package:
    """A parcel of an order (tracking number may arrive later)."""

    package_number: str | None = None
    tracking_number: str | None = None
    carrier: str | None = None
    logistics_status: str | None = None


@dataclass
class Order:
    """A normalised marketplace order. See the module docstring for the amounts."""

    external_id: str
    status: str
    state: str
    create_time: datetime | None
    update_time: datetime | None
    currency: str
    total_amount: Decimal
    lines: list[OrderLine] = field(default_factory=list)
    buyer: Buyer | None = None
    shipping_address: Address | None = None
    shipping_fee: Decimal = ZERO
    shipping_discount: Decimal = ZERO
    seller_voucher: Decimal = ZERO
    platform_voucher: Decimal = ZERO
    coins: Decimal = ZERO
    other_discounts: Decimal = ZERO
    other_fees: Decimal = ZERO
    amounts_complete: bool = True
    #: the breakdown could not be read this time (the platform's payment API
    #: refused or failed) but the total is the platform's: a later fetch of the
    #: order completes it (``amounts_complete`` is False meanwhile)
    amounts_pending: bool = False
    payment_method: str | None = None
    cod: bool = False
    pay_time: datetime | None = None
    #: when the seller must have the order ready to ship (the platform's deadline;
    #: None when the platform gives none)
    ship_by_time: datetime | None = None
    note: str | None = None
    buyer_message: str | None = None
    cancel_reason: str | None = None
    cancelled_by: str | None = None
    shipping_carrier: str | None = None
    packages: list[Package] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)
    #: why the platform's data for this order could not be read (empty when it
    #: could): such an order carries its raw data and is kept for a person
    problems: list[str] = field(default_factory=list)
    #: lines the platform cancelled inside an order that goes on (Lazada cancels
    #: per unit): kept for reference, never part of ``lines`` nor of the amounts
    cancelled_lines: list[OrderLine] = field(default_factory=list)
    #: raw statuses of the order (or of its items) that no mapping knows: such an
    #: order is held for a person rather than imported in a guessed state
    unknown_statuses: list[str] = field(default_factory=list)

    @property
    def lines_total(self) -> Decimal:
        """Sum of the discounted line subtotals."""
        return sum((line.subtotal for line in self.lines), ZERO)

    @property
    def tracking_numbers(self) -> list[str]:
        """Known tracking numbers of the order's packages."""
        return [p.tracking_number for p in self.packages if p.tracking_number]

    def computed_total(self) -> Decimal:
        """The total rebuilt from the components (left side of the identity)."""
        return (
            self.lines_total
            + self.shipping_fee
            - self.shipping_discount
            - self.seller_voucher
            - self.platform_voucher
            - self.coins
            - self.other_discounts
            + self.other_fees
        )

    def check_total(self) -> Decimal:
        """Return ``computed_total() - total_amount``; zero when consistent."""
        return self.computed_total() - self.total_amount


@dataclass
class OrderRef:
    """A pointer to an order found by a listing call (fetch details separately).

    ``header`` is the order's raw header when the platform's list returns whole
    headers (``Platform.refs_carry_headers``): handed back to ``get_orders``, it
    spares the read of each order's header. It holds buyer data.
    """

    external_id: str
    update_time: datetime | None = None
    status: str | None = None
    header: dict[str, Any] | None = field(default=None, repr=False, compare=False)


# --- fulfilment

#: How the seller hands parcels to the carrier.
SHIP_MODES = ("pickup", "dropoff")

#: Why a seller cancels an order (each platform maps them to its own codes).
CANCEL_REASONS = (
    "out_of_stock",
    "customer_request",
    "undeliverable_area",
    "cod_not_supported",
)

#: Normalised states of a return/refund request. Only "refunded" is final and
#: moves goods and money back; "requested" may still be refused or cancelled.
RETURN_STATES = ("requested", "refunded", "cancelled")


@dataclass
class Shipment:
    """A shipment arranged on the platform for one order (or one package).

    ``tracking_number`` is None while the carrier has not assigned it yet:
    ask again later with :meth:`~.base.Platform.get_tracking`.
    """

    order_external_id: str
    package_number: str | None = None
    tracking_number: str | None = None
    carrier: str | None = None
    mode: str | None = None
    #: platform ids the next steps need (e.g. Lazada order item ids)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ShippingDocument:
    """A printable shipping label (air waybill) as the platform produced it."""

    filename: str
    content: bytes = field(repr=False)
    mimetype: str = "application/pdf"


@dataclass
class ReturnLine:
    """Units of one order line the buyer returns (or is refunded for)."""

    item_id: str | None
    variant_id: str | None
    sku: str | None
    quantity: int
    refund_amount: Decimal = ZERO
    #: the OrderLine.external_id it refers to, when the platform says it
    order_line_external_id: str | None = None


@dataclass
class Return:
    """A return or refund request of a buyer, normalised."""

    external_id: str
    order_external_id: str
    status: str
    state: str
    update_time: datetime | None = None
    refund_amount: Decimal = ZERO
    #: False for a refund without goods coming back
    goods_returned: bool = True
    reason: str | None = None
    lines: list[ReturnLine] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Listing:
    """One sellable variant of a platform item (``variant_id`` "0" = no variant)."""

    item_id: str
    variant_id: str | None
    sku: str | None
    name: str
    status: str | None
    price: Decimal | None
    stock: int | None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class StockUpdate:
    """Set the sellable quantity of one item/variant."""

    item_id: str
    variant_id: str | None
    quantity: int
    sku: str | None = None


@dataclass
class PriceUpdate:
    """Set the (original, pre-promotion) price of one item/variant."""

    item_id: str
    variant_id: str | None
    price: Decimal
    sku: str | None = None


@dataclass
class UpdateResult:
    """Outcome of one stock or price update."""

    item_id: str
    variant_id: str | None
    sku: str | None
    ok: bool
    error_code: str | None = None
    message: str | None = None


@dataclass
class TokenSet:
    """Tokens returned by an authorization or refresh (store them atomically)."""

    access_token: str
    refresh_token: str | None
    access_expires_at: datetime | None
    refresh_expires_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # never show the tokens themselves
        return (
            f"TokenSet(access_token='***', refresh_token='***', "
            f"access_expires_at={self.access_expires_at!r}, "
            f"refresh_expires_at={self.refresh_expires_at!r}, extra={self.extra!r})"
        )


@dataclass
class Event:
    """A verified webhook (or recovered lost push), normalised.

    ``dedup_key`` is stable for the same notification whether it arrives once,
    several times, or later through the lost-message API.
    """

    platform: str
    dedup_key: str
    kind: str
    code: str | None = None
    shop_external_id: str | None = None
    order_external_id: str | None = None
    status: str | None = None
    update_time: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


# --------------------------------------------------------------------- settlements

#: The normalised fee types of a settlement line. Amounts are signed as seen by
#: the seller: positive adds to the payout, negative is deducted from it.
#:
#: - ``order_amount``: what the buyer paid for the order (items and shipping,
#:   net of every voucher), settled to the seller: the customer receivable;
#: - ``platform_subsidy``: discounts the platform funds and pays back (its
#:   vouchers, coins, shipping discounts);
#: - ``seller_voucher``: vouchers the seller funds, when the platform charges them
#:   in the payout instead of netting them in ``order_amount``;
#: - ``commission``, ``transaction_fee`` (payment/transaction fees),
#:   ``service_fee`` (programme and service fees);
#: - ``shipping_fee`` (shipping the seller pays), ``shipping_rebate`` (shipping
#:   the platform pays back);
#: - ``refund`` (money returned to the buyer after a return or a cancellation);
#: - ``withheld_vat``, ``withheld_pit``: tax the platform withholds on the seller's
#:   behalf (VAT and personal income tax, e.g. Vietnam's Decree 117/2025 for household
#:   and individual sellers); negative when withheld, positive when offset back (a
#:   cancelled or returned order). Tax already paid, never an expense; a platform that
#:   does not separate the two books the whole as ``withheld_vat`` with its raw code;
#: - ``adjustment`` (anything else, and the unexplained rest of a payout).
FEE_TYPES = (
    "order_amount",
    "platform_subsidy",
    "seller_voucher",
    "commission",
    "transaction_fee",
    "service_fee",
    "shipping_fee",
    "shipping_rebate",
    "refund",
    "withheld_vat",
    "withheld_pit",
    "adjustment",
)

#: Fee types of tax withheld by the platform on the seller's behalf.
WITHHELD_TAX_TYPES = ("withheld_vat", "withheld_pit")

#: Fee types that make up the price of an order rather than a fee on it.
SALE_FEE_TYPES = ("order_amount", "platform_subsidy", "seller_voucher")


@dataclass
class SettlementLine:
    """One amount of a payout, for one order (or none) and one fee type.

    ``raw_code`` keeps the platform's own fee code(s) (comma-separated when the
    platform gave several rows of the same type for the order).
    """

    fee_type: str
    amount: Decimal
    raw_code: str
    order_external_id: str | None = None
    label: str | None = None
    transaction_id: str | None = None
    time: datetime | None = None


@dataclass
class Settlement:
    """One payout of the platform to the seller, with the lines it pays.

    ``net_amount`` is the platform's payout figure; the lines add up to it (a
    platform module puts an unexplained rest in an ``adjustment`` line, code
    ``unexplained``). ``buyer_paid`` is what the platform says each order's
    buyer paid (when it says so); ``paid`` whether the money left the platform.
    """

    external_id: str
    payout_time: datetime
    currency: str
    net_amount: Decimal
    paid: bool = True
    lines: list[SettlementLine] = field(default_factory=list)
    buyer_paid: dict[str, Decimal] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def lines_total(self) -> Decimal:
        """Sum of the line amounts."""
        return sum((line.amount for line in self.lines), ZERO)

    def check_total(self) -> Decimal:
        """``lines_total - net_amount``; zero when the lines explain the payout."""
        return self.lines_total - self.net_amount

    def balance(self) -> None:
        """Add an ``adjustment`` line for whatever the lines do not explain."""
        rest = -self.check_total()
        if rest:
            self.lines.append(
                SettlementLine(
                    fee_type="adjustment",
                    amount=rest,
                    raw_code="unexplained",
                    label="Not explained by the platform's lines",
                )
            )


def merge_lines(lines: list[SettlementLine]) -> list[SettlementLine]:
    """One line per (order, fee type): amounts summed, raw codes joined."""
    merged: dict[tuple[str | None, str], SettlementLine] = {}
    for line in lines:
        key = (line.order_external_id, line.fee_type)
        kept = merged.get(key)
        if kept is None:
            merged[key] = replace(line)
            continue
        kept.amount += line.amount
        codes = kept.raw_code.split(",")
        if line.raw_code not in codes:
            kept.raw_code = ",".join([*codes, line.raw_code])
        if line.time and (kept.time is None or line.time > kept.time):
            kept.time = line.time
    return [line for line in merged.values() if line.amount]


def credited(lines: list[SettlementLine], order_id: str, fee_type: str) -> Decimal:
    """What the lines of ``fee_type`` credit for one order."""
    return sum(
        (
            line.amount
            for line in lines
            if line.order_external_id == order_id and line.fee_type == fee_type
        ),
        ZERO,
    )


def subsidy_split(
    lines: list[SettlementLine], order_id: str, fee_type: str, buyer: Decimal
) -> list[SettlementLine]:
    """Move what a platform credited beyond what the buyer paid to its subsidy.

    Lazada and TikTok credit a price that holds their own vouchers: the lines
    of ``fee_type`` (the sale, or its refund) are brought to what the buyer paid
    (``buyer``; negative for a refund) and the rest shown as platform subsidy.
    """
    rest = credited(lines, order_id, fee_type) - buyer
    if not rest or not any(
        line.order_external_id == order_id and line.fee_type == fee_type
        for line in lines
    ):
        return []
    return [
        SettlementLine(fee_type, -rest, "platform_funded", order_id),
        SettlementLine("platform_subsidy", rest, "platform_funded", order_id),
    ]
