"""``python -m tests.emulators shopee``: Shopee's arguments, start and tick."""

from __future__ import annotations

import argparse
import logging
import random
from operator import itemgetter
from typing import Any

from ..cli import older_order
from ..vn_withholding import KINDS
from .data import LIFECYCLE, generate_catalogue, generate_orders
from .server import ShopeeEmulator

_logger = logging.getLogger("tests.emulators")

HELP = "Shopee Open Platform v2 emulator"
PORT = 8911
PUSH_HELP = "callback URL for code-3 pushes"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Shopee's own arguments."""
    parser.add_argument("--partner-id", type=int, default=2001887)
    parser.add_argument("--partner-key", default="test_partner_key")
    parser.add_argument("--shop-id", type=int, default=600000)
    parser.add_argument(
        "--access-ttl",
        type=int,
        default=4 * 3600,
        help="access token lifetime in seconds",
    )
    parser.add_argument(
        "--withholding",
        choices=[*KINDS, "none"],
        default="goods",
        help="the seller is a household whose VAT and PIT Shopee withholds at the "
        "rates of this kind of business (Decree 117); none: a company",
    )


def start(args: argparse.Namespace) -> ShopeeEmulator:
    """Start the Shopee emulator with a catalogue and orders."""
    emulator = ShopeeEmulator(
        partner_id=args.partner_id,
        partner_key=args.partner_key,
        shop_id=args.shop_id,
        host=args.host,
        port=args.port,
        access_ttl=args.access_ttl,
        seed=args.seed,
    )
    emulator.withholding = None if args.withholding == "none" else args.withholding
    catalogue = generate_catalogue(args.items, 3, seed=args.seed)
    emulator.add_catalogue(catalogue)
    emulator.add_orders(
        generate_orders(
            args.orders, seed=args.seed, catalogue=catalogue, shop_id=args.shop_id
        )
    )
    emulator.start()
    _logger.info(
        "Shopee emulator on %s (partner_id=%s, shop_id=%s)",
        emulator.base_url,
        args.partner_id,
        args.shop_id,
    )
    _logger.info(
        "authorize: GET %s/api/v2/shop/auth_partner?partner_id=..&timestamp=.."
        "&sign=..&redirect=<your callback>",
        emulator.base_url,
    )
    return emulator


def settle(emulator: ShopeeEmulator) -> str | None:
    """Pay the completed orders out (``--settle-every``): a withdrawal's summary."""
    row = emulator.settle_completed(emulator.clock())
    if row is None:
        return None
    return f"withdrawal {row['withdrawal_id']} of {-row['amount']} VND"


def tick(emulator: ShopeeEmulator, rng: random.Random) -> list[dict[str, Any]]:
    """A new order, and an older one one step further: their code-3 messages."""
    order = emulator.new_order(status=rng.choice(["UNPAID", "READY_TO_SHIP"]))
    changed = [emulator.order_message(order["order_sn"])]
    other = older_order(emulator, order, itemgetter("order_status"), LIFECYCLE, rng)
    if other is not None:
        changed.append(
            emulator.set_status(other["order_sn"], LIFECYCLE[other["order_status"]])
        )
    _logger.info("new order %s; %d change(s)", order["order_sn"], len(changed))
    return changed
