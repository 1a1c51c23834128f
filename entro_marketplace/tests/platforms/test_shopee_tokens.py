"""Shopee OAuth, token refresh and the single refresh-and-retry on expiry."""

from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from .conftest import SHOP_ID, errors, records

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


class MemoryTokenStore:
    """A token store (platforms.base.TokenStore) shared by clients in memory."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.saved = []
        self.locks = 0
        self._lock = threading.Lock()

    @contextmanager
    def lock(self):
        with self._lock:
            self.locks += 1
            yield

    def reload(self):
        assert self._lock.locked()
        return self.tokens

    def save(self, tokens):
        assert self._lock.locked()
        self.tokens = tokens
        self.saved.append(tokens)


def _stored(client):
    config = client.config
    return records.TokenSet(
        config.access_token,
        config.refresh_token,
        config.access_expires_at,
        config.refresh_expires_at,
    )


def test_token_store_one_refresh_across_clients(make_client, emulator, rec):
    first = make_client()
    second = make_client()
    store = MemoryTokenStore(_stored(first))
    second.config.access_token = first.config.access_token
    second.config.refresh_token = first.config.refresh_token
    first.token_store = second.token_store = store
    tokens = first.refresh_tokens()
    assert store.saved == [tokens] and store.locks == 1
    assert first.config.access_token == tokens.access_token
    # the second client's token is rejected: it finds the stored tokens
    # replaced, adopts them and retries, without refreshing again
    emulator.faults.add("token_expired", r"get_order_list", count=1)
    assert list(second.iter_order_refs(SINCE)) == []
    assert emulator.journal.count("access_token/get") == 1
    assert store.locks == 2 and store.saved == [tokens]
    assert second.config.access_token == tokens.access_token
    assert second.config.refresh_token == tokens.refresh_token
    assert rec.tokens == [tokens]


def test_token_store_refreshes_stored_tokens_still_expiring(make_client, emulator):
    client = make_client()
    other = emulator.issue_tokens()
    store = MemoryTokenStore(
        records.TokenSet(
            other["access_token"],
            other["refresh_token"],
            datetime.now(timezone.utc),
        )
    )
    client.token_store = store
    tokens = client.refresh_tokens()
    # refreshed with the stored refresh token, which the client adopted
    assert emulator.journal.count("access_token/get") == 1
    assert store.saved == [tokens]
    assert tokens.access_token not in (other["access_token"], None)
    # it was the stored refresh token that was used (single-use: void now)
    client.token_store = None
    client.config.refresh_token = other["refresh_token"]
    with pytest.raises(errors.AuthorizationError):
        client.refresh_tokens()


# ---------------------------------------- the authorization's end (get_shop_info)


def _about(moment, expected):
    return moment is not None and abs((moment - expected).total_seconds()) < 120


def _consent(client):
    url = client.authorize_url("https://odoo.example.com/cb")
    location = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    params = parse_qs(urlsplit(location).query)
    return params["code"][0], params["shop_id"][0]


def test_connecting_reads_the_end_of_the_authorization(make_client, emulator, rec):
    """Shopee's token answer has no authorization end: get_shop_info's
    ``expire_time`` (365 days after the emulator's consent) is read once."""
    client = make_client(authorized=False, shop_external_id=None)
    code, shop_id = _consent(client)
    tokens = client.exchange_code(code, shop_id=shop_id)
    now = datetime.now(timezone.utc)
    assert _about(tokens.extra["authorization_expires_at"], now + timedelta(days=365))
    assert _about(tokens.refresh_expires_at, now + timedelta(days=30))
    (call,) = emulator.journal.entries("/api/v2/shop/get_shop_info")
    # a shop API call, signed with the new token (the emulator checks the sign)
    assert call.query["access_token"] == [tokens.access_token]
    assert call.query["shop_id"] == [str(SHOP_ID)]
    assert client.config.access_token == tokens.access_token


def test_each_refresh_reads_it_again_and_no_other_call_does(client, emulator, rec):
    with emulator.store.lock:
        grant = emulator.store["authorizations"][SHOP_ID]
        grant["expire_time"] = int(datetime.now(timezone.utc).timestamp()) + 86400
    tokens = client.refresh_tokens()
    end = tokens.extra["authorization_expires_at"]
    assert _about(end, datetime.now(timezone.utc) + timedelta(days=1))
    assert emulator.journal.count("/api/v2/shop/get_shop_info") == 1
    list(client.iter_order_refs(SINCE))
    assert emulator.journal.count("/api/v2/shop/get_shop_info") == 1


@pytest.mark.parametrize("fault", ["malformed", "empty", "http_5xx"])
def test_a_failing_shop_info_does_not_break_connecting(
    make_client, emulator, rec, caplog, fault
):
    emulator.faults.add(fault, r"get_shop_info", count=10)
    client = make_client(authorized=False, shop_external_id=None)
    code, shop_id = _consent(client)
    with caplog.at_level(logging.DEBUG):
        tokens = client.exchange_code(code, shop_id=shop_id)
    assert tokens.access_token and rec.tokens == [tokens]
    # none known: the shop forgets a former authorization's end
    assert "authorization_expires_at" in tokens.extra
    assert tokens.extra["authorization_expires_at"] is None
    assert tokens.refresh_expires_at
    # what Entro logs (urllib3's and the emulator's own debug lines aside)
    said = "\n".join(
        r.getMessage()
        for r in caplog.records
        if not r.name.startswith(("urllib3", "tests.emulators"))
    )
    if fault != "empty":  # an answer without expire_time is no failure
        assert "authorization's end could not be read" in said
    assert tokens.access_token not in said
    assert tokens.refresh_token not in said
    # a refresh that cannot read it says nothing of it: what is known stays
    emulator.faults.add(fault, r"get_shop_info", count=10)
    refreshed = client.refresh_tokens()
    assert "authorization_expires_at" not in refreshed.extra
    assert refreshed.access_token == client.config.access_token


def test_shop_info_is_refused_without_a_valid_signature(client, emulator):
    params = client._common_params("/api/v2/shop/get_shop_info", "shop")
    params["sign"] = "0" * 64
    answer = requests.get(
        emulator.base_url + "/api/v2/shop/get_shop_info", params=params, timeout=5
    )
    assert answer.status_code == 403
    assert answer.json()["error"] == "error_sign"
    params = client._common_params("/api/v2/shop/get_shop_info", "shop")
    answer = requests.get(
        emulator.base_url + "/api/v2/shop/get_shop_info", params=params, timeout=5
    )
    assert answer.status_code == 200
    assert answer.json()["expire_time"] > answer.json()["auth_time"]
