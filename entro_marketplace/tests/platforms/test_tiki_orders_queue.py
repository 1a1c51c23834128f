"""Tiki orders v2, listings, updateSkus and the event queue (pull/ack)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.emulators.tiki import buyer_paid, generate_catalogue, generate_orders

from . import tiki_fixtures as fx
from .conftest import base, errors, records
from .tiki_fixtures import SELLER_ID, tiki

tk_emulator = fx.tk_emulator
tk_rec = fx.tk_rec
tk_make_client = fx.tk_make_client
tk_client = fx.tk_client

SINCE = datetime.now(timezone.utc) - timedelta(days=6)


def test_orders_paged_by_update_time_and_normalised(tk_client, tk_emulator):
    catalogue = generate_catalogue(8, seed=3)
    orders = generate_orders(120, seed=3, catalogue=catalogue, seller_id=SELLER_ID)
    tk_emulator.add_orders(orders)
    refs = list(tk_client.iter_order_refs(SINCE))
    assert sorted(r.external_id for r in refs) == sorted(o["code"] for o in orders)
    pages = tk_emulator.journal.entries("/integration/v2/orders")
    assert len(pages) == 3  # 50 + 50 + 20, following paging.last_page
    query = pages[0].query
    assert query["order_by"] == ["updated_at|asc"]
    # Vietnam time, Tiki's format
    datetime.strptime(query["updated_from_date"][0], "%Y-%m-%d %H:%M:%S")
    fetched = tk_client.get_orders([o["code"] for o in orders[:40]])
    assert len(fetched) == 40
    by_code = {o["code"]: o for o in orders}
    no_phone = 0
    for order in fetched:
        raw = by_code[order.external_id]
        assert order.check_total() == 0, order.external_id
        assert order.total_amount == buyer_paid(raw)
        assert order.amounts_complete
        assert order.state == tiki.STATUS_MAP[raw["status"]]
        assert [line.sku for line in order.lines] == [
            i["product"]["seller_product_code"] for i in raw["items"]
        ]
        assert order.currency == "VND"
        no_phone += not order.shipping_address.phone
    assert no_phone, "the generator leaves some phones out, as Tiki does"
    # an unknown order is simply not returned
    assert tk_client.get_orders(["123", "bad/code"]) == []


def test_orders_read_by_fifty_from_the_list_and_alone_when_it_lacks_them(
    tk_client, tk_emulator
):
    orders = generate_orders(60, seed=6, seller_id=SELLER_ID, statuses=["queueing"])
    tk_emulator.add_orders(orders)
    codes = [o["code"] for o in orders]
    fetched = tk_client.get_orders(codes)
    assert sorted(o.external_id for o in fetched) == sorted(codes)
    reads = tk_emulator.journal.entries("/integration/v2/orders")
    assert [len(e.query["code"][0].split(",")) for e in reads] == [50, 10]
    assert all(e.query["include"] == ["items.fees,status_histories"] for e in reads)
    for order in fetched:  # each item's fee breakdown came with the list
        assert all(i["invoice"]["fees"] for i in order.raw["order"]["items"])
    # should the filter take fewer codes than asked, the rest are read alone
    tk_emulator.journal.clear()
    tk_emulator.code_filter_limit = 1
    fetched = tk_client.get_orders(codes[:5])
    assert sorted(o.external_id for o in fetched) == sorted(codes[:5])
    assert tk_emulator.journal.count("/integration/v2/orders/") == 4


def test_status_life():
    client = tiki.TikiPlatform(base.ShopConfig())
    assert client.normalise_status("queueing") == "to_ship"
    assert client.normalise_status("waiting_payment") == "unpaid"
    assert client.normalise_status("complete") == "completed"
    assert client.normalise_status("canceled") == "cancelled"
    assert client.normalise_status("returned") == "returned"
    assert client.normalise_status("brand_new_status") == "pending"


def test_unreadable_order_kept_with_its_problem(tk_client, tk_emulator):
    (order,) = generate_orders(1, seed=4, seller_id=SELLER_ID)
    order["items"][0]["invoice"]["price"] = "not a number"
    tk_emulator.add_orders([order])
    (got,) = tk_client.get_orders([order["code"]])
    assert got.problems and "malformed Tiki order" in got.problems[0]


def test_order_fees_and_income(tk_client, tk_emulator):
    (order,) = generate_orders(1, seed=5, seller_id=SELLER_ID, statuses=["complete"])
    tk_emulator.add_orders([order])
    fees = tk_client.get_order_fees(order["code"])
    assert fees.seller_income == order["invoice"]["total_seller_income"]
    assert fees.seller_fee == order["invoice"]["total_seller_fee"]
    assert sum(fees.fees_by_type().values()) == fees.seller_fee
    assert isinstance(fees.seller_income, Decimal)


def test_listings_and_update_skus_per_warehouse(tk_client, tk_emulator):
    catalogue = generate_catalogue(60, seed=6)
    tk_emulator.add_catalogue(catalogue)
    listings = list(tk_client.iter_listings())
    assert len(listings) == 60
    first = listings[0]
    assert first.sku == "TK0001" and first.variant_id is None
    assert first.stock == catalogue[0]["_qty"]
    updates = [
        records.StockUpdate(item_id=x.item_id, variant_id=None, sku=x.sku, quantity=9)
        for x in listings
    ] + [records.StockUpdate(item_id="999", variant_id=None, sku="NOPE", quantity=1)]
    results = tk_client.update_stock(updates)
    calls = tk_emulator.journal.entries("updateSkus")
    assert [len(c.json()["data"]) for c in calls] == [50, 11]
    row = calls[0].json()["data"][0]
    assert row["warehouse_quantities"] == [{"warehouse_id": 11, "qty_available": 9}]
    assert [r.ok for r in results].count(False) == 1
    assert results[-1].message == "product not found"
    prices = tk_client.update_price(
        [
            records.PriceUpdate(
                item_id=first.item_id,
                variant_id=None,
                price=Decimal(123000),
                sku=first.sku,
            )
        ]
    )
    assert prices[0].ok
    assert tk_emulator.journal.entries("updateSkus")[-1].json()["data"] == [
        {"product_id": int(first.item_id), "price": 123000}
    ]


def test_several_warehouses_need_a_choice(tk_make_client, tk_emulator):
    tk_emulator.warehouses = [{"id": 11}, {"id": 12}]
    tk_emulator.add_catalogue(generate_catalogue(1))
    client = tk_make_client()
    update = records.StockUpdate(item_id="70000001", variant_id=None, quantity=1)
    with pytest.raises(errors.PermanentError) as info:
        client.update_stock([update])
    assert info.value.code == "warehouse_required"
    client = tk_make_client(extra={"warehouse_id": "12"})
    assert client.update_stock([update])[0].ok


def test_confirm_instock_and_dropship(tk_client, tk_emulator):
    orders = generate_orders(2, seed=7, seller_id=SELLER_ID, statuses=["queueing"])
    tk_emulator.add_orders(orders)
    items = [str(i["id"]) for i in orders[0]["items"]]
    tk_client.confirm_available(orders[0]["code"], items, seller_inventory_id="5")
    tk_client.confirm_dropship(
        orders[1]["code"],
        [str(orders[1]["items"][0]["id"])],
        expected_pickup_time=datetime.now(timezone.utc),
    )
    paths = [c[1] for c in tk_emulator.store["confirmed"]]
    assert paths[0].endswith("/confirm-available")
    assert paths[1].endswith("/dropship/confirm-available")
    with pytest.raises(errors.PermanentError) as info:  # not queueing any more
        tk_client.confirm_available(orders[0]["code"], items)
    assert info.value.http_status == 400
    assert tk_emulator.journal.count("confirm-available") == 3  # 4xx not retried


def test_event_queue_pull_ack_and_redelivery(tk_client, tk_emulator):
    code = tk_client.ensure_queue("entro-test")
    assert tk_client.ensure_queue("entro-test") == code  # found again, not doubled
    added = tk_client.subscribe(code)
    assert set(added) == set(tiki.EVENT_TYPES)
    assert tk_client.subscribe(code) == []
    # when the subscriptions cannot be listed, existing ones answer 409: skipped
    tk_emulator.faults.add("http_5xx", path_pattern="subscriptions$", status=404)
    assert tk_client.subscribe(code) == []
    subs = tk_emulator.store["queues"][code]["subscriptions"]
    assert len(subs) == len(tiki.EVENT_TYPES)
    orders = generate_orders(12, seed=8, seller_id=SELLER_ID, statuses=["queueing"])
    tk_emulator.add_orders(orders, emit=True)
    first = tk_client.pull_events(code, None)
    assert len(first.events) == 10 and first.ack_id
    event = first.events[0]
    assert event.kind == "order_status" and event.code == "ORDER_CREATED_SUCCESSFULLY"
    assert event.order_external_id == orders[0]["code"]
    assert event.shop_external_id == SELLER_ID
    assert event.dedup_key.startswith("tiki:")
    # not acknowledged (a crash before storing them): they come back, same keys
    tk_emulator.advance(tk_emulator.visibility_timeout + 1)
    again = tk_client.pull_events(code, None)
    assert [e.dedup_key for e in again.events] == [e.dedup_key for e in first.events]
    # acknowledged with the next pull: the rest, then nothing
    rest = tk_client.pull_events(code, again.ack_id)
    assert len(rest.events) == 2
    assert tk_client.pull_events(code, rest.ack_id).events == []
    assert tk_emulator.pending_events(code) == 0
    # the queue belongs to the app: its own client-credentials token
    pulls = tk_emulator.journal.entries("/events/pull")
    assert pulls and tk_emulator.journal.count("/sc/oauth2/token") == 1


def test_product_events_are_other(tk_client):
    event = tk_client.event_from_message(
        {
            "id": "e1",
            "type": "PRODUCT_INVENTORY_UPDATED",
            "sid": SELLER_ID,
            "created_at": "2024-05-01 10:00:00",
            "payload": {"product_id": 1, "original_sku": "TK0001"},
        }
    )
    assert event.kind == "other" and event.order_external_id is None
    assert event.update_time == datetime(2024, 5, 1, 3, 0, tzinfo=timezone.utc)


def test_no_webhooks_on_tiki(tk_client):
    with pytest.raises(errors.WebhookRejected) as info:
        tk_client.verify_webhook("https://odoo.example.com/x", {}, b"{}")
    assert info.value.status == 404
