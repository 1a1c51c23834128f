"""Payouts through the platform layer: Shopee wallet + escrow, Lazada statements."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from tests.emulators import lazada as lazada_emu
from tests.emulators.shopee import generate_orders

from . import lazada_fixtures as fx
from .conftest import SHOP_ID, records
from .lazada_fixtures import SELLER_ID

# the Lazada fixtures, visible to pytest in this module
lz_emulator = fx.lz_emulator
lz_rec = fx.lz_rec
lz_make_client = fx.lz_make_client
lz_client = fx.lz_client

NOW = datetime.now(timezone.utc)


def _shopee_month(emulator, n=40):
    start = NOW - timedelta(days=30)
    statuses = ["COMPLETED"] * 6 + ["TO_RETURN", "CANCELLED"]
    orders = generate_orders(
        n,
        seed=3,
        shop_id=SHOP_ID,
        statuses=statuses,
        start=start,
        span=timedelta(days=20),
    )
    emulator.add_orders(orders)
    for order in orders:
        when = order["create_time"] + 5 * 86400
        if order["order_status"] == "COMPLETED":
            emulator.release_escrow(order["order_sn"], when)
        elif order["order_status"] == "TO_RETURN" and order["_escrow"]:
            emulator.release_escrow(
                order["order_sn"], when, refund=order["_amounts"]["total"]
            )
    emulator.adjust(-55000, start.timestamp() + 12 * 86400, "Ads top-up")
    for day in (10, 17, 24, 29):
        emulator.withdraw(start.timestamp() + day * 86400 - 60)
    return orders


def test_shopee_payouts_add_up_to_the_withdrawals(emulator, client):
    orders = _shopee_month(emulator)
    wanted = {str(p["withdrawal_id"]): -p["amount"] for p in emulator.payouts()}
    settlements = list(client.iter_settlements(NOW - timedelta(days=31), NOW))
    assert {s.external_id: s.net_amount for s in settlements} == {
        k: Decimal(v) for k, v in wanted.items()
    }
    paid = {o["order_sn"]: o for o in orders}
    for settlement in settlements:
        assert settlement.check_total() == 0
        assert not [line for line in settlement.lines if line.raw_code == "unexplained"]
        for line in settlement.lines:
            assert line.fee_type in records.FEE_TYPES
            if line.fee_type == "order_amount":
                total = paid[line.order_external_id]["_amounts"]["total"]
                assert line.amount == total
                assert settlement.buyer_paid[line.order_external_id] == total
    fee_types = {line.fee_type for s in settlements for line in s.lines}
    assert {"order_amount", "commission", "refund", "adjustment"} <= fee_types
    # one escrow batch per payout (each has fewer than 50 orders)
    batches = emulator.journal.count("/api/v2/payment/get_escrow_detail_batch")
    assert batches == len([s for s in settlements if s.buyer_paid])


def test_shopee_payout_window_and_faults(emulator, client):
    _shopee_month(emulator, n=12)
    emulator.faults.add("http_5xx", "get_wallet_transaction_list")
    recent = list(client.iter_settlements(NOW - timedelta(days=8), NOW))
    assert len(recent) == 1  # only the last withdrawal is in the window
    # its lines start after the previous withdrawal, not at the window's start
    assert recent[0].check_total() == 0
    assert not [line for line in recent[0].lines if line.raw_code == "unexplained"]
    # the 5xx was retried by the transport
    assert emulator.journal.count("/api/v2/payment/get_wallet_transaction_list") >= 3


def test_lazada_statements_split_what_the_buyer_paid(lz_emulator, lz_client):
    start = NOW - timedelta(days=30)
    statuses = [["delivered"], ["delivered", "delivered"], ["returned"], ["canceled"]]
    orders = lazada_emu.generate_orders(
        30,
        seed=4,
        seller_id=SELLER_ID,
        statuses=statuses,
        start=start,
        span=timedelta(days=20),
    )
    lz_emulator.add_orders(orders)
    for order in orders:
        lz_emulator.settle_order(order["order_id"], order["_update_ts"] + 86400)
    lz_emulator.adjust(-20000, start.timestamp() + 9 * 86400)
    for day in (14, 28):
        lz_emulator.close_statement(start.timestamp() + day * 86400)
    settlements = list(lz_client.iter_settlements(NOW - timedelta(days=31), NOW))
    wanted = {s["statement_number"]: s["payout"] for s in lz_emulator.payouts()}
    assert {s.external_id: f"{s.net_amount} VND" for s in settlements} == wanted
    by_id = {str(o["order_id"]): o for o in orders}
    for settlement in settlements:
        assert settlement.check_total() == 0
        for line in settlement.lines:
            order = by_id.get(line.order_external_id or "")
            if line.fee_type == "order_amount":
                assert line.amount == lazada_emu.buyer_paid(order)
            if line.fee_type == "refund":
                assert line.amount == -lazada_emu.buyer_paid(order)


def test_shopee_sandbox_settles_completed_orders_once(emulator, client):
    """``--settle-every``: each run releases the orders completed since the last
    one and withdraws them; the client reads one payout per run."""
    orders = generate_orders(
        10,
        seed=5,
        shop_id=SHOP_ID,
        statuses=["COMPLETED", "READY_TO_SHIP"],
        start=NOW - timedelta(days=3),
        span=timedelta(days=2),
    )
    emulator.add_orders(orders)
    completed = {o["order_sn"] for o in orders if o["order_status"] == "COMPLETED"}
    first = emulator.settle_completed(NOW.timestamp() - 600)
    # nothing completed since: no payout
    assert emulator.settle_completed(NOW.timestamp() - 300) is None
    later = next(o for o in orders if o["order_status"] == "READY_TO_SHIP")
    emulator.set_status(later["order_sn"], "COMPLETED")
    second = emulator.settle_completed(NOW.timestamp() - 60)
    settlements = list(client.iter_settlements(NOW - timedelta(days=1), NOW))
    assert {s.external_id: s.net_amount for s in settlements} == {
        str(first["withdrawal_id"]): Decimal(-first["amount"]),
        str(second["withdrawal_id"]): Decimal(-second["amount"]),
    }
    paid = [
        {line.order_external_id for line in s.lines if line.order_external_id}
        for s in sorted(settlements, key=lambda s: s.external_id)
    ]
    assert paid == [completed, {later["order_sn"]}]
    for settlement in settlements:
        assert settlement.check_total() == 0


def test_lazada_sandbox_settles_delivered_orders_once(lz_emulator, lz_client):
    orders = lazada_emu.generate_orders(
        8,
        seed=6,
        seller_id=SELLER_ID,
        statuses=[["delivered"], ["pending"]],
        start=NOW - timedelta(days=3),
        span=timedelta(days=2),
    )
    lz_emulator.add_orders(orders)
    first = lz_emulator.settle_delivered(NOW.timestamp() - 600)
    assert lz_emulator.settle_delivered(NOW.timestamp() - 300) is None
    settlements = list(lz_client.iter_settlements(NOW - timedelta(days=1), NOW))
    assert [(s.external_id, f"{s.net_amount} VND") for s in settlements] == [
        (first["statement_number"], first["payout"])
    ]
    delivered = {
        str(o["order_id"]) for o in orders if o["_items"][0]["status"] == "delivered"
    }
    assert {
        line.order_external_id
        for line in settlements[0].lines
        if line.order_external_id
    } == delivered
    assert settlements[0].check_total() == 0


def test_settle_every_is_off_by_default():
    from tests.emulators.cli import parser

    args = parser().parse_args(["shopee"])
    assert args.settle_every == 0
    args = parser().parse_args(["lazada", "--settle-every", "60"])
    assert args.settle_every == 60
    assert not hasattr(parser().parse_args(["tiktok"]), "settle_every")
