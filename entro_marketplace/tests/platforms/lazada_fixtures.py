"""Lazada fixtures for the platform tests (import them into a test module).

Usage::

    from .lazada_fixtures import lazada, lz_client, lz_emulator
"""

from __future__ import annotations

import importlib
from datetime import timedelta

from tests.emulators.lazada import LazadaEmulator

from .conftest import PACKAGE_NAME, ClientSpec, client_fixtures

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

LAZADA = ClientSpec(
    code="lazada",
    platform_class="LazadaPlatform",
    emulator=lambda: LazadaEmulator(
        app_key=APP_KEY, app_secret=APP_SECRET, sellers={"vn": SELLER_ID}
    ),
    config=lambda emu: {
        "app_key": APP_KEY,
        "app_secret": APP_SECRET,
        "base_url": emu.base_url + "/rest",
        "shop_external_id": SELLER_ID,
        "country": "vn",
    },
    access_ttl=timedelta(days=7),
    refresh_ttl=timedelta(days=30),
    doc={
        "emulator": "A running Lazada emulator (one Vietnamese seller) on loopback.",
        "client": "An authorized LazadaPlatform for the emulator's Vietnamese seller.",
    },
)

lz_emulator, lz_rec, lz_make_client, lz_client = client_fixtures(LAZADA, "lz_")
