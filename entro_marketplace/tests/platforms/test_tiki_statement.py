"""Tiki's Seller Center statement (CSV/XLSX) read and reconciled to the đồng with
each order's own fees and income. (Pure Python: the accounting side is Odoo's.)"""

from __future__ import annotations

import importlib
from datetime import date
from decimal import Decimal

import pytest

from tests.emulators.tiki import (
    generate_catalogue,
    generate_orders,
    order_withholding,
    statement_csv,
    statement_xlsx,
)

from .conftest import PACKAGE_NAME
from .tiki_fixtures import tiki

statement = importlib.import_module(f"{PACKAGE_NAME}.tiki.statement")


@pytest.fixture
def orders():
    catalogue = generate_catalogue(8, seed=11)
    return generate_orders(25, seed=11, catalogue=catalogue, statuses=["complete"])


def expected_income(orders):
    return {o["code"]: tiki.order_fees(o).seller_income for o in orders}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_statement_read_and_reconciled_to_the_dong(orders, kind):
    content = statement_csv(orders) if kind == "csv" else statement_xlsx(orders)
    read = statement.parse_statement(content, f"doi-soat.{kind}")
    items = sum(len(o["items"]) for o in orders)
    assert len(read.lines) == items  # title, blank and total rows skipped
    assert read.total_net == sum(o["invoice"]["total_seller_income"] for o in orders)
    assert read.total_fee == sum(o["invoice"]["total_seller_fee"] for o in orders)
    assert all(isinstance(line.net, Decimal) for line in read.lines)
    assert isinstance(read.lines[0].date, date)
    assert read.lines[0].sku == orders[0]["items"][0]["product"]["seller_product_code"]
    assert statement.reconcile(read, expected_income(orders)) == []


def test_one_dong_off_and_missing_orders_are_reported(orders):
    read = statement.parse_statement(statement_csv(orders[:-1]), "x.csv")
    expected = expected_income(orders)
    first = orders[0]["code"]
    expected[first] += 1
    differences = {d.order_code: d for d in statement.reconcile(read, expected)}
    assert set(differences) == {first, orders[-1]["code"]}
    assert differences[first].delta == -1
    assert differences[orders[-1]["code"]].on_statement is None


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.234.567", 1234567),
        ("1,234,567 ₫", 1234567),
        ("(12.000)", -12000),
        ("-12000", -12000),
        ("12000 VND", 12000),
        ("12,50", Decimal("12.50")),
        (3000.0, 3000),
        ("", 0),
    ],
)
def test_vietnamese_amounts(text, amount):
    assert statement.parse_vnd(text) == amount


def test_unreadable_files_say_why(orders):
    with pytest.raises(statement.StatementError, match="no header row"):
        statement.parse_statement(b"a;b\n1;2\n", "x.csv")
    with pytest.raises(statement.StatementError, match="not an XLSX"):
        statement.parse_statement(b"PK not really a zip", "x.xlsx")
    bad = statement_csv(orders[:1]).replace(b"\xc4\x91\xc3\xb4ng", b"x")
    content = bad.decode("utf-8-sig").splitlines()
    cells = content[4].split(";")
    cells[7] = "lots"
    content[4] = ";".join(cells)
    with pytest.raises(statement.StatementError, match="row 5: not an amount"):
        statement.parse_statement("\n".join(content).encode(), "x.csv")


def test_extra_header_names():
    content = b"Order No;Paid out\n123;1.000\n"
    with pytest.raises(statement.StatementError):
        statement.parse_statement(content, "x.csv")
    read = statement.parse_statement(
        content, "x.csv", columns={"order_code": ["Order No"], "net": ["Paid out"]}
    )
    assert read.net_by_order() == {"123": 1000}


