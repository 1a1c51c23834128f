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

Since 1 July 2025 (Decree 117/2025/ND-CP) Tiki withholds VAT and personal income
tax from household and individual sellers on each successful order, and gives
back the tax of an order returned in the period. The statement shows them in
columns of their own; their names are not published either, so the names below
are our best guess (Vietnamese accounting words, ``Thuế GTGT`` / ``Thuế TNCN``),
and a database adds its own with the system parameter
``entro_marketplace.tiki_statement_columns``. A file giving only one tax total
books it as withheld VAT (raw code ``withheld_tax``).
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
    # tax Tiki withholds (negative or unsigned) or gives back on a return row
    "withheld_vat": (
        "thue gtgt",
        "thue gtgt khau tru",
        "thue gtgt da khau tru",
        "thue gtgt tiki khau tru",
        "thue gtgt nop thay",
        "withheld vat",
        "vat withheld",
    ),
    "withheld_pit": (
        "thue tncn",
        "thue tncn khau tru",
        "thue tncn da khau tru",
        "thue tncn tiki khau tru",
        "thue tncn nop thay",
        "withheld pit",
        "pit withheld",
    ),
    # one total of both, when the file does not separate them
    "withheld_tax": (
        "thue khau tru",
        "thue da khau tru",
        "thue gtgt tncn",
        "thue gtgt va tncn",
        "thue nop thay",
        "withholding tax",
        "withheld tax",
        "tax withheld",
    ),
}
#: the tax columns, each with the fee type it is booked as
WITHHELD_COLUMNS = (
    ("withheld_vat", "withheld_vat"),
    ("withheld_pit", "withheld_pit"),
    ("withheld_tax", "withheld_vat"),
)
#: the system parameter naming extra header names, a JSON object such as
#: ``{"withheld_vat": ["Thuế GTGT nộp thay"], "net": ["Thực nhận"]}``
COLUMNS_PARAM = "entro_marketplace.tiki_statement_columns"
#: words of a header that looks like tax (a column no field reads), unless it
#: also names a fee (a fee "including VAT" is Tiki's charge, not withholding)
_TAX_WORDS = frozenset({"thue", "tax", "vat", "pit", "gtgt", "tncn"})
_FEE_WORDS = frozenset({"phi", "fee", "fees"})
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
    #: tax columns as printed (:data:`WITHHELD_COLUMNS`); see :attr:`withheld`
    taxes: dict[str, Decimal] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_return(self) -> bool:
        """A row that takes an order back (a return or a cancellation after
        it was paid): negative revenue, or no revenue and a negative net."""
        return self.gross < 0 or (not self.gross and self.net < 0)

    @property
    def withheld(self) -> dict[str, Decimal]:
        """The tax columns signed as money to the seller: withheld on a sale row
        (negative), given back on a return row (positive), whichever way the
        file prints them."""
        sign = 1 if self.is_return else -1
        return {k: sign * abs(v) for k, v in self.taxes.items() if v}

    @property
    def withheld_total(self) -> Decimal:
        return sum(self.withheld.values(), ZERO)


@dataclass
class Statement:
    """A statement file, read."""

    lines: list[StatementLine] = field(default_factory=list)
    currency: str = "VND"
    #: headers that look like tax, hold amounts, and no field reads
    unread_columns: list[str] = field(default_factory=list)

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

    @property
    def total_withheld(self) -> dict[str, Decimal]:
        """Tax withheld (negative) net of what returns gave back, per column."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            for key, amount in line.withheld.items():
                totals[key] = totals.get(key, ZERO) + amount
        return totals

    def net_by_order(self, before_tax: bool = False) -> dict[str, Decimal]:
        """The net paid per order (an order's rows added up); ``before_tax``:
        before the tax Tiki withheld or gave back."""
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            net = line.net - line.withheld_total if before_tax else line.net
            totals[line.order_code] = totals.get(line.order_code, ZERO) + net
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
    covers. The net is compared before the tax Tiki withheld (its own lines);
    an order the statement only takes back is expected at minus its income,
    one sold and taken back in the same statement at zero.
    """
    found = statement.net_by_order(before_tax=True)
    sold = {line.order_code for line in statement.lines if not line.is_return}
    back = {line.order_code for line in statement.lines if line.is_return}
    differences = []
    for code in sorted(set(found) | set(expected)):
        have, want = found.get(code), expected.get(code)
        if want is not None and code in found:
            want = Decimal(want) * ((code in sold) - (code in back))
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
    known = set(header.values())
    if "withheld_tax" in header and ({"withheld_vat", "withheld_pit"} & set(header)):
        del header["withheld_tax"]  # a total of the columns given apart
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
                taxes={
                    key: parse_vnd(cell(key))
                    for key, _type in WITHHELD_COLUMNS
                    if key in header
                },
                raw={
                    titles[i] or f"column {i + 1}": row[i]
                    for i in range(min(len(titles), len(row)))
                },
            )
        except StatementError as exc:
            raise StatementError(f"row {number}: {exc}") from None
        statement.lines.append(line)
    statement.unread_columns = _unread_tax_columns(titles, known, rows[header_at + 1 :])
    return statement


