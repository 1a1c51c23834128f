"""Lazada signing (V1), tokens, refresh-once, errors and retries."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.emulators.lazada import LazadaEmulator, lazada_sign

from . import lazada_fixtures as fx
from .conftest import base, errors, platforms
from .lazada_fixtures import APP_KEY, APP_SECRET, SELLER_ID, lazada

# the Lazada fixtures, visible to pytest in this module
lz_emulator = fx.lz_emulator
lz_rec = fx.lz_rec
lz_make_client = fx.lz_make_client
lz_client = fx.lz_client

SINCE = datetime.now(timezone.utc) - timedelta(hours=1)


def test_v1_official_signature_vector():
    params = {
        "access_token": "test",
        "app_key": "123456",
        "order_id": "1234",
        "sign_method": "sha256",
        "timestamp": "1517820392000",
    }
    expected = "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
    assert lazada.sign("helloworld", "/order/get", params) == expected
    assert lazada.sign("helloworld", "/order/get", {**params, "sign": "x"}) == expected


def test_registry_and_hosts():
    assert platforms.get_platform_class("lazada") is lazada.LazadaPlatform
    client = lazada.LazadaPlatform(
        base.ShopConfig(app_key="1", app_secret="s", country="sg")
    )
    assert client.base_url == "https://api.lazada.sg/rest"
    assert client.auth_base_url == "https://auth.lazada.com/rest"
    url = client.authorize_url("https://odoo.example.com/cb", state="xyz")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://auth.lazada.com/oauth/authorize"
    )
    query = parse_qs(parts.query)
    assert query["response_type"] == ["code"] and query["force_auth"] == ["true"]
    assert query["client_id"] == ["1"] and query["state"] == ["xyz"]
    assert query["redirect_uri"] == ["https://odoo.example.com/cb"]
    default = lazada.LazadaPlatform(base.ShopConfig(app_key="1"))
    assert default.base_url == "https://api.lazada.vn/rest"


def test_post_is_form_encoded_and_signed_with_its_payload(lz_client, lz_emulator):
    lz_client.update_stock([])  # nothing to send: no call
    assert lz_emulator.journal.count() == 0
    with pytest.raises(errors.PermanentError):
        lz_client._request(
            "POST", "/product/price_quantity/update", params={"payload": "<Request/>"}
        )
    (entry,) = lz_emulator.journal.entries("/product/price_quantity/update")
    assert entry.query == {}  # nothing in the URL: secrets stay out of logs
    form = {k: v[0] for k, v in parse_qs(entry.body.decode()).items()}
    assert form["payload"] == "<Request/>"
    assert form["sign"] == lazada_sign(APP_SECRET, entry.path, form)
    assert set(form) >= {"app_key", "timestamp", "sign_method", "access_token"}


def test_bad_secret_is_an_authorization_error(lz_make_client):
    client = lz_make_client(app_secret="wrong")
    with pytest.raises(errors.AuthorizationError) as info:
        list(client.iter_order_refs(SINCE))
    assert info.value.code == "IncompleteSignature"


def test_consent_page_code_and_token_create(lz_make_client, lz_emulator, lz_rec):
    client = lz_make_client(authorized=False, shop_external_id=None)
    url = client.authorize_url("https://odoo.example.com/cb?x=1", state="st4te")
    assert url.startswith(lz_emulator.base_url + "/oauth/authorize?")
    location = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st4te"] and query["x"] == ["1"]
    tokens = client.exchange_code(query["code"][0])
    now = datetime.now(timezone.utc)
    assert tokens.access_expires_at > now + timedelta(days=6)
    assert now + timedelta(days=29) < tokens.refresh_expires_at
    assert tokens.extra["shop_id"] == SELLER_ID
    assert client.config.shop_external_id == SELLER_ID
    assert lazada.country_sellers(tokens)[0]["country"] == "vn"
    assert lz_rec.tokens == [tokens]
    assert list(client.iter_order_refs(SINCE)) == []
    with pytest.raises(errors.AuthorizationError) as info:  # single use
        client.exchange_code(query["code"][0])
    assert info.value.code == "InvalidCode"


def test_code_for_another_seller_is_refused(lz_make_client, lz_emulator):
    client = lz_make_client(authorized=False, shop_external_id="999")
    with pytest.raises(errors.AuthorizationError) as info:
        client.exchange_code(lz_emulator.authorize())
    assert info.value.code == "seller_mismatch"


def test_cross_border_token_lists_two_countries(lz_make_client):
    with LazadaEmulator(
        app_key=APP_KEY, app_secret=APP_SECRET, sellers={"vn": "300001", "sg": "300002"}
    ) as emu:
        client = lz_make_client(
            authorized=False, emulator=emu, shop_external_id=None, country="sg"
        )
        tokens = client.exchange_code(emu.authorize())
        assert tokens.extra["country"] == "cb"
        sellers = lazada.country_sellers(tokens)
        assert [(s["country"], s["seller_id"]) for s in sellers] == [
            ("vn", "300001"),
            ("sg", "300002"),
        ]
        assert client.config.shop_external_id == "300002"  # this shop's country
        assert tokens.extra["shop_id"] == "300002"


def test_refresh_keeps_the_refresh_expiry_and_is_single_use(lz_client, lz_rec):
    first = lz_client.config.refresh_expires_at
    old_refresh = lz_client.config.refresh_token
    tokens = lz_client.refresh_tokens()
    assert tokens.refresh_token != old_refresh
    assert tokens.refresh_expires_at <= first  # never extended
    assert first - tokens.refresh_expires_at < timedelta(minutes=1)
    assert tokens.extra["country_user_info"]  # from country_user_info_list
    lz_client.config.refresh_token = old_refresh
    with pytest.raises(errors.AuthorizationError) as info:
        lz_client.refresh_tokens()
    assert info.value.code == "IllegalRefreshToken"
    assert len(lz_rec.tokens) == 1


def test_refresh_expiry_counts_down_on_the_server(lz_make_client, lz_emulator):
    clock = {"now": lz_emulator.clock()}
    lz_emulator.clock = lambda: clock["now"]
    client = lz_make_client(refresh_expires_at=None)
    first = client.refresh_tokens().refresh_expires_at
    clock["now"] += 3600
    client.clock = lambda: datetime.now(timezone.utc) + timedelta(hours=1)
    second = client.refresh_tokens().refresh_expires_at
    assert abs((second - first).total_seconds()) < 5


def test_expired_access_token_refreshes_exactly_once(lz_client, lz_emulator, lz_rec):
    lz_emulator.faults.add("token_expired", r"/orders/get", count=1)
    assert list(lz_client.iter_order_refs(SINCE)) == []
    assert lz_emulator.journal.count("/auth/token/refresh") == 1
    assert lz_emulator.journal.count("/orders/get") == 2
    assert len(lz_rec.tokens) == 1
    codes = [
        c["error_code"] for c in lz_rec.calls if c["endpoint"].endswith("/orders/get")
    ]
    assert codes == ["IllegalAccessToken", None]


def test_really_expired_token_then_second_expiry_propagates(lz_client, lz_emulator):
    lz_emulator.expire_access_tokens()
    assert list(lz_client.iter_order_refs(SINCE)) == []
    lz_emulator.faults.add("token_expired", r"/orders/get", count=2)
    with pytest.raises(errors.TokenExpired):
        list(lz_client.iter_order_refs(SINCE))
    assert lz_emulator.journal.count("/auth/token/refresh") == 2


@pytest.mark.parametrize("kind", ["http_5xx", "http_429"])
def test_5xx_and_429_are_retried(lz_client, lz_emulator, lz_rec, kind):
    lz_emulator.faults.add(kind, r"/orders/get", count=2, retry_after=0.5)
    assert list(lz_client.iter_order_refs(SINCE)) == []
    assert lz_emulator.journal.count("/orders/get") == 3
    assert len(lz_rec.sleeps) == 2
    if kind == "http_429":
        assert lz_rec.sleeps == [0.5, 0.5]


def test_exhausted_retries_raise_the_right_class(lz_make_client, lz_emulator):
    client = lz_make_client(max_attempts=2)
    lz_emulator.faults.add("http_429", r"/orders/get", count=2)
    with pytest.raises(errors.RateLimited):
        list(client.iter_order_refs(SINCE))
    lz_emulator.faults.add("http_5xx", r"/orders/get", count=2)
    with pytest.raises(errors.TransientError):
        list(client.iter_order_refs(SINCE))


@pytest.mark.parametrize(
    ("code", "kind", "status", "cls"),
    [
        ("IllegalAccessToken", "ISV", 200, errors.TokenExpired),
        ("IllegalRefreshToken", "ISV", 200, errors.AuthorizationError),
        ("InvalidCode", "ISV", 200, errors.AuthorizationError),
        ("901", "ISP", 200, errors.RateLimited),
        ("E901", "ISP", 200, errors.RateLimited),
        ("ApiCallLimit", "ISV", 200, errors.RateLimited),
        ("TRAFFIC_CONTROL", "ISV", 200, errors.RateLimited),
        ("OPEN_API_CALL_EXCEED_LIMIT", "ISV", 200, errors.RateLimited),
        ("ServiceTimeout", "SYSTEM", 200, errors.TransientError),
        ("Whatever", "ISP", 503, errors.TransientError),
        ("MissingParameter", "ISV", 200, errors.PermanentError),
        ("36", "ISP", 200, errors.PermanentError),
    ],
)
def test_error_mapping(code, kind, status, cls):
    client = lazada.LazadaPlatform.__new__(lazada.LazadaPlatform)
    client.config = type("C", (), {"secrets": lambda self: ["topsecret"]})()
    error = client._error(code, kind, "bad topsecret", "rid", status)
    assert type(error) is cls
    assert error.code == code and error.request_id == "rid"
    assert "topsecret" not in str(error)


def test_malformed_responses_are_platform_errors(lz_make_client, lz_emulator):
    client = lz_make_client(max_attempts=1)
    lz_emulator.faults.add("malformed", r"/orders/get")
    with pytest.raises(errors.TransientError) as info:
        list(client.iter_order_refs(SINCE))
    assert info.value.code == "bad_response"
    lz_emulator.faults.add("empty", r"/orders/get")
    with pytest.raises(errors.PermanentError) as info:
        list(client.iter_order_refs(SINCE))
    assert "order list" in str(info.value)
    lz_emulator.faults.add("empty", r"/auth/token/refresh")
    with pytest.raises(errors.PermanentError) as info:
        client.refresh_tokens()
    assert "access_token" in str(info.value)


def test_unknown_endpoint_is_permanent(lz_client):
    with pytest.raises(errors.PermanentError) as info:
        lz_client._request("GET", "/nope/get")
    assert info.value.http_status == 404
