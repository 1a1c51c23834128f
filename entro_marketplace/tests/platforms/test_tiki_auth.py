"""Tiki OAuth2 (public and in-house apps), Bearer tokens, errors and retries."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from tests.emulators.tiki import TikiEmulator

from . import tiki_fixtures as fx
from .conftest import base, errors, platforms
from .tiki_fixtures import CLIENT_ID, CLIENT_SECRET, SELLER_ID, tiki

tk_emulator = fx.tk_emulator
tk_rec = fx.tk_rec
tk_make_client = fx.tk_make_client
tk_client = fx.tk_client


def test_registry_and_authorize_url():
    assert platforms.get_platform_class("tiki") is tiki.TikiPlatform
    client = tiki.TikiPlatform(base.ShopConfig(app_key="abc", app_secret="s"))
    url = client.authorize_url("https://odoo.example.com/cb?x=1", state="s" * 12)
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://api.tiki.vn/sc/oauth2/auth"
    )
    query = parse_qs(parts.query)
    assert query["response_type"] == ["code"] and query["client_id"] == ["abc"]
    assert query["scope"] == ["offline product order inventory"]
    assert query["state"] == ["s" * 12]
    assert query["redirect_uri"] == ["https://odoo.example.com/cb?x=1"]
    with pytest.raises(ValueError):
        client.authorize_url("https://odoo.example.com/cb", state="short")
    with pytest.raises(ValueError):
        client.authorize_url("https://odoo.example.com/cb")


def test_state_is_checked():
    tiki.check_state("abcdefgh1234", "abcdefgh1234")
    for expected, received in (("abcdefgh1234", "abcdefgh9999"), ("x" * 9, None)):
        with pytest.raises(errors.AuthorizationError) as info:
            tiki.check_state(expected, received)
        assert info.value.code == "bad_state"


def test_code_flow_through_consent_page(tk_make_client, tk_emulator, tk_rec):
    client = tk_make_client(authorized=False, shop_external_id=None)
    url = client.authorize_url("http://127.0.0.1:1/cb", state="state-123456")
    consent = requests.get(url, allow_redirects=False, timeout=5)
    assert consent.status_code == 302
    back = parse_qs(urlsplit(consent.headers["Location"]).query)
    assert back["state"] == ["state-123456"]
    with pytest.raises(errors.AuthorizationError):
        client.exchange_code(
            back["code"][0], state="forged-state", expected_state=("state-123456")
        )
    before = datetime.now(timezone.utc)
    tokens = client.exchange_code(
        back["code"][0], state=back["state"][0], expected_state="state-123456"
    )
    assert tokens.extra["shop_id"] == SELLER_ID
    assert client.config.shop_external_id == SELLER_ID
    assert tokens.refresh_token and tk_rec.tokens == [tokens]
    # the lifetime is the one Tiki sends (expires_in), not a guess
    lifetime = tokens.access_expires_at - before
    assert timedelta(seconds=3590) < lifetime <= timedelta(seconds=3601)
    # the code is single use
    with pytest.raises(errors.AuthorizationError):
        client.exchange_code(back["code"][0])
    # the client authenticated with HTTP Basic, and no secret reached the log
    token_calls = tk_emulator.journal.entries("/sc/oauth2/token")
    assert token_calls and all(b"client_secret" not in c.body for c in token_calls)
    text = repr(tk_rec.calls)
    for secret in (CLIENT_SECRET, tokens.access_token, tokens.refresh_token):
        assert secret not in text


def test_secret_in_body_when_configured(tk_make_client, tk_emulator):
    client = tk_make_client(
        authorized=False, extra={"token_auth_method": "post", "app_type": "in_house"}
    )
    with TikiEmulator(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, app_type="in_house"
    ) as emu:
        client.config.base_url = emu.base_url
        tokens = client.client_credentials()
        (call,) = emu.journal.entries("/sc/oauth2/token")
        assert b"client_secret=" in call.body
    assert tokens.refresh_token is None
    assert tokens.extra["shop_id"] == SELLER_ID


def test_expired_token_refreshed_once(tk_client, tk_emulator, tk_rec):
    old_refresh = tk_client.config.refresh_token
    tk_emulator.faults.add("token_expired", path_pattern="sellers/me")
    seller = tk_client.get_seller()
    assert str(seller["id"]) == SELLER_ID
    assert tk_emulator.journal.count("/sc/oauth2/token") == 1
    assert tk_client.config.refresh_token != old_refresh
    assert len(tk_rec.tokens) == 1
    # a refresh token is single use: the old one is refused
    tk_client.config.refresh_token = old_refresh
    with pytest.raises(errors.AuthorizationError):
        tk_client.refresh_tokens()


def test_in_house_app_renews_with_client_credentials(tk_make_client):
    with TikiEmulator(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, app_type="in_house"
    ) as emu:
        tokens = emu.issue_tokens()
        client = tk_make_client(
            authorized=False,
            emulator=emu,
            extra={"app_type": "in_house"},
            access_token=tokens["access_token"],
            access_expires_at=datetime.now(timezone.utc) + timedelta(seconds=30),
        )
        # about to expire: a new client-credentials token first, no refresh token
        client.get_seller()
        (call,) = emu.journal.entries("/sc/oauth2/token")
        assert b"grant_type=client_credentials" in call.body
        assert client.config.access_token != tokens["access_token"]


def test_4xx_not_retried_429_and_5xx_are(tk_client, tk_emulator, tk_rec):
    tk_emulator.faults.add("http_429", path_pattern="sellers/me", count=2)
    tk_emulator.faults.add("http_5xx", path_pattern="sellers/me", count=1)
    tk_client.get_seller()
    assert tk_emulator.journal.count("/sellers/me") == 4
    assert tk_rec.sleeps[:2] == [1.0, 1.0]  # Retry-After honoured
    tk_emulator.journal.clear()
    with pytest.raises(errors.PermanentError) as info:
        tk_client._call(tk_client._request, "GET", "/integration/v2/orders/X1/nope")
    assert info.value.http_status == 404
    assert tk_emulator.journal.count() == 1  # never retried
    with pytest.raises(errors.PermanentError) as info:
        tk_client._call(
            tk_client._request, "GET", "/integration/v2/orders", params={"page": 0}
        )
    assert info.value.http_status == 400 and "page" in info.value.message


def test_rate_limit_per_seller_retried_after_retry_after(tk_make_client, tk_emulator):
    tk_emulator.rate_limit = 5  # Tiki: 200 calls/s per seller; 5 keeps it short
    client = tk_make_client(max_attempts=8)
    client.transport.sleep = time.sleep  # really wait for the next second
    for _ in range(8):
        client.get_seller()
    statuses = [e.status for e in tk_emulator.journal.entries("/sellers/me")]
    assert statuses.count(200) == 8  # every 429 was retried after Retry-After
    assert 429 in statuses


def test_no_token_and_forbidden(tk_make_client, tk_emulator):
    client = tk_make_client(authorized=False, refresh_token=None)
    with pytest.raises(errors.AuthorizationError):
        client.get_seller()  # no token, and nothing to refresh it with
    app = tk_make_client()
    app.config.access_token = app.app_token()  # an app token is no seller's
    app.config.refresh_token = None
    with pytest.raises(errors.AuthorizationError):
        app.get_seller()  # 401 "not linked to a seller": reconnecting is needed
    assert tk_emulator.journal.entries("/sellers/me")[-1].status == 401
