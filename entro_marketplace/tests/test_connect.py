"""Issue 20, item 6: one-click connect. The app key and secret are entered once
per platform and company (entro.marketplace.app); a shop only authorises it.

The class shop (Shopee, the emulator's partner id and key) belongs to the main
company, "B"; ``manager_a`` manages company A only.
"""

import json
import logging
from datetime import timedelta

import requests

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form

from odoo.addons.entro_marketplace.tools import crypto

from tests.emulators.shopee import shopee_push_sign

from .common import PARTNER_ID, PARTNER_KEY, SHOP_ID
from .test_security import SecurityCase

A_KEY = "31337"
A_SECRET = "company_a_partner_key"
A_SHOP_ID = 700777


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


class ConnectCase(SecurityCase):
    def _app_a(self, **values):
        return (
            self.env["entro.marketplace.app"]
            .with_user(self.manager_a)
            .create(
                {
                    "platform": "shopee",
                    "company_id": self.company_a.id,
                    "app_key": A_KEY,
                    "app_secret": A_SECRET,
                    "api_base_url": self.emulator.base_url,
                    **values,
                }
            )
        )

    def _wizard(self, user, **context):
        Wizard = self.env["entro.marketplace.shop.connect"].with_user(user)
        return Wizard.with_context(**context).create({})


class TestPlatformApp(ConnectCase):
    def test_the_app_secret_is_never_read_back(self):
        capture = _Capture()
        root = logging.getLogger()
        root.addHandler(capture)
        level = root.level
        root.setLevel(logging.DEBUG)
        try:
            app = self._app_a()
            self.env.flush_all()
        finally:
            root.removeHandler(capture)
            root.setLevel(level)
        self.assertNotIn(A_SECRET, "\n".join(capture.lines))
        self.assertTrue(app.has_secret)
        # not in read(), by the manager who typed it
        (row,) = app.read(["app_key", "app_secret", "has_secret"])
        self.assertFalse(row["app_secret"])
        self.assertEqual(row["app_key"], A_KEY)
        with self.assertRaises(AccessError):
            app.read(["app_secret_enc"])
        self.assertNotIn("app_secret_enc", app.fields_get())
        # encrypted at rest
        self.env.cr.execute(
            "SELECT row_to_json(a)::text FROM entro_marketplace_app a WHERE id = %s",
            [app.id],
        )
        self.assertNotIn(A_SECRET, self.env.cr.fetchone()[0])
        self.assertEqual(app._readable_secret(), A_SECRET)
        # a Marketplace User of A reads the app's key, never its secret
        su = self.env(su=True)
        user_a = su["res.users"].create(
            {
                "name": "Marketplace User A",
                "login": "mp_user_a_connect",
                "company_id": self.company_a.id,
                "company_ids": [(6, 0, self.company_a.ids)],
                "groups_id": [
                    (6, 0, su.ref("entro_marketplace.group_marketplace_user").ids)
                ],
            }
        )
        as_user = app.with_user(user_a)
        self.assertFalse(as_user.read(["app_secret"])[0]["app_secret"])
        with self.assertRaises(AccessError):
            as_user.read(["app_secret_enc"])
        with self.assertRaises(AccessError):
            as_user.write({"app_secret": "mine"})
        # another company's manager does not see it at all
        self.assertFalse(
            self.env["entro.marketplace.app"]
            .with_user(self.mp_user)
            .search([("id", "=", app.id)])
        )

    def test_a_company_has_one_app_per_platform_and_key(self):
        self._app_a()
        with (
            self.assertRaises(Exception),  # noqa: B017 - the SQL constraint
            self.env.cr.savepoint(),
        ):
            self._app_a()
            self.env.flush_all()
        # another key: another app of the company (integrators had several)
        self.assertTrue(self._app_a(app_key="424242"))

    def test_the_apps_host_is_checked_like_a_shops(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "entro_marketplace.allow_custom_api_hosts", False
        )
        with self.assertRaises(ValidationError):
            self._app_a(api_base_url="https://evil.example")

    def test_the_app_form_says_what_to_enter_in_the_console(self):
        app = self._app_a()
        self.assertTrue(app.redirect_url.endswith("/entro/oauth/shopee"))
        self.assertTrue(app.webhook_url.endswith("/entro/webhook/shopee"))
        with Form(self.env["entro.marketplace.app"]) as form:
            form.platform = "lazada"
            form.app_key = "100200"
            form.app_secret = "lazada-secret"
        self.assertEqual(form.record.name, "Lazada App")
        self.assertTrue(form.record.has_secret)


