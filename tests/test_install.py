from odoo.modules.module import get_manifest
from odoo.tests import TransactionCase, new_test_user, tagged

ENTRO_ADDONS = (
    "entro_marketplace",
    "entro_billing",
    "entro_privacy",
    "entro_support",
    "entro_marketplace_vn_einvoice",
)


@tagged("post_install", "-at_install")
class TestInstall(TransactionCase):
    """The suite installs as a whole: modules, models, groups and menus."""

    def test_modules_installed_at_manifest_version(self):
        modules = self.env["ir.module.module"].search([("name", "in", ENTRO_ADDONS)])
        self.assertEqual(set(modules.mapped("name")), set(ENTRO_ADDONS))
        for module in modules:
            with self.subTest(module=module.name):
                self.assertEqual(module.state, "installed")
                manifest_version = get_manifest(module.name)["version"]
                self.assertRegex(manifest_version, r"^18\.0\.\d+\.\d+\.\d+$")
                self.assertEqual(module.latest_version, manifest_version)
                self.assertEqual(module.license, "LGPL-3")

    def test_dependencies_follow_the_architecture(self):
        def depends(name):
            return set(get_manifest(name)["depends"])

        self.assertTrue(
            {"sale_management", "sale_stock", "account", "queue_job"}
            <= depends("entro_marketplace")
        )
        self.assertTrue(
            {"entro_marketplace", "account", "payment", "portal"}
            <= depends("entro_billing")
        )
        self.assertTrue(
            {"entro_marketplace", "entro_billing"} <= depends("entro_privacy")
        )
        self.assertTrue(
            {"entro_billing", "helpdesk_mgmt", "helpdesk_mgmt_sla"}
            <= depends("entro_support")
        )
        # billing stays free of the helpdesk: support is its own addon
        self.assertFalse({"helpdesk_mgmt", "entro_support"} & depends("entro_billing"))

    def test_models_exist(self):
        for model in ("entro.marketplace.shop",):
            with self.subTest(model=model):
                self.assertIn(model, self.env)
                self.assertTrue(self.env["ir.model"]._get(model))

    def test_groups_and_their_hierarchy(self):
        user = self.env.ref("entro_marketplace.group_marketplace_user")
        manager = self.env.ref("entro_marketplace.group_marketplace_manager")
        billing = self.env.ref("entro_billing.group_billing_manager")
        privacy = self.env.ref("entro_privacy.group_privacy_officer")
        internal = self.env.ref("base.group_user")
        self.assertIn(user, manager.implied_ids)
        self.assertIn(internal, user.implied_ids)
        for group in (billing, privacy):
            self.assertIn(internal, group.implied_ids)
        self.assertEqual(
            user.category_id,
            self.env.ref("entro_marketplace.module_category_marketplace"),
        )
        self.assertEqual(manager.category_id, user.category_id)
        self.assertEqual(
            billing.category_id, self.env.ref("entro_billing.module_category_billing")
        )
        self.assertEqual(
            privacy.category_id, self.env.ref("entro_privacy.module_category_privacy")
        )
        admin = self.env.ref("base.user_admin")
        for group in (manager, user, billing, privacy):
            self.assertIn(group, admin.groups_id)

    def test_marketplaces_menu_only_for_marketplace_users(self):
        root = self.env.ref("entro_marketplace.menu_marketplace_root")
        shops = self.env.ref("entro_marketplace.menu_marketplace_shop")
        employee = new_test_user(self.env, login="emp", groups="base.group_user")
        seller = new_test_user(
            self.env,
            login="seller",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
        )
        menus = self.env["ir.ui.menu"]
        self.assertNotIn(root.id, menus.with_user(employee)._visible_menu_ids())
        visible = menus.with_user(seller)._visible_menu_ids()
        self.assertIn(root.id, visible)
        self.assertIn(shops.id, visible)
        # The menu tree the web client loads says the same.
        names = {m["name"] for m in menus.with_user(seller).load_menus(False).values()}
        self.assertIn("Marketplaces", names)
        names = {
            m["name"] for m in menus.with_user(employee).load_menus(False).values()
        }
        self.assertNotIn("Marketplaces", names)
