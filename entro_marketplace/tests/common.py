"""A connected Shopee shop, fed by the Shopee emulator over loopback HTTP."""

from datetime import datetime, timedelta, timezone

from odoo import Command
from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.platforms.transport import RateLimiter

from tests.emulators.shopee import ShopeeEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

PARTNER_ID = 2001887
PARTNER_KEY = "test_partner_key"
SHOP_ID = 600000


class ShopeeFlowCase(MarketplaceFlowCase):
    """Odoo's HTTP server and a Shopee emulator; a shop connected to the latter."""

    platform = "shopee"

    catalogue_items = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = ShopeeEmulator(
            partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
        )
        cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.vnd = cls.env.ref("base.VND")
        cls.vnd.active = True
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Shopee VND", "currency_id": cls.vnd.id}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.catalogue = generate_catalogue(cls.catalogue_items, 3, seed=7)
        cls.emulator.add_catalogue(cls.catalogue)
        cls.products = cls._create_products(cls.catalogue)
        cls.shop = cls._create_shop()
        # From here on, act as a seller's Marketplace Manager, not as superuser:
        # jobs run as the user who enqueued them, under the record rules.
        cls.manager = new_test_user(
            cls.env,
            login="mp_manager",
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "sales_team.group_sale_manager,stock.group_stock_manager",
        )
        cls.env = cls.env(user=cls.manager)
        cls.shop = cls.shop.with_env(cls.env)
        cls.products = cls.products.with_env(cls.env)

    def setUp(self):
        super().setUp()
        RateLimiter.reset_registry()
        # The emulator outlives each test's rollback: give the shop tokens it knows.
        self._give_fresh_tokens(self.shop)
        self.emulator.journal.clear()
        self.emulator.faults.clear()
        with self.emulator.store.lock:
            self.emulator.store["orders"].clear()
            self.emulator.store["lost"].clear()

    @classmethod
    def _variant_skus(cls, catalogue):
        skus = []
        for item in catalogue:
            if item["models"]:
                skus.extend(m["model_sku"] for m in item["models"])
            else:
                skus.append(item["item_sku"])
        return skus

    @classmethod
    def _create_products(cls, catalogue, skip=()):
        return cls.env["product.product"].create(
            [
                {
                    "name": f"Product {sku}",
                    "default_code": sku,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": 100000,
                }
                for sku in cls._variant_skus(catalogue)
                if sku not in skip
            ]
        )

    @classmethod
    def _create_shop(cls, **values):
        shop = cls.env["entro.marketplace.shop"].create(
            {
                "name": "Shopee test shop",
                "platform": "shopee",
                "app_key": str(PARTNER_ID),
                "app_secret": PARTNER_KEY,
                "external_id": str(SHOP_ID),
                "api_base_url": cls.emulator.base_url,
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
                access_expires_at=datetime.now(timezone.utc) + timedelta(hours=4),
            )
        )

    # ----------------------------------------------------------------- helpers

    def add_orders(self, n, seed=1, statuses=None, span_days=5, **kwargs):
        orders = generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            shop_id=SHOP_ID,
            statuses=statuses,
            start=datetime.now(timezone.utc) - timedelta(days=span_days),
            span=timedelta(days=span_days) - timedelta(minutes=5),
            **kwargs,
        )
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