class TestConnectWizard(ConnectCase):
    def test_only_the_platforms_with_an_app_are_offered(self):
        wizard = self._wizard(self.manager_a)
        self.assertFalse(wizard.app_id)
        self.assertFalse(wizard.app_count)
        self.assertIn("Ask your administrator", wizard.missing_app_message)
        with self.assertRaisesRegex(UserError, "Platform Apps"):
            wizard.action_connect()
        wizard = self._wizard(self.manager_a, entro_connect_platform="shopee")
        self.assertIn(
            "set up the Shopee app in Configuration > Platform Apps",
            wizard.missing_app_message,
        )
        app = self._app_a()
        lazada = (
            self.env["entro.marketplace.app"]
            .with_user(self.manager_a)
            .create(
                {
                    "platform": "lazada",
                    "company_id": self.company_a.id,
                    "app_key": "100200",
                    "app_secret": "lazada-secret",
                }
            )
        )
        wizard = self._wizard(self.manager_a, entro_connect_platform="shopee")
        self.assertEqual(wizard.app_id, app)
        self.assertFalse(wizard.missing_app_message)
        self.assertEqual(wizard.platform, "shopee")
        # Tiki has no app in A: asked for, it says so
        wizard = self._wizard(self.manager_a, entro_connect_platform="tiki")
        self.assertIn("Tiki", wizard.missing_app_message)
        # the choices: the apps of A only (B's Shopee app is not one of them)
        Wizard = self.env["entro.marketplace.shop.connect"].with_user(self.manager_a)
        domain = Wizard._fields["app_id"].domain
        self.assertIn("company_id", domain)
        choices = (
            self.env["entro.marketplace.app"]
            .with_user(self.manager_a)
            .search([("company_id", "=", self.company_a.id)])
        )
        self.assertEqual(choices, app | lazada)
        with self.assertRaises(UserError):
            Wizard.create(
                {"company_id": self.company_a.id, "app_id": self.shop.app_id.id}
            )

    def _connect_through_the_consent_page(self):
        """The manager connects the emulator's seller: the wizard, Shopee's
        consent page, back to Odoo. Returns the shop."""
        # the class shop (the emulator's one seller) out of the way
        self.shop.sudo().write({"external_id": "other", "state": "disconnected"})
        wizard = self._wizard(self.manager, entro_connect_platform="shopee")
        self.assertEqual(wizard.app_id, self.shop.app_id)
        wizard.warehouse_id = self.warehouse
        action = wizard.action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.env.flush_all()
        consent = requests.get(action["url"], allow_redirects=False, timeout=10)
        self.assertEqual(consent.status_code, 302)
        self.authenticate(self.manager.login, self.manager.login)
        back = self.url_open(consent.headers["Location"], allow_redirects=False)
        self.assertIn(back.status_code, (302, 303), back.text[:300])
        self.env.invalidate_all()
        return self.env["entro.marketplace.shop"].search(
            [("external_id", "=", str(SHOP_ID))]
        )

    def test_one_click_connect_through_the_consent_page(self):
        shop = self._connect_through_the_consent_page()
        self.assertEqual(shop.state, "connected")
        self.assertTrue(shop.has_tokens)
        self.assertEqual(shop.app_id, self.shop.app_id)
        self.assertEqual(shop.warehouse_id, self.warehouse)
        # no name typed: the platform's (Shopee gives none: its label and shop id)
        self.assertEqual(shop.name, f"Shopee {SHOP_ID}")
        self.assertFalse(shop.name_from_platform)
        # the shop holds no secret of its own
        self.env.cr.execute(
            "SELECT app_secret_enc FROM entro_marketplace_credential "
            "WHERE shop_id = %s",
            [shop.id],
        )
        self.assertFalse(self.env.cr.fetchone()[0])

    # r20-mend: Shopee's authorization end (v2.shop.get_shop_info)

    def _authorization_for(self, days):
        """The emulator's seller authorizes the app for ``days`` days."""
        ttl = self.emulator.authorization_ttl
        self.emulator.authorization_ttl = days * 86400
        self.addCleanup(setattr, self.emulator, "authorization_ttl", ttl)
        self.emulator.store["authorizations"].clear()

    def assertAbout(self, moment, expected):
        self.assertTrue(moment)
        self.assertLess(abs((moment - expected).total_seconds()), 120)

    def test_access_ends_with_the_shopee_authorization(self):
        # the seller authorizes the app for 7 days: before the refresh token's 30
        self._authorization_for(7)
        shop = self._connect_through_the_consent_page().with_user(self.manager)
        self.assertEqual(shop.state, "connected")
        now = fields.Datetime.now()
        self.assertAbout(shop.authorization_expires_at, now + timedelta(days=7))
        self.assertAbout(shop.refresh_expires_at, now + timedelta(days=30))
        self.assertEqual(shop.token_expires_at, shop.authorization_expires_at)
        self.assertEqual(self.emulator.journal.count("/api/v2/shop/get_shop_info"), 1)
        # the seller renews it on Shopee for a year: read again at the refresh
        self.emulator.store["authorizations"].clear()
        self.emulator.authorization_ttl = 365 * 86400
        self.emulator.authorize()
        shop.sudo()._platform_client().refresh_tokens()
        shop.invalidate_recordset()
        self.assertAbout(shop.authorization_expires_at, now + timedelta(days=365))
        self.assertEqual(shop.token_expires_at, shop.refresh_expires_at)
        self.assertEqual(self.emulator.journal.count("/api/v2/shop/get_shop_info"), 2)
        # a sync reads no shop information
        self.sync(shop.sudo())
        self.assertEqual(self.emulator.journal.count("/api/v2/shop/get_shop_info"), 2)

    def test_a_failing_shop_info_does_not_break_connecting(self):
        self._authorization_for(7)
        self.emulator.faults.add("malformed", r"get_shop_info", count=5)
        capture = _Capture()
        root = logging.getLogger()
        root.addHandler(capture)
        try:
            shop = self._connect_through_the_consent_page().with_user(self.manager)
        finally:
            root.removeHandler(capture)
        self.assertEqual(shop.state, "connected")
        self.assertTrue(shop.has_tokens)
        # no authorization's end known: the refresh token's is the shop's
        self.assertFalse(shop.authorization_expires_at)
        self.assertTrue(shop.refresh_expires_at)
        self.assertEqual(shop.token_expires_at, shop.refresh_expires_at)
        said = "\n".join(capture.lines)
        self.assertIn("authorization's end could not be read", said)
        secrets_ = shop.sudo()._secrets()
        for secret in (secrets_["access_token"], secrets_["refresh_token"]):
            self.assertTrue(secret)
            self.assertNotIn(secret, said)
        # a refresh that cannot read it keeps what is known
        shop.sudo()._credential().authorization_expires_at = fields.Datetime.now()
        self.emulator.faults.add("http_5xx", r"get_shop_info", count=5, status=503)
        known = shop.sudo()._credential().authorization_expires_at
        client = shop.sudo()._platform_client()
        client.transport.sleep = lambda _seconds: None
        client.refresh_tokens()
        shop.invalidate_recordset()
        self.assertEqual(shop.authorization_expires_at, known)

    def test_an_app_without_secret_cannot_connect(self):
        app = self._app_a()
        app.sudo().app_secret_enc = False
        wizard = self._wizard(self.manager_a)
        self.assertEqual(wizard.app_id, app)
        with self.assertRaisesRegex(UserError, "no app secret yet"):
            wizard.action_connect()


