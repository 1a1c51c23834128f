"""18.0.1.2.0: app credentials move from each shop to a platform app per company.

Shops held their own app key and (encrypted) secret; one-click connect keeps them
on ``entro.marketplace.app``, one per platform and company. Each existing shop is
linked to the app of its platform, company and key, created from its own key and
secret (the ciphertext is copied as it is: no encryption key is needed here), so
upgraded shops keep syncing and receiving pushes.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    linked = env["entro.marketplace.app"]._migrate_shop_credentials()
    _logger.info(
        "entro_marketplace: %s shop(s) linked to their platform app", len(linked)
    )
