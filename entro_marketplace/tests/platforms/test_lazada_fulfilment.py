"""Lazada fulfilment against the emulator: pack + ready-to-ship, late tracking,
AWB, seller cancel, reverse orders (pure Python, loopback HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from tests.emulators.lazada import generate_orders

from . import lazada_fixtures as fx
from .conftest import errors
from .lazada_fixtures import SELLER_ID

lz_emulator = fx.lz_emulator
lz_rec = fx.lz_rec
lz_make_client = fx.lz_make_client
lz_client = fx.lz_client


def _order(emulator, client, statuses=("pending", "pending"), seed=4):
    raw = generate_orders(1, seed=seed, seller_id=SELLER_ID, statuses=[list(statuses)])
    emulator.add_orders(raw)
    return client.get_orders([str(raw[0]["order_id"])])[0]


def _items(emulator, order):
    return emulator.store["orders"][order.external_id]["_items"]


def test_pack_then_ready_to_ship(lz_emulator, lz_client):
    order = _order(lz_emulator, lz_client)
    shipment = lz_client.ship_order(order, "pickup")
    assert shipment.package_number == f"FP{order.external_id}"
    assert shipment.tracking_number.startswith("LZDVN")
    assert {i["status"] for i in _items(lz_emulator, order)} == {"ready_to_ship"}
    pack = lz_emulator.journal.entries("/order/fulfill/pack")
    assert len(pack) == 1 and lz_emulator.journal.count("/order/package/rts") == 1


def test_ship_twice_ships_once(lz_emulator, lz_client):
    order = _order(lz_emulator, lz_client)
    first = lz_client.ship_order(order, "pickup")
    again = lz_client.ship_order(lz_client.get_orders([order.external_id])[0], "pickup")
    assert again.tracking_number == first.tracking_number
    assert lz_emulator.journal.count("/order/fulfill/pack") == 1
    assert lz_emulator.journal.count("/order/package/rts") == 1


def test_packed_but_not_ready_resumes_with_rts(lz_emulator, lz_client):
    order = _order(lz_emulator, lz_client)
    lz_emulator.faults.add("http_5xx", r"/order/package/rts", count=1)
    with pytest.raises(errors.TransientError):
        lz_client.ship_order(order, "pickup")  # not idempotent: not retried inline
    resumed = lz_client.ship_order(
        lz_client.get_orders([order.external_id])[0], "pickup"
    )
    assert resumed.tracking_number
    assert lz_emulator.journal.count("/order/fulfill/pack") == 1


def test_late_tracking_and_label(lz_emulator, lz_client):
    lz_emulator.tracking_delay = 2
    order = _order(lz_emulator, lz_client)
    shipment = lz_client.ship_order(order, "dropoff")  # the rts reads items once
    assert shipment.tracking_number is None
    assert lz_client.get_shipping_label(shipment) is None
    assert lz_client.get_tracking(shipment).tracking_number is None
    assert lz_client.get_tracking(shipment).tracking_number.startswith("LZDVN")
    label = lz_client.get_shipping_label(shipment)
    assert label.content.startswith(b"%PDF-")
    assert shipment.tracking_number.encode() in label.content


def test_cannot_ship_cancelled(lz_emulator, lz_client):
    order = _order(lz_emulator, lz_client, statuses=("canceled",))
    with pytest.raises(errors.PermanentError, match="no item"):
        lz_client.ship_order(order, "pickup")


def test_seller_cancel_with_reason(lz_emulator, lz_client):
    order = _order(lz_emulator, lz_client)
    lz_client.cancel_order(order, "out_of_stock", order.lines[:1])
    create = lz_emulator.journal.entries("/order/reverse/cancel/create")[0]
    assert create.query["reason_id"] == ["1001"]
    statuses = [i["status"] for i in _items(lz_emulator, order)]
    assert sorted(statuses) == ["canceled", "pending"]


def test_seller_cancel_refused_once_shipped(lz_emulator, lz_client):
    order = _order(lz_emulator, lz_client, statuses=("shipped",))
    with pytest.raises(errors.PermanentError, match="cannot be cancelled"):
        lz_client.cancel_order(order, "customer_request")
    assert lz_emulator.journal.count("/order/reverse/cancel/create") == 0


def test_reverse_orders(lz_emulator, lz_client):
    order = _order(lz_emulator, lz_client, statuses=("delivered", "delivered"))
    row = lz_emulator.add_reverse_order(order.external_id)
    since = datetime.now(timezone.utc) - timedelta(days=1)
    (ret,) = list(lz_client.iter_returns(since))
    assert ret.state == "requested" and ret.goods_returned
    lz_emulator.set_reverse_status(row["reverse_order_id"], "REFUND_SUCCESS")
    (ret,) = list(lz_client.iter_returns(since))
    assert ret.state == "refunded"
    assert ret.order_external_id == order.external_id
    assert {li.order_line_external_id for li in ret.lines} == {
        line.external_id for line in order.lines
    }
    assert ret.refund_amount == sum(li.refund_amount for li in ret.lines)
    refreshed = lz_client.get_orders([order.external_id])[0]
    assert refreshed.state == "returned"
