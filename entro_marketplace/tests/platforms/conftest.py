"""Fixtures for the platform-layer tests (plain pytest, real loopback HTTP).

These tests are collected by pytest, never by Odoo's runner (the addon's
``tests/__init__.py`` does not import this folder). The platform package is
imported as ``odoo.addons.entro_marketplace.platforms`` when Odoo and the addon
are importable (pytest-odoo), and otherwise loaded from the source tree as a
top-level package named ``entro_platforms``. The tests of this folder import the
platform modules from here::

    from .conftest import base, errors, records, shopee, transport

Each platform's client fixtures (its emulator, a recorder, a client factory and
an authorized client) come from one factory, ``client_fixtures``, given what
differs per platform (a ``ClientSpec``): Shopee's here, the others' in
``<platform>_fixtures.py``.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

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


@pytest.fixture(autouse=True)
def _fresh_rate_limiters():
    transport.RateLimiter.reset_registry()
    yield
    transport.RateLimiter.reset_registry()


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


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class ClientSpec:
    """What differs per platform in its client fixtures."""

    code: str  # the platform's module and transport name
    platform_class: str  # the client class's name in that module
    emulator: Callable[[], Any]  # a new (not started) emulator
    config: Callable[[Any], dict]  # emulator -> the ShopConfig values it needs
    access_ttl: timedelta  # an authorized client's access token lifetime
    refresh_ttl: timedelta | None = None  # ... and refresh token's, if it has one
    forget: Callable[[], None] = _nothing  # around each emulator: process caches
    before_client: Callable[[], None] = _nothing  # before each client is made
    extra: bool = False  # always give ShopConfig an ``extra`` of its own
    doc: dict[str, str] = field(default_factory=dict)


def client_fixtures(spec: ClientSpec, prefix: str = ""):
    """The fixtures ``<prefix>emulator``, ``<prefix>rec``, ``<prefix>make_client``
    and ``<prefix>client`` for one platform, in that order (bind each to a
    module-level name equal to its fixture name)."""
    module = importlib.import_module(f"{PACKAGE_NAME}.{spec.code}")
    platform_class = getattr(module, spec.platform_class)
    names = {part: f"{prefix}{part}" for part in ("emulator", "rec", "make_client")}

    def emulator():
        spec.forget()
        with spec.emulator() as emu:
            yield emu
        spec.forget()

    def rec() -> Recorder:
        return Recorder()

    def make_client(request):
        default_emulator = request.getfixturevalue(names["emulator"])
        recorder = request.getfixturevalue(names["rec"])

        def factory(authorized: bool = True, emulator=None, extra=None, **overrides):
            emu = emulator or default_emulator
            tokens = emu.issue_tokens() if authorized else {}
            now = datetime.now(timezone.utc)
            values = {
                **spec.config(emu),
                "access_token": tokens.get("access_token"),
                "refresh_token": tokens.get("refresh_token"),
                "access_expires_at": now + spec.access_ttl if tokens else None,
                "rate_limit_per_s": None,
                "timeout": (2.0, 5.0),
                "max_attempts": 4,
            }
            if spec.refresh_ttl is not None:
                values["refresh_expires_at"] = (
                    now + spec.refresh_ttl if tokens else None
                )
            if spec.extra:
                values["extra"] = dict(extra or {})
            elif extra is not None:
                values["extra"] = extra
            values.update(overrides)
            config = base.ShopConfig(**values)
            tr = transport.Transport(
                spec.code,
                timeout=config.timeout,
                max_attempts=config.max_attempts,
                sleep=recorder.sleep,
                max_inline_wait=config.max_inline_wait,
            )
            spec.before_client()
            return platform_class(
                config,
                transport=tr,
                on_call=recorder.on_call,
                on_tokens=recorder.on_tokens,
            )

        return factory

    def client(request):
        return request.getfixturevalue(names["make_client"])()

    label = spec.platform_class
    emulator.__doc__ = spec.doc.get("emulator", f"A running {spec.code} emulator.")
    rec.__doc__ = "Recorder of sleeps, calls and tokens."
    make_client.__doc__ = f"Factory: a {label} wired to the emulator, fresh tokens."
    client.__doc__ = spec.doc.get("client", f"An authorized {label}.")
    return (
        pytest.fixture(name=names["emulator"])(emulator),
        pytest.fixture(name=names["rec"])(rec),
        pytest.fixture(name=names["make_client"])(make_client),
        pytest.fixture(name=f"{prefix}client")(client),
    )


PARTNER_ID = 2001887
PARTNER_KEY = "test_partner_key"
SHOP_ID = 600000

SHOPEE = ClientSpec(
    code="shopee",
    platform_class="ShopeePlatform",
    emulator=lambda: ShopeeEmulator(
        partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
    ),
    config=lambda emu: {
        "app_key": str(PARTNER_ID),
        "app_secret": PARTNER_KEY,
        "base_url": emu.base_url,
        "shop_external_id": str(SHOP_ID),
    },
    access_ttl=timedelta(hours=4),
    doc={
        "emulator": "A running Shopee emulator on an ephemeral loopback port.",
        "client": "An authorized ShopeePlatform bound to the emulator's shop.",
    },
)

emulator, rec, make_client, client = client_fixtures(SHOPEE)
