"""``python -m tests.emulators lazada``: Lazada's arguments, start and tick."""

from __future__ import annotations

import argparse
import logging
import random
from typing import Any

from ..cli import older_order
from ..vn_withholding import KINDS
from .data import LIFECYCLE, generate_catalogue, generate_orders
from .server import LazadaEmulator

_logger = logging.getLogger("tests.emulators")

HELP = "Lazada Open Platform emulator"
PORT = 8912
PUSH_HELP = "callback for pushes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Lazada's own arguments."""
    parser.add_argument("--app-key", default="123456")
    parser.add_argument("--app-secret", default="test_app_secret")
    parser.add_argument("--seller-id", default="200100")
    parser.add_argument(
        "--withholding",
        choices=[*KINDS, "none"],
        default="goods",
        help="the seller is a household whose VAT and PIT Lazada withholds at the "
        "rates of this kind of business (Decree 117); none: a company",
    )


def start(args: argparse.Namespace) -> LazadaEmulator:
    """Start the Lazada emulator with a catalogue and orders."""
    emulator = LazadaEmulator(
        app_key=args.app_key,
        app_secret=args.app_secret,
        sellers={"vn": str(args.seller_id)},
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    emulator.withholding = None if args.withholding == "none" else args.withholding
    catalogue = generate_catalogue(args.items, 2, seed=args.seed)
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
        "Lazada emulator on %s (app_key=%s, seller_id=%s); consent page: "
        "%s/oauth/authorize?response_type=code&client_id=..&redirect_uri=..",
        emulator.base_url,
        args.app_key,
        args.seller_id,
        emulator.base_url,
    )
    return emulator


def _first_item_status(order: dict[str, Any]) -> str:
    return order["_items"][0]["status"]


def settle(emulator: LazadaEmulator) -> str | None:
    """Pay the delivered orders out (``--settle-every``): a statement's summary."""
    statement = emulator.settle_delivered(emulator.clock())
    if statement is None:
        return None
    return f"statement {statement['statement_number']} of {statement['payout']}"


def tick(emulator: LazadaEmulator, rng: random.Random) -> list[dict[str, Any]]:
    """A new order, and an older one one step further: their messages."""
    order = emulator.new_order(["pending"])
    messages = emulator.set_item_status(order["order_id"], None, "pending")
    other = older_order(emulator, order, _first_item_status, LIFECYCLE, rng)
    if other is not None:
        status = LIFECYCLE[other["_items"][0]["status"]]
        messages += emulator.set_item_status(other["order_id"], None, status)
    _logger.info("new order %s", order["order_id"])
    return messages
