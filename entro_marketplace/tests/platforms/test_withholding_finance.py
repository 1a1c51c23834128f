"""Issue 22: the VAT and PIT Shopee and Lazada withhold from a household seller
(Decree 117/2025/ND-CP), read from their settlement data as fee lines of their
own (``withheld_vat``, ``withheld_pit``), offsets included, never adjustments."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.emulators import lazada as lazada_emu
from tests.emulators.shopee import generate_orders
from tests.emulators.vn_withholding import withheld

from . import lazada_fixtures as fx
from .conftest import SHOP_ID, errors, records, shopee
from .lazada_fixtures import SELLER_ID

lz_emulator = fx.lz_emulator
lz_rec = fx.lz_rec
lz_make_client = fx.lz_make_client
lz_client = fx.lz_client

NOW = datetime.now(timezone.utc)
WITHHELD = set(records.WITHHELD_TAX_TYPES)


def _sum(settlements, fee_type):
    return sum(
        (
            line.amount
            for s in settlements
            for line in s.lines
            if line.fee_type == fee_type
        ),
        Decimal(0),
    )


def test_shopee_escrow_withholding_is_read_per_order(emulator, client):
    emulator.withholding = "goods"
    start = NOW - timedelta(days=30)
    orders = generate_orders(
        30,
        seed=22,
        shop_id=SHOP_ID,
        statuses=["COMPLETED"] * 5 + ["TO_RETURN", "CANCELLED"],
        start=start,
        span=timedelta(days=20),
    )
    emulator.add_orders(orders)
    for order in orders:
        when = order["create_time"] + 4 * 86400
        if order["order_status"] == "COMPLETED":
            emulator.release_escrow(order["order_sn"], when)
        elif order["order_status"] == "TO_RETURN" and order["_escrow"]:
            emulator.release_escrow(
                order["order_sn"], when, refund=order["_amounts"]["total"]
            )
    for day in (12, 24, 29):
        emulator.withdraw(start.timestamp() + day * 86400)
    settlements = list(client.iter_settlements(NOW - timedelta(days=31), NOW))
    assert len(settlements) >= 2
    wanted = {
        str(p["withdrawal_id"]): Decimal(-p["amount"]) for p in emulator.payouts()
    }
    assert {s.external_id: s.net_amount for s in settlements} == wanted
    by_sn = {o["order_sn"]: o for o in orders}
    seen = set()
    for settlement in settlements:
        assert settlement.check_total() == 0
        assert not [ln for ln in settlement.lines if ln.fee_type == "adjustment"]
        for line in settlement.lines:
            if line.fee_type not in WITHHELD:
                continue
            order = by_sn[line.order_external_id]
            amounts = order["_amounts"]
            vat, pit = withheld(
                amounts["subtotal"] - amounts["seller_voucher"], "goods"
            )
            assert order["order_status"] == "COMPLETED"
            if line.fee_type == "withheld_vat":
                assert (line.amount, line.raw_code) == (-vat, "withholding_vat_tax")
            else:
                assert (line.amount, line.raw_code) == (-pit, "withholding_pit_tax")
            seen.add((line.order_external_id, line.fee_type))
    completed = {o["order_sn"] for o in orders if o["order_status"] == "COMPLETED"}
    assert seen == {(sn, t) for sn in completed for t in WITHHELD}
    # the returned orders' tax is offset within their escrow: none left
    totals = emulator.withheld()
    assert _sum(settlements, "withheld_vat") == -totals["vat"] < 0
    assert _sum(settlements, "withheld_pit") == -totals["pit"] < 0


def test_shopee_escrow_offsets_and_single_totals():
    """A negative withholding (an offset) comes back; a single total is VAT; the
    lines still add up to the escrow."""
    income = {
        "buyer_total_amount": 200000,
        "commission_fee": 8000,
        "withholding_vat_tax": -1500,
        "withholding_pit_tax": "-750.00",
        "withholding_tax": 400,
        "withholding_cit_tax": 300,
    }
    amount = Decimal(200000 - 8000 + 1500 + 750 - 400 - 300)
    lines = shopee.mappers.escrow_lines("SN1", amount, {"order_income": income}, None)
    got = {(ln.fee_type, ln.raw_code): ln.amount for ln in lines}
    assert got == {
        ("order_amount", "buyer_total_amount"): Decimal(200000),
        ("commission", "commission_fee"): Decimal(-8000),
        ("withheld_vat", "withholding_vat_tax"): Decimal(1500),
        ("withheld_pit", "withholding_pit_tax"): Decimal(750),
        ("withheld_vat", "withholding_tax"): Decimal(-400),
        ("adjustment", "withholding_cit_tax"): Decimal(-300),
    }
    merged = records.merge_lines(lines)
    vat = next(ln for ln in merged if ln.fee_type == "withheld_vat")
    assert vat.amount == 1100
    assert vat.raw_code == "withholding_vat_tax,withholding_tax"
    assert sum(ln.amount for ln in merged) == amount


def _lazada_month(lz_emulator, n=24):
    start = NOW - timedelta(days=30)
    statuses = [["delivered"], ["delivered", "delivered"], ["returned"], ["canceled"]]
    orders = lazada_emu.generate_orders(
        n,
        seed=22,
        seller_id=SELLER_ID,
        statuses=statuses,
        start=start,
        span=timedelta(days=12),
    )
    lz_emulator.add_orders(orders)
    for order in orders:
        # a returned item: sold first, back six days later, often in a later
        # statement (in the same one, sale and offset net to nothing)
        lz_emulator.settle_order(
            order["order_id"],
            order["_update_ts"] + 3600,
            returned_at=order["_update_ts"] + 6 * 86400,
        )
    for day in (10, 20, 29):
        lz_emulator.close_statement(start.timestamp() + day * 86400)
    return orders


def test_lazada_withheld_rows_and_offsets(lz_emulator, lz_client):
    lz_emulator.withholding = "goods"
    orders = _lazada_month(lz_emulator)
    settlements = list(lz_client.iter_settlements(NOW - timedelta(days=31), NOW))
    wanted = {s["statement_number"]: s["payout"] for s in lz_emulator.payouts()}
    assert {s.external_id: f"{s.net_amount} VND" for s in settlements} == wanted
    returned = {
        str(o["order_id"])
        for o in orders
        if {i["status"] for i in o["_items"]} == {"returned"}
    }
    offsets = set()
    for settlement in settlements:
        assert settlement.check_total() == 0
        assert not [ln for ln in settlement.lines if ln.fee_type == "adjustment"]
        for line in settlement.lines:
            if line.fee_type in WITHHELD and line.amount > 0:
                assert line.order_external_id in returned
                assert line.raw_code.startswith("Reversal ")
                offsets.add(line.order_external_id)
    assert offsets and offsets <= returned
    totals = lz_emulator.withheld()
    assert totals["vat_offset"] > 0 and totals["pit_offset"] > 0
    assert _sum(settlements, "withheld_vat") == -totals["vat"] < 0
    assert _sum(settlements, "withheld_pit") == -totals["pit"] < 0


def test_lazada_withheld_names_by_country_and_configuration(
    lz_emulator, lz_make_client
):
    """Only a Vietnamese shop reads the built-in names; the shop's own names
    (system parameters, passed as ``extra``) add to them; an unknown name stays
    a visible adjustment."""
    lz_emulator.withholding = "goods"
    lz_emulator.withholding_fee_names = {
        "vat": "VAT Withholding",
        "pit": "Thuế TNCN (NĐ 117)",
    }
    _lazada_month(lz_emulator, n=12)
    since = NOW - timedelta(days=31)

    def fee_types(client):
        settlements = list(client.iter_settlements(since, NOW))
        return {
            (ln.fee_type, ln.raw_code)
            for s in settlements
            for ln in s.lines
            if "withholding" in ln.raw_code.lower() or "tncn" in ln.raw_code.lower()
        }

    plain = fee_types(lz_make_client())
    assert ("withheld_vat", "VAT Withholding") in plain
    assert ("adjustment", "Thuế TNCN (NĐ 117)") in plain
    configured = fee_types(
        lz_make_client(
            extra={
                "withheld_fee_names": {
                    " thuế tncn (nđ 117) ": "withheld_pit",
                    "reversal thuế tncn (nđ 117)": "withheld_pit",
                    "Ignored": "commission",  # only withheld-tax types are taken
                }
            }
        )
    )
    assert ("withheld_pit", "Thuế TNCN (NĐ 117)") in configured
    assert not {t for t, _code in configured} - WITHHELD
    client = lz_make_client()
    client.config.country = "th"
    assert client._fee_names().get("vat withholding") is None
    assert lz_make_client()._fee_names()["vat withholding"] == "withheld_vat"


def test_lazada_sandbox_books_returns_after_their_sale(lz_emulator, lz_client):
    """``--settle-every``: a delivered order is paid in one statement; returned
    later, its reversals and the tax offset come in the next one."""
    lz_emulator.withholding = "goods"
    orders = lazada_emu.generate_orders(
        4,
        seed=7,
        seller_id=SELLER_ID,
        statuses=[["delivered"]],
        start=NOW - timedelta(days=3),
        span=timedelta(days=1),
    )
    lz_emulator.add_orders(orders)
    first = lz_emulator.settle_delivered(NOW.timestamp() - 900)
    assert first is not None
    order = orders[0]
    for item in order["_items"]:
        item["status"] = "returned"
    second = lz_emulator.settle_delivered(NOW.timestamp() - 300)
    assert second is not None
    assert lz_emulator.settle_delivered(NOW.timestamp() - 120) is None
    settlements = {
        s.external_id: s
        for s in lz_client.iter_settlements(NOW - timedelta(days=1), NOW)
    }
    later = settlements[second["statement_number"]]
    back = {
        ln.fee_type: ln.amount
        for ln in later.lines
        if ln.order_external_id == str(order["order_id"])
    }
    sold = {
        ln.fee_type: ln.amount
        for ln in settlements[first["statement_number"]].lines
        if ln.order_external_id == str(order["order_id"])
    }
    assert back["withheld_vat"] == -sold["withheld_vat"] > 0
    assert back["withheld_pit"] == -sold["withheld_pit"] > 0


def test_emulators_withhold_for_a_household_by_default_in_the_sandbox():
    from tests.emulators.cli import parser

    assert parser().parse_args(["shopee"]).withholding == "goods"
    args = parser().parse_args(["lazada", "--withholding", "none"])
    assert args.withholding == "none"
    assert withheld(123450, "goods") == (1235, 617)  # half up: 1234.5, 617.25
    assert withheld(100000, "services") == (5000, 2000)
    assert withheld(100000, "transport") == (3000, 1500)
    assert withheld(100000, "unknown") == withheld(100000, "services")
    assert withheld(100000, None) == (0, 0)


def test_shopee_malformed_withholding_is_a_clear_error():
    """A withholding Shopee sends as something not a number stops the payout
    with a clear error rather than booking it as an unexplained adjustment."""
    income = {"buyer_total_amount": 100000, "withholding_pit_tax": "n/a"}
    with pytest.raises(errors.PermanentError, match="escrow detail"):
        shopee.mappers.escrow_lines(
            "SN2", Decimal(99500), {"order_income": income}, None
        )
