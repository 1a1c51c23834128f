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
