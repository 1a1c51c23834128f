"""Tiki's seller statement (the file the seller downloads): rows, CSV, XLSX."""

from __future__ import annotations

import csv
import io
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

STATEMENT_HEADER = [
    "STT",
    "Mã đơn hàng",
    "Mã SKU",
    "Tên sản phẩm",
    "Ngày hoàn thành",
    "Doanh thu",
    "Tổng phí",
    "Thuế GTGT",
    "Thuế TNCN",
    "Số tiền thực nhận",
]

#: Decree 117/2025 (from 1 July 2025): what a marketplace withholds from a
#: household or individual seller per successful order, per cent of its revenue:
#: (VAT, PIT) by kind of sale; an unknown kind takes the highest
WITHHOLDING_RATES: dict[str, tuple[Decimal, Decimal]] = {
    "goods": (Decimal(1), Decimal("0.5")),
    "services": (Decimal(5), Decimal(2)),
    "transport": (Decimal(3), Decimal("1.5")),
}


def order_withholding(order: dict[str, Any], kind: str = "goods") -> tuple[int, int]:
    """(VAT, PIT) Tiki withholds from a household seller on an order: the rates
    of its kind on its goods revenue (the items' ``invoice.subtotal``, the
    statement's revenue), each rounded half up to the đồng on its own, per order
    (our assumption: Tiki does not publish its rounding)."""
    revenue = sum(int(item["invoice"]["subtotal"]) for item in order["items"])
    rates = WITHHOLDING_RATES.get(kind, max(WITHHOLDING_RATES.values()))
    vat, pit = (
        int((revenue * rate / 100).quantize(Decimal(1), ROUND_HALF_UP))
        for rate in rates
    )
    return vat, pit


def _shares(amount: int, weights: list[int]) -> list[int]:
    """``amount`` spread over the items by weight, the rest on the last one."""
    whole = sum(weights) or 1
    shares = [amount * w // whole for w in weights[:-1]]
    return [*shares, amount - sum(shares)]


def _day(text: str) -> str:
    return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"


def statement_rows(
    orders: list[dict[str, Any]],
    withholding: str | None = None,
    returns: list[dict[str, Any]] = (),
) -> list[list[Any]]:
    """A Seller Center statement as Tiki might lay it out: a title, a header in
    Vietnamese, one row per order item (fees negative), a total row.

    ``withholding``: the kind of sale of a household seller Tiki withholds VAT
    and PIT from (:func:`order_withholding`; each order's tax spread over its
    item rows, negative); None: a company, the tax columns are zero.
    ``returns``: orders taken back in the period (returned, or cancelled after
    they were paid), dated ``_returned_at`` (else ``updated_at``): rows with the
    revenue negative, the seller fee and the withheld tax given back.
    """
    rows: list[list[Any]] = [
        ["BẢNG ĐỐI SOÁT DOANH THU NHÀ BÁN"],
        ["Kỳ đối soát", "01/05/2024 - 15/05/2024"],
        [],
        list(STATEMENT_HEADER),
    ]
    number = 0
    total = 0
    entries = [(order, 1) for order in orders] + [(order, -1) for order in returns]
    for order, sign in entries:
        done = order["updated_at"] if sign > 0 else order.get("_returned_at")
        day = _day((done or order["updated_at"])[:10])
        vat, pit = order_withholding(order, withholding) if withholding else (0, 0)
        weights = [int(item["invoice"]["subtotal"]) for item in order["items"]]
        for item, item_vat, item_pit in zip(
            order["items"], _shares(vat, weights), _shares(pit, weights), strict=True
        ):
            number += 1
            invoice = item["invoice"]
            net = sign * (invoice["seller_income"] - item_vat - item_pit)
            total += net
            rows.append(
                [
                    number,
                    order["code"],
                    item["product"]["seller_product_code"],
                    item["product"]["name"],
                    day,
                    sign * invoice["subtotal"],
                    -sign * invoice["seller_fee"],
                    -sign * item_vat,
                    -sign * item_pit,
                    net,
                ]
            )
    rows.append(["", "Tổng cộng", "", "", "", "", "", "", "", total])
    return rows


def _vnd_text(value: Any) -> str:
    """``1.234.567`` / ``(12.000)``, as Vietnamese spreadsheets export amounts."""
    if not isinstance(value, int):
        return str(value)
    text = f"{abs(value):,}".replace(",", ".")
    return f"({text})" if value < 0 else text


def statement_csv(orders: list[dict[str, Any]], **kwargs: Any) -> bytes:
    """The statement as a CSV download (UTF-8 with BOM, ``;``, VN amounts);
    ``kwargs`` as :func:`statement_rows`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in statement_rows(orders, **kwargs):
        writer.writerow([_vnd_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def statement_xlsx(orders: list[dict[str, Any]], **kwargs: Any) -> bytes:
    """The statement as an XLSX download (numbers as numbers); ``kwargs`` as
    :func:`statement_rows`."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Doi soat"
    for row in statement_rows(orders, **kwargs):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
