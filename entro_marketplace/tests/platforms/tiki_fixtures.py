"""Tiki fixtures for the platform tests (import them into a test module)."""

from __future__ import annotations

import importlib
from datetime import timedelta

from tests.emulators.tiki import TikiEmulator

from .conftest import PACKAGE_NAME, ClientSpec, client_fixtures

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

TIKI = ClientSpec(
    code="tiki",
    platform_class="TikiPlatform",
    emulator=lambda: TikiEmulator(client_id=CLIENT_ID, client_secret=CLIENT_SECRET),
    config=lambda emu: {
        "app_key": CLIENT_ID,
        "app_secret": CLIENT_SECRET,
        "base_url": emu.base_url,
        "shop_external_id": SELLER_ID,
    },
    access_ttl=timedelta(hours=1),
    before_client=lambda: tiki.TikiPlatform._app_tokens.clear(),
    extra=True,
    doc={"emulator": "A running Tiki emulator (a public app, one seller) on loopback."},
)

tk_emulator, tk_rec, tk_make_client, tk_client = client_fixtures(TIKI, "tk_")
