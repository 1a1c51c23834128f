"""Tiki's twice-monthly seller statement, read from the file Seller Center gives.

Tiki has no settlement API that we know of: a statement is published on the 1st
and the 16th, and a person downloads it (CSV or XLSX) from Seller Center. This
module reads such a file into normalised lines, one per order (or per order
item), and checks it against what Entro expects from each order's own fees and
income (:func:`~.mappers.order_fees`), to the đồng.

Pure Python (``openpyxl`` for XLSX). The exact columns of Tiki's file are not
documented: each field is found by any of several header names, English or
Vietnamese (:data:`COLUMNS`), and a caller may add its own. Title rows above the
header are skipped; a header is the first row naming an order code column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from ..records import ZERO, Settlement, SettlementLine, merge_lines

#: field -> header names it may have (compared without accents, case or spaces)
COLUMNS: dict[str, tuple[str, ...]] = {
    "order_code": ("order code", "order id", "ma don hang", "ma don", "so don hang"),
    "sku": ("sku", "seller sku", "ma sku", "ma san pham", "original sku"),
    "description": ("description", "dien giai", "noi dung", "ten san pham"),
    "date": ("date", "ngay", "ngay giao dich", "ngay hoan thanh", "completed date"),
    "gross": (
        "gross",
        "revenue",
        "doanh thu",
        "gia tri don hang",
        "tong tien hang",
        "subtotal",
    ),
    "fee": ("fee", "fees", "tong phi", "phi", "seller fee", "total fee"),
    "net": (
        "net",
        "seller income",
        "thuc nhan",
        "so tien thuc nhan",
        "doanh thu thuc nhan",
        "so tien thanh toan",
        "payout",
    ),
}
REQUIRED = ("order_code", "net")
HEADER_SCAN_ROWS = 30
_TOTAL_WORDS = ("tong cong", "total", "tong")


class StatementError(ValueError):
    """The file is not a statement we can read; the message says why."""


def _plain(text: Any) -> str:
    """Lower case, no accents (đ -> d), single spaces."""
    value = unicodedata.normalize("NFKD", str(text or "")).replace("đ", "d")
    value = value.replace("Đ", "d")
    value = "".join(c for c in value if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", value).split())


def parse_vnd(value: Any) -> Decimal:
    """An amount as a statement prints it: ``1.234.567``, ``1,234,567 ₫``,
    ``(12.000)``, ``-12000``, or a number from a spreadsheet cell.

    :raise StatementError: when it is not an amount.
    """
    if value is None or value == "":
        return ZERO
    if isinstance(value, bool):
        raise StatementError(f"not an amount: {value!r}")
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    text = str(value).strip()
    negative = text.startswith("(") and text.endswith(")")
    text = re.sub(r"(?i)vn[dđ]|[₫đ\s()]", "", text)
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", text):
        text = re.sub(r"[.,]", "", text)  # thousands separators (VND: no decimals)
    elif re.fullmatch(r"\d+[.,]\d{1,2}", text):
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise StatementError(f"not an amount: {value!r}") from None
    if not amount.is_finite():
        raise StatementError(f"not an amount: {value!r}")
    return -amount if negative else amount


def _parse_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in (
        "%d/%m/%Y",
        "%Y-%m-%d",
        "%d-%m-%Y",
        "%d/%m/%Y %H:%M:%S",
        "%Y-%m-%d %H:%M:%S",
    ):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise StatementError(f"not a date: {value!r}")


@dataclass
class StatementLine:
    """One row of a statement."""

    row: int
    order_code: str
    net: Decimal
    gross: Decimal = ZERO
    fee: Decimal = ZERO
    sku: str | None = None
    description: str | None = None
    date: date | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass
class Statement:
    """A statement file, read."""

    lines: list[StatementLine] = field(default_factory=list)
    currency: str = "VND"

    @property
    def total_net(self) -> Decimal:
        return sum((line.net for line in self.lines), ZERO)

    @property
    def total_fee(self) -> Decimal:
        return sum((line.fee for line in self.lines), ZERO)

    @property
    def period(self) -> tuple[date | None, date | None]:
        dates = [line.date for line in self.lines if line.date]
        return (min(dates), max(dates)) if dates else (None, None)

    def net_by_order(self) -> dict[str, Decimal]:
        """The net paid per order (an order's rows added up)."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.order_code] = totals.get(line.order_code, ZERO) + line.net
        return totals


@dataclass
class Difference:
    """An order whose statement amount is not what Entro expected."""

    order_code: str
    expected: Decimal | None
    on_statement: Decimal | None

    @property
    def delta(self) -> Decimal:
        return (self.on_statement or ZERO) - (self.expected or ZERO)


def reconcile(
    statement: Statement, expected: Mapping[str, Decimal]
) -> list[Difference]:
    """Orders whose net differs by even one đồng, or that only one side knows.

    ``expected`` maps an order code to the income Entro expects for it (e.g.
    ``order_fees(raw).seller_income``) for the orders the statement period
    covers.
    """
    found = statement.net_by_order()
    differences = []
    for code in sorted(set(found) | set(expected)):
        have, want = found.get(code), expected.get(code)
        if have is None or want is None or have != Decimal(want):
            differences.append(Difference(code, want, have))
    return differences


def _rows_from_csv(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1258", "latin-1"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    # the separator used most in the first lines (title rows have few)
    sample = text[:8192]
    delimiter = max(";,\t", key=sample.count)
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _rows_from_xlsx(content: bytes) -> list[list[Any]]:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - a dependency of the suite
        raise StatementError("reading XLSX needs openpyxl") from exc
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True
        )
    except Exception as exc:  # openpyxl raises many kinds on a bad file
        raise StatementError(f"not an XLSX file: {type(exc).__name__}") from exc
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _header_map(
    row: Iterable[Any], columns: Mapping[str, Iterable[str]]
) -> dict[str, int]:
    cells = [_plain(c) for c in row]
    found: dict[str, int] = {}
    for name, aliases in columns.items():
        wanted = [_plain(a) for a in aliases]
        for alias in wanted:  # the first alias that names a cell wins
            if alias in cells:
                found[name] = cells.index(alias)
                break
    return found


def parse_statement(
    content: bytes,
    filename: str = "",
    columns: Mapping[str, Iterable[str]] | None = None,
) -> Statement:
    """Read a statement file (XLSX by its content or name, else CSV).

    :param columns: extra header names per field, added to :data:`COLUMNS`.
    :raise StatementError: no header row with an order code and a net amount,
        or a row whose amount or date cannot be read (with its row number).
    """
    names = {k: tuple(v) for k, v in COLUMNS.items()}
    for key, aliases in (columns or {}).items():
        names[key] = tuple(aliases) + names.get(key, ())
    is_xlsx = content[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))
    rows = _rows_from_xlsx(content) if is_xlsx else _rows_from_csv(content)
    header_at, header = None, {}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        header = _header_map(row, names)
        if all(k in header for k in REQUIRED):
            header_at = index
            break
    if header_at is None:
        raise StatementError(
            "no header row naming an order code and a net amount in the first "
            f"{HEADER_SCAN_ROWS} rows (known names: "
            + "; ".join(f"{k}: {', '.join(names[k])}" for k in REQUIRED)
            + ")"
        )
    titles = [str(c or "") for c in rows[header_at]]
    statement = Statement()
    for number, row in enumerate(rows[header_at + 1 :], start=header_at + 2):

        def cell(name: str, row: list[Any] = row) -> Any:
            position = header.get(name)
            if position is None or position >= len(row):
                return None
            value = row[position]
            return value.strip() if isinstance(value, str) else value

        code = cell("order_code")
        if code in (None, ""):
            continue  # blank or sub-total rows
        code = (
            str(int(code))
            if isinstance(code, float) and code.is_integer()
            else str(code)
        )
        if _plain(code) in _TOTAL_WORDS or _plain(code).startswith("tong"):
            continue
        try:
            line = StatementLine(
                row=number,
                order_code=code,
                net=parse_vnd(cell("net")),
                gross=parse_vnd(cell("gross")),
                fee=abs(parse_vnd(cell("fee"))),
                sku=str(cell("sku")) if cell("sku") not in (None, "") else None,
                description=str(cell("description") or "") or None,
                date=_parse_date(cell("date")),
                raw={
                    titles[i] or f"column {i + 1}": row[i]
                    for i in range(min(len(titles), len(row)))
                },
            )
        except StatementError as exc:
            raise StatementError(f"row {number}: {exc}") from None
        statement.lines.append(line)
    return statement


