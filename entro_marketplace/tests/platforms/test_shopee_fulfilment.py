"""Shopee fulfilment against the emulator: ship, late tracking, label, cancel,
returns (pure Python, loopback HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.emulators.shopee import generate_orders

from .conftest import SHOP_ID, errors, records


def _order(emulator, client, status="READY_TO_SHIP", seed=3):
    raw = generate_orders(1, seed=seed, shop_id=SHOP_ID, statuses=[status])[0]
    emulator.add_orders([raw])
    return client.get_orders([raw["order_sn"]])[0]


def test_ship_pickup_gives_tracking_and_processed(emulator, client):
    order = _order(emulator, client)
    shipment = client.ship_order(order, "pickup")
    assert shipment.mode == "pickup"
    assert shipment.tracking_number.startswith("SPXVN")
    stored = emulator.store["orders"][order.external_id]
    assert stored["order_status"] == "PROCESSED"
    assert stored["_ship_mode"] == "pickup"
    body = [e.json() for e in emulator.journal.entries("/api/v2/logistics/ship_order")]
    assert body[0]["pickup"]["address_id"] == 2001
    assert body[0]["pickup"]["pickup_time_id"]


def test_ship_twice_ships_once(emulator, client):
    order = _order(emulator, client)
    first = client.ship_order(order, "dropoff")
    again = client.ship_order(client.get_orders([order.external_id])[0], "dropoff")
    assert again.tracking_number == first.tracking_number
    assert emulator.journal.count("/api/v2/logistics/ship_order") == 1


def test_mode_not_offered_falls_back(emulator, client):
    emulator.ship_modes = ("dropoff",)
    shipment = client.ship_order(_order(emulator, client), "pickup")
    assert shipment.mode == "dropoff"


def test_late_tracking_number(emulator, client):
    emulator.tracking_delay = 2
    shipment = client.ship_order(_order(emulator, client), "pickup")
    assert shipment.tracking_number is None
    assert client.get_shipping_label(shipment) is None  # nothing to print yet
    assert client.get_tracking(shipment).tracking_number is None
    assert client.get_tracking(shipment).tracking_number.startswith("SPXVN")


def test_label_is_produced_then_downloaded(emulator, client):
    shipment = client.ship_order(_order(emulator, client), "pickup")
    assert client.get_shipping_label(shipment) is None  # PROCESSING
    label = client.get_shipping_label(shipment)
    assert label.content.startswith(b"%PDF-")
    assert shipment.tracking_number.encode() in label.content
    assert emulator.journal.count("/api/v2/logistics/create_shipping_document") == 1


def test_cannot_ship_cancelled_order(emulator, client):
    order = _order(emulator, client, status="CANCELLED")
    with pytest.raises(errors.PermanentError, match="CANCELLED"):
        client.ship_order(order, "pickup")
    assert emulator.journal.count("/api/v2/logistics/ship_order") == 0


def test_transient_failure_is_retried_on_reads(emulator, client):
    order = _order(emulator, client)
    emulator.faults.add("http_5xx", r"get_shipping_parameter", count=1)
    assert client.ship_order(order, "pickup").tracking_number


def test_seller_cancel_out_of_stock_sends_items(emulator, client):
    order = _order(emulator, client)
    client.cancel_order(order, "out_of_stock")
    body = emulator.journal.entries("/api/v2/order/cancel_order")[0].json()
    assert body["cancel_reason"] == "OUT_OF_STOCK"
    assert len(body["item_list"]) == len(order.lines)
    assert emulator.store["orders"][order.external_id]["order_status"] == "CANCELLED"


def test_seller_cancel_refused_after_shipping(emulator, client):
    order = _order(emulator, client, status="SHIPPED")
    with pytest.raises(errors.PermanentError, match="Cannot cancel"):
        client.cancel_order(order, "customer_request")


def test_unknown_cancel_reason_refused_before_any_call(emulator, client):
    order = _order(emulator, client)
    with pytest.raises(errors.PermanentError, match="cancel reason"):
        client.cancel_order(order, "bored")
    assert emulator.journal.count("/api/v2/order/cancel_order") == 0


def test_returns_listed_and_normalised(emulator, client):
    order = _order(emulator, client, status="COMPLETED")
    ret = emulator.add_return(order.external_id)
    since = datetime.now(timezone.utc) - timedelta(days=20)
    found = list(client.iter_returns(since))
    assert [r.external_id for r in found] == [ret["return_sn"]]
    assert found[0].state == "requested"
    emulator.set_return_status(ret["return_sn"], "ACCEPTED")
    (done,) = list(client.iter_returns(since))
    assert done.state == "refunded"
    assert done.refund_amount == sum(li.refund_amount for li in done.lines)
    assert sum(li.quantity for li in done.lines) == sum(
        li.quantity for li in order.lines
    )
    assert isinstance(done, records.Return)


def test_completed_return_counts_as_refunded_once(emulator, client):
    order = _order(emulator, client, status="COMPLETED", seed=5)
    ret = emulator.add_return(order.external_id, status="COMPLETED")
    since = datetime.now(timezone.utc) - timedelta(days=1)
    (found,) = list(client.iter_returns(since))
    assert (found.external_id, found.state) == (ret["return_sn"], "refunded")
