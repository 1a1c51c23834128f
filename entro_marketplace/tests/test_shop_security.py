from datetime import datetime, timedelta, timezone

from cryptography.fernet import Fernet

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools import config

from ..platforms.records import Order, TokenSet
from ..tools import crypto


@tagged("post_install", "-at_install")
class TestShopCredentials(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shop = cls.env["entro.marketplace.shop"].create(
            {
                "name": "Credentials test",
                "platform": "shopee",
                "app_key": "1",
                "app_secret": "s3cret-partner-key",
            }
        )

    def _raw(self):
        self.env.flush_all()
        # the app secret is the shop's platform app's (c20-connect)
        self.env.cr.execute(
            "SELECT app.app_secret_enc, cred.access_token_enc "
            "FROM entro_marketplace_shop shop "
            "JOIN entro_marketplace_app app ON app.id = shop.app_id "
            "LEFT JOIN entro_marketplace_credential cred ON cred.shop_id = shop.id "
            "WHERE shop.id = %s",
            [self.shop.id],
        )
        return self.env.cr.fetchone()

    def test_secrets_are_encrypted_at_rest_and_never_read_back(self):
        secret_enc, _token = self._raw()
        self.assertNotIn("s3cret", secret_enc)
        self.assertEqual(crypto.decrypt(secret_enc), "s3cret-partner-key")
        self.assertFalse(self.shop.app_secret)
        self.assertTrue(self.shop.has_app_secret)
        self.assertEqual(self.shop._secrets()["app_secret"], "s3cret-partner-key")

    def test_key_rotation_keeps_secrets_readable(self):
        self.shop._write_tokens(
            TokenSet("access-1", "refresh-1", datetime.now(timezone.utc))
        )
        old_key = config.get("entro_encryption_key")
        new_key = Fernet.generate_key().decode()
        self.addCleanup(config.__setitem__, "entro_encryption_key", old_key)
        # the new key first, the old one kept: old ciphertexts still decrypt
        config["entro_encryption_key"] = f"{new_key},{old_key}"
        self.assertEqual(self.shop._secrets()["access_token"], "access-1")
        self.shop._rotate_encryption()
        # now the old key can go
        config["entro_encryption_key"] = new_key
        self.shop._credential().invalidate_recordset()
        self.assertEqual(self.shop._secrets()["access_token"], "access-1")
        self.assertEqual(self.shop._secrets()["app_secret"], "s3cret-partner-key")

    def test_a_lost_key_is_a_clear_error_not_garbage(self):
        old_key = config.get("entro_encryption_key")
        self.addCleanup(config.__setitem__, "entro_encryption_key", old_key)
        config["entro_encryption_key"] = Fernet.generate_key().decode()
        with self.assertRaisesRegex(UserError, "cannot be decrypted"):
            self.shop._secrets()

    def test_no_key_refuses_to_store_a_secret(self):
        old_key = config.get("entro_encryption_key")
        self.addCleanup(config.__setitem__, "entro_encryption_key", old_key)
        config["entro_encryption_key"] = ""
        with self.assertRaisesRegex(UserError, "No encryption key"):
            self.shop.app_secret = "another"

    def test_marketplace_user_cannot_touch_credentials(self):
        user = new_test_user(
            self.env,
            login="mp_user",
            groups="base.group_user,entro_marketplace.group_marketplace_user",
        )
        shop = self.shop.with_user(user)
        self.assertEqual(shop.read(["app_secret"])[0]["app_secret"], False)
        with self.assertRaises(AccessError):
            self.env["entro.marketplace.credential"].with_user(user).search([])
        with self.assertRaises(AccessError):
            shop.write({"app_secret": "x"})

    def test_token_expiry_is_warned_once_n_days_ahead(self):
        self.shop.write({"state": "connected", "token_warning_days": 7})
        soon = datetime.now(timezone.utc) + timedelta(days=5)
        self.shop._write_tokens(
            TokenSet("a", "r", datetime.now(timezone.utc), refresh_expires_at=soon)
        )
        Shop = self.env["entro.marketplace.shop"]
        Shop._cron_check_tokens()
        Shop._cron_check_tokens()
        warnings = self.shop.activity_ids.filtered(
            lambda a: a.summary == "Marketplace authorization ends soon"
        )
        self.assertEqual(len(warnings), 1)
        # far from the end: no warning
        other = self.shop.copy({"name": "Far", "state": "connected"})
        other._write_tokens(
            TokenSet(
                "a",
                "r",
                datetime.now(timezone.utc),
                refresh_expires_at=datetime.now(timezone.utc) + timedelta(days=60),
            )
        )
        Shop._cron_check_tokens()
        self.assertFalse(other.activity_ids)

    def test_status_overrides_are_validated_and_applied(self):
        with self.assertRaises(ValidationError):
            self.shop.status_map_override = '{"PROCESSED": "sent"}'
        with self.assertRaises(ValidationError):
            self.shop.status_map_override = "not json"
        self.shop.status_map_override = '{"PROCESSED": "shipped"}'
        order = Order(
            external_id="X",
            status="PROCESSED",
            state="to_ship",
            create_time=None,
            update_time=None,
            currency="VND",
            total_amount=0,
        )
        client = self.shop._platform_client()
        self.assertEqual(client.normalise_status(order.status), "shipped")
        self.shop.status_map_override = False
        client = self.shop._platform_client()
        self.assertEqual(client.normalise_status(order.status), "to_ship")
