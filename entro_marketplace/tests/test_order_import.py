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

    # ------------------------------------------------------------ batches

    def _fetch(self, orders):
        client = self.shop._platform_client()
        return client.get_orders([o["order_sn"] for o in orders])

    def test_new_orders_of_a_batch_are_created_together(self):
        orders = self.add_orders(50, seed=41, statuses=["READY_TO_SHIP", "UNPAID"])
        fetched = self._fetch(orders)
        results = self.env["entro.marketplace.order"]._import_platform_orders(
            self.shop, fetched
        )
        self.assertEqual(results, ["created"] * 50)
        bindings = self.bindings()
        sales = bindings.sale_order_id
        self.assertEqual(len(sales), 50)
        by_sn = {o["order_sn"]: o for o in orders}
        for binding in bindings:
            order = by_sn[binding.external_id]
            expected = "draft" if order["order_status"] == "UNPAID" else "sale"
            self.assertEqual(binding.sale_order_id.state, expected)
            self.assertEqual(binding.sale_order_id.amount_total, order["total_amount"])
            self.assertEqual(binding.sync_state, "ok")
        # created and confirmed together, in one savepoint: the rows of the sale
        # orders and of their deliveries were written by one subtransaction
        # (one per order when each had its own savepoint and flush)
        self.env.flush_all()
        for table, ids in (
            ("sale_order", sales.ids),
            ("stock_picking", sales.picking_ids.ids),
        ):
            self.env.cr.execute(
                f"SELECT count(DISTINCT xmin::text) FROM {table} WHERE id = ANY(%s)",
                [ids],
            )
            self.assertEqual(self.env.cr.fetchone()[0], 1, table)

    def test_one_bad_order_does_not_block_its_batch(self):
        orders = self.add_orders(12, seed=42, statuses=["READY_TO_SHIP"])
        bad = orders[5]["order_sn"]
        # found wrong only once its sale order exists: the batch is rolled back
        # and its orders imported one at a time
        with self.emulator.store.lock:
            self.emulator.store["orders"][bad]["currency"] = "USD"
        run = self.sync()
        self.assertFalse(run.failed)
        bindings = self.bindings()
        self.assertEqual(len(bindings), 12)
        held = bindings.filtered(lambda b: b.external_id == bad)
        self.assertEqual(held.sync_state, "exception")
        self.assertIn("USD", held.exception_reason)
        # the platform's currency, found though neither the company's nor a
        # sale order's
        self.assertEqual(held.currency_id, self.env.ref("base.USD"))
        self.assertFalse(held.sale_order_id)
        self.assertTrue(held.activity_ids)
        good = bindings - held
        self.assertEqual(set(good.mapped("sync_state")), {"ok"})
        self.assertEqual(good.currency_id, self.vnd)
        self.assertEqual(set(good.sale_order_id.mapped("state")), {"sale"})
        by_sn = {o["order_sn"]: o for o in orders}
        for binding in good:
            self.assertEqual(
                binding.sale_order_id.amount_total,
                by_sn[binding.external_id]["total_amount"],
            )
        # nothing twice: one sale order per good order, none for the bad one
        SaleOrder = self.env["sale.order"]
        self.assertEqual(
            SaleOrder.search_count([("entro_shop_id", "=", self.shop.id)]), 11
        )
        self.assertFalse(SaleOrder.search([("client_order_ref", "=", bad)]))
        self.assertEqual(len(good.sale_order_id.picking_ids), 11)

    # ------------------------------------------------- pending breakdowns

    def test_orders_flow_without_the_payment_api_then_are_completed(self):
        orders = self.add_orders(60, seed=44, statuses=STATUSES)
        self.emulator.refuse_payment_api()
        self.addCleanup(self.emulator.restore_payment_api)
        run = self.sync()
        self.assertFalse(run.failed, run.failed)
        self.assertEqual(self.shop.state, "connected")
        by_sn = {o["order_sn"]: o for o in orders}
        bindings = self.bindings()
        self.assertEqual(len(bindings), 60)
        self.assertEqual(set(bindings.mapped("sync_state")), {"ok"})

        def is_paid(binding):
            status = by_sn[binding.external_id]["order_status"]
            return status not in ("UNPAID", "CANCELLED")

        paid = bindings.filtered(is_paid)
        self.assertGreater(len(paid), 40)
        self.assertFalse((bindings - paid).filtered("amounts_pending"))
        snapshot = {}
        for binding in paid:
            sale = binding.sale_order_id
            self.assertEqual(sale.state, "sale", binding.external_id)
            self.assertTrue(binding.amounts_pending, binding.external_id)
            self.assertFalse(binding.amounts_complete)
            total = by_sn[binding.external_id]["total_amount"]
            self.assertEqual(sale.amount_total, total)
            snapshot[binding.external_id] = (sale.id, sale.amount_total)
        self.assertEqual(
            self.env["entro.marketplace.order"].search_count(
                [("shop_id", "=", self.shop.id), ("amounts_pending", "=", True)]
            ),
            len(paid),
        )

        # the seller grants the permission: an order that changes is completed
        # by the next sync, the others by the hourly retry of pending ones
        self.emulator.restore_payment_api()
        changed = paid.filtered(lambda b: b.status == "READY_TO_SHIP")[:1]
        self.emulator.set_status(changed.external_id, "SHIPPED")
        self.sync()
        self.assertFalse(changed.amounts_pending)
        # (the sync's window takes in the orders changed lately: not all)
        self.assertTrue(paid.filtered("amounts_pending"))
        self.env["entro.marketplace.order"]._cron_complete_pending_amounts()
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), 60)
        platform_voucher = self.env.ref(
            "entro_marketplace.product_marketplace_platform_voucher"
        )
        shipping = self.env.ref("entro_marketplace.product_marketplace_shipping")
        for binding in paid:
            sale = binding.sale_order_id
            amounts = by_sn[binding.external_id]["_amounts"]
            self.assertEqual(binding.sync_state, "ok", binding.exception_reason)
            self.assertFalse(binding.amounts_pending, binding.external_id)
            self.assertTrue(binding.amounts_complete)
            # the same sale order, the same total, now with its breakdown
            self.assertEqual(
                (sale.id, sale.amount_total), snapshot[binding.external_id]
            )
            lines = sale.order_line
            self.assertEqual(
                sum(
                    lines.filtered(lambda li: li.product_id == shipping).mapped(
                        "price_total"
                    )
                ),
                amounts["shipping"],
            )
            self.assertEqual(
                -sum(
                    lines.filtered(lambda li: li.product_id == platform_voucher).mapped(
                        "price_total"
                    )
                ),
                amounts["shopee_voucher"] + amounts["coins"],
            )
        self.assertEqual(
            self.env["sale.order"].search_count([("entro_shop_id", "=", self.shop.id)]),
            len(bindings.sale_order_id),
        )
        # nothing pending is left to fetch again
        self.emulator.journal.clear()
        self.env["entro.marketplace.order"]._cron_complete_pending_amounts()
        self.run_jobs()
        self.assertFalse(self.emulator.journal.entries("get_order_detail"))
