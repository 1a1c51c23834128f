"""Orders in: Shopee orders over real HTTP become exactly one sale order each."""

import math

from .common import ShopeeFlowCase

STATUSES = [
    "READY_TO_SHIP",
    "READY_TO_SHIP",
    "PROCESSED",
    "SHIPPED",
    "COMPLETED",
    "UNPAID",
    "CANCELLED",
    "IN_CANCEL",
    "TO_CONFIRM_RECEIVE",
]


class TestOrderImport(ShopeeFlowCase):
    def test_full_import_exactly_once_with_equal_totals(self):
        orders = self.add_orders(300, seed=11, statuses=STATUSES)
        run = self.sync()
        self.assertFalse(run.failed, run.failed)

        bindings = self.bindings()
        self.assertEqual(len(bindings), len(orders))
        self.assertEqual(
            sorted(bindings.mapped("external_id")),
            sorted(o["order_sn"] for o in orders),
        )
        self.assertFalse(bindings.filtered(lambda b: b.sync_state == "exception"))
        by_sn = {o["order_sn"]: o for o in orders}
        for binding in bindings:
            order = by_sn[binding.external_id]
            if order["order_status"] == "CANCELLED":
                # never imported before it was cancelled: nothing to reserve
                self.assertFalse(binding.sale_order_id)
                continue
            sale = binding.sale_order_id
            self.assertTrue(sale, binding.external_id)
            self.assertEqual(
                sale.amount_total, order["total_amount"], order["order_sn"]
            )
            self.assertEqual(sale.currency_id.name, "VND")
            self.assertEqual(sale.warehouse_id, self.warehouse)
            self.assertEqual(sale.pricelist_id, self.pricelist)
            expected = "draft" if order["order_status"] == "UNPAID" else "sale"
            self.assertEqual(sale.state, expected, order["order_status"])
        sales = bindings.sale_order_id
        self.assertEqual(len(sales), len(set(sales.ids)))
        self.assertEqual(
            self.env["sale.order"].search_count([("entro_shop_id", "=", self.shop.id)]),
            len(sales),
        )
        # details in batches of at most 50 ids, as few calls as the limit allows
        detail_calls = self.emulator.journal.entries("/api/v2/order/get_order_detail")
        self.assertEqual(len(detail_calls), math.ceil(len(orders) / 50))
        for entry in detail_calls:
            self.assertLessEqual(len(entry.query["order_sn_list"][0].split(",")), 50)
        self.assertTrue(self.shop.order_cursor)

    def test_reimport_changes_nothing(self):
        self.add_orders(40, seed=12, statuses=STATUSES)
        self.sync()
        bindings = self.bindings()
        snapshot = {
            b.external_id: (b.sale_order_id.id, b.sale_order_id.state, b.update_count)
            for b in bindings
        }
        sale_count = self.env["sale.order"].search_count([])
        partner_count = self.env["res.partner"].search_count([])
        # the whole window again, from scratch
        self.shop.order_cursor = False
        self.sync()
        self.assertEqual(self.bindings(), bindings)
        self.assertEqual(
            snapshot,
            {
                b.external_id: (
                    b.sale_order_id.id,
                    b.sale_order_id.state,
                    b.update_count,
                )
                for b in bindings
            },
        )
        self.assertEqual(self.env["sale.order"].search_count([]), sale_count)
        self.assertEqual(self.env["res.partner"].search_count([]), partner_count)

    def test_buyer_found_again_not_duplicated(self):
        orders = self.add_orders(2, seed=13, statuses=["READY_TO_SHIP"])
        # the same buyer orders twice
        second = dict(orders[1])
        for key in ("buyer_user_id", "buyer_username", "recipient_address"):
            second[key] = orders[0][key]
        self.emulator.add_orders([second])
        self.sync()
        b1, b2 = (
            self.bindings().filtered(lambda b, sn=o["order_sn"]: b.external_id == sn)
            for o in orders
        )
        self.assertEqual(b1.sale_order_id.partner_id, b2.sale_order_id.partner_id)
        self.assertEqual(
            b1.sale_order_id.partner_shipping_id, b2.sale_order_id.partner_shipping_id
        )
        self.assertEqual(b1.sale_order_id.partner_id.company_id, self.company)

    def test_unknown_status_is_held_until_the_seller_maps_it(self):
        (order,) = self.add_orders(1, seed=15, statuses=["READY_TO_SHIP"])
        sn = order["order_sn"]
        self.sync()
        binding = self.bindings()
        sale = binding.sale_order_id
        self.assertEqual(sale.state, "sale")
        # the platform starts using a status Entro has no mapping for
        self.emulator.set_status(sn, "HANDED_TO_DRONE")
        binding.action_retry()
        self.run_jobs()
        self.assertEqual(binding.sync_state, "exception")
        self.assertIn("HANDED_TO_DRONE", binding.exception_reason)
        self.assertIn("Status Mapping Overrides", binding.exception_reason)
        self.assertEqual(binding.status, "HANDED_TO_DRONE")
        # not moved to a guessed state: the order and its reservation stay
        self.assertEqual(binding.state, "to_ship")
        self.assertEqual(binding.sale_order_id, sale)
        self.assertEqual(sale.state, "sale")
        self.assertEqual(
            set(sale.picking_ids.mapped("state")) & {"cancel"}, set(), sale.name
        )
        self.assertTrue(binding.activity_ids)
        # a new order in that status is kept, with its data, and no sale order
        (new,) = self.add_orders(1, seed=16, statuses=["HANDED_TO_DRONE"])
        self.shop.order_cursor = False  # its update time is in the past
        self.sync()
        fresh = self.bindings().filtered(lambda b: b.external_id == new["order_sn"])
        self.assertEqual(fresh.sync_state, "exception")
        self.assertTrue(fresh.payload)
        self.assertFalse(fresh.sale_order_id)
        # the seller maps it; fetched again, both flow in the mapped state
        self.shop.status_map_override = '{"HANDED_TO_DRONE": "shipped"}'
        (binding | fresh).action_retry()
        self.run_jobs()
        for record in binding | fresh:
            self.assertEqual(record.sync_state, "ok", record.exception_reason)
            self.assertEqual(record.state, "shipped")
            self.assertEqual(record.sale_order_id.state, "sale")
            self.assertFalse(record.exception_reason)
        self.assertEqual(binding.sale_order_id, sale)
        self.assertEqual(fresh.sale_order_id.amount_total, fresh.amount_total)
        self.assertEqual(len(self.bindings()), 2)

    def test_status_life_never_moves_back(self):
        (order,) = self.add_orders(1, seed=14, statuses=["UNPAID"])
        sn = order["order_sn"]
        self.sync()
        binding = self.bindings()
        self.assertEqual(binding.sale_order_id.state, "draft")
        self.emulator.set_status(sn, "READY_TO_SHIP")
        binding.action_retry()
        self.run_jobs()
        self.assertEqual(binding.sale_order_id.state, "sale")
        # paid: the exact breakdown (escrow) replaced the quotation's lines
        self.assertTrue(binding.amounts_complete)
        self.assertEqual(binding.sale_order_id.amount_total, binding.amount_total)
        self.assertTrue(binding.sale_order_id.picking_ids)
        self.emulator.set_status(sn, "CANCELLED")
        binding.action_retry()
        self.run_jobs()
        self.assertEqual(binding.state, "cancelled")
        self.assertEqual(binding.sale_order_id.state, "cancel")
        # the reservation is freed
        self.assertEqual(
            set(binding.sale_order_id.picking_ids.mapped("state")), {"cancel"}
        )
        # an older update arriving late changes nothing
        from odoo.addons.entro_marketplace.platforms.shopee import ShopeePlatform

        client = self.shop._platform_client()
        (fresh,) = client.get_orders([sn])
        from dataclasses import replace
        from datetime import timedelta

        stale = replace(
            fresh,
            status="READY_TO_SHIP",
            state="to_ship",
            update_time=fresh.update_time - timedelta(hours=1),
        )
        result = self.env["entro.marketplace.order"]._import_platform_order(
            self.shop, stale
        )
        self.assertEqual(result, "older")
        self.assertEqual(binding.status, "CANCELLED")
        self.assertEqual(binding.sale_order_id.state, "cancel")
        self.assertTrue(ShopeePlatform)

    def test_in_cancel_raises_a_follow_up(self):
        (order,) = self.add_orders(1, seed=15, statuses=["IN_CANCEL"])
        self.sync()
        sale = self.bindings().sale_order_id
        self.assertEqual(sale.state, "sale")
        self.assertIn(
            "Buyer asks to cancel", sale.activity_ids.mapped("summary"), order
        )
