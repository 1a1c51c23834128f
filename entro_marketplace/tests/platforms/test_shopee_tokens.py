"""Shopee OAuth, token refresh and the single refresh-and-retry on expiry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from .conftest import SHOP_ID, errors

SINCE = datetime.now(timezone.utc) - timedelta(hours=1)


def test_full_oauth_flow(make_client, emulator, rec):
    client = make_client(authorized=False, shop_external_id=None)
    url = client.authorize_url("https://odoo.example.com/cb")
    location = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    params = parse_qs(urlsplit(location).query)
    tokens = client.exchange_code(params["code"][0], shop_id=params["shop_id"][0])
    assert tokens.access_token and tokens.refresh_token
    assert tokens.extra["shop_id"] == str(SHOP_ID)
    assert tokens.access_expires_at > datetime.now(timezone.utc) + timedelta(hours=3)
    assert tokens.refresh_expires_at > datetime.now(timezone.utc) + timedelta(days=29)
    assert rec.tokens == [tokens]
    assert client.config.shop_external_id == str(SHOP_ID)
    assert client.config.access_token == tokens.access_token
    assert list(client.iter_order_refs(SINCE)) == []
    assert "***" not in repr(tokens.access_token) and "***" in repr(tokens)
    # the code is single use
    with pytest.raises(errors.AuthorizationError) as info:
        client.exchange_code(params["code"][0], shop_id=params["shop_id"][0])
    assert info.value.code == "invalid_code"


def test_token_expiry_refreshes_exactly_once(client, emulator, rec):
    old_refresh = client.config.refresh_token
    emulator.faults.add("token_expired", r"get_order_list", count=1)
    assert list(client.iter_order_refs(SINCE)) == []
    assert emulator.journal.count("/api/v2/auth/access_token/get") == 1
    assert len(rec.tokens) == 1
    assert rec.tokens[0].refresh_token == client.config.refresh_token != old_refresh
    assert emulator.journal.count("get_order_list") == 2
    assert [c["error_code"] for c in rec.calls if "order_list" in c["endpoint"]] == [
        "error_auth",
        None,
    ]


def test_second_token_expiry_propagates(client, emulator, rec):
    emulator.faults.add("token_expired", r"get_order_list", count=2)
    with pytest.raises(errors.TokenExpired):
        list(client.iter_order_refs(SINCE))
    assert len(rec.tokens) == 1
    assert emulator.journal.count("access_token/get") == 1


def test_really_expired_token_is_refreshed(client, emulator, rec):
    emulator.expire_access_tokens()
    assert list(client.iter_order_refs(SINCE)) == []
    assert len(rec.tokens) == 1


def test_proactive_refresh_before_expiry(client, emulator, rec):
    client.config.access_expires_at = datetime.now(timezone.utc) + timedelta(seconds=5)
    list(client.iter_order_refs(SINCE))
    assert len(rec.tokens) == 1
    assert emulator.journal.entries()[0].path == "/api/v2/auth/access_token/get"


def test_refresh_token_reuse_is_refused(client, emulator, rec):
    old_refresh = client.config.refresh_token
    client.refresh_tokens()
    client.config.refresh_token = old_refresh
    with pytest.raises(errors.AuthorizationError) as info:
        client.refresh_tokens()
    assert info.value.code == "error_auth"
    assert "refresh_token" in info.value.message
    assert len(rec.tokens) == 1


def test_on_tokens_failure_propagates(client):
    def fail(tokens):
        raise RuntimeError("database down")

    client.on_tokens = fail
    with pytest.raises(RuntimeError):
        client.refresh_tokens()


def test_no_access_token_yet_refreshes_first(client, emulator, rec):
    client.config.access_token = None
    assert list(client.iter_order_refs(SINCE)) == []
    assert len(rec.tokens) == 1 and client.config.access_token


def test_missing_refresh_token_is_an_authorization_error(make_client):
    client = make_client(refresh_token=None)
    with pytest.raises(errors.AuthorizationError):
        client.refresh_tokens()


def test_errors_never_contain_secrets(client, emulator):
    client.config.access_token = "deadbeefdeadbeef"
    emulator.faults.add("token_expired", count=5)
    with pytest.raises(errors.PlatformError) as info:
        list(client.iter_order_refs(SINCE))
    text = str(info.value)
    for secret in client.config.secrets():
        if secret:
            assert secret not in text
