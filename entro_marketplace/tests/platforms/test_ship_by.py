"""The ship-by deadline of an order is each platform mapper's to read, from the
field the platform documents: Shopee ``ship_by_date``, TikTok Shop
``rts_sla_time`` / ``shipping_due_time``, Lazada's items' ``sla_time_stamp``,
Tiki's items' ``confirmation.pickup_confirm_sla``. Whatever else a platform
sends there is no deadline, never an error: the order is imported all the same."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import PACKAGE_NAME

payload = importlib.import_module(f"{PACKAGE_NAME}.payload")
shopee_mappers = importlib.import_module(f"{PACKAGE_NAME}.shopee.mappers")
tiktok_mappers = importlib.import_module(f"{PACKAGE_NAME}.tiktok.mappers")
lazada_mappers = importlib.import_module(f"{PACKAGE_NAME}.lazada.mappers")
tiki_mappers = importlib.import_module(f"{PACKAGE_NAME}.tiki.mappers")

VN = timezone(timedelta(hours=7))
DUE = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)
LATER = DUE + timedelta(days=1)

#: what a platform may send instead of a deadline
HOSTILE = [
    "soon",
    "",
    "   ",
    "null",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59",
    10**30,
    -(10**30),
    float("nan"),
    float("inf"),
    -5,
    0,
    "0",
    True,
    False,
    {"nested": 1},
    ["2026-03-01"],
    None,
]


def _epoch(moment):
    return int(moment.timestamp())


def _no_unknown(*_statuses):
    return []


# ----------------------------------------------------------------- per platform


def shopee_order(ship_by):
    row = {
        "order_sn": "260301SHIPBY",
        "order_status": "READY_TO_SHIP",
        "create_time": _epoch(DUE) - 86400,
        "update_time": _epoch(DUE) - 3600,
        "item_list": [],
    }
    if ship_by is not ...:
        row["ship_by_date"] = ship_by
    return shopee_mappers.to_order(row, None, lambda s: "to_ship", _no_unknown)


def tiktok_order(rts=..., due=...):
    row = {
        "id": "576461413038785752",
        "status": "AWAITING_SHIPMENT",
        "create_time": _epoch(DUE) - 86400,
        "update_time": _epoch(DUE) - 3600,
        "line_items": [{"id": "1", "original_price": "100000"}],
        "payment": {"currency": "VND", "total_amount": "100000"},
    }
    if rts is not ...:
        row["rts_sla_time"] = rts
    if due is not ...:
        row["shipping_due_time"] = due
    return tiktok_mappers.to_order(row, lambda r: "to_ship", _no_unknown)


def lazada_order(*slas, statuses=None):
    items = []
    for n, sla in enumerate(slas):
        item = {
            "order_item_id": 700 + n,
            "status": (statuses or {}).get(n, "pending"),
            "item_price": "100000",
        }
        if sla is not ...:
            item["sla_time_stamp"] = sla
        items.append(item)
    row = {"order_id": 360001, "created_at": "2026-02-28 10:00:00 +0700"}
    return lazada_mappers.to_order(
        row,
        items,
        country="vn",
        status_map=lazada_mappers.ITEM_STATUS_MAP,
        unknown_statuses_of=_no_unknown,
    )


def tiki_order(*slas):
    items = []
    for n, sla in enumerate(slas):
        item = {"id": 900 + n, "invoice": {"price": 100000, "quantity": 1}}
        if sla is not ...:
            item["confirmation"] = {
                "status": "waiting",
                "available_confirm_sla": "2026-02-28 12:00:00",
                "pickup_confirm_sla": sla,
            }
        items.append(item)
    row = {"code": "123456789", "status": "queueing", "items": items}
    return tiki_mappers.to_order(
        row,
        lambda v: tiki_mappers.parse_time(v, lambda: VN),
        lambda s: "to_ship",
        _no_unknown,
    )


# ------------------------------------------------------------------------ tests


def test_shopee_ship_by_date():
    assert shopee_order(_epoch(DUE)).ship_by_time == DUE
    assert shopee_order(str(_epoch(DUE))).ship_by_time == DUE
    assert shopee_order(...).ship_by_time is None


def test_tiktok_latest_shipping_time_else_shipping_due_time():
    assert tiktok_order(rts=_epoch(DUE)).ship_by_time == DUE
    assert tiktok_order(due=_epoch(DUE)).ship_by_time == DUE
    # both given: the earlier one
    assert tiktok_order(rts=_epoch(LATER), due=_epoch(DUE)).ship_by_time == DUE
    assert tiktok_order(rts=_epoch(DUE), due=_epoch(LATER)).ship_by_time == DUE
    # an unreadable one does not hide the other
    assert tiktok_order(rts="soon", due=_epoch(DUE)).ship_by_time == DUE
    assert tiktok_order().ship_by_time is None


def test_lazada_earliest_sla_of_the_live_items():
    order = lazada_order("2026-03-01T17:00:00+07:00", "2026-03-02T17:00:00+07:00")
    assert order.ship_by_time == DUE
    # Lazada's other offset spelling, and a time without offset (the venture's)
    assert lazada_order("2026-03-01 17:00:00 +0700").ship_by_time == DUE
    assert lazada_order("2026-03-01 17:00:00").ship_by_time == DUE
    # a cancelled item's deadline is no longer the order's
    order = lazada_order(
        "2026-02-20T17:00:00+07:00",
        "2026-03-01T17:00:00+07:00",
        statuses={0: "canceled"},
    )
    assert order.ship_by_time == DUE
    assert lazada_order(..., ...).ship_by_time is None


def test_tiki_pickup_deadline_of_a_drop_shipped_order():
    order = tiki_order("2026-03-01 17:00:00", "2026-03-02 17:00:00")
    assert order.ship_by_time == DUE
    # the availability confirmation deadline is not a shipping deadline
    assert tiki_order(None).ship_by_time is None
    assert tiki_order(...).ship_by_time is None


@pytest.mark.parametrize("odd", HOSTILE, ids=repr)
def test_hostile_deadlines_are_no_deadline_and_no_error(odd):
    """The order is read; the odd value gives no deadline (Entro's default)."""
    assert shopee_order(odd).ship_by_time is None
    assert tiktok_order(rts=odd, due=odd).ship_by_time is None
    assert lazada_order(odd, odd).ship_by_time is None
    assert tiki_order(odd).ship_by_time is None
    # next to a good one, an odd one is passed over
    assert tiktok_order(rts=odd, due=_epoch(DUE)).ship_by_time == DUE
    assert lazada_order(odd, "2026-03-01T17:00:00+07:00").ship_by_time == DUE
    assert tiki_order(odd, "2026-03-01 17:00:00").ship_by_time == DUE


def test_deadline_reader():
    def parse(value):
        return datetime.fromtimestamp(int(value), tz=timezone.utc)

    assert payload.deadline(_epoch(DUE), parse) == DUE
    # milliseconds read as seconds: far beyond any deadline
    assert payload.deadline(_epoch(DUE) * 1000, parse) is None
    assert payload.deadline("x", lambda v: None) is None
    assert payload.deadline("x", lambda v: "not a time") is None
    assert payload.earliest([None, LATER, DUE]) == DUE
    assert payload.earliest([None]) is None
