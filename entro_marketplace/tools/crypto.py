"""Encryption at rest of shop credentials and tokens (Fernet, key rotation).

Keys come from the environment variable ``ENTRO_ENCRYPTION_KEY`` or, failing
that, the Odoo configuration option ``entro_encryption_key``: one or more
url-safe base64 Fernet keys, comma-separated, the first one encrypting and all of
them decrypting (put a new key first to rotate, then re-encrypt with
``entro.marketplace.shop._rotate_encryption``).
"""

import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from odoo.exceptions import UserError
from odoo.tools import config

ENV_VAR = "ENTRO_ENCRYPTION_KEY"
CONFIG_OPTION = "entro_encryption_key"


class SecretUnreadable(UserError):
    """A stored secret cannot be decrypted with the configured keys."""


def _configured_keys():
    raw = os.environ.get(ENV_VAR) or config.get(CONFIG_OPTION) or ""
    return [key.strip() for key in str(raw).split(",") if key.strip()]


def cipher():
    """The MultiFernet built from the configured keys; UserError when none."""
    keys = _configured_keys()
    if not keys:
        raise UserError(
            "No encryption key is configured for marketplace credentials: set "
            f"{CONFIG_OPTION} in the Odoo configuration file or the environment "
            f"variable {ENV_VAR} (see the README)."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError):
        raise UserError(
            f"{CONFIG_OPTION} must be url-safe base64 Fernet keys (32 bytes each), "
            "comma-separated."
        )


def encrypt(value):
    """Ciphertext (str) of a secret, or False for an empty value."""
    if not value:
        return False
    return cipher().encrypt(value.encode()).decode()


def decrypt(token):
    """The secret of a ciphertext, or None for an empty one."""
    if not token:
        return None
    try:
        return cipher().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "A stored marketplace credential cannot be decrypted with the configured "
            "keys: the encryption key changed without the old one being kept. Keep the "
            "old key after the new one, or reconnect the shop."
        )


def rotate(token):
    """Re-encrypt a ciphertext with the first key."""
    if not token:
        return token
    return cipher().rotate(token.encode()).decode()


def generate_key():
    """A new random key, in the form the configuration expects."""
    return Fernet.generate_key().decode()
