"""A seller with a Shopee and a Lazada shop, each fed by its emulator, and a
buyer who ordered on both (same name and phone), plus a namesake on Shopee."""

from datetime import datetime, timedelta, timezone

from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.tests.common import SHOP_ID, ShopeeFlowCase

from tests.emulators import lazada as lazada_emulator
from tests.emulators.lazada import LazadaEmulator
from tests.emulators.shopee import generate_orders

LZ_KEY = "123456"
LZ_SECRET = "privacy_lazada_secret"
LZ_SELLER = "200777"

BUYER = "Đặng Thu Hà"
PHONE = "0911222333"
STREET = "45 Nguyễn Thị Minh Khai"
USERNAME = "thuha_dang88"
OTHER_PHONE = "0977888999"


class TwoPlatformCase(ShopeeFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lz_emulator = LazadaEmulator(
            app_key=LZ_KEY, app_secret=LZ_SECRET, sellers={"vn": LZ_SELLER}
        )
        cls.lz_emulator.start()
        cls.addClassCleanup(cls.lz_emulator.stop)
        cls.lz_catalogue = lazada_emulator.generate_catalogue(4, 2, seed=9)
        cls.lz_emulator.add_catalogue(cls.lz_catalogue)
        skus = [sku["SellerSku"] for p in cls.lz_catalogue for sku in p["skus"]]
        env = cls.env(su=True)
        env["product.product"].create(
            [
                {"name": f"LZ {sku}", "default_code": sku, "is_storable": True}
                for sku in skus
            ]
        )
        cls.lz_shop = (
            env["entro.marketplace.shop"]
            .create(
                {
                    "name": "Lazada VN (privacy)",
                    "platform": "lazada",
                    "country_code": "vn",
                    "app_key": LZ_KEY,
                    "app_secret": LZ_SECRET,
                    "external_id": LZ_SELLER,
                    "api_base_url": cls.lz_emulator.base_url + "/rest",
                    "warehouse_id": cls.warehouse.id,
                    "pricelist_id": cls.pricelist.id,
                    "rate_limit_per_s": 0,
                    "push_delay": 0,
                    "state": "connected",
                }
            )
            .with_env(cls.env)
        )
        cls.officer = new_test_user(
            env,
            login="privacy_officer_x",
            groups="base.group_user,entro_privacy.group_privacy_officer",
        )

    def setUp(self):
        super().setUp()
        with self.lz_emulator.store.lock:
            self.lz_emulator.store["orders"].clear()
        tokens = self.lz_emulator.issue_tokens()
        self.lz_shop._write_tokens(
            TokenSet(
                access_token=tokens["access_token"],
                refresh_token=tokens["refresh_token"],
                access_expires_at=datetime.now(timezone.utc) + timedelta(days=7),
            )
        )

    # ------------------------------------------------------------------ buyers

    def shopee_orders(self, n, seed, name, phone, username, status="READY_TO_SHIP"):
        """Shopee orders of one buyer (one buyer id), in the Shopee emulator."""
        orders = generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            shop_id=SHOP_ID,
            statuses=[status],
            start=datetime.now(timezone.utc) - timedelta(days=3),
            span=timedelta(days=2),
        )
        buyer_id = 500000000 + seed
        for order in orders:
            order["buyer_user_id"] = buyer_id
            order["buyer_username"] = username
            order["recipient_address"].update(
                name=name,
                phone=phone,
                full_address=f"{STREET}, Phường 6, Quận 3, TP. Hồ Chí Minh",
            )
            order["message_to_seller"] = f"Gọi {name} trước khi giao"
        self.emulator.add_orders(orders)
        return orders

    def lazada_orders(self, n, seed, name, phone, status="pending"):
        orders = lazada_emulator.generate_orders(
            n,
            seed=seed,
            catalogue=self.lz_catalogue,
            seller_id=LZ_SELLER,
            statuses=[[status, status]],
            start=datetime.now(timezone.utc) - timedelta(days=3),
            span=timedelta(days=2),
        )
        for order in orders:
            order["customer_first_name"] = name
            order["address_shipping"].update(
                first_name=name, last_name="", phone=phone, address1=STREET
            )
            order["buyer_note"] = f"Gọi {phone}"
            for item in order["_items"]:
                item["buyer_id"] = "9900" + str(seed)
        self.lz_emulator.add_orders(orders)
        return orders

    def import_all(self):
        self.shop.action_sync_orders()
        self.lz_shop.action_sync_orders()
        run = self.run_jobs()
        self.assertFalse(run.failed, run.failed)
        return run

    def buyer_partners(self):
        return (
            self.env["entro.marketplace.order"]
            .search([("shop_id", "in", (self.shop | self.lz_shop).ids)])
            .sale_order_id.partner_id
        )

    def request(self, request_type, **values):
        return (
            self.env["entro.privacy.request"]
            .with_user(self.officer)
            .create(
                {
                    "request_type": request_type,
                    "identity_check": "Order numbers and phone confirmed by call.",
                    **values,
                }
            )
        )
