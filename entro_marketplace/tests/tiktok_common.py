"""A connected TikTok Shop shop (Vietnam), fed by the TikTok emulator over loopback."""

from datetime import datetime, timedelta, timezone

from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.platforms import tiktok
from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.platforms.transport import RateLimiter

from tests.emulators.tiktok import TikTokEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

APP_KEY = "test_app_key"
APP_SECRET = "test_app_secret"
SHOP_ID = "7494726673780148744"
SECOND_SHOP = "7494726673780148745"


class TikTokFlowCase(MarketplaceFlowCase):
    platform = "tiktok"
    shops = {SHOP_ID: "VN"}
    catalogue_items = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = TikTokEmulator(
            app_key=APP_KEY, app_secret=APP_SECRET, shops=dict(cls.shops)
        )
        cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.vnd = cls.env.ref("base.VND")
        cls.vnd.active = True
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "TikTok VND", "currency_id": cls.vnd.id}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.catalogue = generate_catalogue(cls.catalogue_items, 2, seed=5)
        cls.emulator.add_catalogue(cls.catalogue)
        skus = [sku["seller_sku"] for p in cls.catalogue for sku in p["skus"]]
        cls.products = cls.env["product.product"].create(
            [
                {"name": f"TikTok {sku}", "default_code": sku, "is_storable": True}
                for sku in skus
            ]
        )
        cls.shop = cls.env["entro.marketplace.shop"].create(
            {
                "name": "TikTok VN",
                "platform": "tiktok",
                "country_code": "vn",
                "app_key": APP_KEY,
                "app_secret": APP_SECRET,
                "service_id": APP_KEY,
                "external_id": SHOP_ID,
                "api_base_url": cls.emulator.base_url,
                "warehouse_id": cls.warehouse.id,
                "pricelist_id": cls.pricelist.id,
                "rate_limit_per_s": 0,
                "push_delay": 0,
                "state": "connected",
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="tt_manager",
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "sales_team.group_sale_manager,stock.group_stock_manager",
        )
        cls.env = cls.env(user=cls.manager)
        cls.shop = cls.shop.with_env(cls.env)

    def setUp(self):
        super().setUp()
        RateLimiter.reset_registry()
        tiktok.forget_ciphers()
        self.emulator.journal.clear()
        self.emulator.faults.clear()
        with self.emulator.store.lock:
            self.emulator.store["orders"].clear()
        tokens = self.emulator.issue_tokens()
        self.shop._write_tokens(
            TokenSet(
                access_token=tokens["access_token"],
                refresh_token=tokens["refresh_token"],
                access_expires_at=datetime.now(timezone.utc) + timedelta(days=7),
            )
        )

    def add_orders(self, n, seed=1, statuses=None, shop_id=SHOP_ID):
        orders = generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            shop_id=shop_id,
            statuses=statuses,
            start=datetime.now(timezone.utc) - timedelta(days=5),
            span=timedelta(days=5) - timedelta(minutes=5),
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