class TestWebhookRoutingByApp(ConnectCase):
    def _push(self, secret, shop_id, code=2):
        body = json.dumps(
            {
                "shop_id": shop_id,
                "code": code,
                "timestamp": int(self.emulator.clock()),
                "data": {},
            },
            separators=(",", ":"),
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": shopee_push_sign(secret, self.webhook_url(), body),
        }
        return self.post_webhook(headers, body)

    def test_two_companies_each_with_its_own_shopee_app(self):
        app_a = self._app_a()
        shop_a = (
            self.env["entro.marketplace.shop"]
            .with_user(self.manager_a)
            .create(
                {
                    "name": "Shopee của A",
                    "app_id": app_a.id,
                    "external_id": str(A_SHOP_ID),
                }
            )
        )
        self.assertEqual(shop_a.platform, "shopee")
        self.assertEqual(shop_a.company_id, self.company_a)
        shop_a.sudo().state = "connected"
        Event = self.env["entro.marketplace.event"].sudo()
        # A's secret, A's shop: routed to it
        self.assertEqual(self._push(A_SECRET, A_SHOP_ID).status_code, 200)
        event = Event.search([], limit=1)
        self.assertEqual(event.shop_id, shop_a)
        self.assertEqual(event.company_id, self.company_a)
        self.assertEqual(shop_a.state, "disconnected")
        # A's secret naming B's shop: kept, of no shop; B's shop untouched
        self.assertEqual(self._push(A_SECRET, SHOP_ID).status_code, 200)
        event = Event.search([], limit=1)
        self.assertFalse(event.shop_id)
        self.assertEqual(event.state, "ignored")
        self.assertEqual(self.shop.state, "connected")
        # B's secret naming A's shop: the same
        shop_a.sudo().state = "connected"
        self.assertEqual(self._push(PARTNER_KEY, A_SHOP_ID).status_code, 200)
        event = Event.search([], limit=1)
        self.assertFalse(event.shop_id)
        self.assertEqual(shop_a.state, "connected")
        # each company sees its own events only
        B_events = self.env["entro.marketplace.event"].with_user(self.mp_user)
        self.assertFalse(B_events.search([("company_id", "=", self.company_a.id)]))
        self.assertFalse(B_events.search([("shop_id", "=", shop_a.id)]))
        A_events = self.env["entro.marketplace.event"].with_user(self.manager_a)
        self.assertEqual(A_events.search([]).shop_id, shop_a)
        # B's own push still reaches B's shop
        self.assertEqual(self._push(PARTNER_KEY, SHOP_ID).status_code, 200)
        self.assertEqual(Event.search([], limit=1).shop_id, self.shop)
        # an unknown secret: refused
        self.assertEqual(self._push("forged", A_SHOP_ID).status_code, 401)

    def test_the_same_app_in_two_companies_serves_both(self):
        # company A entered B's app (same key, same secret): one app on Shopee
        app_a = self._app_a(app_key=str(PARTNER_ID), app_secret=PARTNER_KEY)
        shop_a = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .create({"name": "A", "app_id": app_a.id, "external_id": str(A_SHOP_ID)})
        )
        shop_a.state = "connected"
        self.assertEqual(self._push(PARTNER_KEY, A_SHOP_ID).status_code, 200)
        Event = self.env["entro.marketplace.event"].sudo()
        self.assertEqual(Event.search([], limit=1).shop_id, shop_a)
        Shop = self.env["entro.marketplace.shop"]
        self.assertEqual(
            Shop._shop_for_event("shopee", A_SHOP_ID, app=self.shop), shop_a
        )


