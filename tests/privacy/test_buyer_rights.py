"""A buyer with orders on Shopee and Lazada: export, erase, and nobody else touched."""

import base64
import io
import json
import zipfile

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from .common import BUYER, OTHER_PHONE, PHONE, STREET, USERNAME, TwoPlatformCase


class TestBuyerRights(TwoPlatformCase):
    def _import_buyers(self):
        self.buyer_shopee = self.shopee_orders(2, 301, BUYER, PHONE, USERNAME)
        self.buyer_lazada = self.lazada_orders(1, 302, BUYER, PHONE)
        # a namesake: same name, another phone and account
        self.namesake = self.shopee_orders(1, 303, BUYER, OTHER_PHONE, "ha_dang_other")
        self.import_all()
        Order = self.env["entro.marketplace.order"]
        self.mine = Order.search(
            [
                (
                    "external_id",
                    "in",
                    [o["order_sn"] for o in self.buyer_shopee]
                    + [str(o["order_id"]) for o in self.buyer_lazada],
                )
            ]
        )
        self.theirs = Order.search(
            [("external_id", "in", [o["order_sn"] for o in self.namesake])]
        )
        self.assertEqual(len(self.mine), 3)
        self.assertEqual(len(self.theirs), 1)
        self.assertTrue(self.mine.sale_order_id and self.theirs.sale_order_id)
        self.assertEqual(set(self.mine.mapped("platform")), {"shopee", "lazada"})

    def _export(self, request):
        request.action_process()
        data = base64.b64decode(request.get_export()["datas"])
        archive = zipfile.ZipFile(io.BytesIO(data))
        return {name: archive.read(name).decode() for name in archive.namelist()}

    def test_export_holds_every_declared_field_and_nobody_else(self):
        self._import_buyers()
        sale = self.mine.sale_order_id[:1]
        sale.message_post(body=f"{BUYER} called about the delivery")
        files = self._export(self.request("export", phone=PHONE))
        self.assertIn("summary.txt", files)
        self.assertIn(BUYER, files["summary.txt"])
        orders = json.loads(files["entro.marketplace.order.json"])
        self.assertEqual({o["id"] for o in orders}, set(self.mine.ids))
        # every declared field of each model is in each of its records
        engine = self.env["entro.privacy.engine"]
        declared = engine._declarations()
        for name, content in files.items():
            if not name.endswith(".json"):
                continue
            model = name[: -len(".json")]
            for row in json.loads(content):
                self.assertLessEqual(
                    set(declared[model]["fields"]) - {"image_1920", "datas"},
                    set(row),
                    model,
                )
        partners = json.loads(files["res.partner.json"])
        self.assertLessEqual(
            set(self.mine.sale_order_id.partner_id.ids), {p["id"] for p in partners}
        )
        self.assertIn(PHONE, files["entro.marketplace.order.json"])
        self.assertIn(USERNAME, files["entro.marketplace.order.json"])
        self.assertIn("sale.order.json", files)
        self.assertIn("mail.message.json", files)
        # nothing of the namesake, nor of any other buyer
        everything = "\n".join(files.values())
        for other in (OTHER_PHONE, "ha_dang_other", self.theirs.external_id):
            self.assertFalse(other in everything, f"{other} is in the export")
        theirs = self.theirs.sale_order_id
        ids = {
            "res.partner": set(theirs.partner_id.ids + theirs.partner_shipping_id.ids),
            "sale.order": set(theirs.ids),
            "stock.picking": set(theirs.picking_ids.ids),
        }
        for model, other_ids in ids.items():
            exported = {row["id"] for row in json.loads(files[f"{model}.json"])}
            self.assertFalse(exported & other_ids, model)

    def test_erase_keeps_invoices_scrubs_payloads_and_chatter_once(self):
        self._import_buyers()
        sale = self.mine.filtered(lambda o: o.platform == "shopee")[:1].sale_order_id
        sale = sale.sudo()
        sale.order_line.filtered(lambda line: line.product_id.is_storable).write(
            {"qty_delivered": 1}
        )
        invoice = sale._create_invoices()
        invoice.action_post()
        invoice_before = (
            invoice.name,
            invoice.amount_total,
            invoice.state,
            invoice.invoice_partner_display_name,
            invoice.invoice_line_ids.mapped("price_total"),
        )
        sale.message_post(body=f"{BUYER} ({PHONE}) asked for an invoice")
        theirs_before = (
            self.theirs.payload,
            self.theirs.sale_order_id.partner_id.name,
            self.theirs.sale_order_id.partner_shipping_id.read(
                ["name", "phone", "street"]
            ),
        )

        request = self.request("erase", phone=PHONE)
        wizard = (
            self.env["entro.privacy.erase"]
            .with_user(self.officer)
            .create({"request_id": request.id})
        )
        preview = str(wizard.preview_html)
        self.assertIn("Posted accounting document", preview)
        wizard.confirm = True
        wizard.action_erase()
        self.env.invalidate_all()

        self.assertEqual(
            (
                invoice.name,
                invoice.amount_total,
                invoice.state,
                invoice.invoice_partner_display_name,
                invoice.invoice_line_ids.mapped("price_total"),
            ),
            invoice_before,
        )
        for order in self.mine.sudo():
            dump = json.dumps(order.payload, ensure_ascii=False)
            for secret in (BUYER, PHONE, USERNAME, STREET):
                self.assertNotIn(secret, dump, order.name)
            escrow = (order.payload or {}).get("escrow") or {}
            if "buyer_user_name" in escrow:
                self.assertEqual(escrow["buyer_user_name"], "[erased]")
            shipping = order.sale_order_id.partner_shipping_id
            self.assertFalse(shipping.phone or shipping.street)
            self.assertNotIn(BUYER, shipping.name)
            self.assertNotIn(PHONE, str(order.sale_order_id.note))
            body = " ".join(order.sale_order_id.message_ids.mapped("body"))
            self.assertNotIn(BUYER, body)
            self.assertNotIn(PHONE, body)
        # the Lazada buyer had no invoice: pseudonymised entirely
        lazada_customer = self.mine.filtered(
            lambda o: o.platform == "lazada"
        ).sale_order_id.partner_id
        self.assertEqual(lazada_customer.name, f"Erased person #{lazada_customer.id}")
        self.assertTrue(lazada_customer.entro_buyer_key.startswith("erased:"))
        # the invoiced Shopee buyer: name kept for the invoice, restricted
        self.assertTrue(sale.partner_id.entro_privacy_restricted)
        self.assertFalse(sale.partner_id.phone)
        # the namesake: untouched
        self.assertEqual(
            (
                self.theirs.payload,
                self.theirs.sale_order_id.partner_id.name,
                self.theirs.sale_order_id.partner_shipping_id.read(
                    ["name", "phone", "street"]
                ),
            ),
            theirs_before,
        )
        self.assertIn("entro.marketplace.order #", request.result)

        again = self.request("erase", phone=PHONE, partner_id=sale.partner_id.id)
        again.action_process()
        self.assertTrue(again.result.startswith("0 records touched"), again.result)

    def test_a_marketplace_user_cannot_open_requests_or_exports(self):
        self._import_buyers()
        request = self.request("export", phone=PHONE)
        request.action_process()
        user = new_test_user(
            self.env(su=True),
            login="mp_user_x",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
        )
        for who in (user, self.manager):
            with self.assertRaises(AccessError):
                self.env["entro.privacy.request"].with_user(who).search_read([])
            with self.assertRaises(AccessError):
                request.export_attachment_id.with_user(who).read(["datas"])
            with self.assertRaises(AccessError):
                self.env["entro.privacy.export"].with_user(who).create(
                    {"request_id": request.id}
                )

    def test_export_over_the_ui_returns_a_download(self):
        self._import_buyers()
        request = self.request("export", phone=PHONE)
        action = request.action_open_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.officer)
            .browse(action["res_id"])
        )
        # the kind of record by its name, not its technical one
        self.assertIn("Marketplace Order", str(wizard.preview_html))
        self.assertNotIn("entro.marketplace.order", str(wizard.preview_html))
        # the dialog closes on the request, done, whose button downloads the archive
        self.assertEqual(
            wizard.action_generate(), {"type": "ir.actions.act_window_close"}
        )
        self.assertEqual(request.state, "done")
        download = request.with_user(self.officer).action_download_export()
        self.assertEqual(
            download["url"],
            f"/web/content/{request.export_attachment_id.id}?download=true",
        )
        self.assertEqual(request.export_attachment_id.res_model, request._name)
        self.assertFalse(request.export_attachment_id.public)
        self.assertEqual(Command.clear(), (5, 0, 0))
