"""A connected Shopee shop, fed by the Shopee emulator over loopback HTTP."""

from datetime import timedelta

from tests.emulators.shopee import ShopeeEmulator, generate_catalogue, generate_orders

from .flow_case import MarketplaceFlowCase

PARTNER_ID = 2001887
PARTNER_KEY = "test_partner_key"
SHOP_ID = 600000


class ShopeeFlowCase(MarketplaceFlowCase):
    """Odoo's HTTP server and a Shopee emulator; a shop connected to the latter."""

    platform = "shopee"
    label = "Shopee"
    emulator_class = ShopeeEmulator
    generate_catalogue = staticmethod(generate_catalogue)
    generate_orders = staticmethod(generate_orders)
    catalogue_args = (3,)
    catalogue_seed = 7
    order_owner = ("shop_id", SHOP_ID)
    token_ttl = timedelta(hours=4)
    emulator_stores = ("orders", "lost")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.products = cls.products.with_env(cls.env)

    @classmethod
    def _emulator_args(cls):
        return {
            "partner_id": PARTNER_ID,
            "partner_key": PARTNER_KEY,
            "shop_id": SHOP_ID,
        }

    @classmethod
    def _shop_values(cls):
        return {
            "name": "Shopee test shop",
            "app_key": str(PARTNER_ID),
            "app_secret": PARTNER_KEY,
            "external_id": str(SHOP_ID),
            "api_base_url": cls.emulator.base_url,
        }

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
    def _product_values(cls, sku):
        return {
            "name": f"Product {sku}",
            "default_code": sku,
            "type": "consu",
            "is_storable": True,
            "list_price": 100000,
        }
