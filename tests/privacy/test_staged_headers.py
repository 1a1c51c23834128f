"""Order headers staged between a Lazada sync and its import jobs hold buyer data:
a request's export holds them, its erasure deletes them, and retention purges
those no import took."""

import base64
import io
import json
import zipfile
from datetime import timedelta

from odoo import fields

from odoo.addons.entro_marketplace.tests.jobs import run_one_round

from .common import BUYER, OTHER_PHONE, PHONE, STREET, TwoPlatformCase

STAGING = "entro.marketplace.order.staging"


class TestStagedHeaders(TwoPlatformCase):
    def staged(self):
        return self.env[STAGING].sudo().search([("shop_id", "=", self.lz_shop.id)])

    def list_lazada(self):
        """The Lazada order sync alone: headers staged, imports still pending."""
        self.lz_shop.action_sync_orders()
        run = run_one_round(self.env)
        self.assertFalse(run.failed, run.failed)

    def _export(self, request):
        request.action_process()
        data = base64.b64decode(request.get_export()["datas"])
        archive = zipfile.ZipFile(io.BytesIO(data))
        return {name: archive.read(name).decode() for name in archive.namelist()}

    def test_export_and_erase_cover_a_staged_header(self):
        (mine,) = self.lazada_orders(1, 321, BUYER, PHONE)
        (theirs,) = self.lazada_orders(1, 322, "Phan Văn Khải", OTHER_PHONE)
        self.list_lazada()
        staged = self.staged()
        self.assertEqual(len(staged), 2)
        row = staged.filtered(lambda s: s.external_id == str(mine["order_id"]))
        self.assertEqual(row.buyer_phone, PHONE)

        files = self._export(self.request("export", phone=PHONE))
        rows = json.loads(files[f"{STAGING}.json"])
        self.assertEqual([r["id"] for r in rows], row.ids)
        self.assertEqual(rows[0]["payload"]["address_shipping"]["address1"], STREET)
        self.assertIn(BUYER, files[f"{STAGING}.json"])
        everything = "\n".join(files.values())
        self.assertNotIn(OTHER_PHONE, everything)
        self.assertNotIn(str(theirs["order_id"]), everything)

        request = self.request("erase", phone=PHONE)
        request.action_process()
        self.assertIn(f"{STAGING} #{row.id}: deleted", request.result)
        self.assertEqual(self.staged().mapped("external_id"), [str(theirs["order_id"])])
        # the import reads the erased header from the platform again
        self.lz_emulator.journal.clear()
        run = self.run_jobs()
        self.assertFalse(run.failed, run.failed)
        reads = [
            e.query["order_id"][0]
            for e in self.lz_emulator.journal.entries()
            if e.path.endswith("/order/get")
        ]
        self.assertEqual(reads, [str(mine["order_id"])])
        self.assertFalse(self.staged())

    def test_a_returning_buyers_staged_header_is_found_by_their_contact(self):
        self.lazada_orders(1, 323, BUYER, PHONE)
        self.import_all()
        customer = (
            self.env["entro.marketplace.order"]
            .sudo()
            .search([("shop_id", "=", self.lz_shop.id)])
            .sale_order_id.partner_id
        )
        self.assertEqual(customer.entro_buyer_key, "lazada:9900323")
        # a new order of the same buyer: Lazada's list gives no buyer id, the
        # header is known by the phone the buyer's contact has
        (new,) = self.lazada_orders(1, 324, BUYER, PHONE)
        with self.lz_emulator.store.lock:
            for item in self.lz_emulator.store["orders"][str(new["order_id"])][
                "_items"
            ]:
                item["buyer_id"] = "9900323"
        self.lz_shop.sudo().order_cursor = False  # the new order is days old
        self.list_lazada()
        row = self.staged()
        self.assertEqual(row.external_id, str(new["order_id"]))
        self.assertEqual(row.buyer_key, customer.entro_buyer_key)
        files = self._export(self.request("export", partner_id=customer.id))
        rows = json.loads(files[f"{STAGING}.json"])
        self.assertEqual([r["id"] for r in rows], row.ids)

    def test_retention_deletes_headers_no_import_took(self):
        self.lazada_orders(3, 325, BUYER, PHONE)
        self.list_lazada()
        old, recent, fresh = self.staged().sorted("id")
        now = fields.Datetime.now()
        self.env.flush_all()
        for row, days in ((old, 8), (recent, 5)):
            self.env.cr.execute(
                "UPDATE entro_marketplace_order_staging SET write_date = %s "
                "WHERE id = %s",
                [now - timedelta(days=days), row.id],
            )
        self.env[STAGING].invalidate_model()
        Retention = self.env["entro.privacy.retention"]
        self.assertEqual(Retention._cron_purge_staged_orders(), 1)
        self.assertEqual(self.staged(), recent | fresh)
        audit = self.env["entro.privacy.audit"].sudo().search([], limit=1)
        self.assertIn("1 staged order headers deleted", audit.detail)
        # a shorter period, configured in the privacy settings
        settings = self.env["res.config.settings"].sudo().create({})
        self.assertEqual(settings.entro_privacy_order_staging_days, 7)
        settings.entro_privacy_order_staging_days = 3
        settings.execute()
        self.assertEqual(Retention._cron_purge_staged_orders(), 1)
        self.assertEqual(self.staged(), fresh)
