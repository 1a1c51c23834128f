"""Expired tokens, platform failures and unmappable orders: nothing lost."""

from odoo.addons.entro_marketplace.tools import crypto

from .common import ShopeeFlowCase
from .jobs import run_one_round


class TestResilience(ShopeeFlowCase):
    def test_expired_token_is_refreshed_once_and_the_sync_continues(self):
        orders = self.add_orders(60, seed=31, statuses=["READY_TO_SHIP"])
        old_refresh = self.shop._secrets()["refresh_token"]
        self.emulator.expire_access_tokens()
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), len(orders))
        self.assertEqual(
            self.emulator.journal.count("/api/v2/auth/access_token/get"), 1
        )
        # the single-use refresh token was replaced, and stored encrypted
        secrets = self.shop._secrets()
        self.assertNotEqual(secrets["refresh_token"], old_refresh)
        self.assertIn(secrets["refresh_token"], self.emulator.store["refresh"])
        self.assertNotIn(old_refresh, self.emulator.store["refresh"])
        raw = self.shop._credential().read(["refresh_token_enc", "access_token_enc"])[0]
        self.assertNotIn(secrets["refresh_token"], raw["refresh_token_enc"])
        self.assertEqual(
            crypto.decrypt(raw["access_token_enc"]), secrets["access_token"]
        )

    def test_5xx_and_429_bursts_are_retried_and_nothing_is_lost(self):
        orders = self.add_orders(120, seed=32, statuses=["READY_TO_SHIP"])
        faults = self.emulator.faults
        faults.add("http_5xx", path_pattern="get_order_detail", count=2)
        faults.add("http_429", path_pattern="get_order_list", count=2, retry_after=1)
        faults.add("http_5xx", path_pattern="get_escrow_detail_batch", count=1)
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(self.bindings()), len(orders))
        statuses = [e.status for e in self.emulator.journal.entries()]
        self.assertEqual(statuses.count(429), 2)
        self.assertGreaterEqual(statuses.count(500), 3)
        # every attempt is in the API log, the failed ones flagged
        logs = self.env["entro.marketplace.log"].search(
            [("shop_id", "=", self.shop.id)]
        )
        self.assertEqual(len(logs), len(self.emulator.journal.entries()))
        self.assertEqual(
            len(logs.filtered("is_error")), statuses.count(429) + statuses.count(500)
        )

    def test_a_longer_outage_becomes_a_job_retry(self):
        orders = self.add_orders(30, seed=33, statuses=["READY_TO_SHIP"])
        # more failures than one job's attempts: the job is postponed, then succeeds
        self.emulator.faults.add("http_5xx", path_pattern="get_order_detail", count=6)
        run = self.sync()
        self.assertFalse(run.failed)
        self.assertEqual(len(run.retried), 1)
        self.assertEqual(len(self.bindings()), len(orders))

    def test_rate_limit_retry_after_is_respected_by_the_job(self):
        self.add_orders(5, seed=34, statuses=["READY_TO_SHIP"])
        self.emulator.faults.add(
            "http_429", path_pattern="get_order_list", count=5, retry_after=42
        )
        self.shop.action_sync_orders()
        result = run_one_round(self.env)
        # postponed past the Retry-After: 42 s, and one more because queue_job
        # keeps the eta to the second, cut down
        self.assertEqual([seconds for _job, seconds in result.retried], [43])
        job = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_sync_orders")])
        )
        self.assertEqual(job.state, "pending")
        self.assertTrue(job.eta)

    def test_permanent_token_failure_fails_the_job_and_tells_a_person(self):
        self.add_orders(3, seed=35, statuses=["READY_TO_SHIP"])
        self.emulator.faults.add("token_expired", count=10)
        run = self.sync()
        self.assertEqual(len(run.failed), 1)
        self.assertFalse(self.bindings())
        self.assertEqual(self.shop.state, "error")
        self.assertTrue(self.shop.last_error)
        self.assertIn(
            "Marketplace sync needs attention", self.shop.activity_ids.mapped("summary")
        )
        # the cursor did not move: the next sync covers the same orders
        self.assertFalse(self.shop.order_cursor)

    def test_unknown_sku_is_kept_in_exception_then_imported(self):
        (order,) = self.add_orders(1, seed=36, statuses=["READY_TO_SHIP"])
        sku = order["item_list"][0]["model_sku"] or order["item_list"][0]["item_sku"]
        product = self.products.filtered(lambda p: p.default_code == sku)
        product.active = False
        self.sync()
        binding = self.bindings()
        self.assertEqual(binding.sync_state, "exception")
        self.assertIn(sku, binding.exception_reason)
        self.assertFalse(binding.sale_order_id)
        self.assertTrue(binding.payload)  # nothing is lost
        self.assertIn(
            "Marketplace order needs attention", binding.activity_ids.mapped("summary")
        )
        # a person fixes the product, then retries
        product.active = True
        binding.action_retry()
        run = self.run_jobs()
        self.assertFalse(run.failed)
        self.assertEqual(binding.sync_state, "ok")
        self.assertEqual(binding.sale_order_id.amount_total, order["total_amount"])
        self.assertFalse(binding.activity_ids)
