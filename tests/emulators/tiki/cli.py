"""``python -m tests.emulators tiki``: Tiki's arguments, start and tick.

Tiki pushes nothing: a tick's new order and status change wait in the event
queues Odoo pulls, so it returns no message to push.
"""

from __future__ import annotations

import argparse
import logging
import random
from operator import itemgetter
from typing import Any

from ..cli import older_order
from .data import LIFECYCLE, generate_catalogue, generate_orders
from .server import TikiEmulator

_logger = logging.getLogger("tests.emulators")

HELP = "Tiki Open API emulator (event queue)"
PORT = 8914
PUSH_HELP = "ignored: Tiki is pulled"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Tiki's own arguments."""
    parser.add_argument("--client-id", default="tiki-client-1")
    parser.add_argument("--client-secret", default="tiki_test_secret")
    parser.add_argument("--seller-id", default="3001")
    parser.add_argument("--app-type", choices=("public", "in_house"), default="public")


def start(args: argparse.Namespace) -> TikiEmulator:
    """Start the Tiki emulator with a catalogue and orders."""
    emulator = TikiEmulator(
        client_id=args.client_id,
        client_secret=args.client_secret,
        seller_id=str(args.seller_id),
        app_type=args.app_type,
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    catalogue = generate_catalogue(args.items, seed=args.seed)
    emulator.add_catalogue(catalogue)
    emulator.add_orders(
        generate_orders(
            args.orders,
            seed=args.seed,
            catalogue=catalogue,
            seller_id=str(args.seller_id),
        )
    )
    emulator.start()
    _logger.info(
        "Tiki emulator on %s (client_id=%s, seller_id=%s, %s app)",
        emulator.base_url,
        args.client_id,
        args.seller_id,
        args.app_type,
    )
    return emulator


def tick(emulator: TikiEmulator, rng: random.Random) -> list[dict[str, Any]]:
    """A new order, and an older one one step further, queued as events."""
    order = emulator.new_order("queueing")
    other = older_order(emulator, order, itemgetter("status"), LIFECYCLE, rng)
    if other is not None:
        emulator.set_status(other["code"], LIFECYCLE[other["status"]])
    _logger.info(
        "new order %s; %d event(s) waiting", order["code"], emulator.pending_events()
    )
    return []
