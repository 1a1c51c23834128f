"""18.0.1.1.0: events get their shop's company; the connect wizard forgets secrets.

- Events used to be stored without their company, so the record rule's branch for
  records of no company showed every company's events (with buyer data) to every
  Marketplace User. Each event of a shop now takes the shop's company; events of no
  shop stay without one (system administrators only, by the new group rules).
- The connect wizard kept the app secret in clear in its transient table: the
  column is dropped (the secret is now stored encrypted, and only until confirm).
"""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE entro_marketplace_event event
           SET company_id = shop.company_id
          FROM entro_marketplace_shop shop
         WHERE event.shop_id = shop.id
           AND event.company_id IS DISTINCT FROM shop.company_id
        """
    )
    _logger.info(
        "entro_marketplace: %s event(s) given their shop's company", cr.rowcount
    )
    cr.execute(
        "ALTER TABLE entro_marketplace_shop_connect DROP COLUMN IF EXISTS app_secret"
    )
