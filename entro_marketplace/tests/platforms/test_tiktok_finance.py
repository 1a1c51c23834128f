"""TikTok Shop payouts through the platform layer: statements and their transactions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.emulators import tiktok as tiktok_emu

from . import tiktok_fixtures as fx
from .conftest import records

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
