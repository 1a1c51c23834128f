"""Run an emulator standalone (product demo / manual testing).

Example::

    python -m tests.emulators shopee --port 8911 --partner-id 2001887 \
        --partner-key test_partner_key --orders 30 \
        --push-url http://localhost:8069/entro/webhook/shopee --push-every 20

Every ``--push-every`` seconds a new order appears and an older one moves one
step along its life cycle; each change is pushed (code 3) to ``--push-url``.
Pushes that fail are kept for ``get_lost_push_message``.

``python -m tests.emulators lazada --port 8912`` runs the Lazada emulator
(``--app-key``, ``--app-secret``, ``--seller-id``, ``--orders``, ``--items``,
``--seed``, ``--push-url``, ``--push-every``); Lazada keeps no lost pushes.

``python -m tests.emulators tiktok --port 8913`` runs the TikTok Shop emulator
(``--app-key`` = the service id, ``--app-secret``, ``--shop-id``, ``--orders``,
``--items``, ``--seed``, ``--push-url``, ``--push-every``); API, token host and
consent page on one port.
``python -m tests.emulators tiki --port 8914`` runs the Tiki emulator
(``--client-id``, ``--client-secret``, ``--seller-id``, ``--app-type``,
``--orders``, ``--items``, ``--seed``, ``--push-every``): Tiki pushes nothing,
its new orders and status changes wait in the event queues Odoo pulls
(``--push-url`` is accepted and ignored).
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time

from . import lazada as lazada_emulator
from . import tiki as tiki_emulator
from . import tiktok as tiktok_emulator
from .shopee import LIFECYCLE, ShopeeEmulator, generate_catalogue, generate_orders

_logger = logging.getLogger("tests.emulators")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.emulators")
    sub = parser.add_subparsers(dest="platform", required=True)
    shopee = sub.add_parser("shopee", help="Shopee Open Platform v2 emulator")
    shopee.add_argument("--host", default="127.0.0.1")
    shopee.add_argument("--port", type=int, default=8911)
    shopee.add_argument("--partner-id", type=int, default=2001887)
    shopee.add_argument("--partner-key", default="test_partner_key")
    shopee.add_argument("--shop-id", type=int, default=600000)
    shopee.add_argument(
        "--orders", type=int, default=30, help="orders generated at start"
    )
    shopee.add_argument("--items", type=int, default=12, help="catalogue items")
    shopee.add_argument("--seed", type=int, default=0)
    shopee.add_argument(
        "--access-ttl",
        type=int,
        default=4 * 3600,
        help="access token lifetime in seconds",
    )
    shopee.add_argument(
        "--push-url", default=None, help="callback URL for code-3 pushes"
    )
    shopee.add_argument(
        "--push-every",
        type=float,
        default=0,
        help="seconds between simulated order activity (0 = none)",
    )
    lazada = sub.add_parser("lazada", help="Lazada Open Platform emulator")
    lazada.add_argument("--host", default="127.0.0.1")
    lazada.add_argument("--port", type=int, default=8912)
    lazada.add_argument("--app-key", default="123456")
    lazada.add_argument("--app-secret", default="test_app_secret")
    lazada.add_argument("--seller-id", default="200100")
    lazada.add_argument("--orders", type=int, default=30)
    lazada.add_argument("--items", type=int, default=12, help="catalogue products")
    lazada.add_argument("--seed", type=int, default=0)
    lazada.add_argument("--push-url", default=None, help="callback for pushes")
    lazada.add_argument(
        "--push-every",
        type=float,
        default=0,
        help="seconds between simulated order activity (0 = none)",
    )
    tiktok = sub.add_parser("tiktok", help="TikTok Shop Partner API emulator")
    tiktok.add_argument("--host", default="127.0.0.1")
    tiktok.add_argument("--port", type=int, default=8913)
    tiktok.add_argument("--app-key", default="test_app_key")
    tiktok.add_argument("--app-secret", default="test_app_secret")
    tiktok.add_argument("--shop-id", default=tiktok_emulator.DEFAULT_SHOP)
    tiktok.add_argument("--orders", type=int, default=30)
    tiktok.add_argument("--items", type=int, default=12, help="catalogue products")
    tiktok.add_argument("--seed", type=int, default=0)
    tiktok.add_argument("--push-url", default=None, help="callback for webhooks")
    tiktok.add_argument(
        "--push-every",
        type=float,
        default=0,
        help="seconds between simulated order activity (0 = none)",
    )
    tiki = sub.add_parser("tiki", help="Tiki Open API emulator (event queue)")
    tiki.add_argument("--host", default="127.0.0.1")
    tiki.add_argument("--port", type=int, default=8914)
    tiki.add_argument("--client-id", default="tiki-client-1")
    tiki.add_argument("--client-secret", default="tiki_test_secret")
    tiki.add_argument("--seller-id", default="3001")
    tiki.add_argument("--app-type", choices=("public", "in_house"), default="public")
    tiki.add_argument("--orders", type=int, default=30)
    tiki.add_argument("--items", type=int, default=12, help="catalogue products")
    tiki.add_argument("--seed", type=int, default=0)
    tiki.add_argument("--push-url", default=None, help="ignored: Tiki is pulled")
    tiki.add_argument(
        "--push-every",
        type=float,
        default=0,
        help="seconds between simulated order activity (0 = none)",
    )
    return parser


def run_tiktok(args: argparse.Namespace) -> None:
    """Start the TikTok Shop emulator and, optionally, simulated order activity."""
    emulator = tiktok_emulator.TikTokEmulator(
        app_key=args.app_key,
        app_secret=args.app_secret,
        shops={str(args.shop_id): "VN"},
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    catalogue = tiktok_emulator.generate_catalogue(args.items, 2, seed=args.seed)
    emulator.add_catalogue(catalogue)
    emulator.add_orders(
        tiktok_emulator.generate_orders(
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
    rng = random.Random(args.seed)
    try:
        while True:
            if args.push_every <= 0:
                time.sleep(3600)
                continue
            time.sleep(args.push_every)
            order = emulator.new_order(rng.choice(["UNPAID", "AWAITING_SHIPMENT"]))
            messages = [emulator.order_message(order)]
            with emulator.store.lock:
                movable = [
                    o
                    for o in emulator.store["orders"].values()
                    if o is not order and o["status"] in tiktok_emulator.LIFECYCLE
                ]
            if movable:
                other = rng.choice(movable)
                status = tiktok_emulator.LIFECYCLE[other["status"]]
                messages.append(emulator.set_status(other["id"], status))
            _logger.info("new order %s", order["id"])
            if args.push_url:
                statuses = emulator.push(args.push_url, messages)
                _logger.info("pushed to %s: HTTP %s", args.push_url, statuses)
    except KeyboardInterrupt:
        _logger.info("stopping")
    finally:
        emulator.stop()


def run_tiki(args: argparse.Namespace) -> None:
    """Start the Tiki emulator; new orders and status changes go to its queues."""
    emulator = tiki_emulator.TikiEmulator(
        client_id=args.client_id,
        client_secret=args.client_secret,
        seller_id=str(args.seller_id),
        app_type=args.app_type,
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    catalogue = tiki_emulator.generate_catalogue(args.items, seed=args.seed)
    emulator.add_catalogue(catalogue)
    emulator.add_orders(
        tiki_emulator.generate_orders(
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
    rng = random.Random(args.seed)
    try:
        while True:
            if args.push_every <= 0:
                time.sleep(3600)
                continue
            time.sleep(args.push_every)
            order = emulator.new_order("queueing")
            with emulator.store.lock:
                movable = [
                    o
                    for o in emulator.store["orders"].values()
                    if o is not order and o["status"] in tiki_emulator.LIFECYCLE
                ]
            if movable:
                other = rng.choice(movable)
                emulator.set_status(
                    other["code"], tiki_emulator.LIFECYCLE[other["status"]]
                )
            _logger.info(
                "new order %s; %d event(s) waiting",
                order["code"],
                emulator.pending_events(),
            )
    except KeyboardInterrupt:
        _logger.info("stopping")
    finally:
        emulator.stop()


def run_lazada(args: argparse.Namespace) -> None:
    """Start the Lazada emulator and, optionally, the simulated activity loop."""
    emulator = lazada_emulator.LazadaEmulator(
        app_key=args.app_key,
        app_secret=args.app_secret,
        sellers={"vn": str(args.seller_id)},
        host=args.host,
        port=args.port,
        seed=args.seed,
    )
    catalogue = lazada_emulator.generate_catalogue(args.items, 2, seed=args.seed)
    emulator.add_catalogue(catalogue)
    emulator.add_orders(
        lazada_emulator.generate_orders(
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
    rng = random.Random(args.seed)
    try:
        while True:
            if args.push_every <= 0:
                time.sleep(3600)
                continue
            time.sleep(args.push_every)
            order = emulator.new_order(["pending"])
            messages = emulator.set_item_status(order["order_id"], None, "pending")
            with emulator.store.lock:
                movable = [
                    o
                    for o in emulator.store["orders"].values()
                    if o is not order
                    and o["_items"][0]["status"] in lazada_emulator.LIFECYCLE
                ]
            if movable:
                other = rng.choice(movable)
                status = lazada_emulator.LIFECYCLE[other["_items"][0]["status"]]
                messages += emulator.set_item_status(other["order_id"], None, status)
            _logger.info("new order %s", order["order_id"])
            if args.push_url:
                statuses = emulator.push(args.push_url, messages)
                _logger.info("pushed to %s: HTTP %s", args.push_url, statuses)
    except KeyboardInterrupt:
        _logger.info("stopping")
    finally:
        emulator.stop()


def _tick(emulator: ShopeeEmulator, rng: random.Random, push_url: str | None) -> None:
    order = emulator.new_order(status=rng.choice(["UNPAID", "READY_TO_SHIP"]))
    changed = [emulator.order_message(order["order_sn"])]
    with emulator.store.lock:
        movable = [
            o
            for o in emulator.store["orders"].values()
            if o["order_status"] in LIFECYCLE and o is not order
        ]
    if movable:
        other = rng.choice(movable)
        changed.append(
            emulator.set_status(other["order_sn"], LIFECYCLE[other["order_status"]])
        )
    _logger.info("new order %s; %d change(s)", order["order_sn"], len(changed))
    if push_url:
        statuses = emulator.push(push_url, changed)
        _logger.info("pushed to %s: HTTP %s", push_url, statuses)


def run_shopee(args: argparse.Namespace) -> None:
    """Start the Shopee emulator and, optionally, the simulated activity loop."""
    emulator = ShopeeEmulator(
        partner_id=args.partner_id,
        partner_key=args.partner_key,
        shop_id=args.shop_id,
        host=args.host,
        port=args.port,
        access_ttl=args.access_ttl,
        seed=args.seed,
    )
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
    rng = random.Random(args.seed)
    try:
        while True:
            if args.push_every > 0:
                time.sleep(args.push_every)
                _tick(emulator, rng, args.push_url)
            else:
                time.sleep(3600)
    except KeyboardInterrupt:
        _logger.info("stopping")
    finally:
        emulator.stop()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr
    )
    args = _parser().parse_args(argv)
    if args.platform == "shopee":
        run_shopee(args)
    elif args.platform == "lazada":
        run_lazada(args)
    elif args.platform == "tiktok":
        run_tiktok(args)
    elif args.platform == "tiki":
        run_tiki(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
