"""A connected TikTok Shop shop (Vietnam), fed by the TikTok emulator over loopback."""

from datetime import timedelta

from odoo.addons.entro_marketplace.platforms import tiktok

from tests.emulators.tiktok import TikTokEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

APP_KEY = "test_app_key"
APP_SECRET = "test_app_secret"
SHOP_ID = "7494726673780148744"
SECOND_SHOP = "7494726673780148745"


class TikTokFlowCase(MarketplaceFlowCase):
    platform = "tiktok"
    label = "TikTok"
    emulator_class = TikTokEmulator
    generate_catalogue = staticmethod(generate_catalogue)
    generate_orders = staticmethod(generate_orders)
    catalogue_args = (2,)
    catalogue_seed = 5
    order_owner = ("shop_id", SHOP_ID)
    token_ttl = timedelta(days=7)
    manager_login = "tt_manager"
    shops = {SHOP_ID: "VN"}

    @classmethod
    def _emulator_args(cls):
        return {"app_key": APP_KEY, "app_secret": APP_SECRET, "shops": dict(cls.shops)}

    @classmethod
    def _shop_values(cls):
        return {
            "name": "TikTok VN",
            "country_code": "vn",
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "service_id": APP_KEY,
            "external_id": SHOP_ID,
            "api_base_url": cls.emulator.base_url,
        }

    @classmethod
    def _variant_skus(cls, catalogue):
        return [sku["seller_sku"] for p in catalogue for sku in p["skus"]]

    def _forget_platform_state(self):
        tiktok.forget_ciphers()
