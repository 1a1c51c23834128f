"""Issue 17: a Marketplace Manager of one company never touches another company's
shops, events or payouts; webhooks, API hosts, secrets and buyer text are handled
as hostile input.

The class shop (Shopee, the emulator's partner id and key) belongs to the main
company, "B" here; ``manager_a`` manages company A only.
"""

import hashlib
import importlib.util
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from cryptography.fernet import Fernet

from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.controllers import main as controller
from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.tools import crypto

from tests.emulators.shopee import generate_orders, shopee_push_sign

from .common import PARTNER_ID, PARTNER_KEY, SHOP_ID, ShopeeFlowCase

ATTACKER_KEY = "attacker_partner_key"
CUSTOM_API_HOSTS_PARAM = "entro_marketplace.allow_custom_api_hosts"
PUBLIC_BASE_URL_PARAM = "entro_marketplace.public_base_url"
MIGRATION = (
    Path(__file__).resolve().parents[1]
    / "migrations"
    / "18.0.1.1.0"
    / "post-migrate.py"
)


class SecurityCase(ShopeeFlowCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        su = cls.env(su=True)
        cls.company_a = su["res.company"].create({"name": "Company A"})
        cls.manager_a = new_test_user(
            su,
            login="mp_manager_a",
            groups="base.group_user,entro_marketplace.group_marketplace_manager",
            company_id=cls.company_a.id,
            company_ids=[Command.set(cls.company_a.ids)],
        )
        cls.mp_user = new_test_user(
            su,
            login="mp_user_b",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
        )

    def _su_shop(self, **values):
        """A shop created as superuser (no check), its secret stored as given."""
        secret = values.pop("secret", None)
        shop = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .create(
                {
                    "name": "Other shop",
                    "platform": "shopee",
                    "rate_limit_per_s": 0,
                    **values,
                }
            )
        )
        if secret:
            # as stored before this fix, or by a key no longer configured: on the
            # shop's platform app (c20-connect)
            shop.app_id.sudo().app_secret_enc = secret
            shop.invalidate_recordset(["has_app_secret"])
        return shop

    def _signed_push(self, key, message):
        body = json.dumps(message, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Authorization": shopee_push_sign(key, self.webhook_url(), body),
        }
        return self.post_webhook(headers, body)

    def _deauth_message(self, shop_id):
        return {
            "shop_id": shop_id,
            "code": 2,
            "timestamp": int(self.emulator.clock()),
            "data": {},
        }