class TestMigration(ConnectCase):
    def test_shops_connected_the_old_way_get_their_app(self):
        shop = self.shop
        old_app = shop.app_id
        tokens_before = shop._secrets()["access_token"]
        # as before 18.0.1.2.0: the key on the shop, the secret in its credential
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE entro_marketplace_credential SET app_secret_enc = %s "
            "WHERE shop_id = %s",
            [crypto.encrypt(PARTNER_KEY), shop.id],
        )
        self.env.cr.execute(
            "UPDATE entro_marketplace_shop SET app_id = NULL WHERE id = %s", [shop.id]
        )
        self.env.cr.execute(
            "DELETE FROM entro_marketplace_app WHERE id = %s", [old_app.id]
        )
        self.env.invalidate_all()
        self.assertFalse(shop.app_id)
        self.assertFalse(shop.has_app_secret)
        linked = self.env["entro.marketplace.app"]._migrate_shop_credentials()
        self.assertEqual(linked, shop.sudo())
        shop.invalidate_recordset()
        app = shop.app_id
        self.assertTrue(app)
        self.assertEqual(
            (app.platform, app.company_id, app.app_key),
            ("shopee", shop.company_id, str(PARTNER_ID)),
        )
        self.assertEqual(app._readable_secret(), PARTNER_KEY)
        self.assertEqual(app.api_base_url, self.emulator.base_url)
        self.assertTrue(shop.has_app_secret)
        self.assertEqual(shop._secrets()["access_token"], tokens_before)
        # the shop's own copy is gone; its pushes are still routed to it
        self.env.cr.execute(
            "SELECT app_secret_enc FROM entro_marketplace_credential "
            "WHERE shop_id = %s",
            [shop.id],
        )
        self.assertFalse(self.env.cr.fetchone()[0])
        response = self.post_webhook(
            *self.emulator.build_push(self.webhook_url(), self._deauth_message(SHOP_ID))
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(shop.state, "disconnected")
        # run again: nothing left to do
        self.assertFalse(self.env["entro.marketplace.app"]._migrate_shop_credentials())


class TestIntegratorsOldWay(ConnectCase):
    def test_a_shop_created_with_key_and_secret_sets_up_the_app(self):
        Shop = self.env["entro.marketplace.shop"].with_user(self.manager_a)
        shop = Shop.create(
            {
                "name": "RPC shop",
                "platform": "shopee",
                "company_id": self.company_a.id,
                "app_key": A_KEY,
                "app_secret": A_SECRET,
            }
        )
        self.assertEqual(shop.app_id.app_key, A_KEY)
        self.assertEqual(shop.app_id.company_id, self.company_a)
        self.assertTrue(shop.has_app_secret)
        self.assertFalse(shop.app_secret)
        # a second shop of the same key reuses the app
        second = Shop.create(
            {
                "name": "RPC shop 2",
                "platform": "shopee",
                "company_id": self.company_a.id,
                "app_key": A_KEY,
            }
        )
        self.assertEqual(second.app_id, shop.app_id)
        self.assertEqual(len(shop.app_id.shop_ids), 2)
        # the only shop of its app may change its secret (rotation)
        third_company = self.env["res.company"].sudo().create({"name": "C"})
        lone = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .create(
                {
                    "name": "Lone",
                    "platform": "shopee",
                    "company_id": third_company.id,
                    "app_key": "55",
                    "app_secret": "first",
                }
            )
        )
        lone.app_secret = "second"
        self.assertEqual(lone.app_id._readable_secret(), "second")
