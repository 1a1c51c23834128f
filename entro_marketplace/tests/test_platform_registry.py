"""Odoo reads the platforms' registry: a platform registered there (a fake fifth
one here) gets the shop's selection, capability flags, a queue channel and its
buyer-data keys, with no other change; no view tests a platform's name. A
platform's Odoo side lives in its own folder, ``platforms/<code>/odoo/``."""

import ast
import re
import sys
from pathlib import Path

from odoo.tests import TransactionCase, tagged

from .. import privacy
from ..platforms import PLATFORMS, PlatformInfo, register, registry, unregister
from ..platforms.base import Platform

ADDON = Path(__file__).resolve().parent.parent
#: an import of Odoo, or of a platform's ``odoo`` subpackage
IMPORTS_ODOO = re.compile(
    r"^\s*(?:import\s+odoo\b|from\s+(?:odoo\b|\.+odoo\b|\.+\s+import\s+.*\bodoo\b))",
    re.MULTILINE,
)


class FakePlatform(Platform):
    name = "fakemarket"
    info = PlatformInfo(
        label="Fake Market",
        channel="fakemarket",
        payouts_api=False,
        statement_upload=True,
        webhooks=False,
        pull_queue=True,
        region=True,
        api_hosts=frozenset({"api.fake-market.test"}),
        buyer_keys=("fake_buyer_handle",),
        channel_capacity=3,
        retention_days=45,
    )


