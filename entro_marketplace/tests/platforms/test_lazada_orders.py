"""Lazada orders: offset paging past the ceiling, item batches, statuses, money."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.emulators.lazada import (
    ITEM_STATUSES,
    LazadaEmulator,
    buyer_paid,
    generate_catalogue,
    generate_orders,
)

from . import lazada_fixtures as fx
from .conftest import errors, records
from .lazada_fixtures import APP_KEY, APP_SECRET, SELLER_ID, lazada

# the Lazada fixtures, visible to pytest in this module
lz_emulator = fx.lz_emulator
lz_rec = fx.lz_rec
lz_make_client = fx.lz_make_client
lz_client = fx.lz_client

NOW = datetime.now(timezone.utc).replace(microsecond=0)

#: the documented table: item status -> normalised state
EXPECTED_STATES = {
    "unpaid": "unpaid",
    "pending": "to_ship",
    "topack": "to_ship",
    "repacked": "to_ship",
    "packed": "to_ship",
    "ready_to_ship_pending": "to_ship",
    "ready_to_ship": "to_ship",
    "toship": "to_ship",
    "shipped": "shipped",
    "shipping": "shipped",
    "delivered": "delivered",
    "canceled": "cancelled",
    "returned": "returned",
    "shipped_back_success": "returned",
    "failed": "to_return",
    "failed_delivery": "to_return",
    "lost": "to_return",
    "lost_by_3pl": "to_return",
    "damaged_by_3pl": "to_return",
    "shipped_back": "to_return",
    "shipped_back_failed": "to_return",
}


def test_status_table_is_complete_and_valid():
    assert set(ITEM_STATUSES) <= set(lazada.ITEM_STATUS_MAP)
    assert set(lazada.ITEM_STATUS_MAP.values()) <= set(records.ORDER_STATES)
    assert set(lazada.STATE_RANK) <= set(records.ORDER_STATES)
    assert lazada.order_state([{"status": "brand_new"}]) == "pending"
    assert lazada.order_state([]) == "pending"


@pytest.mark.parametrize("status", sorted(EXPECTED_STATES))
def test_each_item_status_maps_as_documented(lz_client, lz_emulator, status):
    (order,) = generate_orders(1, seed=3, statuses=[[status, status]])
    lz_emulator.add_orders([order])
    (got,) = lz_client.get_orders([str(order["order_id"])])
    assert got.state == EXPECTED_STATES[status]
    assert got.status == status
    assert {line.status for line in got.lines + got.cancelled_lines} == {status}
    assert got.check_total() == 0


@pytest.mark.parametrize(
    ("statuses", "state"),
    [
        (["delivered", "canceled", "canceled"], "delivered"),
        (["pending", "shipped"], "shipped"),
        (["delivered", "returned"], "returned"),
        (["delivered", "failed_delivery"], "to_return"),
        (["canceled", "canceled"], "cancelled"),
        (["unpaid", "canceled"], "unpaid"),
    ],
)
def test_order_state_rule(statuses, state):
    assert lazada.order_state([{"status": s} for s in statuses]) == state


def test_unknown_item_status_is_reported_and_the_sellers_mapping_used(
    lz_make_client, lz_emulator
):
    (order,) = generate_orders(1, seed=4, statuses=[["packed", "Teleported"]])
    lz_emulator.add_orders([order])
    order_id = str(order["order_id"])
    (got,) = lz_make_client().get_orders([order_id])
    assert got.unknown_statuses == ["teleported"]
    assert got.state == "to_ship"  # the known item; the unknown one is held
    (got,) = lz_make_client(status_overrides={"TELEPORTED": "shipped"}).get_orders(
        [order_id]
    )
    assert got.unknown_statuses == []
    assert got.state == "shipped"
    # an override that cancels the item takes it out of the order's lines
    client = lz_make_client(status_overrides={"teleported": "cancelled"})
    (got,) = client.get_orders([order_id])
    assert (len(got.lines), len(got.cancelled_lines)) == (1, 1)
    assert got.state == "to_ship"
    assert client.normalise_status("TELEPORTED") == "cancelled"
    assert not lz_make_client().status_known("teleported")


def test_cancel_request_pending_a_decision_is_in_cancel():
    items = [{"status": "pending", "need_cancel_confirm": "true"}]
    assert lazada.order_state(items) == "in_cancel"
    items.append({"status": "shipped", "need_cancel_confirm": "true"})
    assert lazada.order_state(items) == "shipped"


def test_partial_cancellation(lz_client, lz_emulator):
    (order,) = generate_orders(1, seed=8, statuses=[["packed"] * 4])
    lz_emulator.add_orders([order])
    items = order["_items"]
    lz_emulator.set_item_status(
        order["order_id"],
        [items[0]["order_item_id"], items[2]["order_item_id"]],
        "canceled",
    )
    (got,) = lz_client.get_orders([str(order["order_id"])])
    assert got.state == "to_ship"
    assert got.status == "canceled,packed"
    assert [line.external_id for line in got.lines] == [
        str(items[1]["order_item_id"]),
        str(items[3]["order_item_id"]),
    ]
    assert all(line.status == "packed" and line.quantity == 1 for line in got.lines)
    assert [line.status for line in got.cancelled_lines] == ["canceled", "canceled"]
    assert got.check_total() == 0
    assert got.total_amount == buyer_paid(order) < buyer_paid(order, live_only=False)
    assert got.amounts_complete
    assert got.cancel_reason and got.cancelled_by == "cancellation-customer"
    lz_emulator.set_item_status(order["order_id"], None, "canceled")
    (gone,) = lz_client.get_orders([str(order["order_id"])])
    assert gone.state == "cancelled" and gone.lines == [] and gone.total_amount == 0
    assert len(gone.cancelled_lines) == 4 and gone.check_total() == 0


def test_totals_identity_for_every_generated_order(lz_client, lz_emulator):
    orders = generate_orders(200, seed=11)
    lz_emulator.add_orders(orders)
    fetched = lz_client.get_orders([str(o["order_id"]) for o in orders])
    assert len(fetched) == 200
    by_id = {str(o["order_id"]): o for o in orders}
    partial = 0
    for got in fetched:
        source = by_id[got.external_id]
        assert got.check_total() == 0, got.external_id
        assert got.amounts_complete
        assert got.total_amount == buyer_paid(source)
        if got.cancelled_lines and got.lines:
            partial += 1
        else:
            documented = (
                Decimal(source["price"])
                - Decimal(source["voucher"])
                + Decimal(source["shipping_fee"])
            )
            assert got.total_amount == (documented if got.lines else 0)
        live = [i for i in source["_items"] if i["status"] != "canceled"]
        assert got.seller_voucher == sum(Decimal(i["voucher_seller"]) for i in live)
        assert got.platform_voucher == sum(Decimal(i["voucher_platform"]) for i in live)
        assert got.shipping_fee - got.shipping_discount == sum(
            Decimal(i["shipping_amount"]) for i in live
        )
        assert all(line.sku and line.variant_id for line in got.lines)
    assert partial > 0  # the generator makes partial cancellations


def test_mismatching_header_goes_to_other_fees(lz_client, lz_emulator):
    (order,) = generate_orders(1, seed=2, statuses=[["delivered"]])
    order["price"] = f"{float(order['price']) + 1000:.2f}"
    lz_emulator.add_orders([order])
    (got,) = lz_client.get_orders([str(order["order_id"])])
    assert got.check_total() == 0 and not got.amounts_complete
    assert got.other_fees == 1000


def test_order_mapping(lz_client, lz_emulator):
    catalogue = generate_catalogue(4, 2, seed=1)
    (order,) = generate_orders(1, seed=5, catalogue=catalogue, statuses=[["shipped"]])
    lz_emulator.add_orders([order])
    (got,) = lz_client.get_orders([str(order["order_id"])])
    item = order["_items"][0]
    addr = order["address_shipping"]
    assert got.currency == "VND" and got.state == "shipped"
    assert got.create_time.tzinfo is not None
    assert got.create_time == datetime.fromisoformat(order["created_at"])
    assert got.shipping_address.name == addr["first_name"]
    assert got.shipping_address.phone == addr["phone"]
    assert got.shipping_address.street == addr["address1"]
    assert got.shipping_address.ward == addr["address5"]
    assert got.shipping_address.district == addr["address4"]
    assert got.shipping_address.state == addr["address3"]
    assert got.shipping_address.country_code == "VN"
    assert got.buyer.external_id == item["buyer_id"]
    assert got.buyer.name == order["customer_first_name"]
    assert got.cod == (order["payment_method"] == "COD")
    (line,) = got.lines
    assert line.external_id == str(item["order_item_id"])
    assert line.sku == item["sku"] and line.variant_id == item["sku_id"]
    assert line.unit_price == Decimal(item["item_price"])
    assert got.packages[0].tracking_number == item["tracking_code"]
    skus = {s["SellerSku"] for p in catalogue for s in p["skus"]}
    assert line.sku in skus
    assert got.raw["items"][0]["order_item_id"] == item["order_item_id"]


def test_item_batches_are_at_most_50_and_unknown_ids_omitted(lz_client, lz_emulator):
    orders = generate_orders(120, seed=7)
    lz_emulator.add_orders(orders)
    ids = [str(o["order_id"]) for o in orders]
    got = lz_client.get_orders(ids + ids[:5] + ["999", "abc"])
    assert len(got) == 120
    sizes = [
        len(e.query["order_ids"][0].strip("[]").split(","))
        for e in lz_emulator.journal.entries("/orders/items/get")
    ]
    assert sizes == [50, 50, 20]
    assert (
        lz_emulator.journal.entries("/orders/items/get")[0]
        .query["order_ids"][0]
        .startswith("[")
    )


def test_items_without_a_field_make_one_unreadable_order(lz_client, lz_emulator):
    orders = generate_orders(2, seed=1, statuses=[["pending"]])
    del orders[0]["_items"][0]["item_price"]
    lz_emulator.add_orders(orders)
    got = {
        o.external_id: o
        for o in lz_client.get_orders([str(o["order_id"]) for o in orders])
    }
    broken = got[str(orders[0]["order_id"])]
    assert broken.problems and "item_price" in broken.problems[0]
    assert not got[str(orders[1]["order_id"])].problems


def test_window_paging_and_sorting(lz_client, lz_emulator):
    orders = generate_orders(
        250, seed=5, start=NOW - timedelta(days=40), span=timedelta(days=39)
    )
    lz_emulator.add_orders(orders)
    refs = list(lz_client.iter_order_refs(NOW - timedelta(days=41), NOW))
    assert len(refs) == 250 == len({r.external_id for r in refs})
    entries = lz_emulator.journal.entries("/orders/get")
    windows = {
        (e.query["update_after"][0], e.query["update_before"][0]) for e in entries
    }
    assert len(windows) == 2  # 41 days in windows of at most 30
    for entry in entries:
        assert entry.query["sort_by"] == ["updated_at"]
        assert entry.query["sort_direction"] == ["ASC"]
        assert entry.query["limit"] == ["100"]
    assert all(r.update_time is not None and r.status for r in refs)


def test_offset_ceiling_moves_the_window(lz_make_client):
    with LazadaEmulator(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        sellers={"vn": SELLER_ID},
        offset_ceiling=300,
    ) as emu:
        client = lz_make_client(emulator=emu)
        client.order_offset_ceiling = 300
        orders = generate_orders(
            730, seed=9, start=NOW - timedelta(days=3), span=timedelta(days=2)
        )
        emu.add_orders(orders)
        refs = list(client.iter_order_refs(NOW - timedelta(days=4), NOW))
        assert {r.external_id for r in refs} == {str(o["order_id"]) for o in orders}
        assert len(refs) == 730
        entries = emu.journal.entries("/orders/get")
        offsets = [int(e.query["offset"][0]) for e in entries]
        assert max(offsets) <= 300 - 100
        assert offsets.count(0) >= 3  # the window start moved at least twice
        starts = [e.query["update_after"][0] for e in entries]
        assert starts == sorted(starts, key=lambda s: datetime.fromisoformat(s))


def test_emulator_enforces_the_ceiling_and_limit(lz_client):
    with pytest.raises(errors.PermanentError) as info:
        lz_client._request(
            "GET",
            "/orders/get",
            params={"update_after": "2024-01-01T00:00:00+00:00", "offset": 5100},
        )
    assert info.value.code == "14"
    with pytest.raises(errors.PermanentError) as info:
        lz_client._request(
            "GET",
            "/orders/get",
            params={"update_after": "2024-01-01T00:00:00+00:00", "limit": 101},
        )
    assert info.value.code == "19"
    with pytest.raises(errors.PermanentError) as info:
        lz_client._request(
            "GET", "/orders/items/get", params={"order_ids": list(range(1, 52))}
        )
    assert info.value.code == "38"
