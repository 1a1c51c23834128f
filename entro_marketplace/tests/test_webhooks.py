"""Webhooks: verified, stored once, queued; forged or stale ones create nothing."""

import requests

from .common import SHOP_ID, ShopeeFlowCase


class TestWebhooks(ShopeeFlowCase):
    def _events(self):
        # every event stored, whoever may see it
        return self.env["entro.marketplace.event"].sudo().search([])

    def test_replayed_and_out_of_order_pushes_change_nothing(self):
        orders = self.add_orders(20, seed=21, statuses=["UNPAID"])
        messages = []
        for order in orders:
            sn = order["order_sn"]
            messages.append(self.emulator.set_status(sn, "READY_TO_SHIP"))
            messages.append(self.emulator.set_status(sn, "PROCESSED"))
        # every push three times, shuffled: older statuses arrive after newer ones
        statuses = self.push(messages, duplicate=3, shuffle=True, seed=5)
        self.assertEqual(set(statuses), {200})
        events = self._events()
        self.assertEqual(len(events), len(messages))  # one per distinct push
        run = self.run_jobs()
        self.assertFalse(run.failed)
        bindings = self.bindings()
        self.assertEqual(len(bindings), len(orders))
        self.assertEqual(set(bindings.mapped("status")), {"PROCESSED"})
        self.assertEqual(set(bindings.sale_order_id.mapped("state")), {"sale"})
        self.assertEqual(len(bindings.sale_order_id), len(orders))
        # the same pushes again, later: nothing new
        sales = self.env["sale.order"].search_count([])
        self.push(messages, duplicate=2)
        self.assertEqual(self._events(), events)
        self.run_jobs()
        self.assertEqual(self.env["sale.order"].search_count([]), sales)
        self.assertFalse(self.emulator.store["lost"])

    def test_answer_is_fast_and_empty(self):
        (order,) = self.add_orders(1, seed=22, statuses=["READY_TO_SHIP"])
        headers, body = self.emulator.build_push(
            self.webhook_url(), self.emulator.order_message(order["order_sn"])
        )
        response = self.post_webhook(headers, body)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        # no API call inside the request: the import is a job
        self.assertEqual(self.emulator.journal.count(), 0)
        self.assertFalse(self.bindings())
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search([("method_name", "=", "_job_import_orders")])
        )
        self.assertEqual(len(jobs), 1)
        self.run_jobs()
        self.assertEqual(self.bindings().external_id, order["order_sn"])

    def _post(self, forge=False, stale_seconds=0, sign=True, body=None):
        (order,) = self.add_orders(1, seed=23, statuses=["READY_TO_SHIP"])
        message = self.emulator.order_message(order["order_sn"])
        headers, raw = self.emulator.build_push(
            self.webhook_url(),
            message,
            forge=forge,
            stale_seconds=stale_seconds,
            sign=sign,
        )
        return self.post_webhook(headers, body or raw)

    def test_forged_signature_is_refused(self):
        response = self._post(forge=True)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self._events())
        self.assertFalse(self.env["queue.job"].sudo().search([]))
        log = self.env["entro.marketplace.log"].search([("kind", "=", "webhook")])
        self.assertEqual(log.mapped("error_code"), ["bad_signature"])

    def test_unsigned_push_is_refused(self):
        self.assertEqual(self._post(sign=False).status_code, 401)
        self.assertFalse(self._events())

    def test_tampered_body_is_refused(self):
        response = self._post(body=b'{"code":3,"shop_id":%d,"data":{}}' % SHOP_ID)
        self.assertEqual(response.status_code, 401)
        self.assertFalse(self._events())

    def test_stale_push_is_refused(self):
        self.assertEqual(self._post(stale_seconds=3600).status_code, 403)
        self.assertFalse(self._events())

    def test_no_shop_means_no_secret_means_refused(self):
        # the secret is the shop's platform app's (c20-connect)
        self.shop.app_id.sudo().app_secret_enc = False
        self.assertEqual(self._post().status_code, 401)
        self.assertFalse(self._events())

    def test_get_is_not_allowed(self):
        response = requests.get(self.webhook_url(), timeout=10)
        self.assertEqual(response.status_code, 405)

    def test_push_for_an_unknown_shop_is_stored_and_ignored(self):
        (order,) = self.add_orders(1, seed=24, statuses=["READY_TO_SHIP"])
        message = dict(self.emulator.order_message(order["order_sn"]), shop_id=999)
        headers, body = self.emulator.build_push(self.webhook_url(), message)
        response = self.post_webhook(headers, body)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._events().state, "ignored")
        self.assertFalse(self.env["queue.job"].sudo().search([]))
        # of no shop, so of no company: system administrators only
        self.assertFalse(self.env["entro.marketplace.event"].search([]))

    def test_deauthorization_push_disconnects_the_shop(self):
        message = {"shop_id": SHOP_ID, "code": 2, "timestamp": 0, "data": {}}
        message["timestamp"] = int(self.emulator.clock())
        headers, body = self.emulator.build_push(self.webhook_url(), message)
        response = self.post_webhook(headers, body)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.shop.state, "disconnected")
        self.assertFalse(self.shop.has_tokens)

    def test_lost_pushes_are_recovered_once(self):
        orders = self.add_orders(3, seed=25, statuses=["UNPAID"])
        for order in orders:
            self.emulator.set_status(order["order_sn"], "READY_TO_SHIP", lost=True)
        self.env["entro.marketplace.event"]._cron_recover_lost_events()
        self.run_jobs()
        self.assertEqual(len(self.bindings()), 3)
        self.assertEqual(set(self._events().mapped("source")), {"recovery"})
        # acknowledged: the platform has nothing more to give
        last_id = self.emulator.store["lost"][-1][0]
        self.assertEqual(self.emulator.store["lost_confirmed"], last_id)
        # the same pushes delivered late as webhooks are duplicates
        self.push([self.emulator.order_message(o["order_sn"]) for o in orders])
        self.assertEqual(len(self._events()), 3)