@tagged("post_install", "-at_install")
class TestPlatformRegistry(TransactionCase):
    def setUp(self):
        super().setUp()
        register(FakePlatform)
        self.addCleanup(unregister, FakePlatform.name)
        self.Shop = self.env["entro.marketplace.shop"]

    def test_every_platform_declares_its_info(self):
        self.assertEqual(list(PLATFORMS)[:4], ["shopee", "lazada", "tiktok", "tiki"])
        for code, cls in PLATFORMS.items():
            with self.subTest(platform=code):
                self.assertIsInstance(cls.info, PlatformInfo)
                self.assertTrue(cls.info.label and cls.info.channel)
                # payouts come one way or the other, events likewise
                self.assertNotEqual(cls.info.payouts_api, cls.info.statement_upload)
                self.assertNotEqual(cls.info.webhooks, cls.info.pull_queue)
        with self.assertRaises(TypeError):
            register(type("NoInfo", (Platform,), {"name": "noinfo", "info": None}))

    def test_selection_comes_from_the_registry(self):
        for Model in (
            self.Shop,
            self.env["entro.marketplace.shop.connect"],
            self.env["entro.marketplace.order"],  # a related field
        ):
            with self.subTest(model=Model._name):
                selection = Model._fields["platform"]._description_selection(self.env)
                self.assertEqual(selection, registry.selection())
                self.assertIn(("fakemarket", "Fake Market"), selection)
        shop = self.Shop.create({"name": "Fake shop", "platform": "fakemarket"})
        self.assertEqual(shop._platform_label(), "Fake Market")
        unregister("fakemarket")
        self.assertNotIn(
            "fakemarket",
            dict(self.Shop._fields["platform"]._description_selection(self.env)),
        )

    def test_capability_flags_come_from_the_registry(self):
        fake = self.Shop.new({"name": "Fake", "platform": "fakemarket"})
        shopee = self.Shop.new({"name": "Shopee", "platform": "shopee"})
        for shop in (fake, shopee):
            info = PLATFORMS[shop.platform].info
            for flag in registry.CAPABILITIES:
                with self.subTest(platform=shop.platform, flag=flag):
                    self.assertEqual(shop[f"platform_{flag}"], getattr(info, flag))
        self.assertTrue(fake.platform_statement_upload and fake.platform_pull_queue)
        self.assertFalse(fake.platform_payouts_api or fake.platform_webhooks)
        # the connect wizard switches its fields on the same flags
        wizard = self.env["entro.marketplace.shop.connect"].new(
            {"platform": "fakemarket"}
        )
        self.assertTrue(wizard.platform_region)
        self.assertFalse(wizard.platform_service_id)

    def test_api_hosts_come_from_the_registry(self):
        self.Shop._check_api_host("fakemarket", "https://api.fake-market.test/v1")
        self.Shop._check_api_host("shopee", "https://partner.shopeemobile.com")

    def test_queue_channels_come_from_the_registry(self):
        self.env["entro.marketplace.platform.mixin"]._sync_queue_channels()
        for code, cls in PLATFORMS.items():
            with self.subTest(platform=code):
                channel = self.env.ref(f"entro_marketplace.channel_marketplace_{code}")
                self.assertEqual(channel.complete_name, cls.info.channel_path)
        shop = self.Shop.create({"name": "Fake shop", "platform": "fakemarket"})
        self.assertEqual(shop._job_channel(), "root.marketplace.fakemarket")
        # odoo.conf's shipped capacities (setup/bootstrap.sh): two jobs a platform
        self.assertEqual(
            registry.queue_channels(),
            "root:4,root.marketplace:4,root.marketplace.shopee:2,"
            "root.marketplace.lazada:2,root.marketplace.tiktok:2,"
            "root.marketplace.tiki:2,root.marketplace.fakemarket:3",
        )

    def test_buyer_keys_come_from_the_registry(self):
        keys = privacy.buyer_keys()
        self.assertIn("fake_buyer_handle", keys)
        self.assertIn("buyer_username", keys)  # Shopee's
        self.assertIn("recipient", keys)  # common
        unregister("fakemarket")
        self.assertNotIn("fake_buyer_handle", privacy.buyer_keys())

    def test_no_view_tests_a_platform_name(self):
        data = self.env["ir.model.data"].search(
            [
                ("model", "=", "ir.ui.view"),
                (
                    "module",
                    "in",
                    ("entro_marketplace", "entro_billing", "entro_privacy"),
                ),
            ]
        )
        self.assertTrue(data)
        quoted = re.compile("'({})'".format("|".join(map(re.escape, PLATFORMS))))
        for view in self.env["ir.ui.view"].browse(data.mapped("res_id")):
            with self.subTest(view=view.xml_id):
                self.assertFalse(quoted.search(view.arch_db or ""))

    def test_no_view_file_tests_a_platform_name(self):
        # the files too, the platforms' own folders (platforms/<code>/odoo/) included
        quoted = re.compile("'({})'".format("|".join(map(re.escape, PLATFORMS))))
        files = sorted(ADDON.rglob("*.xml"))
        self.assertTrue([f for f in files if "platforms" in f.parts])
        for path in files:
            with self.subTest(file=str(path.relative_to(ADDON))):
                self.assertFalse(quoted.search(path.read_text()))

    def test_platform_odoo_side_lives_in_its_folder(self):
        """``platforms/<code>/odoo/`` is imported by the addon for each registered
        platform, its data files are in the manifest, and no pure module of
        ``platforms/`` imports Odoo or such a subpackage."""
        manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text())
        sides = [c for c in PLATFORMS if (ADDON / "platforms" / c / "odoo").is_dir()]
        self.assertIn("tiki", sides)
        for code in sides:
            with self.subTest(platform=code):
                side = ADDON / "platforms" / code / "odoo"
                self.assertIn(
                    f"odoo.addons.entro_marketplace.platforms.{code}.odoo", sys.modules
                )
                data = {
                    str(p.relative_to(ADDON))
                    for p in side.rglob("*")
                    if p.suffix in (".xml", ".csv")
                }
                self.assertLessEqual(data, set(manifest["data"]))
        self.assertIn("entro.marketplace.tiki.statement", self.env)
        self.assertIn("tiki_app_type", self.Shop._fields)
        for path in (ADDON / "platforms").rglob("*.py"):
            if "odoo" in path.relative_to(ADDON / "platforms").parts:
                continue
            with self.subTest(module=str(path.relative_to(ADDON))):
                self.assertFalse(IMPORTS_ODOO.search(path.read_text()))