def test_statement_as_a_payout_adds_up_to_its_net(orders):
    read = statement.parse_statement(statement_csv(orders), "doi-soat.csv")
    paid = {o["code"]: Decimal(o["invoice"]["grand_total"]) for o in orders[:-1]}
    ref = statement.statement_id(read, b"")
    start, end = read.period
    assert ref == f"TIKI-{start.isoformat()}-{end.isoformat()}"
    payout = statement.to_settlement(read, ref, paid)
    assert payout.external_id == ref
    assert payout.net_amount == read.total_net
    assert payout.check_total() == 0  # to the đồng
    sales = {
        line.order_external_id: line.amount
        for line in payout.lines
        if line.fee_type == "order_amount"
    }
    assert {code: sales[code] for code in paid} == paid
    last = orders[-1]  # unknown to Odoo: settled at the statement's gross
    assert sales[last["code"]] == sum(i["invoice"]["subtotal"] for i in last["items"])
    fees = -sum(line.amount for line in payout.lines if line.fee_type == "commission")
    assert fees == read.total_fee
    # a statement without dates is known by its content
    assert statement.statement_id(statement.Statement(), b"x").startswith("TIKI-")


# --- Decree 117/2025: VAT and PIT withheld from a household seller ----------


def _by_order(payout, fee_type):
    return {
        line.order_external_id: line.amount
        for line in payout.lines
        if line.fee_type == fee_type
    }


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_withheld_vat_and_pit_columns_with_returns(orders, kind):
    """Tiki withholds 1 % VAT and 0.5 % PIT of each order's goods revenue (its
    columns, negative) and gives a returned order's tax back (positive): the
    payout has them on the withheld-tax types per order, apart, never in the
    adjustment, and still adds up to the statement's net to the đồng."""
    sold, returned = orders[:20], orders[20:23]
    for order in returned:
        order["_returned_at"] = order["updated_at"]
    write = statement_csv if kind == "csv" else statement_xlsx
    content = write(sold, withholding="goods", returns=returned)
    read = statement.parse_statement(content, f"doi-soat.{kind}")
    taxes = {o["code"]: order_withholding(o, "goods") for o in sold + returned}
    withheld_vat = sum(taxes[o["code"]][0] for o in sold)
    back_vat = sum(taxes[o["code"]][0] for o in returned)
    assert read.total_withheld == {
        "withheld_vat": back_vat - withheld_vat,
        "withheld_pit": sum(taxes[o["code"]][1] for o in returned)
        - sum(taxes[o["code"]][1] for o in sold),
    }
    # the fees are checked before the tax; a return is expected at minus its income
    income = expected_income(sold + returned)
    assert statement.reconcile(read, income) == []
    paid = {o["code"]: Decimal(o["invoice"]["grand_total"]) for o in orders}
    goods = {o["code"]: Decimal(o["invoice"]["subtotal"]) for o in orders}
    payout = statement.to_settlement(read, "TIKI-1", paid, goods)
    assert payout.check_total() == 0
    vat, pit = _by_order(payout, "withheld_vat"), _by_order(payout, "withheld_pit")
    for order in sold:
        code = order["code"]
        assert (vat[code], pit[code]) == (-taxes[code][0], -taxes[code][1])
        assert taxes[code][0] == round(Decimal(goods[code]) / 100)
    # returned orders: sold in an earlier statement, their tax comes back
    for order in returned:
        code = order["code"]
        assert (vat[code], pit[code]) == taxes[code]
        assert _by_order(payout, "refund")[code] == -paid[code]
        assert (
            _by_order(payout, "commission")[code]
            == order["invoice"]["total_seller_fee"]
        )
    lines = [line for line in payout.lines if line.fee_type.startswith("withheld_")]
    assert {line.raw_code for line in lines} == {"withheld_vat", "withheld_pit"}
    # the adjustment is what Tiki kept or added, the same as without withholding
    plain = statement.to_settlement(
        statement.parse_statement(statement_csv(sold), "x.csv"), "TIKI-2", paid, goods
    )
    assert {
        code: amount
        for code, amount in _by_order(payout, "adjustment").items()
        if code in {o["code"] for o in sold}
    } == _by_order(plain, "adjustment")