class TestWebhookRouting(SecurityCase):
    """3. A secret speaks only for the shops it is the secret of."""

    def test_a_second_shop_of_the_same_app_key_with_another_secret_is_refused(self):
        # c20-connect: a company's shops of a platform share its platform app;
        # another company's app of the same key is that company's own (its
        # secret speaks for its shops only)
        Shop = self.env["entro.marketplace.shop"].with_user(self.manager_a)
        squatter = Shop.create(
            {
                "name": "Squatter",
                "platform": "shopee",
                "company_id": self.company_a.id,
                "app_key": str(PARTNER_ID),
                "app_secret": ATTACKER_KEY,
            }
        )
        self.assertNotEqual(squatter.app_id, self.shop.app_id)
        self.assertEqual(squatter.app_id.company_id, self.company_a)
        # in the same company, one app has one secret
        with self.assertRaisesRegex(ValidationError, "different app secret"):
            Shop.create(
                {
                    "name": "Same app",
                    "platform": "shopee",
                    "company_id": self.company_a.id,
                    "app_key": str(PARTNER_ID),
                    "app_secret": PARTNER_KEY,
                }
            )
        # the same app's secret is fine (one app, several shops)
        shop = Shop.create(
            {
                "name": "Same app",
                "platform": "shopee",
                "company_id": self.company_a.id,
                "app_key": str(PARTNER_ID),
                "app_secret": ATTACKER_KEY,
            }
        )
        self.assertEqual(shop.app_id, squatter.app_id)
        self.assertTrue(shop.has_app_secret)
        # ... and moving a shop to that app with another secret
        other = Shop.create(
            {
                "name": "Own app",
                "platform": "shopee",
                "company_id": self.company_a.id,
                "app_key": "31337",
                "app_secret": "own_partner_key",
            }
        )
        self.assertNotEqual(other.app_id, squatter.app_id)
        with self.assertRaisesRegex(ValidationError, "different app secret"):
            other.write({"app_key": str(PARTNER_ID), "app_secret": "own_partner_key"})

    def test_another_apps_secret_neither_disconnects_nor_feeds_a_shop(self):
        # company A's shop: B's public partner id, A's own secret (saved before
        # the check existed)
        attacker = self._su_shop(
            name="A's shop",
            company_id=self.company_a.id,
            app_key=str(PARTNER_ID),
            external_id="777",
            secret=crypto.encrypt(ATTACKER_KEY),
        )
        response = self._signed_push(ATTACKER_KEY, self._deauth_message(SHOP_ID))
        self.assertEqual(response.status_code, 200)  # A's app: verified, no shop
        self.assertEqual(self.shop.state, "connected")
        self.assertTrue(self.shop.has_tokens)
        self.assertTrue(self.shop.has_app_secret)
        # nor can it inject an order event for B's shop
        (order,) = self.add_orders(1, seed=171, statuses=["READY_TO_SHIP"])
        message = self.emulator.order_message(order["order_sn"])
        self.assertEqual(self._signed_push(ATTACKER_KEY, message).status_code, 200)
        events = self.env["entro.marketplace.event"].sudo().search([])
        self.assertEqual(set(events.mapped("state")), {"ignored"})
        self.assertFalse(events.shop_id)
        self.assertFalse(self.env["queue.job"].sudo().search([]))
        # the genuine app still reaches B's shop, and A's key reaches A's shop
        headers, body = self.emulator.build_push(self.webhook_url(), message)
        self.assertEqual(self.post_webhook(headers, body).status_code, 200)
        self.assertEqual(
            self.env["entro.marketplace.event"].sudo().search([]).shop_id, self.shop
        )
        self.assertEqual(
            self._signed_push(ATTACKER_KEY, self._deauth_message(777)).status_code,
            200,
        )
        self.assertEqual(attacker.state, "disconnected")
        self.assertEqual(self.shop.state, "connected")
        # lost pushes fetched with A's credentials name only A's shops
        Shop = self.env["entro.marketplace.shop"]
        self.assertFalse(Shop._shop_for_event("shopee", SHOP_ID, app=attacker))
        self.assertEqual(Shop._shop_for_event("shopee", 777, app=attacker), attacker)

    def test_an_unreadable_secret_skips_its_shop_and_serves_the_others(self):
        foreign = Fernet(Fernet.generate_key()).encrypt(b"lost-key").decode()
        broken = self._su_shop(
            name="Rotated key",
            company_id=self.company_a.id,
            app_key="4242",
            external_id="4242",
            secret=foreign,
        )
        broken.state = "connected"
        company_c = self.env["res.company"].sudo().create({"name": "Company C"})
        served = self._su_shop(
            name="Still served",
            company_id=company_c.id,
            app_key="5151",
            external_id="5151",
            secret=crypto.encrypt("served_key"),
        )
        served.state = "connected"
        with self.assertLogs("odoo.addons.entro_marketplace", "ERROR") as logs:
            response = self._signed_push("served_key", self._deauth_message(5151))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(served.state, "disconnected")
        self.assertEqual(broken.state, "error")
        self.assertIn("cannot be decrypted", broken.last_error)
        self.assertTrue(broken.activity_ids)
        output = "\n".join(logs.output)
        self.assertIn(str(broken.id), output)
        self.assertNotIn("served_key", output)
        self.assertNotIn(foreign, output)
        # said once: the next push logs no error again
        with self.assertNoLogs("odoo.addons.entro_marketplace", "ERROR"):
            response = self._signed_push(PARTNER_KEY, self._deauth_message(999))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(broken.activity_ids), 1)


class TestSiblingShops(SecurityCase):
    """A cross-border authorization adds shops of its own company only."""

    def test_a_shop_of_another_company_is_left_alone(self):
        theirs = self._su_shop(
            name="B2's shop",
            company_id=self.company_a.id,
            external_id="300200",
            app_key="8080",
        )
        tokens = TokenSet(
            access_token="t",
            refresh_token="r",
            access_expires_at=None,
            extra={"country_user_info": [{"country": "sg", "seller_id": "300200"}]},
        )
        self.shop._connect_sibling_shops(tokens)
        self.assertFalse(theirs.credential_shop_id)
        self.assertEqual(theirs.state, "draft")
        self.assertEqual(theirs.app_key, "8080")


