"""18.0.1.3.0: tax withheld by the platforms gets accounts of its own.

Withheld VAT and PIT were booked as payout adjustments (an expense); they are now
fee types of their own, booked to a withheld-VAT and a withheld-PIT account per
shop. Existing shops get the company's default accounts, created where missing.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    shops = env["entro.marketplace.shop"].with_context(active_test=False).search([])
    shops._ensure_payout_accounting()
    _logger.info(
        "entro_marketplace: withheld tax accounts set on %s shop(s)", len(shops)
    )
