"""Lazada fixtures for the platform tests (import them into a test module).

Usage::

    from .lazada_fixtures import lazada, lz_client, lz_emulator
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone

import pytest

from tests.emulators.lazada import LazadaEmulator

from .conftest import PACKAGE_NAME, Recorder, base, transport

lazada = importlib.import_module(f"{PACKAGE_NAME}.lazada")

APP_KEY = "123456"
APP_SECRET = "test_app_secret"
SELLER_ID = "200100"

__all__ = [
    "APP_KEY",
    "APP_SECRET",
    "SELLER_ID",
    "lazada",
    "lz_client",
    "lz_emulator",
    "lz_make_client",
    "lz_rec",
]


@pytest.fixture
def lz_emulator():
    """A running Lazada emulator (one Vietnamese seller) on loopback."""
    with LazadaEmulator(
        app_key=APP_KEY, app_secret=APP_SECRET, sellers={"vn": SELLER_ID}
    ) as emu:
        yield emu


@pytest.fixture
def lz_rec() -> Recorder:
    """Recorder of sleeps, calls and tokens."""
    return Recorder()


@pytest.fixture
def lz_make_client(lz_emulator, lz_rec):
    """Factory: a LazadaPlatform wired to the emulator, with fresh tokens."""

    def factory(authorized: bool = True, emulator=None, **overrides):
        emu = emulator or lz_emulator
        tokens = emu.issue_tokens() if authorized else {}
        now = datetime.now(timezone.utc)
        values = {
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "base_url": emu.base_url + "/rest",
            "shop_external_id": SELLER_ID,
            "country": "vn",
            "access_token": tokens.get("access_token"),
            "refresh_token": tokens.get("refresh_token"),
            "access_expires_at": now + timedelta(days=7) if tokens else None,
            "refresh_expires_at": now + timedelta(days=30) if tokens else None,
            "rate_limit_per_s": None,
            "timeout": (2.0, 5.0),
            "max_attempts": 4,
        }
        values.update(overrides)
        config = base.ShopConfig(**values)
        tr = transport.Transport(
            "lazada",
            timeout=config.timeout,
            max_attempts=config.max_attempts,
            sleep=lz_rec.sleep,
            max_inline_wait=config.max_inline_wait,
        )
        return lazada.LazadaPlatform(
            config, transport=tr, on_call=lz_rec.on_call, on_tokens=lz_rec.on_tokens
        )

    return factory


@pytest.fixture
def lz_client(lz_make_client):
    """An authorized LazadaPlatform for the emulator's Vietnamese seller."""
    return lz_make_client()
