import logging
from datetime import timedelta

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)

DEFAULT_DAYS = 90
DEFAULT_EXPORT_DAYS = 30
BATCH = 1000
# platform order states after which nothing more is expected from the buyer
FINAL_STATES = ("completed", "cancelled", "returned")


class EntroPrivacyRetention(models.AbstractModel):
    """Retention crons: API/webhook logs, and buyer data on finished orders."""

    _name = "entro.privacy.retention"
    _description = "Privacy Retention"

    @api.model
    def _days(self, key, default=DEFAULT_DAYS):
        value = self.env["ir.config_parameter"].sudo().get_param(key)
        try:
            return max(int(value or default), 1)
        except ValueError:
            return default

    @api.model
    def _cron_purge_logs(self):
        """Delete API logs and platform notifications older than the retention
        period (they hold no personal data; the period bounds them anyway), and
        the export archives older than theirs."""
        self._purge_exports()
        days = self._days("entro_privacy.log_retention_days")
        limit = fields.Datetime.now() - timedelta(days=days)
        counts = {}
        for model in ("entro.marketplace.log", "entro.marketplace.event"):
            # sudo: a cron purging technical logs by age
            Model = self.env[model].sudo()
            total = 0
            while True:
                batch = Model.search([("create_date", "<", limit)], limit=BATCH)
                if not batch:
                    break
                total += len(batch)
                batch.unlink()
            counts[model] = total
        if any(counts.values()):
            self.env["entro.privacy.audit"]._log(
                "retention",
                _(
                    "Older than %(days)s days: %(logs)s API logs and %(events)s "
                    "notifications deleted.",
                    days=days,
                    logs=counts["entro.marketplace.log"],
                    events=counts["entro.marketplace.event"],
                ),
            )
        return counts

    @api.model
    def _cron_purge_staged_orders(self):
        """Delete the order headers staged for an import that never took them,
        past their period (entro_marketplace.order_staging_days, 7 by default)."""
        count = self.env["entro.marketplace.order.staging"].sudo()._purge()
        if count:
            self.env["entro.privacy.audit"]._log(
                "retention",
                _(
                    "%(count)s staged order headers deleted: no import took them "
                    "within %(days)s days.",
                    count=count,
                    days=self.env["entro.marketplace.order.staging"]._retention_days(),
                ),
            )
        return count

    @api.model
    def _due_orders(self):
        """Marketplace orders finished longer ago than their platform's period in
        their company, whose buyer data is not pseudonymised yet."""
        # sudo: a cron selecting orders by state and age, in every company
        Order = self.env["entro.marketplace.order"].sudo()
        Period = self.env["entro.privacy.buyer.retention"]
        due = Order.browse()
        now = fields.Datetime.now()
        companies = self.env["res.company"].sudo().with_context(active_test=False)
        for company in companies.search([]):
            for platform, days in Period._days_by_platform(company).items():
                due |= Order.search(
                    [
                        ("company_id", "=", company.id),
                        ("platform", "=", platform),
                        ("state", "in", FINAL_STATES),
                        ("platform_update_time", "<", now - timedelta(days=days)),
                        ("entro_privacy_pseudonymised_at", "=", False),
                    ]
                )
        return due

    @api.model
    def _cron_pseudonymise_buyers(self):
        """Pseudonymise the buyer data of finished orders past their period.

        A buyer all of whose orders are due is erased like on request (posted
        invoices and their customer's name kept, restricted). A buyer with a
        more recent order keeps the contact: only the due orders' raw platform
        data and delivery addresses are pseudonymised.
        """
        engine = self.env["entro.privacy.engine"]
        Subject = engine._subject_class()
        due = self._due_orders()
        touched = []
        customers = due.sale_order_id.partner_id
        for customer in customers:
            orders = due.filtered(lambda o, c=customer: o.sale_order_id.partner_id == c)
            # sudo: a cron; the buyer's other orders, in any shop
            others = (
                self.env["entro.marketplace.order"]
                .sudo()
                .search([("sale_order_id.partner_id", "=", customer.id)])
            ) - due
            if (
                not others
                and customer.entro_buyer_key
                and ":shop:" not in (customer.entro_buyer_key or "")
            ):
                partners = (
                    self.env["res.partner"]
                    .sudo()
                    .with_context(active_test=False)
                    .search([("id", "child_of", customer.id)])
                )
                subject = Subject(
                    partners,
                    buyer_keys=[customer.entro_buyer_key],
                    company=customer.company_id,
                )
                plan = engine._erase_plan(subject)
            else:
                plan = engine._order_plan(orders)
            touched += engine._apply_plan(plan)
        # orders without a sale order (cancelled before import): their payload only
        plan = engine._order_plan(due.filtered(lambda o: not o.sale_order_id))
        touched += engine._apply_plan(plan)
        due.write({"entro_privacy_pseudonymised_at": fields.Datetime.now()})
        if due:
            self.env["entro.privacy.audit"]._log(
                "retention",
                _(
                    "Buyer data of %(orders)s finished orders pseudonymised "
                    "(%(records)s records touched).",
                    orders=len(due),
                    records=len(touched),
                ),
            )
        return due

    @api.model
    def _purge_exports(self):
        """Delete the export archives of privacy requests older than their period
        (a full copy of a person's data must not outlive its delivery); each
        deletion is in the audit trail of its request."""
        days = self._days("entro_privacy.export_retention_days", DEFAULT_EXPORT_DAYS)
        limit = fields.Datetime.now() - timedelta(days=days)
        # sudo: a cron; the archives are attached to requests only officers read
        exports = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "entro.privacy.request"),
                    ("create_date", "<", limit),
                ]
            )
        )
        requests = (
            self.env["entro.privacy.request"]
            .sudo()
            .browse(set(exports.mapped("res_id")))
            .exists()
        )
        for request in requests:
            files = exports.filtered(lambda a, r=request: a.res_id == r.id)
            self.env["entro.privacy.audit"]._log(
                "retention",
                _(
                    "Export archive of %(request)s deleted (%(files)s file(s)): "
                    "exports are kept %(days)s days.",
                    request=request.name,
                    files=len(files),
                    days=days,
                ),
                request_id=request,
            )
        exports.unlink()
        return exports
