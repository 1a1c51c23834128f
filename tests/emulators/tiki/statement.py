"""Tiki's seller statement (the file the seller downloads): rows, CSV, XLSX."""

from __future__ import annotations

import csv
import io
from typing import Any

STATEMENT_HEADER = [
    "STT",
    "Mã đơn hàng",
    "Mã SKU",
    "Tên sản phẩm",
    "Ngày hoàn thành",
    "Doanh thu",
    "Tổng phí",
    "Số tiền thực nhận",
]


def statement_rows(orders: list[dict[str, Any]]) -> list[list[Any]]:
    """A Seller Center statement as Tiki might lay it out: a title, a header in
    Vietnamese, one row per order item (fees negative), a total row."""
    rows: list[list[Any]] = [
        ["BẢNG ĐỐI SOÁT DOANH THU NHÀ BÁN"],
        ["Kỳ đối soát", "01/05/2024 - 15/05/2024"],
        [],
        list(STATEMENT_HEADER),
    ]
    number = 0
    total = 0
    for order in orders:
        done = order["updated_at"][:10]
        day = f"{done[8:10]}/{done[5:7]}/{done[0:4]}"
        for item in order["items"]:
            number += 1
            invoice = item["invoice"]
            total += invoice["seller_income"]
            rows.append(
                [
                    number,
                    order["code"],
                    item["product"]["seller_product_code"],
                    item["product"]["name"],
                    day,
                    invoice["subtotal"],
                    -invoice["seller_fee"],
                    invoice["seller_income"],
                ]
            )
    rows.append(["", "Tổng cộng", "", "", "", "", "", total])
    return rows


def _vnd_text(value: Any) -> str:
    """``1.234.567`` / ``(12.000)``, as Vietnamese spreadsheets export amounts."""
    if not isinstance(value, int):
        return str(value)
    text = f"{abs(value):,}".replace(",", ".")
    return f"({text})" if value < 0 else text


def statement_csv(orders: list[dict[str, Any]]) -> bytes:
    """The statement as a CSV download (UTF-8 with BOM, ``;``, VN amounts)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in statement_rows(orders):
        writer.writerow([_vnd_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def statement_xlsx(orders: list[dict[str, Any]]) -> bytes:
    """The statement as an XLSX download (numbers as numbers)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Doi soat"
    for row in statement_rows(orders):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
