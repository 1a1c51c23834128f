import logging

from odoo import api, fields, models
from odoo.tools.sql import create_index

from ..tools import rate_holds

_logger = logging.getLogger(__name__)


class EntroMarketplaceLog(models.Model):
    """One call to a platform's API, or one webhook received: no secrets, no PII."""

    _name = "entro.marketplace.log"
    _description = "Marketplace API Log"
    _order = "id desc"
    _rec_name = "endpoint"

    shop_id = fields.Many2one("entro.marketplace.shop", index=True, ondelete="cascade")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    platform = fields.Char(required=True)
    operation = fields.Char(help="What Entro was doing: order sync, stock push, ...")
    kind = fields.Selection(
        [("api", "API Call"), ("webhook", "Webhook")], required=True, default="api"
    )
    method = fields.Char()
    endpoint = fields.Char(help="Path only: query strings are never stored.")
    status_code = fields.Integer("HTTP Status")
    duration_ms = fields.Integer("Duration (ms)")
    request_id = fields.Char(index=True)
    error_code = fields.Char()
    error_message = fields.Text()
    attempt = fields.Integer(default=1)
    hit_count = fields.Integer(
        "Occurrences",
        default=1,
        help="Refused webhooks of one platform, status and reason within a minute "
        "share one row: how many there were.",
    )
    is_error = fields.Boolean(compute="_compute_is_error", store=True)

    def init(self):
        # the row a refused webhook of the current minute adds to is found fast
        create_index(
            self.env.cr,
            "entro_marketplace_log_refused_webhook_idx",
            self._table,
            ["platform", "create_date"],
            where="kind = 'webhook' AND shop_id IS NULL",
        )
        # the platforms' Retry-After per shop, shared by the server's processes
        rate_holds.create_table(self.env.cr)

    @api.depends("status_code", "error_code")
    def _compute_is_error(self):
        for log in self:
            log.is_error = bool(log.error_code) or not (
                200 <= (log.status_code or 0) < 300
            )

    @api.model
    def _values_from_call(self, shop, operation, record):
        """Log values from a platform-layer call record (already redacted)."""
        return {
            "shop_id": shop.id if shop else False,
            "platform": record.get("platform") or (shop.platform if shop else "?"),
            "operation": operation,
            "kind": "api",
            "method": record.get("method"),
            "endpoint": (record.get("endpoint") or "")[:255],
            "status_code": record.get("status_code") or 0,
            "duration_ms": int(record.get("duration_ms") or 0),
            "request_id": record.get("request_id"),
            "error_code": record.get("error_code"),
            "error_message": (record.get("error_message") or "")[:2000] or False,
            "attempt": record.get("attempt") or 1,
        }

    @api.model
    def _buffer(self, shop, operation):
        return ApiLogBuffer(shop, operation)


class ApiLogBuffer:
    """Collects call records during a job, then writes them in a transaction of
    their own: the log of a failed job survives its rollback."""

    def __init__(self, shop, operation):
        self.shop = shop
        self.operation = operation
        self.records = []

    def add(self, record):
        self.records.append(record)

    def flush(self):
        if not self.records:
            return
        records, self.records = self.records, []
        try:
            with self.shop._own_transaction() as shop:
                Log = shop.env["entro.marketplace.log"]
                Log.create(
                    [Log._values_from_call(shop, self.operation, r) for r in records]
                )
        except Exception:  # the log must never break the sync it describes
            _logger.exception("could not write %d API log records", len(records))
