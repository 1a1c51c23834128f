"""TikTok Shop signing (V2, V4), tokens on the auth host, shop ciphers, errors
and back-off."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.emulators.tiktok import cipher_of, tiktok_sign

from . import tiktok_fixtures as fx
from .conftest import base, errors, platforms
from .tiktok_fixtures import (
    APP_SECRET,
    SECOND_SHOP,
    SHOP_ID,
    tiktok,
)

tt_emulator = fx.tt_emulator
tt_rec = fx.tt_rec
tt_make_client = fx.tt_make_client
tt_client = fx.tt_client

SINCE = datetime.now(timezone.utc) - timedelta(hours=1)


def test_v2_sdk_signature_vector():
    expected = "d3cb7fe11ecae942802ceeca67e7cf10120cc12f1517d45fbc1c8cfe5413c80f"
    assert tiktok.sign("app_secret", "/test-api", {"foo": "bar"}) == expected
    # sign and access_token are never signed
    params = {"foo": "bar", "sign": "x", "access_token": "y"}
    assert tiktok.sign("app_secret", "/test-api", params) == expected


def test_v4_signature_with_a_json_body():
    params = {
        "app_key": "test_app_key",
        "timestamp": "1623812664",
        "shop_cipher": "ROW_abc",
        "page_size": "10",
    }
    body = b'{"order_status":"UNPAID"}'
    expected = "80bcb1387f7b55ef87cefb3283c36532c4c09a1d786485844b8eeb3c0517bb95"
    path = "/order/202309/orders/search"
    assert tiktok.sign("test_app_secret", path, params, body) == expected
    assert tiktok.sign("test_app_secret", path, params, body.decode()) == expected
    assert tiktok.sign("test_app_secret", path, params) != expected
    # the emulator, written separately, agrees
    assert tiktok_sign("test_app_secret", path, params, body) == expected


def test_list_values_are_joined_with_commas():
    assert tiktok.sign("s", "/p", {"ids": ["1", "2"]}) == tiktok.sign(
        "s", "/p", {"ids": "1,2"}
    )


def test_registry_hosts_and_consent_url():
    assert platforms.get_platform_class("tiktok") is tiktok.TikTokPlatform
    client = tiktok.TikTokPlatform(
        base.ShopConfig(app_key="k", app_secret="s", extra={"service_id": "7001"})
    )
    assert client.base_url == "https://open-api.tiktokglobalshop.com"
    assert client.auth_base_url == "https://auth.tiktok-shops.com"
    url = client.authorize_url("https://odoo.example.com/cb", state="xyz")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://services.tiktokshop.com/open/authorize"
    )
    assert parse_qs(parts.query) == {"service_id": ["7001"], "state": ["xyz"]}


def test_request_is_signed_with_its_exact_body_and_token_in_header(
    tt_client, tt_emulator
):
    list(tt_client.iter_order_refs(SINCE))
    (entry,) = tt_emulator.journal.entries("/orders/search")
    query = {k: v[0] for k, v in entry.query.items()}
    assert "access_token" not in query
    assert query["shop_cipher"] == cipher_of(SHOP_ID)
    assert query["sign"] == tiktok_sign(APP_SECRET, entry.path, query, entry.body)
    body = entry.json()
    assert set(body) == {"update_time_ge", "update_time_lt"}
    assert entry.body == tiktok.encode_body(body)


def test_shops_call_carries_no_cipher_and_ciphers_are_learnt_once(
    tt_client, tt_emulator
):
    list(tt_client.iter_order_refs(SINCE))
    list(tt_client.iter_order_refs(SINCE))
    (shops,) = tt_emulator.journal.entries("/authorization/202309/shops")
    assert "shop_cipher" not in shops.query
    assert tt_emulator.journal.count("/orders/search") == 2


def test_configured_cipher_skips_the_lookup(tt_make_client, tt_emulator):
    client = tt_make_client(extra={"shop_cipher": cipher_of(SHOP_ID)})
    list(client.iter_order_refs(SINCE))
    assert tt_emulator.journal.count("/authorization/") == 0


def test_wrong_cipher_is_permanent_and_forgotten(tt_make_client, tt_emulator):
    client = tt_make_client(extra={"shop_cipher": "ROW_wrong"})
    with pytest.raises(errors.PermanentError) as info:
        list(client.iter_order_refs(SINCE))
    assert info.value.code == "101000"


def test_shop_outside_the_authorization(tt_make_client):
    client = tt_make_client(shop_external_id="123")
    with pytest.raises(errors.AuthorizationError) as info:
        list(client.iter_order_refs(SINCE))
    assert info.value.code == "shop_not_authorized"


def test_bad_secret_is_an_authorization_error(tt_make_client):
    client = tt_make_client(app_secret="wrong")
    with pytest.raises(errors.AuthorizationError) as info:
        list(client.iter_order_refs(SINCE))
    assert info.value.code == "106001"


def test_consent_code_token_get_and_the_shops_it_serves(
    tt_make_client, tt_emulator, tt_rec
):
    client = tt_make_client(authorized=False, shop_external_id=None)
    url = client.authorize_url("http://odoo.test/entro/oauth/tiktok", state="s1")
    consent = requests.get(url, allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    back = parse_qs(urlsplit(consent.headers["Location"]).query)
    assert back["state"] == ["s1"]
    tokens = client.exchange_code(back["code"][0])
    assert tokens.extra["shop_id"] == SHOP_ID
    shops = tokens.extra["country_user_info"]
    assert [(s["country"], s["seller_id"]) for s in shops] == [
        ("vn", SHOP_ID),
        ("vn", SECOND_SHOP),
    ]
    assert tokens.access_expires_at > datetime.now(timezone.utc) + timedelta(days=6)
    assert tokens.extra["authorization_expires_at"] == tokens.refresh_expires_at
    assert tt_rec.tokens == [tokens]
    (call,) = tt_emulator.journal.entries("/api/v2/token/get")
    assert call.query["grant_type"] == ["authorized_code"]
    # secrets never reach the API log
    logged = " ".join(str(c) for c in tt_rec.calls)
    assert APP_SECRET not in logged and tokens.access_token not in logged
    # the code is single use
    with pytest.raises(errors.PermanentError):
        client.exchange_code(back["code"][0])


def test_code_for_a_shop_the_seller_does_not_own(tt_make_client, tt_emulator):
    client = tt_make_client(authorized=False, shop_external_id="999")
    with pytest.raises(errors.AuthorizationError) as info:
        client.exchange_code(tt_emulator.authorize())
    assert info.value.code == "seller_mismatch"


def test_refresh_on_the_auth_host_is_single_use(tt_client, tt_rec, tt_emulator):
    old = tt_client.config.refresh_token
    tokens = tt_client.refresh_tokens()
    assert tokens.refresh_token != old
    assert tt_client.config.access_token == tokens.access_token
    assert tt_rec.tokens == [tokens]
    assert tokens.extra["shop_id"] == SHOP_ID
    (call,) = tt_emulator.journal.entries("/api/v2/token/refresh")
    assert call.query["grant_type"] == ["refresh_token"]
    tt_client.config.refresh_token = old
    with pytest.raises(errors.PermanentError):
        tt_client.refresh_tokens()


def test_expired_access_token_refreshes_exactly_once(tt_client, tt_emulator, tt_rec):
    tt_emulator.add_orders(fx_orders(tt_emulator, 3))
    tt_emulator.expire_access_tokens()
    refs = list(tt_client.iter_order_refs(SINCE - timedelta(days=20)))
    assert len(refs) == 3
    assert tt_emulator.journal.count("/api/v2/token/refresh") == 1
    assert len(tt_rec.tokens) == 1


def test_token_about_to_expire_is_refreshed_before_the_call(
    tt_make_client, tt_emulator
):
    soon = datetime.now(timezone.utc) + timedelta(minutes=1)
    client = tt_make_client(access_expires_at=soon)
    list(client.iter_order_refs(SINCE))
    assert tt_emulator.journal.count("/api/v2/token/refresh") == 1
    entries = tt_emulator.journal.entries()
    assert entries[0].path == "/api/v2/token/refresh"


def test_second_expiry_propagates(tt_client, tt_emulator):
    tt_emulator.faults.add("token_expired", "/orders/search", count=2)
    with pytest.raises(errors.TokenExpired) as info:
        list(tt_client.iter_order_refs(SINCE))
    assert info.value.code == "105002"


@pytest.mark.parametrize("kind", ["http_5xx", "http_429"])
def test_5xx_and_429_are_retried_with_backoff(tt_client, tt_emulator, tt_rec, kind):
    tt_emulator.faults.add(kind, "/orders/search", count=3, retry_after=None)
    list(tt_client.iter_order_refs(SINCE))
    assert tt_emulator.journal.count("/orders/search") == 4
    assert len(tt_rec.sleeps) == 3
    # exponential: each ceiling doubles (equal jitter keeps half of it)
    for attempt, delay in enumerate(tt_rec.sleeps, start=1):
        ceiling = 0.5 * 2 ** (attempt - 1)
        assert ceiling / 2 <= delay <= ceiling


def test_429_honours_retry_after(tt_client, tt_emulator, tt_rec):
    tt_emulator.faults.add("http_429", "/orders/search", count=1, retry_after=3)
    list(tt_client.iter_order_refs(SINCE))
    assert tt_rec.sleeps == [3.0]


def test_exhausted_retries_raise_the_right_class(tt_make_client, tt_emulator):
    client = tt_make_client(max_attempts=2)
    tt_emulator.faults.add("http_429", "/orders/search", count=2, retry_after=None)
    with pytest.raises(errors.RateLimited) as info:
        list(client.iter_order_refs(SINCE))
    assert info.value.code == "36009002"
    tt_emulator.faults.add("http_5xx", "/orders/search", count=2)
    with pytest.raises(errors.TransientError):
        list(client.iter_order_refs(SINCE))


@pytest.mark.parametrize(
    ("code", "message", "status", "cls"),
    [
        ("36009002", "Too many requests", 200, errors.RateLimited),
        ("105002", "Access token is expired", 200, errors.TokenExpired),
        ("36009004", "Invalid access token", 200, errors.TokenExpired),
        ("36009004", "Invalid app_key", 200, errors.AuthorizationError),
        ("106001", "Invalid sign", 200, errors.AuthorizationError),
        ("105005", "Scope not granted", 200, errors.AuthorizationError),
        ("36009007", "Timeout", 200, errors.TransientError),
        ("12052900", "bad parameter", 500, errors.TransientError),
        ("12052900", "bad parameter", 200, errors.PermanentError),
    ],
)
def test_error_mapping(code, message, status, cls):
    client = tiktok.TikTokPlatform(base.ShopConfig(app_key="k", app_secret="secret"))
    error = client._error(code, message, "rid", status)
    assert type(error) is cls
    assert error.code == code and error.request_id == "rid"
    assert message in error.message


def test_malformed_responses_are_platform_errors(tt_client, tt_emulator):
    tt_emulator.faults.add("malformed", "/orders/search", count=4)
    with pytest.raises(errors.TransientError):
        list(tt_client.iter_order_refs(SINCE))
    tt_emulator.faults.add("empty", "/orders/search", count=4)
    with pytest.raises(errors.TransientError):
        list(tt_client.iter_order_refs(SINCE))


def fx_orders(emulator, n, **kwargs):
    from tests.emulators.tiktok import generate_orders

    return generate_orders(
        n,
        start=datetime.now(timezone.utc) - timedelta(days=3),
        span=timedelta(days=2),
        **kwargs,
    )