class TestEventVisibility(SecurityCase):
    """5. Events carry buyer data: only the shop's company sees them."""

    def _push_order(self, seed, shop_id=SHOP_ID):
        (order,) = self.add_orders(1, seed=seed, statuses=["READY_TO_SHIP"])
        message = dict(self.emulator.order_message(order["order_sn"]), shop_id=shop_id)
        headers, body = self.emulator.build_push(self.webhook_url(), message)
        self.assertEqual(self.post_webhook(headers, body).status_code, 200)

    def test_events_are_of_their_shops_company_only(self):
        self._push_order(172)
        self._push_order(173, shop_id=999)  # no shop known: no company
        Event = self.env["entro.marketplace.event"]
        everything = Event.sudo().search([])
        self.assertEqual(len(everything), 2)
        of_shop = everything.filtered("shop_id")
        self.assertEqual(of_shop.company_id, self.shop.company_id)
        # B's manager sees B's event, not the one of no shop
        self.assertEqual(Event.search([]), of_shop.with_env(self.env))
        # A's manager sees neither
        self.assertFalse(Event.with_user(self.manager_a).search([]))
        # a system administrator sees both
        admin = self.env.ref("base.user_admin")
        self.assertEqual(len(Event.with_user(admin).search([])), 2)

    def test_the_migration_gives_old_events_their_company(self):
        self._push_order(174)
        event = self.env["entro.marketplace.event"].sudo().search([])
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE entro_marketplace_event SET company_id = NULL WHERE id = %s",
            [event.id],
        )
        event.invalidate_recordset()
        self.assertFalse(event.company_id)
        spec = importlib.util.spec_from_file_location("entro_mig_1_1", MIGRATION)
        migration = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(migration)
        migration.migrate(self.env.cr, "18.0.1.0.0")
        event.invalidate_recordset()
        self.assertEqual(event.company_id, self.shop.company_id)


