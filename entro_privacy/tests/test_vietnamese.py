"""A privacy officer working in Vietnamese: wizards titled and in plain words, an
export summary a person can read, breach reminders in the officer's time zone."""

import io
import zipfile
from datetime import datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import PrivacyCase

ADDONS = ["entro_marketplace", "entro_billing", "entro_privacy"]


@tagged("post_install", "-at_install")
class TestVietnamese(PrivacyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(ADDONS, ["vi_VN"])
        cls.officer.write({"lang": "vi_VN", "tz": "Asia/Ho_Chi_Minh"})
        cls.env.company.partner_id.lang = "vi_VN"
        cls.partner, cls.delivery = cls._person(
            "Nguyễn Thị Lan", "0912345678", email="lan@example.vn"
        )
        cls.order = cls._order(cls.partner, cls.delivery)
        cls.order.message_post(body="Khách hỏi giờ giao hàng")

    def _wizard(self, request_type):
        request = self._request(request_type, partner_id=self.partner.id)
        action = request.with_user(self.officer).action_open_wizard()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        return action, wizard.with_user(self.officer)

    def test_export_wizard_is_titled_and_plain(self):
        action, wizard = self._wizard("export")
        self.assertEqual(action["name"], "Xuất dữ liệu cá nhân")
        preview = str(wizard.preview_html)
        # the kinds of records by their names, never the technical model names
        self.assertNotIn("sale.order", preview)
        self.assertNotIn("mail.message", preview)
        self.assertIn("Loại dữ liệu", preview)
        self.assertIn("Các dòng của những đơn bán hàng đó", preview)

    def test_erase_preview_says_what_will_happen(self):
        action, wizard = self._wizard("erase")
        self.assertEqual(action["name"], "Xóa dữ liệu cá nhân")
        preview = str(wizard.preview_html)
        self.assertIn("Sẽ ẩn danh", preview)
        self.assertNotIn("Đã ẩn danh", preview)
        self.assertNotIn("Pseudonymised", preview)
        self.assertNotIn("res.partner", preview)
        # fields by their labels: the contact's email, not "email"
        email = (
            self.env["res.partner"]
            ._fields["email"]
            ._description_string(self.env(user=self.officer))
        )
        self.assertIn(email, preview)
        self.assertNotIn(">False<", preview)

    def test_export_summary_is_readable_and_has_the_order_lines(self):
        request = self._request("export", partner_id=self.partner.id)
        request.with_user(self.officer).action_process()
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", request._name), ("res_id", "=", request.id)]
        )
        with zipfile.ZipFile(io.BytesIO(attachment.raw)) as archive:
            summary = archive.read("summary.txt").decode()
            names = archive.namelist()
        self.assertNotIn("False [#", summary)
        self.assertNotIn("[#", summary)
        # the messages by date, author and text
        self.assertIn("Khách hỏi giờ giao hàng", summary)
        # the order comes with its lines: product, quantity, total
        self.assertIn("sale.order.line.json", names)
        line = self.order.order_line[0]
        self.assertIn(f"{self.order.name}: 1 × Privacy test product", summary)
        self.assertIn(str(line.product_id.display_name), summary)
        # headings in the company's language
        self.assertIn("Các dòng của những đơn bán hàng đó", summary)
        self.assertIn("Liên hệ: người này và các địa chỉ của họ", summary)
        self.assertIn("Tạo lúc", summary)

    def test_breach_due_time_in_the_assignees_time_zone(self):
        shop = self.env["entro.marketplace.shop"].create(
            {"name": "Breach shop", "platform": "shopee"}
        )
        # 20:00 UTC on 2 March is 03:00 on 3 March in Ho Chi Minh City
        detected = datetime(2026, 3, 2, 20, 0)
        with freeze_time(detected):
            breach = (
                self.env["entro.privacy.breach"]
                .with_user(self.officer)
                .create(
                    {
                        "name": "Tệp đơn hàng gửi nhầm",
                        "detected_at": detected,
                        "shop_ids": [(6, 0, shop.ids)],
                        "user_id": self.officer.id,
                    }
                )
            )
        platform = breach.activity_ids.filtered(
            lambda a: a.summary == "Báo sự cố cho các sàn"
        )
        self.assertTrue(platform, breach.activity_ids.mapped("summary"))
        # due 24 h later: 20:00 UTC on 3 March = 03:00 on 4 March, local time
        self.assertEqual(str(platform.date_deadline), "2026-03-04")
        self.assertIn("04/03/2026 03:00", str(platform.note))
        self.assertIn("Asia/Ho_Chi_Minh", str(platform.note))
        self.assertNotIn("UTC", str(platform.note))
        self.assertIn("Hạn chót", str(platform.note))
        # notified from a session in English: the Vietnamese reminder is closed
        breach.with_user(self.officer).with_context(
            lang="en_US"
        ).action_platform_notified()
        self.assertFalse(platform.exists())
