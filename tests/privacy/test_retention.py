"""Retention: logs hold no personal data and go after their period; buyer data of
finished orders is pseudonymised after the platform's period, invoices kept."""

import json
from datetime import timedelta

from odoo import fields

from .common import BUYER, PHONE, STREET, USERNAME, TwoPlatformCase

TEXT_COLUMNS = (
    "operation",
    "method",
    "endpoint",
    "request_id",
    "error_code",
    "error_message",
)


class TestRetention(TwoPlatformCase):
    def test_logs_never_store_personal_data(self):
        orders = self.shopee_orders(3, 401, BUYER, PHONE, USERNAME)
        self.lazada_orders(2, 402, BUYER, PHONE)
        self.import_all()
        # a webhook too
        message = self.emulator.set_status(orders[0]["order_sn"], "SHIPPED")
        self.push([message])
        logs = self.env["entro.marketplace.log"].sudo().search([])
        self.assertGreater(len(logs), 3)
        self.assertIn("webhook", logs.mapped("kind"))
        dump = json.dumps(logs.read(list(TEXT_COLUMNS)), ensure_ascii=False)
        for secret in (BUYER, PHONE, USERNAME, STREET, "access_token", "sign="):
            self.assertNotIn(secret, dump)

    def _age(self, records, days):
        self.env.flush_all()
        self.env.cr.execute(
            f"UPDATE {records._table} SET create_date = %s WHERE id = ANY(%s)",
            [fields.Datetime.now() - timedelta(days=days), records.ids],
        )
        records.invalidate_recordset()

    def test_log_retention_removes_exactly_what_is_due(self):
        Log = self.env["entro.marketplace.log"].sudo()
        Event = self.env["entro.marketplace.event"].sudo()
        Log.search([]).unlink()
        Event.search([]).unlink()
        old = Log.create(
            [{"platform": "shopee", "endpoint": f"/old/{i}"} for i in range(3)]
        )
        edge = Log.create({"platform": "shopee", "endpoint": "/edge"})
        new = Log.create({"platform": "shopee", "endpoint": "/new"})
        old_event = Event.create({"platform": "shopee", "dedup_key": "old"})
        new_event = Event.create({"platform": "shopee", "dedup_key": "new"})
        self._age(old, 91)
        self._age(edge, 89)
        self._age(old_event, 120)
        counts = self.env["entro.privacy.retention"]._cron_purge_logs()
        self.assertEqual(
            counts, {"entro.marketplace.log": 3, "entro.marketplace.event": 1}
        )
        self.assertEqual(Log.search([]), edge | new)
        self.assertEqual(Event.search([]), new_event)
        # a shorter period, configured
        self.env["ir.config_parameter"].sudo().set_param(
            "entro_privacy.log_retention_days", "30"
        )
        self.env["entro.privacy.retention"]._cron_purge_logs()
        self.assertEqual(Log.search([]), new)

    def test_buyer_data_of_finished_orders(self):
        due = self.shopee_orders(1, 411, BUYER, PHONE, USERNAME, status="COMPLETED")
        recent = self.shopee_orders(1, 412, "Bùi Văn Tú", "0966000111", "tu_bui")
        later = self.shopee_orders(
            1, 413, "Lý Thị Mai", "0966000222", "mai_ly", "COMPLETED"
        )
        self.import_all()
        Order = self.env["entro.marketplace.order"].sudo()

        def binding(orders):
            return Order.search([("external_id", "=", orders[0]["order_sn"])])

        due, recent, later = binding(due), binding(recent), binding(later)
        self.assertEqual(due.state, "completed")
        invoice = due.sale_order_id._create_invoices()
        invoice.action_post()
        invoice_name = invoice.invoice_partner_display_name
        self.env.flush_all()
        # due: completed 91 days ago; later: completed 60 days ago (Shopee: 90)
        due.platform_update_time = fields.Datetime.now() - timedelta(days=91)
        later.platform_update_time = fields.Datetime.now() - timedelta(days=60)
        recent.platform_update_time = fields.Datetime.now() - timedelta(days=200)
        before = (later.payload, recent.payload)

        done = self.env["entro.privacy.retention"]._cron_pseudonymise_buyers()

        self.assertEqual(done, due)
        self.assertTrue(due.entro_privacy_pseudonymised_at)
        dump = json.dumps(due.payload, ensure_ascii=False)
        for secret in (BUYER, PHONE, USERNAME, STREET):
            self.assertNotIn(secret, dump)
        shipping = due.sale_order_id.partner_shipping_id
        self.assertFalse(shipping.phone or shipping.street)
        # the invoice and its customer's name stay, restricted
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.invoice_partner_display_name, invoice_name)
        self.assertTrue(due.sale_order_id.partner_id.entro_privacy_restricted)
        # not due (60 days, or not finished): untouched
        self.assertEqual((later.payload, recent.payload), before)
        self.assertFalse(later.entro_privacy_pseudonymised_at)
        # Shopee's period set to 30 days: the later one is due too; nothing twice
        self.env["entro.privacy.buyer.retention"].sudo().search(
            [("platform", "=", "shopee")]
        ).days = 30
        self.assertEqual(
            self.env["entro.privacy.retention"]._cron_pseudonymise_buyers(), later
        )
        self.assertFalse(
            self.env["entro.privacy.retention"]._cron_pseudonymise_buyers()
        )
