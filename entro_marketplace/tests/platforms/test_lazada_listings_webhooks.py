"""Lazada listings, XML stock/price batches of at most 50 SKUs, and pushes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from decimal import Decimal
from urllib.parse import parse_qs

import pytest

from tests.emulators.harness import PushReceiver
from tests.emulators.lazada import generate_catalogue, generate_orders, lazada_push_sign

from . import lazada_fixtures as fx
from .conftest import errors, records
from .lazada_fixtures import APP_KEY, APP_SECRET, SELLER_ID, lazada

# the Lazada fixtures, visible to pytest in this module
lz_emulator = fx.lz_emulator
lz_rec = fx.lz_rec
lz_make_client = fx.lz_make_client
lz_client = fx.lz_client

URL = "https://odoo.example.com/entro/webhook/lazada"


def _payloads(emulator):
    out = []
    for entry in emulator.journal.entries("/product/price_quantity/update"):
        form = parse_qs(entry.body.decode())
        out.append(ET.fromstring(form["payload"][0]))
    return out


def test_v9_push_signature_vector():
    body = b'{"seller_id":"1234567","message_type":0}'
    assert lazada.push_signature("123456", "test_app_secret", body) == (
        "bd094effff94d07da93d3c843b6c0c34e5c2c5093b3e07c03f893faac2fcdb50"
    )


def test_iter_listings_pages_of_50(lz_client, lz_emulator):
    catalogue = generate_catalogue(120, 2, seed=4)
    lz_emulator.add_catalogue(catalogue)
    listings = list(lz_client.iter_listings())
    assert len(listings) == sum(len(p["skus"]) for p in catalogue)
    offsets = [
        e.query["offset"][0] for e in lz_emulator.journal.entries("/products/get")
    ]
    assert offsets == ["0", "50", "100"]
    assert all(e.query["limit"] == ["50"] for e in lz_emulator.journal.entries())
    assert lz_emulator.journal.entries()[0].query["filter"] == ["all"]
    by_sku = {x.sku: x for x in listings}
    for product in catalogue:
        for sku in product["skus"]:
            got = by_sku[sku["SellerSku"]]
            assert got.item_id == str(product["item_id"])
            assert got.variant_id == str(sku["SkuId"])
            assert got.price == sku["price"] and got.stock == sku["quantity"]
            assert got.status == "active"


def test_stock_updates_batch_50_skus_across_items(lz_client, lz_emulator):
    catalogue = generate_catalogue(60, 2, seed=2)
    lz_emulator.add_catalogue(catalogue)
    updates = [
        records.StockUpdate(str(p["item_id"]), str(s["SkuId"]), 7, sku=s["SellerSku"])
        for p in catalogue
        for s in p["skus"]
    ]
    results = lz_client.update_stock(updates)
    assert len(results) == len(updates) and all(r.ok for r in results)
    payloads = _payloads(lz_emulator)
    sizes = [len(p.findall("./Product/Skus/Sku")) for p in payloads]
    assert sum(sizes) == len(updates) and max(sizes) == 50
    first = payloads[0].findall("./Product/Skus/Sku")
    assert len({node.findtext("ItemId") for node in first}) > 1  # mixed items
    assert first[0].findtext("Quantity") == "7"
    assert first[0].findtext("SellerSku") == updates[0].sku
    assert all(s["quantity"] == 7 for p in catalogue for s in p["skus"])


def test_price_updates_escape_and_report_per_sku_failures(lz_client, lz_emulator):
    catalogue = generate_catalogue(3, 2, seed=1)
    odd = catalogue[0]["skus"][0]
    odd["SellerSku"] = 'A&B <"x">'
    lz_emulator.add_catalogue(catalogue)
    updates = [
        records.PriceUpdate(
            str(p["item_id"]), str(s["SkuId"]), Decimal(125000), sku=s["SellerSku"]
        )
        for p in catalogue
        for s in p["skus"]
    ] + [records.PriceUpdate("1", "424242", Decimal(1000), sku="NOPE")]
    results = lz_client.update_price(updates)
    assert [r.ok for r in results] == [True] * 6 + [False]
    assert results[-1].error_code == "501" and results[-1].message == "SKU not found"
    assert all(s["price"] == 125000 for p in catalogue for s in p["skus"])
    first = _payloads(lz_emulator)[0]
    assert first.find("./Product/Skus/Sku/SellerSku").text == 'A&B <"x">'
    assert first.find("./Product/Skus/Sku/Price").text == "125000"
    assert len(_payloads(lz_emulator)) == 2  # the others were sent once more


def test_whole_batch_refused(lz_client):
    results = lz_client.update_stock([records.StockUpdate("1", "2", 1, sku="X")])
    assert results[0].ok is False and results[0].error_code == "501"


# ---------------------------------------------------------------------- webhooks


@pytest.fixture
def order(lz_emulator):
    (order,) = generate_orders(1, seed=9, statuses=[["pending", "pending"]])
    lz_emulator.add_orders([order])
    return order


def test_genuine_push_is_accepted(lz_client, lz_emulator, order):
    item = order["_items"][0]
    (message,) = lz_emulator.set_item_status(
        order["order_id"], [item["order_item_id"]], "packed"
    )
    headers, body = lz_emulator.build_push(message)
    event = lz_client.verify_webhook(URL, headers, body)
    assert event.kind == "order_status" and event.code == "0"
    assert event.order_external_id == str(order["order_id"])
    assert event.shop_external_id == SELLER_ID
    assert event.status == "packed"
    assert event.update_time.tzinfo is not None
    assert str(item["order_item_id"]) in event.dedup_key
    lowered = {k.lower(): v for k, v in headers.items()}
    assert lz_client.verify_webhook("https://other", lowered, body).dedup_key == (
        event.dedup_key
    )  # the URL is not signed by Lazada


@pytest.mark.parametrize(
    ("options", "reason", "status"),
    [
        ({"forge": True}, "bad_signature", 401),
        ({"sign": False}, "missing_signature", 401),
        ({"stale_seconds": 3600}, "stale_timestamp", 403),
    ],
)
def test_bad_pushes_are_rejected(
    lz_client, lz_emulator, order, options, reason, status
):
    (message, _) = lz_emulator.set_item_status(order["order_id"], None, "packed")
    headers, body = lz_emulator.build_push(message, **options)
    with pytest.raises(errors.WebhookRejected) as info:
        lz_client.verify_webhook(URL, headers, body)
    assert (info.value.reason, info.value.status) == (reason, status)


def test_tampered_body_and_missing_secret(lz_make_client, lz_emulator, order):
    (message, _) = lz_emulator.set_item_status(order["order_id"], None, "packed")
    headers, body = lz_emulator.build_push(message)
    client = lz_make_client()
    with pytest.raises(errors.WebhookRejected):
        client.verify_webhook(URL, headers, body.replace(b"packed", b"canceled"))
    for missing in ({"app_secret": None}, {"app_key": None}):
        with pytest.raises(errors.WebhookRejected) as info:
            lz_make_client(**missing).verify_webhook(URL, headers, body)
        assert (info.value.reason, info.value.status) == ("no_secret", 401)


def test_signed_garbage_is_a_400(lz_client):
    body = b"not json"
    headers = {"Authorization": lazada_push_sign(APP_KEY, APP_SECRET, body)}
    with pytest.raises(errors.WebhookRejected) as info:
        lz_client.verify_webhook(URL, headers, body)
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("message_type", "data", "kind", "order_id"),
    [
        (
            10,
            {
                "reverse_order_id": 658960600102006,
                "reverse_status": "CANCEL_INIT",
                "trade_order_id": 416557324702006,
                "trade_order_line_id": 416557324802006,
                "status_update_time": 1626767698,
            },
            "order_status",
            "416557324702006",
        ),
        (
            8,
            {"app_key": APP_KEY, "auth_expiry_time": 1627542238, "seller_id": "77"},
            "auth_expiring",
            None,
        ),
        (3, {"item_id": 1}, "other", None),
    ],
)
def test_message_types(lz_client, lz_emulator, message_type, data, kind, order_id):
    now_s = int(datetime.now(timezone.utc).timestamp())  # seconds, as in the docs
    message = {
        "seller_id": "null" if message_type == 8 else SELLER_ID,
        "message_type": message_type,
        "data": data,
        "timestamp": now_s,
        "site": "lazada_vn",
    }
    headers, body = lz_emulator.build_push(message)
    event = lz_client.verify_webhook(URL, headers, body)
    assert event.kind == kind and event.order_external_id == order_id
    assert event.code == str(message_type)
    if message_type == 8:
        assert event.shop_external_id == "77"
        assert event.update_time == datetime.fromtimestamp(1627542238, timezone.utc)
    if message_type == 10:
        assert event.status == "CANCEL_INIT"


def test_duplicates_share_dedup_keys_and_no_lost_push_api(lz_client, lz_emulator):
    orders = generate_orders(3, seed=2, statuses=[["pending"]])
    lz_emulator.add_orders(orders)
    messages = [
        m
        for o in orders
        for m in lz_emulator.set_item_status(o["order_id"], None, "packed")
    ]
    with PushReceiver() as receiver:
        url = receiver.base_url + "/lazada"
        statuses = lz_emulator.push(url, messages, duplicate=3, shuffle=True, seed=1)
        assert statuses == [200] * 9
        received = receiver.received
    events = [lz_client.verify_webhook(url, r.headers, r.body) for r in received]
    assert len({e.dedup_key for e in events}) == 3
    assert json.loads(received[0].body)["message_type"] == 0
    assert lz_client.fetch_lost_events() == []
