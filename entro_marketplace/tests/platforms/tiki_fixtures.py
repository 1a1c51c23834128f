"""Tiki fixtures for the platform tests (import them into a test module)."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone

import pytest

from tests.emulators.tiki import TikiEmulator

from .conftest import PACKAGE_NAME, Recorder, base, transport

tiki = importlib.import_module(f"{PACKAGE_NAME}.tiki")

CLIENT_ID = "tiki-client-1"
CLIENT_SECRET = "tiki_test_secret"
SELLER_ID = "3001"

__all__ = [
    "CLIENT_ID",
    "CLIENT_SECRET",
    "SELLER_ID",
    "tiki",
    "tk_client",
    "tk_emulator",
    "tk_make_client",
    "tk_rec",
]


@pytest.fixture
def tk_emulator():
    """A running Tiki emulator (a public app, one seller) on loopback."""
    with TikiEmulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET) as emu:
        yield emu


@pytest.fixture
def tk_rec() -> Recorder:
    return Recorder()


@pytest.fixture
def tk_make_client(tk_emulator, tk_rec):
    """Factory: a TikiPlatform wired to the emulator, with fresh seller tokens."""

    def factory(authorized: bool = True, emulator=None, extra=None, **overrides):
        emu = emulator or tk_emulator
        tokens = emu.issue_tokens() if authorized else {}
        values = {
            "app_key": CLIENT_ID,
            "app_secret": CLIENT_SECRET,
            "base_url": emu.base_url,
            "shop_external_id": SELLER_ID,
            "access_token": tokens.get("access_token"),
            "refresh_token": tokens.get("refresh_token"),
            "access_expires_at": datetime.now(timezone.utc) + timedelta(hours=1)
            if tokens
            else None,
            "rate_limit_per_s": None,
            "timeout": (2.0, 5.0),
            "max_attempts": 4,
            "extra": dict(extra or {}),
        }
        values.update(overrides)
        config = base.ShopConfig(**values)
        tr = transport.Transport(
            "tiki",
            timeout=config.timeout,
            max_attempts=config.max_attempts,
            sleep=tk_rec.sleep,
            max_inline_wait=config.max_inline_wait,
        )
        tiki.TikiPlatform._app_tokens.clear()
        return tiki.TikiPlatform(
            config, transport=tr, on_call=tk_rec.on_call, on_tokens=tk_rec.on_tokens
        )

    return factory


@pytest.fixture
def tk_client(tk_make_client):
    return tk_make_client()