def _unread_tax_columns(
    titles: list[str], read: set[int], rows: list[list[Any]]
) -> list[str]:
    """The titles of the columns no field reads that look like tax and hold an
    amount other than zero (their amounts would only show as adjustments)."""
    found = []
    for index, title in enumerate(titles):
        words = set(_plain(title).split())
        if index in read or not _TAX_WORDS & words or _FEE_WORDS & words:
            continue
        for row in rows:
            try:
                if index < len(row) and parse_vnd(row[index]):
                    found.append(title)
                    break
            except StatementError:
                continue  # text in a total or note row
    return found


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
    order_goods: Mapping[str, Decimal] | None = None,
) -> Settlement:
    """The statement as one payout of the shared framework, lines per order and
    fee type.

    ``order_totals`` maps an order code to what its buyer paid according to the
    order itself (``invoice.grand_total``): that is the amount settled against
    the order's invoice, the seller fee a commission, the tax Tiki withheld
    ``withheld_vat``/``withheld_pit`` and whatever else Tiki kept or added
    (shipping, Tiki-funded discounts, seller coupons) an adjustment of the
    order, so that the lines add up to the statement's net to the đồng. An order
    Entro does not know is settled at its statement gross.

    Return rows (negative revenue) take the order back: a refund (minus what
    the buyer paid when the whole of the order's goods, ``order_goods``, comes
    back; else the rows' revenue) settled against the credit note, the seller
    fee given back, the tax given back (positive, on the same fee types).
    """
    totals = order_totals or {}
    goods = order_goods or {}
    lines: list[SettlementLine] = []
    when = None
    if statement.period[1]:
        when = datetime.combine(statement.period[1], time(12), tzinfo=timezone.utc)
    by_order: dict[tuple[str, bool], list[StatementLine]] = {}
    for line in statement.lines:
        by_order.setdefault((line.order_code, line.is_return), []).append(line)
    for (code, back), rows in by_order.items():
        gross = sum((r.gross for r in rows), ZERO)
        fee = sum((r.fee for r in rows), ZERO)
        net = sum((r.net for r in rows), ZERO)
        day = max((r.date for r in rows if r.date), default=None)
        moment = datetime.combine(day, time(12), tzinfo=timezone.utc) if day else when
        if back:
            whole = code in goods and -gross >= Decimal(goods[code])
            amount = -Decimal(totals[code]) if whole and code in totals else gross
            fee_type, fee = "refund", -fee  # the seller fee comes back
        else:
            amount = Decimal(totals[code]) if code in totals else gross
            fee_type = "order_amount"
        taxes: list[SettlementLine] = []
        for key, tax_type in WITHHELD_COLUMNS:
            withheld = sum((r.withheld.get(key, ZERO) for r in rows), ZERO)
            if withheld:
                taxes.append(
                    SettlementLine(
                        tax_type,
                        withheld,
                        key,
                        code,
                        label="VAT and PIT withheld by Tiki, one total"
                        if key == "withheld_tax"
                        else None,
                        time=moment,
                    )
                )
        withheld = sum((t.amount for t in taxes), ZERO)
        lines += [
            SettlementLine(fee_type, amount, "gross", code, time=moment),
            SettlementLine("commission", -fee, "seller_fee", code, time=moment),
            *taxes,
            SettlementLine(
                "adjustment",
                net - amount + fee - withheld,
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
