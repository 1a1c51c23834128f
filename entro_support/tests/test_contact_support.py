"""Contact Support, from a shop or from its failed job: a ticket in Entro's desk
with a diagnostic attached, which holds no token, secret or buyer data."""

import base64
import json

from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import BUYER, SECRETS, SupportCase

RECIPIENT = {"name": "Trần Văn Cam", "phone": "+84 987 654 321"}


@tagged("post_install", "-at_install")
class TestContactSupport(SupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._buyer_order(cls.shop_a, "2612040001ABCD")
        # errors that quote a buyer and credentials, as a careless platform might
        cls.shop_a.sudo().last_error = (
            f"Order 2612040001ABCD of {BUYER['name']} ({BUYER['phone']}) failed: "
            f"access_token={SECRETS['access_token']}"
        )
        cls.env["entro.marketplace.log"].create(
            {
                "shop_id": cls.shop_a.id,
                "platform": "shopee",
                "operation": "order sync",
                "method": "GET",
                "endpoint": "/api/v2/order/get_order_detail",
                "status_code": 400,
                "error_code": "error_param",
                "error_message": (
                    f'{{"recipient": "{RECIPIENT["name"]}", "phone": '
                    f'"{RECIPIENT["phone"]}", "email": "{BUYER["email"]}"}} '
                    f"sign={SECRETS['app_secret']} refresh {SECRETS['refresh_token']}"
                ),
            }
        )

    def _send(self, action, user):
        wizard = Form(
            self.env[action["res_model"]]
            .with_user(user)
            .with_context(**action["context"])
        )
        wizard.description = "Đơn hàng không về Odoo từ sáng nay."
        result = wizard.save().action_send()
        return self.Ticket.browse(result["res_id"])

    def _everything_sent(self, ticket):
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", "helpdesk.ticket"), ("res_id", "=", ticket.id)])
        )
        texts = [ticket.sudo().description, ticket.sudo().name]
        texts += [base64.b64decode(a.datas).decode() for a in attachments]
        texts += ticket.sudo().message_ids.mapped("body")
        return attachments, "\n".join(str(t) for t in texts)

    def test_contact_support_from_a_shop(self):
        action = self.shop_a.with_user(self.user_a).action_contact_support()
        ticket = self._send(action, self.user_a)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.entro_shop_id, self.shop_a)
        self.assertEqual(ticket.entro_seller_company_id, self.company_a)
        self.assertTrue(ticket.entro_priority_support)
        self.assertEqual(ticket.partner_id, self.user_a.partner_id)
        self.assertFalse(ticket.user_id, "an agent takes it, not the seller")
        # the seller's user reads the ticket it opened (the form it is sent to)
        self.assertEqual(ticket.with_user(self.user_a).number, ticket.number)
        attachments, sent = self._everything_sent(ticket)
        self.assertEqual(len(attachments), 1)
        data = json.loads(base64.b64decode(attachments.datas))
        self.assertEqual(data["shop"]["platform"], "shopee")
        self.assertEqual(data["shop"]["state"], self.shop_a.state)
        self.assertIn("Order 2612040001ABCD", data["shop"]["last_error"])
        self.assertEqual(
            data["api_log"][0]["endpoint"], "/api/v2/order/get_order_detail"
        )
        self.assertEqual(data["api_log"][0]["error_code"], "error_param")
        for secret in SECRETS.values():
            self.assertNotIn(secret, sent)
        for value in (*BUYER.values(), *RECIPIENT.values(), "0912345678", "987 654"):
            self.assertNotIn(value, sent)
        self.assertIn("[redacted]", sent)

    def test_contact_support_from_a_failed_job(self):
        self.shop_a.with_delay()._job_sync_orders()
        job = self.env["queue.job"].search(
            [("model_name", "=", "entro.marketplace.shop")], order="id desc", limit=1
        )
        job.write(
            {
                "state": "failed",
                "exc_name": "PermanentError",
                "exc_message": f"refused token {SECRETS['access_token']} for "
                f"{BUYER['email']}",
            }
        )
        self.assertEqual(job._entro_shop(), self.shop_a)
        action = job.action_entro_contact_support()
        self.assertEqual(action["context"]["default_shop_id"], self.shop_a.id)
        ticket = self._send(action, self.env.user)
        attachments, sent = self._everything_sent(ticket)
        data = json.loads(base64.b64decode(attachments.datas))
        self.assertEqual(data["job"]["uuid"], job.uuid)
        self.assertEqual(data["job"]["state"], "failed")
        self.assertIn(job.uuid, [j["uuid"] for j in data["failed_jobs"]])
        for value in (*SECRETS.values(), BUYER["email"]):
            self.assertNotIn(value, sent)

    def test_a_seller_cannot_open_support_for_another_company_shop(self):
        with self.assertRaises(AccessError):
            self.shop_a.with_user(self.user_b).action_contact_support()
