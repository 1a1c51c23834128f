"""Fixtures for the platform-layer tests (plain pytest, real loopback HTTP).

These tests are collected by pytest, never by Odoo's runner (the addon's
``tests/__init__.py`` does not import this folder). The platform package is
imported as ``odoo.addons.entro_marketplace.platforms`` when Odoo and the addon
are importable (pytest-odoo), and otherwise loaded from the source tree as a
top-level package named ``entro_platforms``. The tests of this folder import the
platform modules from here::

    from .conftest import base, errors, records, shopee, transport
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType

import pytest

from tests.emulators.shopee import ShopeeEmulator

FALLBACK_NAME = "entro_platforms"


def _load_platforms() -> tuple[ModuleType, str]:
    # Already loaded from the source tree: the same package again. pytest may
    # import this file twice, under its path's name before pytest-odoo names it
    # ``odoo.addons...`` (when a path in this folder is given on the command
    # line): both copies must test one package.
    if FALLBACK_NAME in sys.modules:
        return sys.modules[FALLBACK_NAME], FALLBACK_NAME
    try:
        import odoo.addons.entro_marketplace.platforms as package

        return package, "odoo.addons.entro_marketplace.platforms"
    except ImportError:
        pass
    root = Path(__file__).resolve().parents[2] / "platforms"
    spec = importlib.util.spec_from_file_location(
        FALLBACK_NAME, root / "__init__.py", submodule_search_locations=[str(root)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the platform package from {root}")
    package = importlib.util.module_from_spec(spec)
    sys.modules[FALLBACK_NAME] = package
    spec.loader.exec_module(package)
    return package, FALLBACK_NAME


platforms, PACKAGE_NAME = _load_platforms()
base = importlib.import_module(f"{PACKAGE_NAME}.base")
errors = importlib.import_module(f"{PACKAGE_NAME}.errors")
records = importlib.import_module(f"{PACKAGE_NAME}.records")
transport = importlib.import_module(f"{PACKAGE_NAME}.transport")
shopee = importlib.import_module(f"{PACKAGE_NAME}.shopee")

PARTNER_ID = 2001887
PARTNER_KEY = "test_partner_key"
SHOP_ID = 600000


@pytest.fixture(autouse=True)
def _fresh_rate_limiters():
    transport.RateLimiter.reset_registry()
    yield
    transport.RateLimiter.reset_registry()


@pytest.fixture
def emulator():
    """A running Shopee emulator on an ephemeral loopback port."""
    emu = ShopeeEmulator(
        partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
    )
    with emu:
        yield emu


class Recorder:
    """Collects sleeps, API-log records and persisted token sets."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.calls: list[dict] = []
        self.tokens: list = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def on_call(self, record: dict) -> None:
        self.calls.append(record)

    def on_tokens(self, tokens) -> None:
        self.tokens.append(tokens)


@pytest.fixture
def rec() -> Recorder:
    """Recorder of sleeps, calls and tokens."""
    return Recorder()


@pytest.fixture
def make_client(emulator, rec):
    """Factory: a ShopeePlatform wired to the emulator with fresh tokens."""

    def factory(authorized: bool = True, **overrides):
        tokens = emulator.issue_tokens() if authorized else {}
        now = datetime.now(timezone.utc)
        values = {
            "app_key": str(PARTNER_ID),
            "app_secret": PARTNER_KEY,
            "base_url": emulator.base_url,
            "shop_external_id": str(SHOP_ID),
            "access_token": tokens.get("access_token"),
            "refresh_token": tokens.get("refresh_token"),
            "access_expires_at": now + timedelta(hours=4) if tokens else None,
            "rate_limit_per_s": None,
            "timeout": (2.0, 5.0),
            "max_attempts": 4,
        }
        values.update(overrides)
        config = base.ShopConfig(**values)
        tr = transport.Transport(
            "shopee",
            timeout=config.timeout,
            max_attempts=config.max_attempts,
            sleep=rec.sleep,
            max_inline_wait=config.max_inline_wait,
        )
        return shopee.ShopeePlatform(
            config, transport=tr, on_call=rec.on_call, on_tokens=rec.on_tokens
        )

    return factory


@pytest.fixture
def client(make_client):
    """An authorized ShopeePlatform bound to the emulator's shop."""
    return make_client()
