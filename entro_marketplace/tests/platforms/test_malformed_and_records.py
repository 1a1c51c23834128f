"""Malformed responses become clear PlatformErrors; records and registry basics."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from tests.emulators.shopee import generate_orders

from .conftest import errors, platforms, records, shopee, transport

SINCE = datetime.now(timezone.utc) - timedelta(hours=1)


def test_non_json_response_is_a_clear_transient_error(make_client, emulator):
    client = make_client(max_attempts=1)
    emulator.faults.add("malformed", r"get_order_list")
    with pytest.raises(errors.TransientError) as info:
        list(client.iter_order_refs(SINCE))
    assert "non-JSON" in str(info.value)
    assert info.value.code == "bad_response"


def test_envelope_without_response_is_a_permanent_error(client, emulator):
    orders = generate_orders(1, seed=1)
    emulator.add_orders(orders)
    emulator.faults.add("empty", r"get_order_detail")
    with pytest.raises(errors.PermanentError) as info:
        client.get_orders([orders[0]["order_sn"]])
    assert "order detail" in str(info.value)


def test_missing_field_names_the_field_and_spares_the_batch(client, emulator):
    good, bad = generate_orders(2, seed=1, statuses=["UNPAID"])
    del bad["item_list"][0]["model_quantity_purchased"]
    emulator.add_orders([good, bad])
    orders = {
        o.external_id: o for o in client.get_orders([good["order_sn"], bad["order_sn"]])
    }
    # the readable order comes through untouched
    assert orders[good["order_sn"]].problems == []
    assert orders[good["order_sn"]].lines
    # the unreadable one is kept, with its raw data and a problem naming the field
    broken = orders[bad["order_sn"]]
    assert len(broken.problems) == 1
    assert "model_quantity_purchased" in broken.problems[0]
    assert broken.raw["order_sn"] == bad["order_sn"]
    assert broken.lines == []


def test_unknown_endpoint_is_permanent(client):
    with pytest.raises(errors.PermanentError) as info:
        client._request("GET", "/api/v2/nope")
    assert info.value.http_status == 404


def test_error_mapping():
    platform = shopee.ShopeePlatform.__new__(shopee.ShopeePlatform)
    platform.config = type("C", (), {"secrets": lambda self: ["topsecret"]})()
    cases = {
        ("error_auth", "Invalid access_token."): errors.TokenExpired,
        ("common.error_auth", "access_token expired"): errors.TokenExpired,
        ("error_auth", "Invalid refresh_token."): errors.AuthorizationError,
        ("error_auth", "No permission to current api."): errors.AuthorizationError,
        ("error_sign", "Wrong sign."): errors.AuthorizationError,
        ("invalid_code", "Invalid code."): errors.AuthorizationError,
        ("error_permission", "no"): errors.AuthorizationError,
        ("error_param", "Invalid timestamp"): errors.PermanentError,
        ("error_server", "System error"): errors.TransientError,
        ("error_network", "Inner http call failed"): errors.TransientError,
        ("error_server", "Too many requests"): errors.RateLimited,
    }
    for (code, message), cls in cases.items():
        error = platform._error(code, message, "rid", 400)
        assert type(error) is cls, (code, message)
        assert error.request_id == "rid"
    leak = platform._error("error_param", "bad value topsecret", None, 400)
    assert "topsecret" not in str(leak)


def test_to_money():
    assert records.to_money(1.1) == Decimal("1.1")
    assert records.to_money(48000) == Decimal(48000)
    assert records.to_money("32119.50") == Decimal("32119.50")
    assert records.to_money(None) == 0
    for bad in ("abc", float("nan"), True):
        with pytest.raises(ValueError):
            records.to_money(bad)


def test_order_check_total():
    line = records.OrderLine("1", "1", "0", "SKU", "x", 2, Decimal(100), Decimal(90))
    order = records.Order(
        external_id="A",
        status="COMPLETED",
        state="completed",
        create_time=None,
        update_time=None,
        currency="VND",
        total_amount=Decimal(185),
        lines=[line],
        shipping_fee=Decimal(20),
        seller_voucher=Decimal(10),
        coins=Decimal(5),
    )
    assert order.lines_total == 180
    assert order.check_total() == 0
    order.total_amount = Decimal(200)
    assert order.check_total() == -15


def test_registry():
    assert platforms.get_platform_class("shopee") is shopee.ShopeePlatform
    assert platforms.PLATFORMS["shopee"].max_detail_batch == 50
    with pytest.raises(KeyError, match="known: shopee"):
        platforms.get_platform_class("nope")
    with pytest.raises(ValueError):
        platforms.register(type("Clash", (shopee.ShopeePlatform,), {}))


def test_control_characters_never_leave_the_platform_layer(client, emulator):
    """PostgreSQL cannot store NUL: every string a platform sends is cleaned."""
    assert transport.clean_json(
        {"a\x00": ["x\x00y\x1b[31m", {"b": "tab\tnl\n"}], "n": 1}
    ) == {
        "a": ["xy[31m", {"b": "tab\tnl\n"}],
        "n": 1,
    }
