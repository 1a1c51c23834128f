"""Signatures (§6 vectors V5-V8), the authorize URL and secret redaction."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests

from .conftest import PARTNER_KEY, SHOP_ID, shopee, transport

KEY = "test_partner_key"


def test_v5_shop_api_signature():
    base = (
        "2001887/api/v2/shop/get_shop_info1655714431"
        "59777174636562737266615546704c6d14701711"
    )
    expected = "9fdae5aeed86e753249982ec04aa54339280f12d3f456b9e3f7d8ee91e66a2b3"
    token = "59777174636562737266615546704c6d"
    signed = shopee.sign(
        KEY, 2001887, "/api/v2/shop/get_shop_info", 1655714431, token, 14701711
    )
    assert f"2001887/api/v2/shop/get_shop_info1655714431{token}14701711" == base
    assert signed == expected


def test_v6_public_api_signature():
    signed = shopee.sign(
        KEY, "2001887", "/api/v2/public/get_shops_by_partner", 1655714431
    )
    assert signed == "bfd95b21eda3ed2c80e9373e8c0ce80bdc39b2dc02e4c6dc19e1413c75f8ab09"


def test_v7_token_get_signature():
    signed = shopee.sign(KEY, 2001887, "/api/v2/auth/token/get", 1655714431)
    assert signed == "4347600f52b50a77f5ecee90bf489adf3cec2d59d3c2febe004674f37def5451"


def test_v8_push_signature():
    body = b'{"shop_id":123,"code":3,"timestamp":1660123127}'
    signed = shopee.push_signature(KEY, "https://example.com/shopee/push", body)
    assert signed == "cd07180df176177813b151e3befc7a683ad6121a2fd1c340b6f142f51696fc61"


def test_authorize_url_is_accepted_by_emulator(make_client, emulator):
    client = make_client(authorized=False)
    url = client.authorize_url(
        "https://odoo.example.com/entro/oauth/shopee", state="s1"
    )
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.path == "/api/v2/shop/auth_partner"
    assert set(query) == {"partner_id", "timestamp", "sign", "redirect"}
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    back = parse_qs(location.query)
    assert location.netloc == "odoo.example.com"
    assert (
        back["state"] == ["s1"] and back["shop_id"] == [str(SHOP_ID)] and back["code"]
    )


def test_emulator_rejects_wrong_sign(make_client, emulator):
    client = make_client(app_secret=PARTNER_KEY + "x")
    url = client.authorize_url("https://example.com/cb")
    response = requests.get(url, allow_redirects=False, timeout=5)
    assert response.status_code == 403
    assert response.json()["error"] == "error_sign"


def test_redact_url_hides_secrets_only():
    url = (
        "https://h/api/v2/order/get_order_list?partner_id=1&timestamp=2&sign=abc"
        "&access_token=tok&shop_id=9&code=xyz&refresh_token=r&time_from=5"
    )
    redacted = transport.redact(url)
    query = parse_qs(urlsplit(redacted).query)
    assert query["sign"] == ["***"] and query["access_token"] == ["***"]
    assert query["code"] == ["***"] and query["refresh_token"] == ["***"]
    assert query["partner_id"] == ["1"] and query["shop_id"] == ["9"]
    assert query["time_from"] == ["5"]
    for secret in ("abc", "tok", "xyz"):
        assert f"={secret}" not in redacted


def test_redact_mapping_walks_nested_values():
    headers = {
        "Authorization": "Bearer s3cret",
        "x-tts-access-token": "t0k",
        "Content-Type": "application/json",
        "body": {"partner_key": "k", "app_secret": "a", "items": [{"password": "p"}]},
    }
    cleaned = transport.redact(headers)
    assert cleaned["Authorization"] == "***"
    assert cleaned["x-tts-access-token"] == "***"
    assert cleaned["Content-Type"] == "application/json"
    assert cleaned["body"]["partner_key"] == "***"
    assert cleaned["body"]["app_secret"] == "***"
    assert cleaned["body"]["items"][0]["password"] == "***"


def test_sensitive_names():
    for name in (
        "sign",
        "Signature",
        "access_token",
        "refresh_token",
        "partner_key",
        "app_secret",
        "Authorization",
        "code",
        "password",
        "client_secret",
    ):
        assert transport.is_sensitive(name), name
    for name in (
        "partner_id",
        "shop_id",
        "error_code",
        "country_code",
        "timestamp",
        "design",
        "order_sn_list",
    ):
        assert not transport.is_sensitive(name), name


def test_scrub_text_removes_secret_values():
    assert transport.scrub_text("bad token abcd1234 here", ["abcd1234", None]) == (
        "bad token *** here"
    )
