"""A connected Tiki shop (public app), fed by the Tiki emulator over loopback."""

from odoo.addons.entro_marketplace.platforms.tiki import TikiPlatform

from tests.emulators.tiki import TikiEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

CLIENT_ID = "tiki-client-1"
CLIENT_SECRET = "tiki_test_secret"
SELLER_ID = "3001"


class TikiFlowCase(MarketplaceFlowCase):
    platform = "tiki"
    label = "Tiki"
    emulator_class = TikiEmulator
    generate_catalogue = staticmethod(generate_catalogue)
    generate_orders = staticmethod(generate_orders)
    catalogue_seed = 9
    order_owner = ("seller_id", SELLER_ID)
    emulator_stores = ("orders", "queues")
    manager_login = "tk_manager"

    @classmethod
    def _emulator_args(cls):
        return {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "seller_id": SELLER_ID,
        }

    @classmethod
    def _shop_values(cls):
        return {
            "name": "Tiki VN",
            "app_key": CLIENT_ID,
            "app_secret": CLIENT_SECRET,
            "external_id": SELLER_ID,
            "api_base_url": cls.emulator.base_url,
        }

    @classmethod
    def _variant_skus(cls, catalogue):
        return [p["original_sku"] for p in catalogue]

    def _forget_platform_state(self):
        TikiPlatform._app_tokens.clear()
        self.emulator.offset = 0.0

    def add_orders(self, n, seed=1, statuses=None, emit=False):
        orders = self.make_orders(n, seed=seed, statuses=statuses)
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
