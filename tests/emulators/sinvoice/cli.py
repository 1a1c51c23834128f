"""``python -m tests.emulators sinvoice``: Viettel's SInvoice on loopback.

SInvoice is not a marketplace: it has no orders and pushes nothing (``--orders``,
``--items`` and ``--push-url`` are accepted and ignored). Point a test or
sandbox database at it with the system parameters ``entro_marketplace_vn_einvoice.
sinvoice_base_url`` (``http://127.0.0.1:8915``) and
``entro_marketplace.allow_custom_api_hosts``; give the company the username and
password below in Accounting settings.
"""

from __future__ import annotations

import argparse
import logging
import random
from typing import Any

from .server import SInvoiceEmulator

_logger = logging.getLogger("tests.emulators")

HELP = "Viettel SInvoice emulator (e-invoices)"
PORT = 8915
PUSH_HELP = "ignored: SInvoice pushes nothing"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """SInvoice's own arguments."""
    parser.add_argument("--username", default="0100109106-506")
    parser.add_argument("--password", default="sinvoice-test-password")
    parser.add_argument("--tax-code", default="0100109106-506")
    parser.add_argument(
        "--template",
        action="append",
        default=None,
        help="TEMPLATE=SYMBOL registered on the account (repeatable; "
        "default 1/001=K24TUT)",
    )


def start(args: argparse.Namespace) -> SInvoiceEmulator:
    """Start the SInvoice emulator."""
    templates: dict[str, list[str]] = {}
    for item in args.template or ["1/001=K24TUT"]:
        template, _sep, symbol = item.partition("=")
        templates.setdefault(template, []).append(symbol)
    emulator = SInvoiceEmulator(
        username=args.username,
        password=args.password,
        tax_code=args.tax_code,
        templates=templates,
        host=args.host,
        port=args.port,
    )
    emulator.start()
    _logger.info(
        "SInvoice emulator on %s (tax code %s, templates %s)",
        emulator.base_url,
        args.tax_code,
        templates,
    )
    return emulator


def tick(emulator: SInvoiceEmulator, rng: random.Random) -> list[dict[str, Any]]:
    """Nothing happens on SInvoice by itself."""
    return []
