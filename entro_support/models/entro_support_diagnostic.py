import json
import re

from odoo import api, fields, models, release

from odoo.addons.entro_marketplace.privacy import buyer_keys
from odoo.addons.entro_marketplace.tools.log_privacy import (
    scrub_message,
    scrub_statement,
)

REDACTED = "[redacted]"
# how many of the shop's API log lines and failed jobs a diagnostic carries
LOG_LINES = 30
FAILED_JOBS = 5
# how many of the shop's recent orders give the buyer values to redact
ORDERS_SCANNED = 500
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Vietnamese phone numbers, national or international, with or without spaces
PHONE = re.compile(r"(?<![\w])(?:\+?84|0)(?:[\s.-]?\d){8,10}(?![\w])")
# key=value or "key": "value" of anything that looks like a credential
SECRET_PAIR = re.compile(
    r"(?i)((?:access_?token|refresh_?token|app_?secret|partner_?key|secret|"
    r"password|sign(?:ature)?|authorization|bearer)[\"']?\s*[:=]\s*[\"']?)"
    r"[^\s\"'&,;}]+"
)


class EntroSupportDiagnostic(models.AbstractModel):
    """What Contact Support attaches to a ticket about a shop: its platform,
    state, last errors, failed jobs and recent API calls; never a token, a
    secret or a buyer's data (each text is redacted before it is written)."""

    _name = "entro.support.diagnostic"
    _description = "Support Diagnostic"

    # ------------------------------------------------------------- redaction

    @api.model
    def _sensitive_values(self, shop):
        """Exact values to remove: the shop's credentials and the personal
        data of the buyers of its recent orders."""
        values = set()
        if shop:
            # sudo: the decrypted credentials are only read to be removed
            secrets = shop.sudo()._secrets()
            values |= {v for v in secrets.values() if v}
            orders = (
                self.env["entro.marketplace.order"]
                .sudo()
                .search([("shop_id", "=", shop.id)], limit=ORDERS_SCANNED)
            )
            sale_orders = orders.sale_order_id
            partners = (
                sale_orders.partner_id
                | sale_orders.partner_shipping_id
                | sale_orders.partner_invoice_id
            )
            for partner in partners:
                for name in ("name", "phone", "mobile", "email", "street", "street2"):
                    value = partner[name]
                    if value:
                        values.add(value)
        return {str(v) for v in values if len(str(v)) >= 4}

    @api.model
    def _redact(self, text, sensitive):
        """``text`` without the given values, credentials, emails, phone numbers,
        buyer fields of JSON payloads and the values of failed SQL statements."""
        if not text:
            return text
        text = scrub_message(scrub_statement(str(text)))
        for value in sorted(sensitive, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        keys = "|".join(re.escape(k) for k in buyer_keys())
        text = re.sub(
            rf"([\"']?(?:{keys})[\"']?\s*[:=]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;}}]+)",
            rf"\1{REDACTED}",
            text,
        )
        text = SECRET_PAIR.sub(rf"\1{REDACTED}", text)
        text = EMAIL.sub(REDACTED, text)
        return PHONE.sub(REDACTED, text)

    # ------------------------------------------------------------- content

    @api.model
    def _failed_jobs(self, shop):
        # sudo: a seller's users do not read queue_job's jobs
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("model_name", "=", "entro.marketplace.shop"),
                    ("state", "=", "failed"),
                ],
                order="date_created desc",
                limit=200,
            )
        )
        return jobs.filtered(lambda j: shop.id in j.records.ids)[:FAILED_JOBS]

    @api.model
    def _job_values(self, job, sensitive):
        return {
            "uuid": job.uuid,
            "task": job.name,
            "method": job.method_name,
            "state": job.state,
            "created": fields.Datetime.to_string(job.date_created),
            "retry": job.retry,
            "exception": job.exc_name,
            "message": self._redact(job.exc_message, sensitive),
        }

    @api.model
    def _build(self, shop, job=None):
        """The diagnostic of ``shop`` (and of ``job``) as a dict of plain values."""
        sensitive = self._sensitive_values(shop)
        data = {
            "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
            "odoo": release.version,
        }
        if shop:
            # sudo: a user of the shop asks; the log and jobs are the system's
            shop_su = shop.sudo()
            logs = (
                self.env["entro.marketplace.log"]
                .sudo()
                .search([("shop_id", "=", shop.id)], limit=LOG_LINES)
            )
            data["shop"] = {
                "id": shop.id,
                "name": shop_su.name,
                "platform": shop_su.platform,
                "platform_shop_id": shop_su.external_id,
                "company": shop_su.company_id.name,
                "state": shop_su.state,
                "authorized": shop_su.has_tokens,
                "access_expires_at": fields.Datetime.to_string(
                    shop_su.access_expires_at
                ),
                "last_sync_at": fields.Datetime.to_string(shop_su.last_sync_at),
                "last_error": self._redact(shop_su.last_error, sensitive),
                "sync": {
                    "orders": shop_su.sync_orders,
                    "stock": shop_su.sync_stock,
                    "prices": shop_su.sync_prices,
                },
                "orders_in_exception": shop_su.exception_count,
            }
            data["failed_jobs"] = [
                self._job_values(j, sensitive) for j in self._failed_jobs(shop)
            ]
            data["api_log"] = [
                {
                    "at": fields.Datetime.to_string(log.create_date),
                    "operation": log.operation,
                    "kind": log.kind,
                    "method": log.method,
                    "endpoint": self._redact(log.endpoint, sensitive),
                    "status": log.status_code,
                    "duration_ms": log.duration_ms,
                    "request_id": log.request_id,
                    "error_code": log.error_code,
                    "error": self._redact(log.error_message, sensitive),
                    "attempt": log.attempt,
                }
                for log in logs
            ]
        if job:
            data["job"] = self._job_values(job.sudo(), sensitive)
        return data

    @api.model
    def _as_json(self, data):
        return json.dumps(data, indent=2, ensure_ascii=False, default=str)

    @api.model
    def _summary(self, data):
        """A few lines for the ticket's description."""
        lines = []
        shop = data.get("shop")
        if shop:
            lines.append(
                f"{shop['name']} ({shop['platform']}, {shop['state']})"
                + (f": {shop['last_error']}" if shop.get("last_error") else "")
            )
        job = data.get("job")
        if job:
            lines.append(f"{job['task']}: {job['exception']} {job['message'] or ''}")
        errors = [line for line in data.get("api_log", []) if line["error_code"]]
        for line in errors[:3]:
            lines.append(
                f"{line['at']} {line['method'] or ''} {line['endpoint'] or ''} "
                f"{line['status']} {line['error_code']} {line['error'] or ''}"
            )
        return lines
