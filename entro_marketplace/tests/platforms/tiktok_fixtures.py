"""TikTok Shop fixtures for the platform tests (import them into a test module).

Usage::

    from . import tiktok_fixtures as fx
    tt_client = fx.tt_client
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone

import pytest

from tests.emulators.tiktok import DEFAULT_SHOP, TikTokEmulator

from .conftest import PACKAGE_NAME, Recorder, base, transport

tiktok = importlib.import_module(f"{PACKAGE_NAME}.tiktok")

APP_KEY = "test_app_key"
APP_SECRET = "test_app_secret"
SHOP_ID = DEFAULT_SHOP
SECOND_SHOP = "7494726673780148745"

__all__ = [
    "APP_KEY",
    "APP_SECRET",
    "SECOND_SHOP",
    "SHOP_ID",
    "tiktok",
    "tt_client",
    "tt_emulator",
    "tt_make_client",
    "tt_rec",
]


@pytest.fixture
def tt_emulator():
    """A running TikTok Shop emulator: one seller, two Vietnamese shops."""
    tiktok.forget_ciphers()
    with TikTokEmulator(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        shops={SHOP_ID: "VN", SECOND_SHOP: "VN"},
    ) as emu:
        yield emu
    tiktok.forget_ciphers()


@pytest.fixture
def tt_rec() -> Recorder:
    """Recorder of sleeps, calls and tokens."""
    return Recorder()


@pytest.fixture
def tt_make_client(tt_emulator, tt_rec):
    """Factory: a TikTokPlatform wired to the emulator, with fresh tokens."""

    def factory(authorized: bool = True, **overrides):
        tokens = tt_emulator.issue_tokens() if authorized else {}
        now = datetime.now(timezone.utc)
        values = {
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "base_url": tt_emulator.base_url,
            "shop_external_id": SHOP_ID,
            "country": "vn",
            "access_token": tokens.get("access_token"),
            "refresh_token": tokens.get("refresh_token"),
            "access_expires_at": now + timedelta(days=7) if tokens else None,
            "rate_limit_per_s": None,
            "timeout": (2.0, 5.0),
            "max_attempts": 4,
        }
        values.update(overrides)
        config = base.ShopConfig(**values)
        tr = transport.Transport(
            "tiktok",
            timeout=config.timeout,
            max_attempts=config.max_attempts,
            sleep=tt_rec.sleep,
            max_inline_wait=config.max_inline_wait,
        )
        return tiktok.TikTokPlatform(
            config, transport=tr, on_call=tt_rec.on_call, on_tokens=tt_rec.on_tokens
        )

    return factory


@pytest.fixture
def tt_client(tt_make_client):
    """An authorized TikTokPlatform for the emulator's first shop."""
    return tt_make_client()
