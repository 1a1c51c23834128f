"""18.0.1.1.0: buyer data retention is one setting keyed by platform.

The periods were one system parameter per platform
(``entro_privacy.buyer_retention_days.<platform>``, a settings field each); they
are now lines of ``entro.privacy.buyer.retention``, one per company and
registered platform (created by the addon's data with the platform's default).
Each period a seller had set applied to every company: it is carried over to
that platform's line in every company, and its parameter removed.
"""

import logging

from odoo import SUPERUSER_ID, api

_logger = logging.getLogger(__name__)

PREFIX = "entro_privacy.buyer_retention_days."


def migrate(cr, version):
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    Line = env["entro.privacy.buyer.retention"]
    Line._sync_platforms()
    lines = {}
    for line in Line.search([]):
        lines[line.platform] = lines.get(line.platform, Line) | line
    params = env["ir.config_parameter"].search([("key", "=like", PREFIX + "%")])
    for param in params:
        platform = param.key[len(PREFIX) :]
        try:
            days = int(param.value)
        except (TypeError, ValueError):
            days = 0
        platform_lines = lines.get(platform)
        if not platform_lines or days < 1:
            _logger.warning(
                "entro_privacy: retention parameter %s=%r not carried over "
                "(no such platform, or not a number of days)",
                param.key,
                param.value,
            )
            continue
        platform_lines.days = days
        _logger.info(
            "entro_privacy: %s keeps its %s days in %s companies",
            platform,
            days,
            len(platform_lines),
        )
    params.unlink()
