"""What every platform's end-to-end case shares: an emulator, a connected shop,
products from its catalogue, jobs, syncs, webhooks over HTTP.

A platform's case describes only what differs (see ``MarketplaceFlowCase``):
its emulator and that emulator's arguments, the shop's values, how product SKUs
come out of the catalogue, how long a token lives, what the emulator keeps
between tests.
"""

from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import requests

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import BlockedRequest, _super_send

from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.platforms.transport import RateLimiter

from .jobs import run_jobs

CUSTOM_API_HOSTS_PARAM = "entro_marketplace.allow_custom_api_hosts"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoopbackRequests:
    """Odoo's guard against real HTTP in tests, keeping (connect, read) timeouts."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Odoo's own handler compares the timeout with a number and fails on the
        tuples our transport uses; the rule is the same: loopback only."""
        if urlsplit(r.url).hostname in LOOPBACK:
            return _super_send(s, r, **kw)
        raise BlockedRequest(f"External requests verboten (was {r.method} {r.url})")


@tagged("post_install", "-at_install")
class MarketplaceFlowCase(LoopbackRequests, HttpCase):
    """Odoo's HTTP server and one platform's emulator; ``cls.shop`` connected to it.

    Each platform's case sets the class attributes below and implements
    ``_emulator_args``, ``_shop_values`` and ``_variant_skus``.
    """

    platform = None  # the platform's code
    label = None  # names the pricelist and the products
    emulator_class = None
    generate_catalogue = None  # staticmethod(the emulator's generate_catalogue)
    generate_orders = None  # staticmethod(the emulator's generate_orders)
    catalogue_items = 12
    catalogue_args = ()  # after the item count: generate_catalogue(n, *args, seed)
    catalogue_seed = 1
    order_owner = ("shop_id", None)  # generate_orders' keyword for the shop, value
    token_ttl = timedelta(hours=1)  # the access token's lifetime given to the shop
    emulator_stores = ("orders",)  # the emulator's stores emptied before each test
    manager_login = "mp_manager"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The shops call an emulator on loopback, which only a test or sandbox
        # database allows (tests of the refusal unset it again).
        cls.env["ir.config_parameter"].sudo().set_param(CUSTOM_API_HOSTS_PARAM, True)
        cls.emulator = cls.emulator_class(**cls._emulator_args())
        cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.vnd = cls.env.ref("base.VND")
        cls.vnd.active = True
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": f"{cls.label} VND", "currency_id": cls.vnd.id}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.catalogue = cls.generate_catalogue(
            cls.catalogue_items, *cls.catalogue_args, seed=cls.catalogue_seed
        )
        cls.emulator.add_catalogue(cls.catalogue)
        cls.products = cls._create_products(cls.catalogue)
        cls.shop = cls._create_shop()
        # From here on, act as a seller's Marketplace Manager, not as superuser:
        # jobs run as the user who enqueued them, under the record rules.
        cls.manager = new_test_user(
            cls.env,
            login=cls.manager_login,
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "sales_team.group_sale_manager,stock.group_stock_manager",
        )
        cls.env = cls.env(user=cls.manager)
        cls.shop = cls.shop.with_env(cls.env)

    def setUp(self):
        super().setUp()
        RateLimiter.reset_registry()
        self._forget_platform_state()
        self.emulator.journal.clear()
        self.emulator.faults.clear()
        with self.emulator.store.lock:
            for store in self.emulator_stores:
                self.emulator.store[store].clear()
        # The emulator outlives each test's rollback: give the shop tokens it knows.
        self._give_fresh_tokens(self.shop)

    # ------------------------------------------------- what a platform describes

    @classmethod
    def _emulator_args(cls):
        """The emulator class's keyword arguments."""
        raise NotImplementedError

    @classmethod
    def _shop_values(cls):
        """The shop's values that name and reach this platform's account."""
        raise NotImplementedError

    @classmethod
    def _variant_skus(cls, catalogue):
        """The seller SKUs of the catalogue's sellable variants, in order."""
        raise NotImplementedError

    @classmethod
    def _product_values(cls, sku):
        return {"name": f"{cls.label} {sku}", "default_code": sku, "is_storable": True}

    def _forget_platform_state(self):
        """Forget what the platform layer keeps between tests (caches)."""

    # ------------------------------------------------------------------ set-up

    @classmethod
    def _create_products(cls, catalogue, skip=()):
        return cls.env["product.product"].create(
            [
                cls._product_values(sku)
                for sku in cls._variant_skus(catalogue)
                if sku not in skip
            ]
        )

    @classmethod
    def _create_shop(cls, **values):
        shop = cls.env["entro.marketplace.shop"].create(
            {
                "platform": cls.platform,
                **cls._shop_values(),
                "warehouse_id": cls.warehouse.id,
                "pricelist_id": cls.pricelist.id,
                "rate_limit_per_s": 0,
                "push_delay": 0,
                **values,
            }
        )
        cls._give_fresh_tokens(shop)
        shop.state = "connected"
        return shop

    @classmethod
    def _give_fresh_tokens(cls, shop, tokens=None):
        tokens = tokens or cls.emulator.issue_tokens()
        shop._write_tokens(
            TokenSet(
                access_token=tokens["access_token"],
                refresh_token=tokens["refresh_token"],
                access_expires_at=datetime.now(timezone.utc) + cls.token_ttl,
            )
        )

    # ----------------------------------------------------------------- helpers

    def make_orders(self, n, seed=1, statuses=None, span_days=5, **kwargs):
        """The emulator's orders of the last ``span_days``, for this shop."""
        owner, value = self.order_owner
        kwargs.setdefault(owner, value)
        return self.generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            statuses=statuses,
            start=datetime.now(timezone.utc) - timedelta(days=span_days),
            span=timedelta(days=span_days) - timedelta(minutes=5),
            **kwargs,
        )

    def add_orders(self, n, seed=1, statuses=None, span_days=5, **kwargs):
        orders = self.make_orders(n, seed, statuses, span_days, **kwargs)
        self.emulator.add_orders(orders)
        return orders

    def set_stock(self, product, quantity):
        self.env["stock.quant"].with_context(inventory_mode=True).create(
            {
                "product_id": product.id,
                "location_id": self.warehouse.lot_stock_id.id,
                "inventory_quantity": quantity,
            }
        ).action_apply_inventory()

    def order_lines_command(self, product, qty):
        return [Command.create({"product_id": product.id, "product_uom_qty": qty})]

    def run_jobs(self, **kwargs):
        return run_jobs(self.env, **kwargs)

    def sync(self, shop=None):
        (shop or self.shop).action_sync_orders()
        return self.run_jobs()

    def bindings(self, shop=None):
        return self.env["entro.marketplace.order"].search(
            [("shop_id", "=", (shop or self.shop).id)]
        )

    def webhook_url(self):
        return f"{self.base_url()}/entro/webhook/{self.platform}"

    def push(self, messages, **kwargs):
        """Have the emulator deliver these pushes to Odoo's webhook over HTTP."""
        self.env.flush_all()  # the server thread reads the database, not our cache
        statuses = self.emulator.push(self.webhook_url(), messages, **kwargs)
        self.env.invalidate_all()  # ... and writes to it behind our cache
        return statuses

    def post_webhook(self, headers, body):
        """POST one push to Odoo's webhook over HTTP; return the response."""
        self.env.flush_all()
        response = requests.post(
            self.webhook_url(), data=body, headers=headers, timeout=10
        )
        self.env.invalidate_all()
        return response
