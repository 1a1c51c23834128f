"""A connected Tiki shop (public app), fed by the Tiki emulator over loopback."""

from datetime import datetime, timedelta, timezone

from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.platforms.tiki import TikiPlatform
from odoo.addons.entro_marketplace.platforms.transport import RateLimiter

from tests.emulators.tiki import TikiEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

CLIENT_ID = "tiki-client-1"
CLIENT_SECRET = "tiki_test_secret"
SELLER_ID = "3001"


class TikiFlowCase(MarketplaceFlowCase):
    platform = "tiki"
    catalogue_items = 12

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = TikiEmulator(
            client_id=CLIENT_ID, client_secret=CLIENT_SECRET, seller_id=SELLER_ID
        )
        cls.emulator.start()
        cls.addClassCleanup(cls.emulator.stop)
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.vnd = cls.env.ref("base.VND")
        cls.vnd.active = True
        cls.pricelist = cls.env["product.pricelist"].create(
            {"name": "Tiki VND", "currency_id": cls.vnd.id}
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.env.company.id)], limit=1
        )
        cls.catalogue = generate_catalogue(cls.catalogue_items, seed=9)
        cls.emulator.add_catalogue(cls.catalogue)
        cls.products = cls.env["product.product"].create(
            [
                {
                    "name": f"Tiki {p['original_sku']}",
                    "default_code": p["original_sku"],
                    "is_storable": True,
                }
                for p in cls.catalogue
            ]
        )
        cls.shop = cls.env["entro.marketplace.shop"].create(
            {
                "name": "Tiki VN",
                "platform": "tiki",
                "app_key": CLIENT_ID,
                "app_secret": CLIENT_SECRET,
                "external_id": SELLER_ID,
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
            login="tk_manager",
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "sales_team.group_sale_manager,stock.group_stock_manager",
        )
        cls.env = cls.env(user=cls.manager)
        cls.shop = cls.shop.with_env(cls.env)

    def setUp(self):
        super().setUp()
        RateLimiter.reset_registry()
        TikiPlatform._app_tokens.clear()
        self.emulator.journal.clear()
        self.emulator.faults.clear()
        self.emulator.offset = 0.0
        with self.emulator.store.lock:
            self.emulator.store["orders"].clear()
            self.emulator.store["queues"].clear()
        tokens = self.emulator.issue_tokens()
        self.shop._write_tokens(
            TokenSet(
                access_token=tokens["access_token"],
                refresh_token=tokens["refresh_token"],
                access_expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
            )
        )

    def add_orders(self, n, seed=1, statuses=None, emit=False):
        orders = generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            seller_id=SELLER_ID,
            statuses=statuses,
            start=datetime.now(timezone.utc) - timedelta(days=5),
            span=timedelta(days=5) - timedelta(minutes=5),
        )
        self.emulator.add_orders(orders, emit=emit)
        return orders

    def pull(self):
        """What the cron does: a pull job per Tiki shop, then every job it makes."""
        self.env.flush_all()
        self.env["entro.marketplace.shop"]._cron_tiki_pull_events()
        return self.run_jobs()

    def events(self):
        return (
            self.env["entro.marketplace.event"]
            .sudo()
            .search([("platform", "=", "tiki")])
        )
