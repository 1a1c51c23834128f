"""TikTok Shop fulfilment against the emulator: ship a package (pickup or
drop-off), late tracking, shipping label by URL, seller cancel, returns (pure
Python, loopback HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.emulators.tiktok import generate_orders

from . import tiktok_fixtures as fx
from .conftest import errors, records
from .tiktok_fixtures import tiktok

tt_emulator = fx.tt_emulator
tt_rec = fx.tt_rec
tt_make_client = fx.tt_make_client
tt_client = fx.tt_client

SHIP = "/fulfillment/202309/packages/{}/ship"


def _order(emulator, client, status="AWAITING_SHIPMENT", seed=4, units=2):
    raw = generate_orders(
        1,
        seed=seed,
        statuses=[status],
        start=datetime.now(timezone.utc) - timedelta(days=2),
        span=timedelta(days=1),
    )
    emulator.add_orders(raw)
    return client.get_orders([raw[0]["id"]])[0]


def _stored(emulator, order):
    return emulator.store["orders"][order.external_id]


def test_tables_use_normalised_values():
    assert set(tiktok.HANDOVER_METHODS) == set(records.SHIP_MODES)
    assert set(tiktok.RETURN_STATES.values()) <= set(records.RETURN_STATES)
    assert set(tiktok.TikTokPlatform.cancel_reasons) <= set(records.CANCEL_REASONS)


def test_ship_with_pickup_moves_to_awaiting_collection(tt_emulator, tt_client):
    order = _order(tt_emulator, tt_client)
    shipment = tt_client.ship_order(order, "pickup")
    package = f"1152{order.external_id}"
    assert shipment.package_number == package
    assert shipment.tracking_number.startswith("TTVN")
    assert shipment.carrier
    stored = _stored(tt_emulator, order)
    assert stored["status"] == "AWAITING_COLLECTION"
    (ship,) = tt_emulator.journal.entries(SHIP.format(package), method="POST")
    assert ship.json()["handover_method"] == "PICKUP"
    again = tt_client.get_orders([order.external_id])[0]
    assert again.state == "to_ship"
    assert again.packages[0].tracking_number == shipment.tracking_number


def test_dropoff_and_ship_twice_ships_once(tt_emulator, tt_client):
    order = _order(tt_emulator, tt_client, seed=5)
    first = tt_client.ship_order(order, "dropoff")
    # the order as first read (stale) and as read again: not shipped twice
    again = tt_client.ship_order(order, "dropoff")
    fresh = tt_client.ship_order(tt_client.get_orders([order.external_id])[0], "pickup")
    assert first.tracking_number == again.tracking_number == fresh.tracking_number
    package = first.package_number
    (ship,) = tt_emulator.journal.entries(SHIP.format(package), method="POST")
    assert ship.json()["handover_method"] == "DROP_OFF"


def test_ship_failure_is_not_retried_inline_then_resumes(tt_emulator, tt_client):
    order = _order(tt_emulator, tt_client, seed=6)
    tt_emulator.faults.add("http_5xx", r"/packages/\d+/ship$", count=1)
    with pytest.raises(errors.TransientError):
        tt_client.ship_order(order, "pickup")
    assert _stored(tt_emulator, order)["status"] == "AWAITING_SHIPMENT"
    assert tt_client.ship_order(order, "pickup").tracking_number


def test_late_tracking_and_label(tt_emulator, tt_client):
    tt_emulator.tracking_delay = 2
    order = _order(tt_emulator, tt_client, seed=7)
    shipment = tt_client.ship_order(order, "pickup")  # reads the package once
    assert shipment.tracking_number is None
    assert tt_client.get_shipping_label(shipment) is None
    assert tt_client.get_tracking(shipment).tracking_number is None
    assert tt_client.get_tracking(shipment).tracking_number.startswith("TTVN")
    label = tt_client.get_shipping_label(shipment)
    assert label.content.startswith(b"%PDF-")
    assert label.filename == f"tiktok-{order.external_id}.pdf"
    assert shipment.tracking_number.encode() in label.content
    (doc,) = tt_emulator.journal.entries(
        f"/fulfillment/202309/packages/{shipment.package_number}/shipping_documents"
    )
    assert doc.query["document_type"] == ["SHIPPING_LABEL"]
    assert doc.query["shop_cipher"]


def test_cannot_ship_unpaid_on_hold_or_cancelled(tt_emulator, tt_client):
    for seed, status in enumerate(("UNPAID", "ON_HOLD", "CANCELLED"), start=20):
        order = _order(tt_emulator, tt_client, status=status, seed=seed)
        with pytest.raises(errors.PermanentError) as caught:
            tt_client.ship_order(order, "pickup")
        assert caught.value.code == "order_status"
    assert not [e for e in tt_emulator.journal.entries() if e.path.endswith("/ship")]


def test_seller_cancel_with_reason(tt_emulator, tt_client):
    order = _order(tt_emulator, tt_client, seed=8)
    tt_client.cancel_order(order, "out_of_stock")
    (call,) = tt_emulator.journal.entries("/return_refund/202309/cancellations")
    assert call.json() == {
        "order_id": order.external_id,
        "cancel_reason": "seller_cancel_reason_out_of_stock",
    }
    cancelled = tt_client.get_orders([order.external_id])[0]
    assert cancelled.state == "cancelled"
    assert cancelled.cancelled_by == "SELLER"


def test_seller_cancel_of_some_lines(tt_emulator, tt_client):
    order = _order(tt_emulator, tt_client, seed=9)
    assert len(order.lines) > 1
    tt_client.cancel_order(order, "undeliverable_area", order.lines[:1])
    (call,) = tt_emulator.journal.entries("/return_refund/202309/cancellations")
    assert call.json()["order_line_item_ids"] == [order.lines[0].external_id]
    after = tt_client.get_orders([order.external_id])[0]
    assert [li.external_id for li in after.cancelled_lines] == [
        order.lines[0].external_id
    ]


def test_seller_cancel_refused_once_shipped(tt_emulator, tt_client):
    order = _order(tt_emulator, tt_client, status="IN_TRANSIT", seed=10)
    with pytest.raises(errors.PermanentError, match="cannot be cancelled"):
        tt_client.cancel_order(order, "out_of_stock")
    with pytest.raises(errors.PermanentError) as caught:
        tt_client.cancel_order(order, "customer_request")
    assert caught.value.code == "bad_reason"


def test_returns_by_update_time(tt_emulator, tt_client):
    order = _order(tt_emulator, tt_client, status="DELIVERED", seed=11)
    row = tt_emulator.add_return(order.external_id)
    refund_only = tt_emulator.add_return(
        order.external_id, [order.lines[0].external_id], return_type="REFUND"
    )
    since = datetime.now(timezone.utc) - timedelta(days=1)
    returns = {r.external_id: r for r in tt_client.iter_returns(since)}
    assert set(returns) == {row["return_id"], refund_only["return_id"]}
    assert returns[row["return_id"]].state == "requested"
    assert returns[row["return_id"]].goods_returned
    assert not returns[refund_only["return_id"]].goods_returned
    tt_emulator.set_return_status(row["return_id"], "RETURN_OR_REFUND_REQUEST_COMPLETE")
    tt_emulator.set_return_status(
        refund_only["return_id"], "RETURN_OR_REFUND_REQUEST_CANCEL"
    )
    returns = {r.external_id: r for r in tt_client.iter_returns(since)}
    ret = returns[row["return_id"]]
    assert ret.state == "refunded"
    assert returns[refund_only["return_id"]].state == "cancelled"
    assert ret.order_external_id == order.external_id
    assert {li.order_line_external_id for li in ret.lines} == {
        line.external_id for line in order.lines
    }
    assert ret.refund_amount == sum(li.refund_amount for li in ret.lines)
    assert all(li.quantity == 1 and li.sku for li in ret.lines)
    later = datetime.now(timezone.utc) + timedelta(hours=1)
    assert list(tt_client.iter_returns(later, later + timedelta(hours=1))) == []


def test_returns_follow_page_tokens(tt_emulator, tt_client, monkeypatch):
    order = _order(tt_emulator, tt_client, status="COMPLETED", seed=12)
    for _ in range(12):
        tt_emulator.add_return(order.external_id, [order.lines[0].external_id])
    monkeypatch.setattr(tiktok.TikTokPlatform, "return_page_size", 10)
    since = datetime.now(timezone.utc) - timedelta(days=1)
    assert len(list(tt_client.iter_returns(since))) == 12
    assert tt_emulator.journal.count("/return_refund/202309/returns/search") == 2
