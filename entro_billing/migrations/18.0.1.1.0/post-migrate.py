"""18.0.1.1.0: the seller's own users read their company's subscription (My Entro Plan).

The subscriptions' record rules live in a ``noupdate`` file, which an upgrade does
not rewrite: the global rule's new domain (invoicing or subscribing companies) is
written here. The two new group rules are new records of that file, created by the
upgrade itself.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

NAME = "Entro subscriptions: invoicing or subscribing companies"
DOMAIN = (
    "['|', '|', ('company_id', '=', False), ('company_id', 'in', company_ids), "
    "('partner_id.ref_company_ids', 'in', company_ids)]"
)


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    rule = env.ref(
        "entro_billing.entro_billing_subscription_rule_company",
        raise_if_not_found=False,
    )
    if rule:
        rule.write({"name": NAME, "domain_force": DOMAIN})
        _logger.info("entro_billing: subscription rule widened for My Entro Plan")
