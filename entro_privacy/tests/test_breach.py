from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PrivacyCase


@tagged("post_install", "-at_install")
class TestBreach(PrivacyCase):
    def test_deadlines_and_reminders(self):
        shop = self.env["entro.marketplace.shop"].create(
            {"name": "Breach shop", "platform": "shopee"}
        )
        detected = datetime(2026, 3, 2, 8, 0)
        with freeze_time(detected):
            breach = (
                self.env["entro.privacy.breach"]
                .with_user(self.officer)
                .create(
                    {
                        "name": "Order export e-mailed to the wrong address",
                        "detected_at": detected,
                        "data_concerned": "names, phones, addresses of 40 buyers",
                        "shop_ids": [(6, 0, shop.ids)],
                    }
                )
            )
        self.assertEqual(breach.platform_deadline, detected + timedelta(hours=24))
        self.assertEqual(breach.authority_deadline, detected + timedelta(hours=72))
        summaries = sorted(breach.activity_ids.mapped("summary"))
        self.assertEqual(
            summaries,
            [
                "Notify the authority of the breach",
                "Notify the platforms of the breach",
            ],
        )
        self.assertEqual(breach.activity_ids.user_id, self.officer)
        # the cron adds nothing twice, and says when a deadline is past
        with freeze_time(detected + timedelta(hours=30)):
            self.env["entro.privacy.breach"]._cron_remind()
        self.assertEqual(len(breach.activity_ids), 2)
        platform = breach.activity_ids.filtered(lambda a: "platforms" in a.summary)
        self.assertIn("Overdue", str(platform.note))
        breach.with_user(self.officer).action_platform_notified()
        breach.with_user(self.officer).action_authority_notified()
        self.assertEqual(breach.state, "notified")
        self.assertFalse(breach.activity_ids)

    def test_configured_hours(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "entro_privacy.breach_authority_hours", "48"
        )
        breach = self.env["entro.privacy.breach"].create(
            {"name": "x", "detected_at": datetime(2026, 1, 1)}
        )
        self.assertEqual(breach.authority_deadline, datetime(2026, 1, 3))
