"""Buyer data retention is one setting keyed by platform: a line per registered
platform, its default the platform's own (PlatformInfo.retention_days)."""

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

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
        lines = self.Line.search([])
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
        line = self.Line.search([("platform", "=", "fakeretention")])
        self.assertEqual(line.days, 45)
        self.assertIn(
            ("fakeretention", "Fake Retention Market"),
            line._fields["platform"]._description_selection(self.env),
        )
        # the officer sets its period; the retention cron reads it
        line.with_user(self.officer).days = 20
        self.assertEqual(self.Line._days_by_platform()["fakeretention"], 20)
        self.assertFalse(self.Line._sync_platforms())  # nothing twice
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
