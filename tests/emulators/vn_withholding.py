"""The tax a Vietnamese marketplace withholds from a household or individual
seller (Decree 117/2025/ND-CP, since 1 July 2025), for the emulators.

On each successful order the platform withholds VAT and personal income tax at
fixed rates of the order's revenue, by the kind of business: goods 1 % + 0.5 %,
services 5 % + 2 %, transport and goods-related services 3 % + 1.5 %, and the
highest rates when the kind is unknown; it offsets those of the orders cancelled
or returned in the period.

Rounding (our assumption, the platforms do not publish theirs): each tax is
computed per order (per order item on Lazada) and rounded half up to the whole
đồng, VND having no smaller unit.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

#: kind of business -> (VAT rate, PIT rate)
RATES: dict[str, tuple[Decimal, Decimal]] = {
    "goods": (Decimal("0.01"), Decimal("0.005")),
    "services": (Decimal("0.05"), Decimal("0.02")),
    "transport": (Decimal("0.03"), Decimal("0.015")),
    "unknown": (Decimal("0.05"), Decimal("0.02")),
}
KINDS = tuple(RATES)


def withheld(revenue: int, kind: str | None) -> tuple[int, int]:
    """(VAT, PIT) withheld on ``revenue`` đồng; (0, 0) for a company (None)."""
    if not kind or revenue <= 0:
        return 0, 0
    vat_rate, pit_rate = RATES[kind]
    return (
        int((revenue * vat_rate).quantize(Decimal(1), ROUND_HALF_UP)),
        int((revenue * pit_rate).quantize(Decimal(1), ROUND_HALF_UP)),
    )
