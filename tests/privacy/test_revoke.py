"""Revoking a shop: tokens and credentials gone (checked in SQL), jobs stopped."""

from odoo.addons.entro_marketplace.tests.common import SHOP_ID

from .common import TwoPlatformCase


class TestRevoke(TwoPlatformCase):
    def _credentials_sql(self, shops):
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT count(*) FROM entro_marketplace_credential
             WHERE shop_id = ANY(%s)
               AND (access_token_enc IS NOT NULL OR refresh_token_enc IS NOT NULL
                    OR app_secret_enc IS NOT NULL OR oauth_state_hash IS NOT NULL)
            """,
            [shops.ids],
        )
        return self.env.cr.fetchone()[0]

    def _pending_jobs(self, shop):
        return (
            self.env["queue.job"]
            .sudo()
            .search([("state", "in", ("pending", "enqueued"))])
            .filtered(lambda j: j.records._name == shop._name and shop in j.records)
        )

    def _revoke_audit(self):
        return (
            self.env["entro.privacy.audit"]
            .sudo()
            .search([("shop_id", "=", self.shop.id), ("event", "=", "revoke")])
        )

    def test_revoke_request_wipes_tokens_and_cancels_jobs(self):
        self.shop.action_sync_orders()
        self.lz_shop.action_sync_orders()
        self.assertTrue(self._pending_jobs(self.shop))
        self.assertEqual(self._credentials_sql(self.shop), 1)
        self.env.cr.execute(
            "SELECT access_token_enc, refresh_token_enc "
            "FROM entro_marketplace_credential WHERE shop_id = %s",
            [self.shop.id],
        )
        before = [value for value in self.env.cr.fetchone() if value]
        self.assertEqual(len(before), 2)

        request = self.request("revoke", shop_ids=[(6, 0, self.shop.ids)])
        request.action_process()

        self.assertEqual(request.state, "done")
        self.assertEqual(self.shop.state, "disconnected")
        self.assertEqual(self._credentials_sql(self.shop), 0)
        self.assertFalse(self._pending_jobs(self.shop))
        # Shopee lets the seller withdraw the app on its own page: the link is given
        self.assertTrue(
            request.revoke_url.startswith(
                self.emulator.base_url + "/api/v2/shop/cancel_auth_partner?"
            ),
            request.revoke_url,
        )
        self.assertIn(f"partner_id={self.shop.app_key}", request.revoke_url)
        revoke = request.audit_ids.filtered(lambda a: a.event == "revoke")
        self.assertEqual(revoke.shop_id, self.shop)
        # the other shop goes on
        self.assertEqual(self.lz_shop.state, "connected")
        self.assertTrue(self._pending_jobs(self.lz_shop))
        self.assertEqual(self._credentials_sql(self.lz_shop), 1)
        # crons no longer touch it
        self.env["entro.marketplace.shop"]._cron_sync_orders()
        self.assertFalse(self._pending_jobs(self.shop))
        # the former ciphertexts are nowhere in the table any more
        self.env.cr.execute(
            "SELECT count(*) FROM entro_marketplace_credential "
            "WHERE access_token_enc = ANY(%s) OR refresh_token_enc = ANY(%s)",
            [before, before],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)

    def test_disconnect_button_does_the_same_and_is_audited(self):
        self.shop.action_sync_orders()
        action = self.shop.action_disconnect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("/api/v2/shop/cancel_auth_partner?", action["url"])
        # Lazada has no such page: the seller removes the app in its seller centre
        self.assertIs(self.lz_shop.action_disconnect(), True)
        self.assertEqual(self._credentials_sql(self.shop), 0)
        self.assertFalse(self._pending_jobs(self.shop))
        audit = self._revoke_audit()
        self.assertEqual(len(audit), 1)
        self.assertIn("disconnected in Odoo", audit.detail)

    def test_platform_deauthorization_push_does_the_same(self):
        self.shop.action_sync_orders()
        message = {"shop_id": SHOP_ID, "code": 2, "timestamp": 0, "data": {}}
        message["timestamp"] = int(self.emulator.clock())
        headers, body = self.emulator.build_push(self.webhook_url(), message)
        response = self.post_webhook(headers, body)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.shop.state, "disconnected")
        self.assertEqual(self._credentials_sql(self.shop), 0)
        self.assertFalse(self._pending_jobs(self.shop))
        audit = self._revoke_audit()
        self.assertIn("the platform says the seller revoked", audit.detail)