def test_withholding_printed_unsigned_or_as_one_total():
    """Positive tax figures on a sale row are still withheld; a file giving
    only one tax total books it as withheld VAT under its own raw code; a total
    next to the separate columns is not counted twice; a database names its own
    columns."""
    unsigned = (
        "Mã đơn hàng;Doanh thu;Tổng phí;Thuế GTGT;Thuế TNCN;Số tiền thực nhận\n"
        "101;200.000;16.000;2.000;1.000;181.000\n"
        "102;-100.000;8.000;1.000;500;-90.500\n"
    ).encode()
    read = statement.parse_statement(unsigned, "x.csv")
    assert [line.withheld for line in read.lines] == [
        {"withheld_vat": -2000, "withheld_pit": -1000},
        {"withheld_vat": 1000, "withheld_pit": 500},
    ]
    payout = statement.to_settlement(read, "T")
    assert payout.check_total() == 0
    assert _by_order(payout, "withheld_vat") == {"101": -2000, "102": 1000}
    assert _by_order(payout, "refund") == {"102": -100000}
    assert _by_order(payout, "commission") == {"101": -16000, "102": 8000}
    assert not any(_by_order(payout, "adjustment").values())

    total = "Mã đơn hàng;Doanh thu;Thuế khấu trừ;Số tiền thực nhận\n"
    read = statement.parse_statement(
        (total + "201;300.000;(4.500);295.500\n").encode(), "x.csv"
    )
    payout = statement.to_settlement(read, "T")
    (line,) = [line for line in payout.lines if line.fee_type == "withheld_vat"]
    assert (line.amount, line.raw_code) == (-4500, "withheld_tax")
    assert "one total" in line.label
    assert not any(_by_order(payout, "adjustment").values())
    assert not [line for line in payout.lines if line.fee_type == "withheld_pit"]

    both = (
        "Mã đơn hàng;Thuế GTGT;Thuế TNCN;Thuế khấu trừ;Số tiền thực nhận\n"
        "301;-1.000;-500;-1.500;100.000\n"
    ).encode()
    (line,) = statement.parse_statement(both, "x.csv").lines
    assert line.withheld_total == -1500

    custom = "Mã đơn hàng;VAT nộp thay hộ KD;Số tiền thực nhận\n401;-700;69.300\n"
    (line,) = statement.parse_statement(
        custom.encode(), "x.csv", columns={"withheld_vat": ["VAT nộp thay hộ KD"]}
    ).lines
    assert line.withheld == {"withheld_vat": -700}


def test_emulator_withholding_rates():
    order = {"items": [{"invoice": {"subtotal": 150}}]}
    assert order_withholding(order, "goods") == (2, 1)  # 1.5 -> 2, 0.75 -> 1
    assert order_withholding(order, "services") == (8, 3)
    assert order_withholding(order, "transport") == (5, 2)  # 4.5 -> 5, 2.25 -> 2
    assert order_withholding(order, "unknown") == (8, 3)  # the highest


def test_unread_tax_columns_are_named(orders):
    """A column that looks like tax, holds amounts and no field reads is named
    (the wizard refuses the file until it is named or imported anyway); empty
    ones, read ones, a fee "including VAT" and a total beside the separate
    columns are not."""
    content = (
        "Mã đơn hàng;Thuế GTGT;Thuế TNCN;Thuế khấu trừ;Thuế nhà thầu;Tax;"
        "Phí thanh toán (gồm VAT);Số tiền thực nhận\n"
        "101;-1.000;-500;-1.500;-300;0;-2.200;100.000\n"
        "Tổng cộng;;;;ghi chú;;;100.000\n"
    ).encode()
    read = statement.parse_statement(content, "x.csv")
    assert read.unread_columns == ["Thuế nhà thầu"]
    assert (
        statement.parse_statement(statement_csv(orders), "x.csv").unread_columns == []
    )
