"""Shopee push verification, event normalisation, duplicates and lost pushes."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from tests.emulators.harness import PushReceiver
from tests.emulators.shopee import generate_orders

from .conftest import errors

URL = "https://odoo.example.com/entro/webhook/shopee"


@pytest.fixture
def order(emulator):
    order = generate_orders(1, seed=9, statuses=["READY_TO_SHIP"])[0]
    emulator.add_orders([order])
    return order


def test_genuine_push_is_accepted(client, emulator, order):
    message = emulator.set_status(order["order_sn"], "PROCESSED")
    headers, body = emulator.build_push(URL, message)
    event = client.verify_webhook(URL, headers, body)
    assert event.kind == "order_status" and event.code == "3"
    assert event.order_external_id == order["order_sn"]
    assert event.status == "PROCESSED"
    assert event.shop_external_id == str(order["_shop_id"])
    assert event.update_time.tzinfo is not None
    assert event.platform == "shopee" and event.dedup_key


def test_header_name_is_case_insensitive(client, emulator, order):
    headers, body = emulator.build_push(URL, emulator.order_message(order["order_sn"]))
    lowered = {k.lower(): v for k, v in headers.items()}
    assert client.verify_webhook(URL, lowered, body).kind == "order_status"


@pytest.mark.parametrize(
    ("options", "reason", "status"),
    [
        ({"forge": True}, "bad_signature", 401),
        ({"sign": False}, "missing_signature", 401),
        ({"stale_seconds": 3600}, "stale_timestamp", 403),
    ],
)
def test_bad_pushes_are_rejected(client, emulator, order, options, reason, status):
    headers, body = emulator.build_push(
        URL, emulator.order_message(order["order_sn"]), **options
    )
    with pytest.raises(errors.WebhookRejected) as info:
        client.verify_webhook(URL, headers, body)
    assert (info.value.reason, info.value.status) == (reason, status)


def test_signature_covers_url_and_body(client, emulator, order):
    headers, body = emulator.build_push(URL, emulator.order_message(order["order_sn"]))
    with pytest.raises(errors.WebhookRejected):
        client.verify_webhook(URL + "/other", headers, body)
    with pytest.raises(errors.WebhookRejected):
        client.verify_webhook(URL, headers, body.replace(b"READY", b"CANCE"))
    reserialised = json.dumps(json.loads(body), indent=1).encode()
    with pytest.raises(errors.WebhookRejected):
        client.verify_webhook(URL, headers, reserialised)


def test_unconfigured_secret_fails_closed(make_client, emulator, order):
    client = make_client(app_secret=None)
    headers, body = emulator.build_push(URL, emulator.order_message(order["order_sn"]))
    with pytest.raises(errors.WebhookRejected) as info:
        client.verify_webhook(URL, headers, body)
    assert (info.value.reason, info.value.status) == ("no_secret", 401)


def test_signed_garbage_is_a_400(client, emulator):
    from tests.emulators.shopee import shopee_push_sign

    body = b"not json"
    headers = {"Authorization": shopee_push_sign(emulator.partner_key, URL, body)}
    with pytest.raises(errors.WebhookRejected) as info:
        client.verify_webhook(URL, headers, body)
    assert info.value.status == 400


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (1, "auth_granted"),
        (2, "auth_revoked"),
        (4, "tracking"),
        (12, "auth_expiring"),
        (8, "other"),
    ],
)
def test_push_codes_map_to_event_kinds(client, emulator, code, kind):
    now = int(datetime.now(timezone.utc).timestamp())
    message = {
        "code": code,
        "timestamp": now,
        "shop_id": 600000,
        "data": {"ordersn": "X1", "tracking_no": "SPXVN1"} if code == 4 else {},
    }
    headers, body = emulator.build_push(URL, message)
    event = client.verify_webhook(URL, headers, body)
    assert event.kind == kind and event.code == str(code)


def test_duplicates_and_shuffled_pushes_share_dedup_keys(client, emulator):
    orders = generate_orders(5, seed=2, statuses=["READY_TO_SHIP"])
    emulator.add_orders(orders)
    messages = [emulator.set_status(o["order_sn"], "PROCESSED") for o in orders]
    with PushReceiver() as receiver:
        url = receiver.base_url + "/shopee"
        statuses = emulator.push(url, messages, duplicate=3, shuffle=True, seed=1)
        assert statuses == [200] * 15
        received = receiver.received
    events = [client.verify_webhook(url, r.headers, r.body) for r in received]
    assert len(events) == 15
    assert len({e.dedup_key for e in events}) == 5
    assert [r.path for r in received] == ["/shopee"] * 15


def test_lost_pushes_are_fetched_and_confirmed(client, emulator, order):
    live = emulator.order_message(order["order_sn"])
    headers, body = emulator.build_push(URL, live)
    live_event = client.verify_webhook(URL, headers, body)
    emulator.add_lost_push(live)
    emulator.set_status(order["order_sn"], "SHIPPED", lost=True)
    events = client.fetch_lost_events()
    assert [e.status for e in events] == ["READY_TO_SHIP", "SHIPPED"]
    assert events[0].dedup_key == live_event.dedup_key
    assert client.lost_events_more is False
    client.confirm_lost_events()
    confirm = emulator.journal.entries("confirm_consumed_lost_push_message")[0]
    assert confirm.json() == {"last_message_id": int(client.lost_events_cursor)}
    assert client.fetch_lost_events() == []


def test_failed_delivery_becomes_a_lost_push(client, emulator, order):
    with PushReceiver(status=500) as receiver:
        emulator.set_status(order["order_sn"], "PROCESSED", push_url=receiver.base_url)
    (event,) = client.fetch_lost_events()
    assert event.status == "PROCESSED"
