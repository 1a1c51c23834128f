"""``python -m tests.emulators tiktok``: TikTok Shop's arguments, start and tick."""

from __future__ import annotations

import argparse
import logging
import random
from operator import itemgetter
from typing import Any

from ..cli import older_order
from .data import DEFAULT_SHOP, LIFECYCLE, generate_catalogue, generate_orders
from .server import TikTokEmulator

_logger = logging.getLogger("tests.emulators")

HELP = "TikTok Shop Partner API emulator"
PORT = 8913
PUSH_HELP = "callback for webhooks"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """TikTok Shop's own arguments (``--app-key`` is the service id)."""
    parser.add_argument("--app-key", default="test_app_key")
    parser.add_argument("--app-secret", default="test_app_secret")
    parser.add_argument("--shop-id", default=DEFAULT_SHOP)


def start(args: argparse.Namespace) -> TikTokEmulator:
    """Start the TikTok Shop emulator with a catalogue and orders."""
    emulator = TikTokEmulator(
        app_key=args.app_key,
        app_secret=args.app_secret,
        shops={str(args.shop_id): "VN"},
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    catalogue = generate_catalogue(args.items, 2, seed=args.seed)
    emulator.add_catalogue(catalogue)
    emulator.add_orders(
        generate_orders(
            args.orders, seed=args.seed, catalogue=catalogue, shop_id=str(args.shop_id)
        )
    )
    emulator.start()
    _logger.info(
        "TikTok Shop emulator on %s (app_key=%s, shop_id=%s); consent page: "
        "%s/open/authorize?service_id=..&redirect_uri=..",
        emulator.base_url,
        args.app_key,
        args.shop_id,
        emulator.base_url,
    )
    return emulator


def tick(emulator: TikTokEmulator, rng: random.Random) -> list[dict[str, Any]]:
    """A new order, and an older one one step further: their webhooks."""
    order = emulator.new_order(rng.choice(["UNPAID", "AWAITING_SHIPMENT"]))
    messages = [emulator.order_message(order)]
    other = older_order(emulator, order, itemgetter("status"), LIFECYCLE, rng)
    if other is not None:
        messages.append(emulator.set_status(other["id"], LIFECYCLE[other["status"]]))
    _logger.info("new order %s", order["id"])
    return messages
