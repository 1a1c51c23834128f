"""A connected Lazada shop (Vietnam), fed by the Lazada emulator over loopback."""

from datetime import datetime, timedelta, timezone

from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.platforms.transport import RateLimiter

from tests.emulators.lazada import LazadaEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

APP_KEY = "123456"
APP_SECRET = "test_app_secret"
SELLER_ID = "200100"


class LazadaFlowCase(MarketplaceFlowCase):
    platform = "lazada"
    sellers = {"vn": SELLER_ID}
    catalogue_items = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = LazadaEmulator(
            app_key=APP_KEY, app_secret=APP_SECRET, sellers=dict(cls.sellers)
        )
        cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.vnd = cls.env.ref("base.VND")
        cls.vnd.active = True
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Lazada VND", "currency_id": cls.vnd.id}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.catalogue = generate_catalogue(cls.catalogue_items, 2, seed=5)
        cls.emulator.add_catalogue(cls.catalogue)
        skus = [sku["SellerSku"] for p in cls.catalogue for sku in p["skus"]]
        cls.products = cls.env["product.product"].create(
            [
                {"name": f"Lazada {sku}", "default_code": sku, "is_storable": True}
                for sku in skus
            ]
        )
        cls.shop = cls.env["entro.marketplace.shop"].create(
            {
                "name": "Lazada VN",
                "platform": "lazada",
                "country_code": "vn",
                "app_key": APP_KEY,
                "app_secret": APP_SECRET,
                "external_id": SELLER_ID,
                "api_base_url": cls.emulator.base_url + "/rest",
                "warehouse_id": cls.warehouse.id,
                "pricelist_id": cls.pricelist.id,
                "rate_limit_per_s": 0,
                "push_delay": 0,
                "state": "connected",
            }
        )
        cls.manager = new_test_user(
            cls.env,
            login="lz_manager",
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "sales_team.group_sale_manager,stock.group_stock_manager",
        )
        cls.env = cls.env(user=cls.manager)
        cls.shop = cls.shop.with_env(cls.env)

    def setUp(self):
        super().setUp()
        RateLimiter.reset_registry()
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

    def add_orders(self, n, seed=1, statuses=None, seller_id=SELLER_ID):
        orders = generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            seller_id=seller_id,
            statuses=statuses,
            start=datetime.now(timezone.utc) - timedelta(days=5),
            span=timedelta(days=5) - timedelta(minutes=5),
        )
        self.emulator.add_orders(orders)
        return orders
