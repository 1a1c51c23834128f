"""TikTok Shop fixtures for the platform tests (import them into a test module).

Usage::

    from . import tiktok_fixtures as fx
    tt_client = fx.tt_client
"""

from __future__ import annotations

import importlib
from datetime import timedelta

from tests.emulators.tiktok import DEFAULT_SHOP, TikTokEmulator

from .conftest import PACKAGE_NAME, ClientSpec, client_fixtures

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

TIKTOK = ClientSpec(
    code="tiktok",
    platform_class="TikTokPlatform",
    emulator=lambda: TikTokEmulator(
        app_key=APP_KEY,
        app_secret=APP_SECRET,
        shops={SHOP_ID: "VN", SECOND_SHOP: "VN"},
    ),
    config=lambda emu: {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "base_url": emu.base_url,
        "shop_external_id": SHOP_ID,
        "country": "vn",
    },
    access_ttl=timedelta(days=7),
    forget=lambda: tiktok.forget_ciphers(),
    doc={
        "emulator": "A running TikTok Shop emulator: one seller, two Vietnamese shops.",
        "client": "An authorized TikTokPlatform for the emulator's first shop.",
    },
)

tt_emulator, tt_rec, tt_make_client, tt_client = client_fixtures(TIKTOK, "tt_")