def statement_id(statement: Statement, content: bytes) -> str:
    """The statement's identity: its period (first to last date on it), else a
    digest of the file, so that the same statement uploaded again is known."""
    start, end = statement.period
    if start and end:
        return f"TIKI-{start.isoformat()}-{end.isoformat()}"
    return "TIKI-" + hashlib.sha1(content).hexdigest()[:16]


def to_settlement(
    statement: Statement,
    external_id: str,
    order_totals: Mapping[str, Decimal] | None = None,
) -> Settlement:
    """The statement as one payout of the shared framework, lines per order and
    fee type.

    ``order_totals`` maps an order code to what its buyer paid according to the
    order itself (``invoice.grand_total``): that is the amount settled against
    the order's invoice, the seller fee a commission, and whatever else Tiki
    kept or added (shipping, Tiki-funded discounts, seller coupons) an
    adjustment of the order, so that the lines add up to the statement's net to
    the đồng. An order Entro does not know is settled at its statement gross.
    """
    totals = order_totals or {}
    lines: list[SettlementLine] = []
    when = None
    if statement.period[1]:
        when = datetime.combine(statement.period[1], time(12), tzinfo=timezone.utc)
    by_order: dict[str, list[StatementLine]] = {}
    for line in statement.lines:
        by_order.setdefault(line.order_code, []).append(line)
    for code, rows in by_order.items():
        gross = sum((r.gross for r in rows), ZERO)
        fee = sum((r.fee for r in rows), ZERO)
        net = sum((r.net for r in rows), ZERO)
        sale = Decimal(totals[code]) if code in totals else gross
        day = max((r.date for r in rows if r.date), default=None)
        moment = datetime.combine(day, time(12), tzinfo=timezone.utc) if day else when
        lines += [
            SettlementLine("order_amount", sale, "gross", code, time=moment),
            SettlementLine("commission", -fee, "seller_fee", code, time=moment),
            SettlementLine(
                "adjustment",
                net - sale + fee,
                "rest",
                code,
                label="Kept or added by Tiki (shipping, discounts, coupons)",
                time=moment,
            ),
        ]
    return Settlement(
        external_id=external_id,
        payout_time=when or datetime.now(timezone.utc),
        currency=statement.currency,
        net_amount=statement.total_net,
        lines=merge_lines(lines),
        raw={"source": "Tiki Seller Center statement", "rows": len(statement.lines)},
    )
