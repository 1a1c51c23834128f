"""Buyer data retention is one setting keyed by platform, in each company: a line
per company and registered platform, its default the platform's own
(PlatformInfo.retention_days). Each company sets its own periods, and its buyers'
data is pseudonymised after them."""

import importlib.util
from datetime import timedelta
from pathlib import Path

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from odoo.addons.entro_marketplace.platforms import (
    PLATFORMS,
    PlatformInfo,
    register,
    unregister,
)
from odoo.addons.entro_marketplace.platforms.base import Platform

from .common import PrivacyCase


class FakePlatform(Platform):
    name = "fakeretention"
    info = PlatformInfo(
        label="Fake Retention Market",
        channel="fakeretention",
        buyer_keys=("fake_retention_buyer",),
        retention_days=45,
    )


@tagged("post_install", "-at_install")
class TestBuyerRetention(PrivacyCase):
    def setUp(self):
        super().setUp()
        self.Line = self.env["entro.privacy.buyer.retention"]

    def test_a_line_per_platform_with_its_default(self):
        lines = self.Line.search([("company_id", "=", self.env.company.id)])
        self.assertEqual(sorted(lines.mapped("platform")), sorted(PLATFORMS))
        for line in lines:
            with self.subTest(platform=line.platform):
                self.assertEqual(
                    line.days, PLATFORMS[line.platform].info.retention_days
                )
        self.assertEqual(
            self.Line._days_by_platform(),
            {code: cls.info.retention_days for code, cls in PLATFORMS.items()},
        )

    def test_a_new_platform_gets_its_line(self):
        register(FakePlatform)
        self.addCleanup(unregister, FakePlatform.name)
        # read before its line exists: the platform's default
        self.assertEqual(self.Line._days_by_platform()["fakeretention"], 45)
        action = (
            self.env["res.config.settings"]
            .create({})
            .action_entro_privacy_buyer_retention()
        )
        self.assertEqual(action["res_model"], "entro.privacy.buyer.retention")
        line = self.Line.search(
            [
                ("platform", "=", "fakeretention"),
                ("company_id", "=", self.env.company.id),
            ]
        )
        self.assertEqual(line.days, 45)
        self.assertIn(
            ("fakeretention", "Fake Retention Market"),
            line._fields["platform"]._description_selection(self.env),
        )
        # the officer sets its period; the retention cron reads it
        line.with_user(self.officer).days = 20
        self.assertEqual(self.Line._days_by_platform()["fakeretention"], 20)
        self.assertFalse(self.Line._sync_platforms(self.env.company))  # nothing twice
        # and its buyer keys are scrubbed from raw orders
        spec = self.env["entro.privacy.engine"]._declarations()
        self.assertIn(
            "fake_retention_buyer", spec["entro.marketplace.order"]["scrub_keys"]
        )

    def test_periods_are_checked_and_kept_by_officers(self):
        line = self.Line.search([], limit=1)
        with self.assertRaises(ValidationError):
            line.days = 0
        user = self.env["res.users"].create(
            {"name": "Not an officer", "login": "retention_user"}
        )
        with self.assertRaises(AccessError):
            line.with_user(user).read(["days"])


MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "18.0.1.1.0"
    / "post-migrate.py"
)


