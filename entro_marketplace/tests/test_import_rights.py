"""Who may import a shop's orders, and what the import creates whoever starts it.

The cron and the webhooks import as the superuser; a Marketplace user's Sync
Orders must import the same orders the same way, whatever their Sales or
Inventory rights, in the shop's company, and nobody else may import them.
"""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import ShopeeFlowCase


class TestImportRights(ShopeeFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_company = cls.env(su=True)["res.company"].create(
            {"name": "Other Company"}
        )
        marketplace_user = "base.group_user,entro_marketplace.group_marketplace_user"
        # a seller's Marketplace user of both companies, working in the other
        # one: no Sales, no Inventory rights
        cls.clerk = cls.user(
            "mp_clerk", marketplace_user, cls.other_company | cls.company
        )
        # a Marketplace user of the other company only
        cls.outsider = cls.user("mp_outsider", marketplace_user, cls.other_company)
        # a salesman of the shop's company, not a Marketplace user
        cls.salesman = cls.user(
            "mp_salesman",
            "base.group_user,sales_team.group_sale_salesman_all_leads",
            cls.company,
        )

    @classmethod
    def user(cls, login, groups, companies):
        """A user of these companies, working in the first."""
        return new_test_user(
            cls.env(su=True),
            login=login,
            groups=groups,
            company_id=companies[0].id,
            company_ids=[Command.set(companies.ids)],
        )

    def as_user(self, user, companies):
        return self.env(
            user=user,
            context=dict(self.env.context, allowed_company_ids=companies.ids),
        )

    def test_a_marketplace_user_without_sales_rights_imports_the_shop_orders(self):
        """Sync Orders of a Marketplace user without Sales or Inventory rights,
        working in another company: the orders are imported as the cron would
        (sale orders confirmed, deliveries reserved), in the shop's company,
        the user their author; the user gains no right to read them."""
        for product in self.products[:5]:
            self.set_stock(product, 100)
        placed = self.add_orders(6, seed=71, statuses=["READY_TO_SHIP"])
        env = self.as_user(self.clerk, self.other_company | self.company)
        self.shop.with_env(env).action_sync_orders()
        run = self.run_jobs()
        self.assertFalse(run.failed, run.failed)
        bindings = self.bindings()
        self.assertEqual(
            sorted(bindings.mapped("external_id")),
            sorted(o["order_sn"] for o in placed),
        )
        self.assertEqual(set(bindings.mapped("sync_state")), {"ok"})
        sales = bindings.sale_order_id
        self.assertEqual(len(sales), 6)
        self.assertEqual(set(sales.mapped("state")), {"sale"})
        self.assertEqual(sales.company_id, self.company)
        self.assertEqual(sales.warehouse_id, self.warehouse)
        self.assertEqual(sales.create_uid, self.clerk)
        self.assertEqual(bindings.create_uid, self.clerk)
        self.assertEqual(len(sales.picking_ids), 6)
        self.assertEqual(sales.picking_ids.company_id, self.company)
        with self.assertRaises(AccessError):
            sales.with_env(env).check_access("read")

    def test_a_user_of_another_company_cannot_import_the_shop_orders(self):
        placed = self.add_orders(2, seed=72, statuses=["READY_TO_SHIP"])
        env = self.as_user(self.outsider, self.other_company)
        with self.assertRaises(AccessError):
            env["entro.marketplace.order"]._import_from_platform(
                self.shop.with_env(env), [o["order_sn"] for o in placed]
            )
        self.assertFalse(self.bindings())
        # refused before the platform is asked anything
        self.assertFalse(self.emulator.journal.entries())

    def test_a_user_outside_the_marketplace_group_cannot_import(self):
        """Sales rights are not enough: importing a shop's orders is a
        Marketplace user's right."""
        placed = self.add_orders(2, seed=73, statuses=["READY_TO_SHIP"])
        env = self.as_user(self.salesman, self.company)
        with self.assertRaisesRegex(AccessError, "Marketplace users"):
            env["entro.marketplace.order"]._import_from_platform(
                self.shop.with_env(env), [o["order_sn"] for o in placed]
            )
        self.assertFalse(self.bindings())
        self.assertFalse(self.emulator.journal.entries())
