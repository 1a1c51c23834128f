"""Run an emulator standalone (product demo / manual testing).

Example::

    python -m tests.emulators shopee --port 8911 --partner-id 2001887 \
        --partner-key test_partner_key --orders 30 \
        --push-url http://localhost:8069/entro/webhook/shopee --push-every 20

Every ``--push-every`` seconds a new order appears and an older one moves one
step along its life cycle; each change is pushed to ``--push-url``. Shopee keeps
the pushes that fail for ``get_lost_push_message``.

``python -m tests.emulators lazada --port 8912`` runs the Lazada emulator
(``--app-key``, ``--app-secret``, ``--seller-id``); Lazada keeps no lost pushes.

``python -m tests.emulators tiktok --port 8913`` runs the TikTok Shop emulator
(``--app-key`` = the service id, ``--app-secret``, ``--shop-id``); API, token
host and consent page on one port.

``python -m tests.emulators tiki --port 8914`` runs the Tiki emulator
(``--client-id``, ``--client-secret``, ``--seller-id``, ``--app-type``): Tiki
pushes nothing, its new orders and status changes wait in the event queues Odoo
pulls (``--push-url`` is accepted and ignored).

Every platform takes ``--host``, ``--port``, ``--orders``, ``--items``,
``--seed``, ``--push-url`` and ``--push-every``. A platform's own arguments, how
it starts and what one tick of activity does live in its ``<code>/cli.py``.

Shopee and Lazada also take ``--settle-every SECONDS`` (default 0: never): that
often the platform pays the seller out, as it does after orders are completed
(Shopee releases their escrow into the wallet and withdraws it; Lazada books
their finance rows and closes a statement), so its payout API has payouts.
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import threading
import time
from collections.abc import Callable, Mapping
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import Any

_logger = logging.getLogger("tests.emulators")

#: the order in which the first platforms are listed; an emulator package added
#: beside them (any ``tests/emulators/<code>/cli.py``) is found and listed after
ORDER = ("shopee", "lazada", "tiktok", "tiki")


def platforms() -> list[str]:
    """The emulated platforms: each package ``tests.emulators.<code>`` with a ``cli``
    module (HELP, PORT, PUSH_HELP, add_arguments(parser), start(args) -> a started
    emulator and tick(emulator, rng) -> the messages to push)."""
    here = Path(__file__).resolve().parent
    found = sorted(p.parent.name for p in here.glob("*/cli.py"))
    return [c for c in ORDER if c in found] + [c for c in found if c not in ORDER]


def platform_cli(code: str) -> ModuleType:
    """The CLI module of platform ``code`` (optionally ``settle(emulator) -> payout
    or None``, run every ``--settle-every`` seconds)."""
    return import_module(f"{__package__}.{code}.cli")


def older_order(
    emulator: Any,
    new: dict[str, Any],
    state_of: Callable[[dict[str, Any]], str],
    lifecycle: Mapping[str, str],
    rng: random.Random,
) -> dict[str, Any] | None:
    """An order other than ``new`` whose state can move along ``lifecycle``."""
    with emulator.store.lock:
        movable = [
            order
            for order in emulator.store["orders"].values()
            if order is not new and state_of(order) in lifecycle
        ]
    return rng.choice(movable) if movable else None


def parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per platform."""
    root = argparse.ArgumentParser(prog="python -m tests.emulators")
    sub = root.add_subparsers(dest="platform", required=True)
    for code in platforms():
        platform = platform_cli(code)
        one = sub.add_parser(code, help=platform.HELP)
        one.add_argument("--host", default="127.0.0.1")
        one.add_argument("--port", type=int, default=platform.PORT)
        platform.add_arguments(one)
        one.add_argument(
            "--orders", type=int, default=30, help="orders generated at start"
        )
        one.add_argument("--items", type=int, default=12, help="catalogue products")
        one.add_argument("--seed", type=int, default=0)
        one.add_argument("--push-url", default=None, help=platform.PUSH_HELP)
        one.add_argument(
            "--push-every",
            type=float,
            default=0,
            help="seconds between simulated order activity (0 = none)",
        )
        if hasattr(platform, "settle"):
            one.add_argument(
                "--settle-every",
                type=float,
                default=0,
                help="seconds between payouts of the completed orders (0 = none)",
            )
    return root


def settle_periodically(
    emulator: Any, every: float, settle: Callable[[Any], Any]
) -> threading.Event:
    """Call ``settle(emulator)`` every ``every`` seconds in a daemon thread until
    the returned event is set."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every):
            try:
                payout = settle(emulator)
            except Exception:  # a failed payout must not end the emulator
                _logger.exception("settling failed")
                continue
            if payout:
                _logger.info("payout: %s", payout)

    threading.Thread(target=loop, name="settle", daemon=True).start()
    return stop


def serve(
    emulator: Any, args: argparse.Namespace, tick: Any, settle: Any = None
) -> None:
    """Simulate order activity every ``--push-every`` seconds until interrupted.

    ``tick(emulator, rng)`` makes the changes and returns the messages announcing
    them, pushed to ``--push-url`` when there is one. With ``--settle-every``,
    ``settle(emulator)`` pays the completed orders out that often.
    """
    rng = random.Random(args.seed)
    every = getattr(args, "settle_every", 0) or 0
    stop = (
        settle_periodically(emulator, every, settle) if settle and every > 0 else None
    )
    try:
        while True:
            if args.push_every <= 0:
                time.sleep(3600)
                continue
            time.sleep(args.push_every)
            messages = tick(emulator, rng)
            if args.push_url and messages:
                statuses = emulator.push(args.push_url, messages)
                _logger.info("pushed to %s: HTTP %s", args.push_url, statuses)
    except KeyboardInterrupt:
        _logger.info("stopping")
    finally:
        if stop is not None:
            stop.set()
        emulator.stop()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr
    )
    args = parser().parse_args(argv)
    platform = platform_cli(args.platform)
    serve(platform.start(args), args, platform.tick, getattr(platform, "settle", None))
    return 0
