"""TikTok Shop listings, stock and price updates per product, webhooks (V3)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

import pytest

from tests.emulators.tiktok import generate_catalogue

from . import tiktok_fixtures as fx
from .conftest import base, errors, records
from .tiktok_fixtures import APP_KEY, APP_SECRET, SHOP_ID, tiktok

tt_emulator = fx.tt_emulator
tt_rec = fx.tt_rec
tt_make_client = fx.tt_make_client
tt_client = fx.tt_client


def test_v3_webhook_signature_vector():
    body = (
        b'{"type":1,"shop_id":"7494726673780148744","timestamp":1664095733,'
        b'"data":{"order_id":"576684019603311365","order_status":"AWAITING_SHIPMENT",'
        b'"update_time":1664095610}}'
    )
    expected = "21109834de72ec53c9959716d8514ae388ce1f123e5ffdcafc46713fcdf62b27"
    assert tiktok.webhook_signature("fake_app_key", "fake_app_secret", body) == (
        expected
    )


def test_listings_follow_page_tokens(tt_client, tt_emulator):
    catalogue = generate_catalogue(130, 2, seed=1)
    tt_emulator.add_catalogue(catalogue)
    listings = list(tt_client.iter_listings())
    assert len(listings) == sum(len(p["skus"]) for p in catalogue)
    assert tt_emulator.journal.count("/products/search") == 2
    first = catalogue[0]
    listing = next(x for x in listings if x.variant_id == first["skus"][0]["id"])
    assert listing.item_id == first["id"]
    assert listing.sku == first["skus"][0]["seller_sku"]
    assert listing.price == Decimal(first["skus"][0]["price"]["sale_price"])
    assert listing.stock == 50 and listing.status == "ACTIVATE"
    assert listing.name == first["title"]


def test_stock_and_prices_are_sent_per_product(tt_client, tt_emulator):
    catalogue = generate_catalogue(3, 2, seed=2)
    tt_emulator.add_catalogue(catalogue)
    updates = [
        records.StockUpdate(p["id"], s["id"], 7 + n, sku=s["seller_sku"])
        for p in catalogue
        for n, s in enumerate(p["skus"])
    ]
    results = tt_client.update_stock(updates)
    assert all(r.ok for r in results) and len(results) == len(updates)
    calls = tt_emulator.journal.entries("/inventory/update")
    assert len(calls) == len(catalogue)
    assert (
        calls[0].path
        == f"/product/202309/products/{catalogue[0]['id']}/inventory/update"
    )
    assert calls[0].json() == {
        "skus": [
            {"id": s["id"], "inventory": [{"quantity": 7 + n}]}
            for n, s in enumerate(catalogue[0]["skus"])
        ]
    }
    assert catalogue[0]["skus"][1]["inventory"][0]["quantity"] == 8
    prices = [
        records.PriceUpdate(
            catalogue[1]["id"], catalogue[1]["skus"][0]["id"], Decimal(123000)
        )
    ]
    assert all(r.ok for r in tt_client.update_price(prices))
    (call,) = tt_emulator.journal.entries("/prices/update")
    assert call.json()["skus"][0]["price"] == {"amount": "123000", "currency": "VND"}


def test_refused_product_fails_its_skus_only(tt_client, tt_emulator):
    catalogue = generate_catalogue(2, 2, seed=3)
    tt_emulator.add_catalogue(catalogue)
    catalogue[0]["status"] = "SELLER_DEACTIVATED"
    updates = [
        records.StockUpdate(p["id"], s["id"], 5) for p in catalogue for s in p["skus"]
    ]
    results = tt_client.update_stock(updates)
    assert [r.ok for r in results] == [False, False, True, True]
    assert results[0].error_code == "17019002"


def webhook(emulator, message, **kwargs):
    return emulator.build_push(message, **kwargs)


@pytest.fixture
def order_message(tt_emulator):
    return {
        "type": 1,
        "tts_notification_id": "7327112393057371910",
        "shop_id": SHOP_ID,
        "timestamp": int(datetime.now(timezone.utc).timestamp()),
        "data": {
            "order_id": "576486316948490001",
            "order_status": "CANCEL",
            "is_on_hold_order": False,
            "update_time": 1644412885,
        },
    }


def test_genuine_webhook_is_accepted(tt_client, tt_emulator, order_message):
    headers, body = webhook(tt_emulator, order_message)
    event = tt_client.verify_webhook("https://x/entro/webhook/tiktok", headers, body)
    assert event.kind == "order_status" and event.code == "1"
    assert event.shop_external_id == SHOP_ID
    assert event.order_external_id == "576486316948490001"
    assert event.status == "CANCEL"
    assert event.update_time == datetime.fromtimestamp(1644412885, tz=timezone.utc)
    assert event.dedup_key == f"tiktok:1:{SHOP_ID}:576486316948490001:CANCEL:1644412885"


def test_the_same_change_notified_twice_has_one_dedup_key(tt_client, order_message):
    again = dict(order_message, tts_notification_id="7327112393057371999")
    first = tt_client.event_from_message(order_message)
    second = tt_client.event_from_message(again)
    assert first.dedup_key == second.dedup_key


@pytest.mark.parametrize(
    ("forge", "sign", "stale", "status"),
    [
        (True, True, 0, 401),
        (False, False, 0, 401),
        (False, True, 3 * 86400, 403),
    ],
)
def test_bad_webhooks_are_rejected(
    tt_client, tt_emulator, order_message, forge, sign, stale, status
):
    headers, body = tt_emulator.build_push(
        order_message, forge=forge, sign=sign, stale_seconds=stale
    )
    with pytest.raises(errors.WebhookRejected) as info:
        tt_client.verify_webhook("https://x", headers, body)
    assert info.value.status == status


def test_retries_of_the_last_hours_are_accepted(tt_client, tt_emulator, order_message):
    headers, body = tt_emulator.build_push(order_message, stale_seconds=12 * 3600)
    assert tt_client.verify_webhook("https://x", headers, body).kind == "order_status"


def test_tampered_body_signed_garbage_and_missing_secret(
    tt_client, tt_emulator, order_message
):
    headers, body = tt_emulator.build_push(order_message)
    with pytest.raises(errors.WebhookRejected) as info:
        tt_client.verify_webhook("https://x", headers, body.replace(b"CANCEL", b"X"))
    assert info.value.reason == "bad_signature"
    garbage = b"not json"
    headers = {"Authorization": tiktok.webhook_signature(APP_KEY, APP_SECRET, garbage)}
    with pytest.raises(errors.WebhookRejected) as info:
        tt_client.verify_webhook("https://x", headers, garbage)
    assert info.value.status == 400
    bare = tiktok.TikTokPlatform(base.ShopConfig(app_key=APP_KEY))
    with pytest.raises(errors.WebhookRejected) as info:
        bare.verify_webhook("https://x", headers, garbage)
    assert info.value.reason == "no_secret"


def test_seller_webhooks(tt_client, tt_emulator):
    revoked = tt_client.event_from_message(tt_emulator.seller_message(6))
    assert revoked.kind == "auth_revoked" and revoked.shop_external_id == SHOP_ID
    assert revoked.order_external_id is None
    expiry = int(datetime.now(timezone.utc).timestamp()) + 5 * 86400
    expiring = tt_client.event_from_message(
        tt_emulator.seller_message(7, expiration_time=str(expiry))
    )
    assert expiring.kind == "auth_expiring"
    assert expiring.update_time == datetime.fromtimestamp(expiry, tz=timezone.utc)
    assert expiring.dedup_key.startswith("tiktok:7:")
    product = tt_client.event_from_message(
        {"type": 5, "shop_id": SHOP_ID, "timestamp": 1, "data": {"product_id": "1"}}
    )
    assert product.kind == "other" and product.dedup_key.startswith("tiktok:")
    assert tt_client.fetch_lost_events() == []


def test_address_update_refetches_the_order(tt_client):
    event = tt_client.event_from_message(
        {
            "type": 3,
            "tts_notification_id": "9",
            "shop_id": SHOP_ID,
            "timestamp": 1,
            "data": {"order_id": "5764", "update_time": 2},
        }
    )
    assert event.kind == "order_status" and event.order_external_id == "5764"


def test_webhook_body_is_stored_unchanged(tt_client, tt_emulator, order_message):
    headers, body = tt_emulator.build_push(order_message)
    event = tt_client.verify_webhook("https://x", headers, body)
    assert event.raw == json.loads(body)
