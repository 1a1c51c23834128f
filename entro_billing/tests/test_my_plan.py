"""My Entro plan: the seller's own Odoo users read their plan, usage and renewal
date; users of another company do not; none of them can change it."""

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import BillingCase


@tagged("post_install", "-at_install")
class TestMyPlan(BillingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Company = cls.env["res.company"]
        cls.hoamai = Company.create({"name": "Công ty Hoa Mai"})
        cls.lan = Company.create({"name": "Công ty Lan Anh"})
        with freeze_time("2026-03-01"):
            cls.sub = cls.Sub.create(
                {"partner_id": cls.hoamai.partner_id.id, "plan_id": cls.starter.id}
            )
            cls.other = cls.Sub.create(
                {"partner_id": cls.lan.partner_id.id, "plan_id": cls.growth.id}
            )
        groups = "base.group_user,entro_marketplace.group_marketplace_manager"
        cls.hoamai_manager = new_test_user(
            cls.env,
            login="hoamai_mp_manager",
            groups=groups,
            company_id=cls.hoamai.id,
            company_ids=[cls.hoamai.id],
        )
        cls.lan_manager = new_test_user(
            cls.env,
            login="lan_mp_manager",
            groups=groups,
            company_id=cls.lan.id,
            company_ids=[cls.lan.id],
        )
        Shop = cls.env["entro.marketplace.shop"]
        for name, state in (("Hoa Mai Shopee", "connected"), ("Hoa Mai Tiki", "draft")):
            shop = Shop.create(
                {"name": name, "platform": "shopee", "company_id": cls.hoamai.id}
            )
            shop.state = state

    def test_the_subscribing_companys_users_read_their_plan(self):
        Sub = self.Sub.with_user(self.hoamai_manager).with_company(self.hoamai)
        self.assertEqual(Sub.search([]), self.sub)
        action = Sub.action_open_my_plan()
        self.assertEqual(action["res_model"], "entro.billing.subscription")
        self.assertEqual(action["res_id"], self.sub.id)
        mine = Sub.browse(action["res_id"])
        values = mine.read(
            [
                "plan_id",
                "period",
                "state",
                "next_invoice_date",
                "next_invoice_amount",
                "shops_used",
                "shops_max",
                "shops_left",
                "orders_month_used",
                "orders_month_max",
                "orders_month_left",
                "access_url",
            ]
        )[0]
        self.assertEqual(values["plan_id"][0], self.starter.id)
        self.assertEqual(str(values["next_invoice_date"]), "2026-03-15")
        self.assertEqual(values["next_invoice_amount"], self.starter.price_monthly)
        self.assertEqual(values["shops_used"], 1)  # the draft one does not count
        self.assertEqual(values["shops_max"], 2)
        self.assertEqual(values["shops_left"], 1)
        self.assertEqual(values["orders_month_used"], 0)
        self.assertEqual(values["orders_month_left"], 1000)
        self.assertEqual(values["access_url"], f"/my/entro/{self.sub.id}")
        self.assertEqual(mine.action_open_portal()["url"], f"/my/entro/{self.sub.id}")

    def test_another_companys_users_do_not_see_it(self):
        Sub = self.Sub.with_user(self.lan_manager).with_company(self.lan)
        self.assertEqual(Sub.search([]), self.other)
        with self.assertRaises(AccessError):
            Sub.browse(self.sub.id).read(["plan_id"])

    def test_nobody_of_the_seller_can_change_it(self):
        mine = self.sub.with_user(self.hoamai_manager).with_company(self.hoamai)
        with self.assertRaises(AccessError):
            mine.write({"plan_id": self.scale.id})
        with self.assertRaises(AccessError):
            mine.unlink()
        with self.assertRaises(AccessError):
            self.Sub.with_user(self.hoamai_manager).create(
                {"partner_id": self.hoamai.partner_id.id, "plan_id": self.scale.id}
            )
        self.assertEqual(self.sub.plan_id, self.starter)

    def test_the_menu_is_for_internal_users(self):
        menu = self.env.ref("entro_billing.entro_billing_my_plan_menu")
        self.assertIn(self.env.ref("base.group_user"), menu.groups_id)
        server_action = self.env.ref("entro_billing.entro_billing_my_plan_action")
        self.assertEqual(menu.action, server_action)
        # run from the menu by the seller's manager (who may not write it)
        action = (
            server_action.with_user(self.hoamai_manager)
            .with_company(self.hoamai)
            .with_context(allowed_company_ids=self.hoamai.ids)
            .run()
        )
        self.assertEqual(action["res_id"], self.sub.id)
