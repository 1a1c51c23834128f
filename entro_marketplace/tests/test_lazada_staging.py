"""Lazada orders imported from the order list's headers, staged between the sync
and the import jobs: the list pages and one items read per 50 orders, no
``/order/get`` but for an order whose header is missing or behind its items."""

import json
import math
from datetime import timedelta, timezone

from odoo import SUPERUSER_ID
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.platforms.records import OrderRef

from tests.emulators.lazada import buyer_paid

from .jobs import run_jobs, run_one_round
from .lazada_common import LazadaFlowCase


class TestLazadaStaging(LazadaFlowCase):
    def staged(self, shop=None):
        return (
            self.env["entro.marketplace.order.staging"]
            .sudo()
            .search([("shop_id", "=", (shop or self.shop).id)])
        )

    def calls(self, endpoint):
        return [e for e in self.emulator.journal.entries() if e.path.endswith(endpoint)]

    def order_reads(self):
        return [e.query["order_id"][0] for e in self.calls("/order/get")]

    def list_only(self):
        """Run the order sync job alone (the imports it enqueues wait)."""
        self.shop.action_sync_orders()
        run = run_one_round(self.env)
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(len(run.done), 1)

    def test_120_orders_from_list_pages_and_item_reads_by_50(self):
        orders = self.add_orders(120, seed=81, statuses=[["pending"], ["pending"] * 2])
        ids = {str(o["order_id"]) for o in orders}
        self.list_only()
        staged = self.staged()
        self.assertEqual(set(staged.mapped("external_id")), ids)
        self.assertTrue(all(staged.mapped("payload")))
        # the import jobs carry order ids only, never a header
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_import_orders")])
        )
        self.assertEqual(len(jobs), math.ceil(120 / 50))
        self.assertEqual({i for job in jobs for i in job.args[0]}, ids)
        stored = json.dumps(jobs.read(["args", "kwargs", "records"]), default=str)
        for order in orders:
            self.assertNotIn(order["address_shipping"]["phone"], stored)
            self.assertNotIn(order["address_shipping"]["address1"], stored)

        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        bindings = self.bindings()
        self.assertEqual(set(bindings.mapped("external_id")), ids)
        by_id = {str(o["order_id"]): o for o in orders}
        for binding in bindings:
            self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
            self.assertEqual(binding.sale_order_id.state, "sale")
            self.assertEqual(
                binding.sale_order_id.amount_total,
                buyer_paid(by_id[binding.external_id]),
            )
            self.assertTrue(binding.sale_order_id.partner_shipping_id.street)
        # 2 list pages of 100, 3 item reads of 50 (at most), no /order/get
        self.assertEqual(len(self.calls("/orders/get")), 2)
        self.assertEqual(len(self.calls("/orders/items/get")), 3)
        self.assertEqual(self.order_reads(), [])
        # staged headers are deleted with the import
        self.assertFalse(self.staged())

    def test_a_stale_or_missing_header_is_read_with_order_get(self):
        orders = self.add_orders(10, seed=82, statuses=[["pending", "pending"]])
        self.list_only()
        stale, missing = str(orders[2]["order_id"]), str(orders[5]["order_id"])
        # after the list was read: a unit of one order is cancelled, and the
        # header of another is gone
        item = orders[2]["_items"][0]
        self.emulator.set_item_status(stale, [item["order_item_id"]], "canceled")
        self.staged().filtered(lambda s: s.external_id == missing).unlink()
        self.emulator.journal.clear()

        run = self.run_jobs()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        self.assertEqual(sorted(self.order_reads()), sorted([stale, missing]))
        self.assertEqual(len(self.calls("/orders/items/get")), 1)
        bindings = {b.external_id: b for b in self.bindings()}
        self.assertEqual(len(bindings), 10)
        changed = bindings[stale]
        self.assertEqual(changed.status, "canceled,pending")
        with self.emulator.store.lock:
            expected = buyer_paid(self.emulator.store["orders"][stale])
        self.assertEqual(changed.sale_order_id.amount_total, expected)
        self.assertEqual(
            len(changed.sale_order_id.order_line.filtered("entro_external_line_id")),
            1,
        )
        self.assertEqual(bindings[missing].sync_state, "ok")
        self.assertFalse(self.staged())

    def test_a_header_older_than_the_imported_order_is_not_used(self):
        self.add_orders(1, seed=83, statuses=[["pending"]])
        self.sync()
        binding = self.bindings()
        key = binding.external_id
        with self.emulator.store.lock:
            header = self.emulator.header(self.emulator.store["orders"][key])
        older = binding.platform_update_time - timedelta(hours=1)
        header["updated_at"] = older.strftime("%Y-%m-%dT%H:%M:%S+00:00")
        Staging = self.env["entro.marketplace.order.staging"].sudo()
        client = self.shop._platform_client()
        ref = OrderRef(
            external_id=key,
            update_time=older.replace(tzinfo=timezone.utc),
            header=header,
        )
        self.assertEqual(Staging._stage(self.shop, client, [ref]), 1)
        self.assertEqual(Staging._headers_for(self.shop, [key]), {})
        self.emulator.journal.clear()
        self.shop._enqueue_order_import([key])
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(self.order_reads(), [key])
        self.assertFalse(self.staged())

    def test_a_newer_header_replaces_a_staged_one_never_an_older(self):
        orders = self.add_orders(2, seed=84, statuses=[["pending"]])
        self.list_only()
        Staging = self.env["entro.marketplace.order.staging"].sudo()
        client = self.shop._platform_client()
        row = self.staged().filtered(
            lambda s: s.external_id == str(orders[0]["order_id"])
        )
        first = row.update_time

        def listed(minutes, note):
            return OrderRef(
                external_id=row.external_id,
                update_time=(first + timedelta(minutes=minutes)).replace(
                    tzinfo=timezone.utc
                ),
                header=dict(row.payload, remarks=note),
            )

        # an older listing of the same order does not replace the staged header
        Staging._stage(self.shop, client, [listed(-5, "older")])
        row.invalidate_recordset()
        self.assertEqual(row.update_time, first)
        self.assertNotEqual(row.payload.get("remarks"), "older")
        Staging._stage(self.shop, client, [listed(5, "newer")])
        row.invalidate_recordset()
        self.assertEqual(row.update_time, first + timedelta(minutes=5))
        self.assertEqual(row.payload.get("remarks"), "newer")
        self.assertEqual(len(self.staged()), 2)

    def test_only_managers_read_staged_headers_of_their_companies(self):
        self.add_orders(3, seed=85, statuses=[["pending"]])
        self.list_only()
        Staging = self.env["entro.marketplace.order.staging"]
        self.assertEqual(len(Staging.with_user(self.manager).search([])), 3)
        user = new_test_user(
            self.env(su=True),
            login="lz_staging_user",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
        )
        with self.assertRaises(AccessError):
            Staging.with_user(user).search([])
        row = self.staged()[:1].with_user(self.manager)
        with self.assertRaises(AccessError):
            row.write({"external_id": "1"})
        with self.assertRaises(AccessError):
            row.unlink()
        # another company's staged headers stay out of the manager's sight
        # (created by the superuser: a company joins its creator's companies)
        env = self.env(user=SUPERUSER_ID, su=True)
        other = env["res.company"].create({"name": "Other Lazada seller"})
        shop = env["entro.marketplace.shop"].create(
            {
                "name": "Lazada other company",
                "platform": "lazada",
                "company_id": other.id,
                "app_key": "x",
                "external_id": "200999",
            }
        )
        env["entro.marketplace.order.staging"]._stage(
            shop,
            self.shop._platform_client(),
            [OrderRef(external_id="77", header={"order_id": 77})],
        )
        self.assertEqual(len(self.staged(shop)), 1)
        visible = Staging.with_user(self.manager).search([])
        self.assertEqual(len(visible), 3)
        self.assertNotIn("77", visible.mapped("external_id"))

    def test_import_jobs_of_a_sync_run_once_each(self):
        # the webhook path after a sync: no staged header left, /order/get as before
        (order,) = self.add_orders(1, seed=86, statuses=[["pending", "pending"]])
        self.sync()
        self.emulator.journal.clear()
        item = order["_items"][0]
        self.push(
            self.emulator.set_item_status(
                order["order_id"], [item["order_item_id"]], "canceled"
            )
        )
        run = run_jobs(self.env)
        self.assertFalse(run.failed)
        self.assertEqual(self.order_reads(), [str(order["order_id"])])
        self.assertEqual(self.bindings().status, "canceled,pending")
