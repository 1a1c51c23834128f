"""A connected Lazada shop (Vietnam), fed by the Lazada emulator over loopback."""

from datetime import timedelta

from tests.emulators.lazada import LazadaEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

APP_KEY = "123456"
APP_SECRET = "test_app_secret"
SELLER_ID = "200100"


class LazadaFlowCase(MarketplaceFlowCase):
    platform = "lazada"
    label = "Lazada"
    emulator_class = LazadaEmulator
    generate_catalogue = staticmethod(generate_catalogue)
    generate_orders = staticmethod(generate_orders)
    catalogue_args = (2,)
    catalogue_seed = 5
    order_owner = ("seller_id", SELLER_ID)
    token_ttl = timedelta(days=7)
    manager_login = "lz_manager"
    sellers = {"vn": SELLER_ID}

    @classmethod
    def _emulator_args(cls):
        return {
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "sellers": dict(cls.sellers),
        }

    @classmethod
    def _shop_values(cls):
        return {
            "name": "Lazada VN",
            "country_code": "vn",
            "app_key": APP_KEY,
            "app_secret": APP_SECRET,
            "external_id": SELLER_ID,
            "api_base_url": cls.emulator.base_url + "/rest",
        }

    @classmethod
    def _variant_skus(cls, catalogue):
        return [sku["SellerSku"] for p in catalogue for sku in p["skus"]]