@tagged("post_install", "-at_install")
class TestBuyerRetentionPerCompany(PrivacyCase):
    """Each company is the controller of its buyers' data: its own periods, set by
    its own officers, applied to its own orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Line = cls.env["entro.privacy.buyer.retention"]
        cls.company_a = cls.env["res.company"].create({"name": "Retention A"})
        cls.company_b = cls.env["res.company"].create({"name": "Retention B"})
        cls.officer_a = new_test_user(
            cls.env,
            login="retention_officer_a",
            groups="base.group_user,entro_privacy.group_privacy_officer",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.officer_b = new_test_user(
            cls.env,
            login="retention_officer_b",
            groups="base.group_user,entro_privacy.group_privacy_officer",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )

    def _line(self, company, platform="shopee"):
        return self.Line.search(
            [("company_id", "=", company.id), ("platform", "=", platform)]
        )

    def _shop(self, company):
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        return self.env["entro.marketplace.shop"].create(
            {
                "name": f"Shopee of {company.name}",
                "platform": "shopee",
                "company_id": company.id,
                "external_id": f"retention-{company.id}",
                "app_key": f"retention-app-{company.id}",
                "warehouse_id": warehouse.id,
            }
        )

    def _finished(self, shop, number, days_ago):
        return self.env["entro.marketplace.order"].create(
            {
                "shop_id": shop.id,
                "external_id": number,
                "state": "completed",
                "platform_update_time": fields.Datetime.now()
                - timedelta(days=days_ago),
                "payload": {"order_sn": number, "buyer_username": "buyer"},
            }
        )

    def test_a_new_company_gets_its_lines(self):
        for company in self.company_a | self.company_b:
            lines = self.Line.search([("company_id", "=", company.id)])
            self.assertEqual(sorted(lines.mapped("platform")), sorted(PLATFORMS))
            self.assertEqual(
                self.Line._days_by_platform(company),
                {code: cls.info.retention_days for code, cls in PLATFORMS.items()},
            )

    def test_each_company_pseudonymises_after_its_own_period(self):
        self._line(self.company_a).with_user(self.officer_a).days = 30
        self._line(self.company_b).with_user(self.officer_b).days = 120
        self.assertEqual(self.Line._days_by_platform(self.company_a)["shopee"], 30)
        self.assertEqual(self.Line._days_by_platform(self.company_b)["shopee"], 120)
        shop_a, shop_b = self._shop(self.company_a), self._shop(self.company_b)
        a_60 = self._finished(shop_a, "RA60", 60)
        a_10 = self._finished(shop_a, "RA10", 10)
        b_60 = self._finished(shop_b, "RB60", 60)
        b_130 = self._finished(shop_b, "RB130", 130)
        ours = a_60 | a_10 | b_60 | b_130
        Retention = self.env["entro.privacy.retention"]

        self.assertEqual(Retention._due_orders() & ours, a_60 | b_130)
        done = Retention._cron_pseudonymise_buyers()
        self.assertEqual(done & ours, a_60 | b_130)
        self.assertTrue(all((a_60 | b_130).mapped("entro_privacy_pseudonymised_at")))
        self.assertFalse(any((a_10 | b_60).mapped("entro_privacy_pseudonymised_at")))
        # B shortens its period: its 60-day order is due; A's periods unchanged
        self._line(self.company_b).with_user(self.officer_b).days = 45
        self.assertEqual(self._line(self.company_a).days, 30)
        self.assertEqual(Retention._due_orders() & ours, b_60)

    def test_an_officer_keeps_only_their_company_periods(self):
        line_a, line_b = self._line(self.company_a), self._line(self.company_b)
        Line = self.Line.with_user(self.officer_a)
        self.assertEqual(Line.search([]).company_id, self.company_a)
        self.assertNotIn(line_b, Line.search([]))
        with self.assertRaises(AccessError):
            line_b.with_user(self.officer_a).read(["days"])
        with self.assertRaises(AccessError):
            line_b.with_user(self.officer_a).write({"days": 1})
        self.env.invalidate_all()
        self.assertEqual(line_b.days, PLATFORMS["shopee"].info.retention_days)
        line_a.with_user(self.officer_a).days = 7
        self.assertEqual(line_a.days, 7)
        # opening the list completes the officer's company's lines only
        line_a.unlink()
        line_b.unlink()
        action = self.Line.with_user(self.officer_a)._action_open()
        self.assertEqual(action["res_model"], "entro.privacy.buyer.retention")
        self.assertEqual(
            self._line(self.company_a).days, PLATFORMS["shopee"].info.retention_days
        )
        self.assertFalse(self._line(self.company_b))

    def test_migration_carries_the_old_periods_to_every_company(self):
        Param = self.env["ir.config_parameter"].sudo()
        Param.set_param("entro_privacy.buyer_retention_days.shopee", "33")
        Param.set_param("entro_privacy.buyer_retention_days.gone", "12")
        spec = importlib.util.spec_from_file_location("privacy_migration", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        self.env.invalidate_all()
        companies = self.env["res.company"].search([])
        lines = self.Line.search([("platform", "=", "shopee")])
        self.assertEqual(lines.company_id, companies)
        self.assertEqual(set(lines.mapped("days")), {33})
        self.assertFalse(
            Param.search([("key", "=like", "entro_privacy.buyer_retention_days.%")])
        )
