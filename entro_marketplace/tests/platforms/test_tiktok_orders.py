"""TikTok Shop orders: status life, page tokens, batches of 50, amounts, masking."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, timedelta, timezone

import pytest

from tests.emulators.tiktok import STATUSES, buyer_paid, generate_orders

from . import tiktok_fixtures as fx
from .conftest import errors, records
from .tiktok_fixtures import SECOND_SHOP, tiktok

tt_emulator = fx.tt_emulator
tt_rec = fx.tt_rec
tt_make_client = fx.tt_make_client
tt_client = fx.tt_client

NOW = datetime.now(timezone.utc)
SINCE = NOW - timedelta(days=12)


def orders(n, seed=1, **kwargs):
    kwargs.setdefault("start", NOW - timedelta(days=10))
    kwargs.setdefault("span", timedelta(days=9))
    return generate_orders(n, seed=seed, **kwargs)


def test_status_table_is_complete_and_valid():
    assert set(STATUSES) | {"CANCEL"} == set(tiktok.STATUS_MAP)
    assert set(tiktok.STATUS_MAP.values()) <= set(records.ORDER_STATES)


@pytest.mark.parametrize(
    ("status", "state"),
    [
        ("UNPAID", "unpaid"),
        ("ON_HOLD", "pending"),
        ("AWAITING_SHIPMENT", "to_ship"),
        ("PARTIALLY_SHIPPING", "to_ship"),
        ("AWAITING_COLLECTION", "to_ship"),
        ("IN_TRANSIT", "shipped"),
        ("DELIVERED", "delivered"),
        ("COMPLETED", "completed"),
        ("CANCELLED", "cancelled"),
    ],
)
def test_each_status_maps_as_documented(tt_client, tt_emulator, status, state):
    (order,) = orders(1, statuses=[status])
    tt_emulator.add_orders([order])
    (got,) = tt_client.get_orders([order["id"]])
    assert got.status == status and got.state == state
    assert tt_client.normalise_status("CANCEL") == "cancelled"
    assert tt_client.normalise_status("SOMETHING_NEW") == "pending"


def test_buyer_cancel_request_before_shipping_is_in_cancel(tt_client, tt_emulator):
    (order,) = orders(1, statuses=["AWAITING_SHIPMENT"])
    order["is_buyer_request_cancel"] = True
    tt_emulator.add_orders([order])
    (got,) = tt_client.get_orders([order["id"]])
    assert got.state == "in_cancel"


def test_totals_identity_for_every_generated_order(tt_client, tt_emulator):
    generated = orders(120, seed=3)
    tt_emulator.add_orders(generated)
    got = {o.external_id: o for o in tt_client.get_orders([o["id"] for o in generated])}
    assert len(got) == len(generated)
    for raw in generated:
        order = got[raw["id"]]
        assert order.check_total() == 0, raw["id"]
        assert order.amounts_complete
        assert order.total_amount == buyer_paid(raw)
        assert order.currency == "VND"
        assert len(order.lines) == len(raw["line_items"])
        assert all(line.quantity == 1 for line in order.lines)


def test_mapping_and_masked_recipient(tt_client, tt_emulator):
    shipped, on_hold, unpaid = orders(
        3, seed=4, statuses=["IN_TRANSIT", "ON_HOLD", "UNPAID"]
    )
    tt_emulator.add_orders([shipped, on_hold, unpaid])
    got = {
        o.external_id: o
        for o in tt_client.get_orders([shipped["id"], on_hold["id"], unpaid["id"]])
    }
    order = got[shipped["id"]]
    recipient = shipped["_recipient"]
    address = order.shipping_address
    assert address.name == recipient["name"]
    assert address.phone == recipient["phone_number"]
    assert address.street == recipient["address_detail"]
    assert address.ward == recipient["district_info"][3]["address_name"]
    assert address.district == recipient["district_info"][2]["address_name"]
    assert address.state == recipient["district_info"][1]["address_name"]
    assert address.country_code == "VN"
    assert order.buyer.external_id == shipped["user_id"]
    assert order.tracking_numbers == [f"TTVN{shipped['id']}"]
    line = order.lines[0]
    item = shipped["line_items"][0]
    assert (line.external_id, line.item_id, line.variant_id, line.sku) == (
        item["id"],
        item["product_id"],
        item["sku_id"],
        item["seller_sku"],
    )
    # masked while UNPAID: nothing masked is kept, the buyer id still is
    masked = got[unpaid["id"]]
    assert masked.shipping_address.name is None
    assert masked.shipping_address.phone is None
    assert masked.shipping_address.street is None
    assert masked.buyer.external_id == unpaid["user_id"]
    # ON_HOLD: no address at all yet, and nothing to ship
    held = got[on_hold["id"]]
    assert held.state == "pending"
    assert held.shipping_address.street is None


def test_order_detail_in_batches_of_50_unknown_ids_omitted(tt_client, tt_emulator):
    generated = orders(120, seed=5)
    tt_emulator.add_orders(generated)
    ids = [o["id"] for o in generated] + ["578999999999999999", "not-a-number"]
    got = tt_client.get_orders(ids + ids[:10])
    assert len(got) == 120
    calls = tt_emulator.journal.entries("/order/202309/orders", method="GET")
    assert len(calls) == math.ceil(121 / 50)
    assert all(len(c.query["ids"][0].split(",")) <= 50 for c in calls)


def test_other_shops_orders_are_not_returned(tt_client, tt_emulator):
    mine = orders(2, seed=6)
    theirs = orders(2, seed=7, shop_id=SECOND_SHOP)
    tt_emulator.add_orders(mine + theirs)
    refs = list(tt_client.iter_order_refs(SINCE))
    assert {r.external_id for r in refs} == {o["id"] for o in mine}


def test_page_tokens_and_update_windows(tt_client, tt_emulator):
    generated = orders(250, seed=8)
    tt_emulator.add_orders(generated)
    refs = list(tt_client.iter_order_refs(SINCE))
    assert sorted(r.external_id for r in refs) == sorted(o["id"] for o in generated)
    calls = tt_emulator.journal.entries("/orders/search")
    assert len(calls) == 3
    assert "page_token" not in calls[0].query
    assert all(c.query["page_token"][0] for c in calls[1:])
    assert all(c.query["sort_field"] == ["update_time"] for c in calls)
    body = calls[0].json()
    assert body["update_time_ge"] == int(SINCE.timestamp())
    assert body["update_time_lt"] > int(NOW.timestamp())
    times = [r.update_time for r in refs]
    assert times == sorted(times)


def test_long_ranges_are_windowed(tt_client, tt_emulator):
    list(tt_client.iter_order_refs(NOW - timedelta(days=70)))
    windows = [c.json() for c in tt_emulator.journal.entries("/orders/search")]
    assert len(windows) == 3
    for before, after in itertools.pairwise(windows):
        assert after["update_time_ge"] <= before["update_time_lt"]


def test_page_token_loop_is_refused(tt_client, monkeypatch):
    page = {"code": 0, "data": {"orders": [{"id": "1"}], "next_page_token": "t"}}
    monkeypatch.setattr(tt_client, "_orders_page", lambda *a: page)
    with pytest.raises(errors.PermanentError) as info:
        list(tt_client.iter_order_refs(SINCE))
    assert info.value.code == "page_token_loop"


def test_one_unreadable_order_does_not_block_its_batch(tt_client, tt_emulator):
    good, bad = orders(2, seed=9)
    del bad["line_items"][0]["original_price"]
    tt_emulator.add_orders([good, bad])
    got = {o.external_id: o for o in tt_client.get_orders([good["id"], bad["id"]])}
    assert not got[good["id"]].problems
    assert "original_price" in got[bad["id"]].problems[0]


def test_amounts_that_do_not_add_up_are_flagged(tt_client, tt_emulator):
    (order,) = orders(1, seed=10, statuses=["AWAITING_SHIPMENT"])
    order["payment"]["total_amount"] = str(buyer_paid(order) + 1000)
    tt_emulator.add_orders([order])
    (got,) = tt_client.get_orders([order["id"]])
    assert not got.amounts_complete
    assert got.check_total() == 0
    assert got.other_fees == 1000
