"""TikTok Shop payouts through the platform layer: statements and their transactions."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.emulators import tiktok as tiktok_emu

from . import tiktok_fixtures as fx
from .conftest import PACKAGE_NAME, records

tt_emulator = fx.tt_emulator
tt_rec = fx.tt_rec
tt_make_client = fx.tt_make_client
tt_client = fx.tt_client

NOW = datetime.now(timezone.utc)


def _month(emulator, n=30, unexplained=0):
    """``n`` orders over 20 days, settled 5 days later; statements on days 14/28."""
    start = NOW - timedelta(days=30)
    statuses = ["COMPLETED"] * 5 + ["DELIVERED", "CANCELLED"]
    orders = tiktok_emu.generate_orders(
        n, seed=5, statuses=statuses, start=start, span=timedelta(days=20)
    )
    emulator.add_orders(orders)
    settled = [o for o in orders if o["status"] != "CANCELLED"]
    for index, order in enumerate(settled):
        emulator.settle_order(
            order["id"],
            order["create_time"] + 5 * 86400,
            refund=order["status"] == "DELIVERED",
            unexplained=unexplained if index == 0 else 0,
        )
    emulator.adjust(-45000, start.timestamp() + 9 * 86400, "SHIPPING_PENALTY")
    for day in (14, 28):
        emulator.close_statement(start.timestamp() + day * 86400)
    return orders


def test_statements_add_up_and_keep_tiktok_fee_names(tt_emulator, tt_client):
    orders = _month(tt_emulator)
    by_id = {o["id"]: o for o in orders}
    wanted = {s["id"]: Decimal(s["settlement_amount"]) for s in tt_emulator.payouts()}
    settlements = list(tt_client.iter_settlements(NOW - timedelta(days=31), NOW))
    assert {s.external_id: s.net_amount for s in settlements} == wanted
    assert len(settlements) == 2
    codes = set()
    for settlement in settlements:
        assert settlement.currency == "VND" and settlement.paid
        assert settlement.check_total() == 0
        assert not [line for line in settlement.lines if line.raw_code == "unexplained"]
        for line in settlement.lines:
            assert line.fee_type in records.FEE_TYPES
            codes.update(line.raw_code.split(","))
            order = by_id.get(line.order_external_id or "")
            if line.fee_type == "order_amount":
                assert line.amount == tiktok_emu.buyer_paid(order)
                assert settlement.buyer_paid[order["id"]] == line.amount
            if line.fee_type == "refund":
                assert order["status"] == "DELIVERED"
                assert line.amount == -tiktok_emu.buyer_paid(order)
        # one line per order and fee type
        keys = [(line.order_external_id, line.fee_type) for line in settlement.lines]
        assert len(keys) == len(set(keys))
    assert {
        "subtotal_before_discount_amount",
        "seller_discount_amount",
        "customer_paid_shipping_fee_amount",
        "platform_funded",
        "platform_commission_amount",
        "transaction_fee_amount",
        "affiliate_commission_amount",
        "actual_shipping_fee_amount",
        "shipping_fee_discount_amount",
        "return_shipping_fee_amount",
        "refund_subtotal_before_discount_amount",
        "adjustment_amount",
    } <= codes
    # TikTok's discounts are its subsidy: what the buyer paid is the sale
    subsidies = sum(
        line.amount
        for s in settlements
        for line in s.lines
        if line.fee_type == "platform_subsidy"
    )
    assert subsidies == sum(
        int(by_id[o]["payment"]["platform_discount"])
        for s in settlements
        for o in s.buyer_paid
        if by_id[o]["status"] == "COMPLETED"
    )
    assert subsidies > 0
    cancelled = {o["id"] for o in orders if o["status"] == "CANCELLED"}
    assert not cancelled & {
        line.order_external_id for s in settlements for line in s.lines
    }


def test_unexplained_rest_and_window(tt_emulator, tt_client):
    _month(tt_emulator, n=14, unexplained=-7)
    settlements = list(tt_client.iter_settlements(NOW - timedelta(days=31), NOW))
    rests = [
        line for s in settlements for line in s.lines if line.raw_code == "unexplained"
    ]
    assert [(r.fee_type, r.amount) for r in rests] == [("adjustment", Decimal(-7))]
    assert all(s.check_total() == 0 for s in settlements)
    # only the statement of day 28 lies in the last ten days
    recent = list(tt_client.iter_settlements(NOW - timedelta(days=10), NOW))
    assert [s.external_id for s in recent] == [settlements[-1].external_id]


def test_statement_pages_faults_and_processing(tt_emulator, tt_make_client):
    client = tt_make_client()
    client.statement_page_size = 3  # several pages of transactions
    _month(tt_emulator, n=14)
    tt_emulator.close_statement(NOW.timestamp() - 60, status="PROCESSING")
    tt_emulator.faults.add("http_5xx", "statement_transactions")
    settlements = list(client.iter_settlements(NOW - timedelta(days=31), NOW))
    assert [s.paid for s in settlements] == [True, True, False]
    assert all(s.check_total() == 0 for s in settlements)
    assert tt_emulator.journal.count("statement_transactions") > len(settlements)
    # the statement still processing holds nothing settled since day 28
    assert [s.raw["transactions"] for s in settlements][-1] == 0


def test_malformed_statement_is_a_clear_error(tt_emulator, tt_client):
    _month(tt_emulator, n=7)
    with tt_emulator.store.lock:
        del tt_emulator.store["statements"][0]["settlement_amount"]
    with pytest.raises(fx.tiktok.PermanentError, match="settlement_amount"):
        list(tt_client.iter_settlements(NOW - timedelta(days=31), NOW))


# --- Decree 117/2025: VAT and PIT withheld from a household seller ----------

mappers = importlib.import_module(f"{PACKAGE_NAME}.tiktok.mappers")


def test_withheld_vat_and_pit_read_apart_with_offsets(tt_emulator, tt_client):
    """A household seller's month: TikTok withholds 1 % VAT and 0.5 % PIT on
    each settled order's goods revenue, nothing on an order refunded before it
    is settled or cancelled, and gives the tax of a returned order back in the
    next statement; the lines still add up to each statement, to the đồng."""
    tt_emulator.set_household("goods")
    start = NOW - timedelta(days=30)
    orders = tiktok_emu.generate_orders(
        14,
        seed=8,
        statuses=["COMPLETED"] * 4 + ["DELIVERED", "CANCELLED"],
        start=start,
        span=timedelta(days=10),
    )
    tt_emulator.add_orders(orders)
    settled = [o for o in orders if o["status"] == "COMPLETED"]
    refunded_early = [o for o in orders if o["status"] == "DELIVERED"]
    for order in settled + refunded_early:
        tt_emulator.settle_order(
            order["id"],
            order["create_time"] + 5 * 86400,
            refund=order in refunded_early,
        )
    tt_emulator.close_statement(start.timestamp() + 16 * 86400)
    returned = settled[:2]
    for order in returned:
        tt_emulator.refund_order(order["id"], start.timestamp() + 20 * 86400)
    tt_emulator.close_statement(start.timestamp() + 28 * 86400)

    first, second = tt_client.iter_settlements(NOW - timedelta(days=31), NOW)
    for settlement in (first, second):
        assert settlement.check_total() == 0
        assert not [
            line for line in settlement.lines if line.fee_type == "adjustment"
        ], "withholding must not fall into adjustments"

    def taxes(settlement, fee_type):
        return {
            line.order_external_id: line
            for line in settlement.lines
            if line.fee_type == fee_type
        }

    vat, pit = taxes(first, "withheld_vat"), taxes(first, "withheld_pit")
    assert set(vat) == set(pit) == {o["id"] for o in settled}
    for order in settled:
        pay = order["payment"]
        goods = int(pay["original_total_product_price"]) - int(pay["seller_discount"])
        want_vat, want_pit = tt_emulator.withholding(goods, "goods")
        assert vat[order["id"]].amount == -want_vat == -round(goods * 0.01)
        assert pit[order["id"]].amount == -want_pit
        assert vat[order["id"]].raw_code == "local_vat_amount"
        assert pit[order["id"]].raw_code == "pit_amount"
    # offsets: positive, on the returned orders, in the statement of the refund
    back_vat, back_pit = taxes(second, "withheld_vat"), taxes(second, "withheld_pit")
    assert set(back_vat) == set(back_pit) == {o["id"] for o in returned}
    for order in returned:
        assert back_vat[order["id"]].amount == -vat[order["id"]].amount > 0
        assert back_pit[order["id"]].amount == -pit[order["id"]].amount > 0
    booked = [
        sum(
            -line.amount
            for s in (first, second)
            for line in s.lines
            if line.fee_type == fee_type
        )
        for fee_type in ("withheld_vat", "withheld_pit")
    ]
    assert tuple(booked) == tt_emulator.withheld_totals() != (0, 0)
    untaxed = {o["id"] for o in orders if o not in settled}
    assert not untaxed & {
        line.order_external_id
        for s in (first, second)
        for line in s.lines
        if line.fee_type.startswith("withheld_")
    }


@pytest.mark.parametrize(
    ("kind", "rates"),
    [("goods", (1, 0.5)), ("services", (5, 2)), ("transport", (3, 1.5))],
)
def test_emulator_rates_by_kind_and_unknown_takes_the_highest(kind, rates):
    emulator = tiktok_emu.TikTokEmulator
    assert emulator.withholding(1_234_567, kind) == tuple(
        int(Decimal(1_234_567) * Decimal(str(r)) / 100 + Decimal("0.5")) for r in rates
    )
    assert emulator.withholding(150, "unknown") == (8, 3)  # 7.5 -> 8, 3
    assert emulator.withholding(100, "goods") == (1, 1)  # 0.5 rounds half up


def test_doc_shaped_transaction_taxes():
    """A transaction as TikTok's doc shows it (amounts as strings): local VAT and
    PIT are withheld tax; the cross-border VAT TikTok pays for the seller stays
    an adjustment; a total without a breakdown is explained by the rest."""
    row = {
        "id": "1",
        "type": "ORDER",
        "order_id": "576",
        "order_create_time": 1700000000,
        "revenue_breakdown": {"subtotal_before_discount_amount": "200000"},
        "fee_tax_breakdown": {
            "fee": {"platform_commission_amount": "-8000"},
            "tax": {
                "vat_amount": "-5",
                "local_vat_amount": "-2000",
                "pit_amount": "-1000",
            },
        },
        "adjustment_amount": "0",
        "settlement_amount": "188995",
    }
    lines = {
        line.fee_type: line for line in mappers.transaction_lines(row, moment=None)
    }
    assert lines["withheld_vat"].amount == Decimal(-2000)
    assert lines["withheld_pit"].amount == Decimal(-1000)
    assert lines["withheld_vat"].order_external_id == "576"
    assert lines["adjustment"].raw_code == "vat_amount"
    assert sum(line.amount for line in lines.values()) == Decimal(188995)
    # an offset (a returned order) is positive and keeps its type
    row["fee_tax_breakdown"]["tax"] = {"local_vat_amount": "2000", "pit_amount": "1000"}
    row["revenue_breakdown"] = {"refund_subtotal_before_discount_amount": "-200000"}
    row["fee_tax_breakdown"]["fee"] = {}
    row["settlement_amount"] = "-197000"
    lines = {
        line.fee_type: line for line in mappers.transaction_lines(row, moment=None)
    }
    assert lines["withheld_vat"].amount == 2000
    assert lines["withheld_pit"].amount == 1000
    assert "adjustment" not in lines


def test_order_transactions_and_withheld_names_from_the_shop(
    tt_emulator, tt_make_client
):
    """Get Transactions by Order gives an order's withheld VAT and PIT (and its
    offset) across statements; a field name the shop's configuration adds
    (``withheld_fee_names``) is withheld tax too, never an adjustment."""
    tt_emulator.set_household("transport")
    client = tt_make_client(
        extra={"withheld_fee_names": {"vn_pit_withheld_amount": "withheld_pit"}}
    )
    start = NOW - timedelta(days=20)
    orders = tiktok_emu.generate_orders(
        3, seed=9, statuses=["COMPLETED"], start=start, span=timedelta(days=2)
    )
    tt_emulator.add_orders(orders)
    sold, back = orders[0], orders[1]
    for order in orders:
        tt_emulator.settle_order(order["id"], order["create_time"] + 3 * 86400)
    tt_emulator.close_statement(start.timestamp() + 8 * 86400)
    tt_emulator.refund_order(back["id"], start.timestamp() + 10 * 86400)
    tt_emulator.close_statement(start.timestamp() + 12 * 86400)

    def amounts(lines):
        return {line.fee_type: line.amount for line in lines}

    pay = sold["payment"]
    goods = int(pay["original_total_product_price"]) - int(pay["seller_discount"])
    vat, pit = tt_emulator.withholding(goods, "transport")
    assert vat > pit > 0  # 3 % and 1.5 %
    got = amounts(client.order_transaction_lines(sold["id"]))
    assert (got["withheld_vat"], got["withheld_pit"]) == (-vat, -pit)
    assert "adjustment" not in got
    # sold, then refunded with its tax back: nothing withheld in the end
    got = amounts(client.order_transaction_lines(back["id"]))
    assert "withheld_vat" not in got and "withheld_pit" not in got
    assert got["refund"] < 0
    # a name TikTok might give that Entro does not know yet, named by the shop
    with tt_emulator.store.lock:
        for row in tt_emulator.store["finance"]:
            if row.get("order_id") == orders[2]["id"]:
                tax = row["fee_tax_breakdown"]["tax"]
                tax["vn_pit_withheld_amount"] = tax.pop("pit_amount")
    got = amounts(client.order_transaction_lines(orders[2]["id"]))
    assert got["withheld_pit"] < 0 and "adjustment" not in got
    plain = amounts(tt_make_client().order_transaction_lines(orders[2]["id"]))
    assert plain["adjustment"] == got["withheld_pit"]
    (statement,) = [
        s
        for s in client.iter_settlements(NOW - timedelta(days=21), NOW)
        if orders[2]["id"] in {line.order_external_id for line in s.lines}
    ]
    assert not [line for line in statement.lines if line.fee_type == "adjustment"]