class TestWebhookFlood(SecurityCase):
    """8. Bodies are read up to the limit only; refusals do not grow the table."""

    def test_the_body_is_read_up_to_the_limit_only(self):
        class Endless(io.RawIOBase):
            read_bytes = 0

            def read(self, size=-1):
                size = 65536 if size is None or size < 0 else size
                self.read_bytes += size
                return b"x" * size

        stream = Endless()
        read_capped = getattr(controller, "read_capped", None)
        self.assertTrue(read_capped, "the webhook reads its body through read_capped")
        self.assertIsNone(read_capped(stream, 1000))
        self.assertEqual(stream.read_bytes, 1001)
        self.assertEqual(read_capped(io.BytesIO(b"abc"), 3), b"abc")

    def test_a_chunked_body_over_the_limit_is_refused(self):
        def chunks():
            for _i in range(controller.MAX_WEBHOOK_BYTES // 65536 + 2):
                yield b" " * 65536

        self.env.flush_all()
        try:
            response = requests.post(self.webhook_url(), data=chunks(), timeout=20)
        except requests.ConnectionError:
            response = None  # the server may close before the client is done
        self.env.invalidate_all()
        if response is not None:
            self.assertEqual(response.status_code, 413)
        log = (
            self.env["entro.marketplace.log"].sudo().search([("kind", "=", "webhook")])
        )
        self.assertEqual(log.mapped("error_code"), ["too_large"])

    def test_refused_pushes_add_to_one_row_a_minute(self):
        headers, body = self.emulator.build_push(
            self.webhook_url(), self._deauth_message(SHOP_ID), forge=True
        )
        for _i in range(5):
            self.assertEqual(self.post_webhook(headers, body).status_code, 401)
        self.assertEqual(self.post_webhook({}, body).status_code, 401)
        logs = (
            self.env["entro.marketplace.log"].sudo().search([("kind", "=", "webhook")])
        )
        by_reason = {log.error_code: log.hit_count for log in logs}
        self.assertEqual(by_reason, {"bad_signature": 5, "missing_signature": 1})


class TestApiHost(SecurityCase):
    """4. Tokens and secrets go to the platform's own hosts only."""

    def setUp(self):
        super().setUp()
        self.env["ir.config_parameter"].sudo().set_param(CUSTOM_API_HOSTS_PARAM, False)

    def test_a_manager_cannot_point_a_shop_at_another_host(self):
        for url in (
            "http://127.0.0.1:9/x",
            "https://evil.example",
            "https://partner.shopeemobile.com.evil.example",
            "https://partner.shopeemobile.com@evil.example",
            "http://partner.shopeemobile.com",
            "https://partner.shopeemobile.com:8443",
            "https://api.lazada.vn/rest",  # another platform's
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                self.shop.write({"api_base_url": url})
        self.assertTrue(self.shop.has_tokens)
        with self.assertRaises(ValidationError):
            self.env["entro.marketplace.shop.connect"].create(
                {
                    "name": "Exfiltrating",
                    "platform": "shopee",
                    "app_key": "9090",
                    "app_secret": "k",
                    "api_base_url": "https://evil.example",
                }
            ).action_connect()

    def test_the_platforms_host_is_allowed_and_forgets_the_tokens(self):
        self.shop.api_base_url = "https://openplatform.sandbox.test-stable.shopee.sg"
        self.assertFalse(self.shop.has_tokens)
        self.assertEqual(self.shop.state, "disconnected")
        self.assertTrue(self.shop.has_app_secret)
        self.shop.api_base_url = False  # the production host
        self.assertFalse(self.shop.api_base_url)

    def test_a_test_database_may_use_the_emulator(self):
        self.env["ir.config_parameter"].sudo().set_param(CUSTOM_API_HOSTS_PARAM, True)
        self.shop.api_base_url = self.emulator.base_url + "/"
        self.assertEqual(self.shop.api_base_url, self.emulator.base_url + "/")


class TestPublicUrlWarning(SecurityCase):
    """10. A public address Odoo may rewrite is shown before it breaks webhooks."""

    def test_warning_on_the_shop_and_the_wizard(self):
        ICP = self.env["ir.config_parameter"].sudo()
        Wizard = self.env["entro.marketplace.shop.connect"]
        for public, freeze, warned in (
            (False, False, True),
            ("https://erp.example.com", False, False),
            (False, True, False),
        ):
            with self.subTest(public=public, freeze=freeze):
                ICP.set_param(PUBLIC_BASE_URL_PARAM, public)
                ICP.set_param("web.base.url.freeze", freeze)
                self.shop.invalidate_recordset(["public_url_warning"])
                self.assertEqual(self.shop.public_url_warning, warned)
                self.assertEqual(Wizard.new({}).public_url_warning, warned)
        for model in ("entro.marketplace.shop", "entro.marketplace.shop.connect"):
            arch = self.env[model].get_views([(False, "form")])["views"]["form"]
            self.assertIn("public_url_warning", arch["arch"])


class TestManagersOnly(SecurityCase):
    """11. Bank matching, the connect wizard's secret, buyer notes."""

    def _payout(self):
        return (
            self.env["entro.marketplace.settlement"]
            .sudo()
            .create(
                {
                    "shop_id": self.shop.id,
                    "external_id": "PAYOUT-17",
                    "payout_date": fields.Datetime.now(),
                    "currency_id": self.vnd.id,
                    "net_amount": 100000,
                }
            )
        )

    def test_bank_matching_needs_a_manager_of_the_payouts_company(self):
        payout = self._payout()
        with self.assertRaises(AccessError):
            payout.with_user(self.mp_user).action_match_bank_line()
        with self.assertRaises(AccessError):
            payout.with_user(self.manager_a).action_match_bank_line()
        # B's manager may (nothing posted: nothing to match)
        self.assertTrue(payout.with_env(self.env).action_match_bank_line())

    def test_the_connect_wizard_never_keeps_the_secret_in_clear(self):
        secret = "wizard-secret-" + hashlib.sha1(b"17").hexdigest()
        # company A has no Shopee app yet: the integrator's key and secret set
        # it up (c20-connect)
        wizard = (
            self.env["entro.marketplace.shop.connect"]
            .with_user(self.manager_a)
            .create(
                {
                    "name": "Wizard shop",
                    "platform": "shopee",
                    "company_id": self.company_a.id,
                    "app_key": "6060",
                    "app_secret": secret,
                    "api_base_url": self.emulator.base_url,
                }
            )
        )
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT row_to_json(w)::text FROM entro_marketplace_shop_connect w "
            "WHERE id = %s",
            [wizard.id],
        )
        self.assertNotIn(secret, self.env.cr.fetchone()[0])
        wizard.invalidate_recordset()
        self.assertFalse(wizard.app_secret)
        with self.assertRaises(AccessError):
            wizard.app_secret_enc  # noqa: B018 - the ciphertext is the system's
        action = wizard.action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        shop = (
            self.env["entro.marketplace.shop"]
            .with_user(self.manager_a)
            .search([("name", "=", "Wizard shop")])
        )
        self.assertEqual(shop._secrets()["app_secret"], secret)
        self.assertEqual(shop.app_id.company_id, self.company_a)
        self.assertFalse(wizard.sudo().app_secret_enc)

    def test_buyer_notes_are_text(self):
        link = '<a href="https://evil.example/x">click</a>'
        image = '<img src="https://evil.example/p.png">'
        (order,) = generate_orders(
            1,
            seed=175,
            catalogue=self.catalogue,
            shop_id=SHOP_ID,
            statuses=["READY_TO_SHIP"],
            start=datetime.now(timezone.utc) - timedelta(days=1),
            span=timedelta(hours=20),
        )
        order["message_to_seller"] = f"{link}\n{image}"
        self.emulator.add_orders([order])
        run = self.sync()
        self.assertFalse(run.failed)
        note = str(self.bindings().sale_order_id.note)
        self.assertNotIn("<a", note)
        self.assertNotIn("<img", note)
        self.assertIn("&lt;a href=", note)
        self.assertIn("&lt;img src=", note)
