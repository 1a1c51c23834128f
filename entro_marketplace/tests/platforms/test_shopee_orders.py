"""Shopee orders: windows, cursor paging, detail batches, mapping and amounts."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.emulators.shopee import generate_catalogue, generate_orders

from .conftest import base, errors, records, shopee

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _list_ranges(emulator):
    out = []
    for entry in emulator.journal.entries("get_order_list"):
        q = entry.query
        out.append((int(q["time_from"][0]), int(q["time_to"][0]), q["cursor"][0]))
    return out


def test_split_windows_covers_range_without_gaps():
    since = NOW - timedelta(days=40)
    windows = base.split_windows(since, NOW, timedelta(days=15))
    assert len(windows) == 3
    assert windows[0][0] == since and windows[-1][1] == NOW
    for (_, end), (start, _) in itertools.pairwise(windows):
        assert end == start
    assert all(end - start <= timedelta(days=15) for start, end in windows)
    with pytest.raises(ValueError):
        base.split_windows(NOW, since, timedelta(days=1))


def test_windows_are_split_at_15_days(client, emulator):
    orders = generate_orders(
        60, seed=3, start=NOW - timedelta(days=40), span=timedelta(days=39)
    )
    emulator.add_orders(orders)
    refs = list(client.iter_order_refs(NOW - timedelta(days=40), NOW))
    ranges = _list_ranges(emulator)
    assert len({(f, t) for f, t, _ in ranges}) == 3
    assert all(t - f <= 15 * 86400 for f, t, _ in ranges)
    expected = {
        o["order_sn"]
        for o in orders
        if o["update_time"] >= (NOW - timedelta(days=40)).timestamp()
    }
    assert {r.external_id for r in refs} == expected
    assert len(refs) == len(expected)  # boundary duplicates removed
    assert all(r.status for r in refs)


def test_sub_second_bounds_never_exceed_15_days(client, emulator):
    since = NOW.replace(microsecond=999_999) - timedelta(days=31)
    until = NOW.replace(microsecond=1)
    assert list(client.iter_order_refs(since, until)) == []
    ranges = _list_ranges(emulator)
    assert len(ranges) == 3
    assert all(t - f <= 15 * 86400 for f, t, _ in ranges)
    assert ranges[0][0] <= since.timestamp() and ranges[-1][1] >= until.timestamp()


def test_emulator_refuses_windows_over_15_days(client):
    with pytest.raises(errors.PermanentError) as info:
        client._order_list_page(NOW - timedelta(days=16), NOW, "")
    assert info.value.code == "error_param"
    assert not isinstance(info.value, errors.AuthorizationError)


def test_cursor_paging_over_hundreds_of_orders(client, emulator):
    orders = generate_orders(
        250, seed=5, start=NOW - timedelta(days=5), span=timedelta(days=2)
    )
    emulator.add_orders(orders)
    refs = list(client.iter_order_refs(NOW - timedelta(days=6), NOW))
    assert len(refs) == 250
    cursors = [c for _, _, c in _list_ranges(emulator)]
    assert cursors == ["", "100", "200"]
    for entry in emulator.journal.entries("get_order_list"):
        assert entry.query["page_size"] == ["100"]
        assert entry.query["time_range_field"] == ["update_time"]


def test_detail_batches_are_at_most_50(client, emulator):
    orders = generate_orders(120, seed=7)
    emulator.add_orders(orders)
    ids = [o["order_sn"] for o in orders]
    fetched = client.get_orders(ids + ids[:10])  # duplicates are fetched once
    assert len(fetched) == 120
    sizes = [
        len(e.query["order_sn_list"][0].split(","))
        for e in emulator.journal.entries("get_order_detail")
    ]
    assert sizes == [50, 50, 20]
    for entry in emulator.journal.entries("get_escrow_detail_batch"):
        assert 1 <= len(entry.json()["order_sn_list"]) <= 50
    requested = emulator.journal.entries("get_order_detail")[0].query
    fields = requested["response_optional_fields"][0].split(",")
    assert {"item_list", "recipient_address", "total_amount", "pay_time"} <= set(fields)


def test_totals_identity_holds_for_every_generated_order(client, emulator):
    orders = generate_orders(200, seed=11)
    emulator.add_orders(orders)
    by_sn = {o["order_sn"]: o for o in orders}
    fetched = client.get_orders(list(by_sn))
    assert len(fetched) == 200
    for order in fetched:
        source = by_sn[order.external_id]
        assert order.check_total() == 0, order.external_id
        assert order.total_amount == Decimal(source["total_amount"])
        if source["_escrow"] is not None:
            amounts = source["_amounts"]
            assert order.amounts_complete
            assert order.lines_total == amounts["subtotal"]
            assert order.shipping_fee == amounts["shipping"]
            assert order.seller_voucher == amounts["seller_voucher"]
            assert order.platform_voucher == amounts["shopee_voucher"]
            assert order.coins == amounts["coins"]
            assert order.other_discounts == 0 and order.other_fees == 0
        else:
            assert not order.amounts_complete


def test_order_mapping(client, emulator):
    catalogue = generate_catalogue(5, 3, seed=1)
    order = generate_orders(1, seed=2, catalogue=catalogue, statuses=["SHIPPED"])[0]
    emulator.add_orders([order])
    (got,) = client.get_orders([order["order_sn"]])
    assert got.status == "SHIPPED" and got.state == "shipped"
    assert got.currency == "VND"
    assert got.create_time.tzinfo is not None
    assert got.create_time == datetime.fromtimestamp(order["create_time"], timezone.utc)
    addr = order["recipient_address"]
    assert got.shipping_address.name == addr["name"]
    assert got.shipping_address.phone == addr["phone"]
    assert got.shipping_address.ward == addr["district"]
    assert got.shipping_address.district == addr["city"]
    assert got.shipping_address.state == addr["state"]
    assert got.shipping_address.country_code == "VN"
    assert got.shipping_address.street and "," not in got.shipping_address.street
    assert got.buyer.username == order["buyer_username"]
    assert got.buyer.external_id == str(order["buyer_user_id"])
    assert got.packages and got.packages[0].package_number
    assert len(got.lines) == len(order["item_list"])
    for line, item in zip(got.lines, order["item_list"], strict=True):
        assert line.item_id == str(item["item_id"])
        assert line.variant_id == str(item["model_id"])
        assert line.sku == (item["model_sku"] or item["item_sku"])
        assert line.quantity == item["model_quantity_purchased"]
        assert line.unit_price == item["model_original_price"]
        assert line.discounted_unit_price == item["model_discounted_price"]
        assert (
            line.seller_discount
            == (item["model_original_price"] - item["model_discounted_price"])
            * item["model_quantity_purchased"]
        )
    assert got.raw["order"]["order_sn"] == order["order_sn"]


def test_status_map_covers_documented_statuses():
    documented = {
        "UNPAID",
        "READY_TO_SHIP",
        "PROCESSED",
        "RETRY_SHIP",
        "SHIPPED",
        "TO_CONFIRM_RECEIVE",
        "IN_CANCEL",
        "CANCELLED",
        "TO_RETURN",
        "COMPLETED",
        "INVOICE_PENDING",
        "PENDING",
    }
    assert documented == set(shopee.SHOPEE_STATUS_MAP)
    assert set(shopee.SHOPEE_STATUS_MAP.values()) <= set(records.ORDER_STATES)
    client_cls = shopee.ShopeePlatform
    assert client_cls.status_map["TO_CONFIRM_RECEIVE"] == "delivered"


def test_unknown_orders_are_omitted(client, emulator):
    orders = generate_orders(2, seed=1)
    emulator.add_orders(orders)
    got = client.get_orders([orders[0]["order_sn"], "NOPE123"])
    assert [o.external_id for o in got] == [orders[0]["order_sn"]]


def test_bundle_deal_zero_price_is_not_a_free_item(client, emulator):
    order = generate_orders(1, seed=4, statuses=["COMPLETED"])[0]
    item = order["item_list"][0]
    item["model_discounted_price"] = 0  # bundle deal: not broken down per item
    emulator.add_orders([order])
    (got,) = client.get_orders([order["order_sn"]])
    assert got.lines[0].discounted_unit_price == item["model_original_price"]
    assert got.check_total() == 0
    assert got.amounts_complete  # merchant_subtotal explains the difference


def test_unknown_status_is_reported_unless_the_seller_maps_it(make_client, emulator):
    (order,) = generate_orders(1, seed=5, statuses=["READY_TO_SHIP"])
    order["order_status"] = "HANDED_TO_DRONE"
    emulator.add_orders([order])
    (got,) = make_client().get_orders([order["order_sn"]])
    assert got.unknown_statuses == ["HANDED_TO_DRONE"]
    assert got.state == "pending"  # safe and non-final, never imported as such
    client = make_client(status_overrides={"HANDED_TO_DRONE": "shipped"})
    (got,) = client.get_orders([order["order_sn"]])
    assert (got.unknown_statuses, got.state) == ([], "shipped")
    # the seller's mapping wins over Shopee's own
    client = make_client(status_overrides={"READY_TO_SHIP": "pending"})
    assert client.normalise_status("READY_TO_SHIP") == "pending"
    assert client.status_known("READY_TO_SHIP")


def _paid(orders):
    return [o for o in orders if o["_escrow"] is not None]


@pytest.mark.parametrize(
    "code, message",
    [
        ("error_auth", "No permission to current api."),
        ("error_permission", "Sorry you don't have the permission, detail: payment."),
    ],
)
def test_orders_come_without_breakdown_when_the_payment_api_is_refused(
    make_client, emulator, code, message
):
    orders = generate_orders(120, seed=21)
    emulator.add_orders(orders)
    by_sn = {o["order_sn"]: o for o in orders}
    emulator.refuse_payment_api(code, message)
    fetched = make_client().get_orders(list(by_sn))
    assert len(fetched) == 120
    assert len(_paid(orders)) > 60
    for order in fetched:
        source = by_sn[order.external_id]
        # the order detail's total, the rest in one adjustment: it adds up
        assert order.total_amount == Decimal(source["total_amount"])
        assert order.check_total() == 0, order.external_id
        assert not order.amounts_complete
        paid = source["order_status"] not in ("UNPAID", "CANCELLED")
        assert order.amounts_pending == paid
        assert order.shipping_fee == 0 and order.platform_voucher == 0
    # refused once: the other detail batches do not ask again
    refused = emulator.journal.entries("get_escrow_detail_batch")
    assert [e.status for e in refused] == [403]
    # granted again: the breakdown comes, nothing pending
    emulator.restore_payment_api()
    for order in make_client().get_orders(list(by_sn)):
        source = by_sn[order.external_id]
        assert not order.amounts_pending
        assert order.amounts_complete == (source["_escrow"] is not None)
        assert order.check_total() == 0


def test_a_payment_api_outage_leaves_the_breakdown_pending(client, emulator, rec):
    orders = _paid(generate_orders(30, seed=22, statuses=["READY_TO_SHIP"]))
    emulator.add_orders(orders)
    emulator.refuse_payment_api("error_server", "System error. Please try again.")
    fetched = client.get_orders([o["order_sn"] for o in orders])
    assert len(fetched) == len(orders)
    assert all(o.amounts_pending and o.check_total() == 0 for o in fetched)
    # retried by the transport first, then the orders came without it
    assert len(emulator.journal.entries("get_escrow_detail_batch")) == 4
    assert rec.sleeps


def test_payouts_still_need_the_payment_api(client, emulator):
    emulator.refuse_payment_api()
    with pytest.raises(errors.AuthorizationError):
        list(client.iter_settlements(NOW - timedelta(days=8), NOW))


def test_an_invalid_token_on_the_escrow_is_not_taken_for_a_refusal(client, emulator):
    (order,) = generate_orders(1, seed=23, statuses=["READY_TO_SHIP"])
    emulator.add_orders([order])
    emulator.refuse_payment_api("error_auth", "Invalid access_token.")
    with pytest.raises(errors.PlatformError) as info:
        client.get_orders([order["order_sn"]])
    assert info.value.code == "error_auth"
