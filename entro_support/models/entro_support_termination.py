import csv
import io
import json
import logging
import zipfile
from datetime import timedelta

from odoo import _, api, fields, models

_logger = logging.getLogger(__name__)

DEFAULT_DAYS = 30

# what the archive holds: (file name, model, fields), all of one company
EXPORTS = [
    (
        "shops",
        "entro.marketplace.shop",
        ["id", "name", "platform", "external_id", "state", "last_sync_at"],
    ),
    (
        "orders",
        "entro.marketplace.order",
        [
            "id",
            "shop_id",
            "platform",
            "external_id",
            "sale_order_id",
            "partner_id",
            "status",
            "state",
            "platform_create_time",
            "platform_update_time",
            "currency_code",
            "amount_total",
            "payment_method",
            "cod",
            "tracking_numbers",
        ],
    ),
    (
        "listings",
        "entro.marketplace.listing",
        [
            "id",
            "shop_id",
            "platform",
            "item_id",
            "variant_id",
            "sku",
            "name",
            "status",
            "product_id",
            "platform_price",
            "platform_stock",
            "last_pushed_qty",
            "last_pushed_price",
            "last_push_at",
            "active",
        ],
    ),
    (
        "payouts",
        "entro.marketplace.settlement",
        [
            "id",
            "name",
            "shop_id",
            "platform",
            "external_id",
            "payout_date",
            "currency_id",
            "net_amount",
            "lines_total",
            "paid",
            "state",
            "move_id",
        ],
    ),
    (
        "payout_lines",
        "entro.marketplace.settlement.line",
        [
            "id",
            "settlement_id",
            "fee_type",
            "label",
            "amount",
            "order_external_id",
            "transaction_id",
            "line_date",
        ],
    ),
    (
        "returns",
        "entro.marketplace.return",
        [
            "id",
            "shop_id",
            "external_id",
            "order_external_id",
            "status",
            "state",
            "refund_amount",
            "reason",
            "platform_update_time",
        ],
    ),
]


class EntroSupportTermination(models.AbstractModel):
    """At the end of a subscription: the seller's data as one ZIP (CSV and
    JSON) for a period, then the deletion of their marketplace data; posted
    invoices and journal entries stay, as accounting law requires."""

    _name = "entro.support.termination"
    _description = "Data at Termination"

    # --------------------------------------------------------------- the window

    @api.model
    def _days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("entro_support.termination_days")
        )
        try:
            return max(int(value or DEFAULT_DAYS), 0)
        except ValueError:
            return DEFAULT_DAYS

    @api.model
    def _company_of_user(self, user):
        """The seller company a portal or internal user may download: the
        company whose contact they are (or belong to), else, for a Marketplace
        Manager, their own company."""
        # sudo: which company a user speaks for, whoever asks
        company = (
            self.env["res.company"]
            .sudo()
            .search(
                [("partner_id", "=", user.partner_id.commercial_partner_id.id)],
                limit=1,
            )
        )
        if not company and user.has_group(
            "entro_marketplace.group_marketplace_manager"
        ):
            company = user.company_id
        return company

    @api.model
    def _status(self, company):
        """dict: subscription, ended_on, available_until, allowed, reason."""
        sub = self.env["entro.billing.subscription"]._for_company(company)
        ended_on = sub._entro_ended_on() if sub else False
        until = ended_on + timedelta(days=self._days()) if ended_on else False
        today = fields.Date.context_today(self)
        status = {
            "company": company,
            "subscription": sub,
            "ended_on": ended_on,
            "available_until": until,
            "allowed": True,
            "reason": "",
        }
        if not company or not sub:
            status.update(allowed=False, reason=_("No Entro subscription."))
        elif company.sudo().entro_data_purged_on:
            status.update(
                allowed=False,
                reason=_(
                    "The marketplace data of this company was deleted on %s.",
                    company.sudo().entro_data_purged_on,
                ),
            )
        elif until and today > until:
            status.update(
                allowed=False,
                reason=_(
                    "The download was available until %s (%s days after the "
                    "subscription ended).",
                    until,
                    self._days(),
                ),
            )
        return status

    # --------------------------------------------------------------- the archive

    @api.model
    def _rows(self, company, model, names):
        # sudo: the archive is the company's own data, filtered on its company
        records = (
            self.env[model]
            .sudo()
            .with_context(active_test=False)
            .search([("company_id", "=", company.id)], order="id")
        )
        rows = []
        for record in records:
            row = {}
            for name in names:
                field = record._fields[name]
                value = record[name]
                if field.type == "many2one":
                    value = value.display_name or ""
                elif field.type in ("datetime", "date"):
                    value = fields.Datetime.to_string(value) if value else ""
                elif field.type == "selection":
                    value = value or ""
                elif value is False and field.type not in ("boolean",):
                    value = ""
                row[name] = value
            rows.append(row)
        return rows

    @api.model
    def _build_archive(self, company):
        """bytes of a ZIP: one CSV per kind of record and data.json with all."""
        buffer = io.BytesIO()
        everything = {
            "company": company.name,
            "generated_at": fields.Datetime.to_string(fields.Datetime.now()),
        }
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, model, names in EXPORTS:
                if model not in self.env:
                    continue
                rows = self._rows(company, model, names)
                everything[name] = rows
                out = io.StringIO()
                writer = csv.DictWriter(out, fieldnames=names)
                writer.writeheader()
                writer.writerows(rows)
                # a BOM: spreadsheet programs then read Vietnamese right
                archive.writestr(f"{name}.csv", "\ufeff" + out.getvalue())
            archive.writestr(
                "data.json",
                json.dumps(everything, indent=2, ensure_ascii=False, default=str),
            )
            archive.writestr(
                "README.txt",
                _(
                    "Your Entro data: shops, marketplace orders, listings, payouts "
                    "and their lines, returns (CSV, and all of it in data.json). "
                    "Invoices and journal entries stay in your Odoo accounting."
                ),
            )
        return buffer.getvalue()

    # --------------------------------------------------------------- the deletion

    @api.model
    def _cron_purge_terminated(self):
        """Delete the marketplace data of companies whose subscription ended
        more than the configured days ago (once per company)."""
        today = fields.Date.context_today(self)
        days = self._days()
        subs = (
            self.env["entro.billing.subscription"]
            .sudo()
            .search([("state", "=", "expired")])
        )
        Company = self.env["res.company"].sudo()
        for sub in subs:
            ended_on = sub._entro_ended_on()
            if not ended_on or today <= ended_on + timedelta(days=days):
                continue
            company = Company.search([("partner_id", "=", sub.partner_id.id)], limit=1)
            if not company or company.entro_data_purged_on:
                continue
            # the company may have subscribed again since
            if sub.search_count(
                [("partner_id", "=", sub.partner_id.id), ("state", "!=", "expired")]
            ):
                continue
            self._purge_company(company)

    @api.model
    def _purge_company(self, company):
        """Delete what Entro holds of ``company``'s marketplaces: bindings (raw
        orders), listings, payouts, returns, events, staged headers, API logs,
        and the shops with their credentials. Posted journal entries stay
        (their link to a deleted payout is emptied); draft ones of payouts go."""
        env = self.env(su=True)
        domain = [("company_id", "=", company.id)]
        shops = (
            env["entro.marketplace.shop"].with_context(active_test=False).search(domain)
        )
        settlements = env["entro.marketplace.settlement"].search(domain)
        drafts = settlements.move_id.filtered(lambda m: m.state == "draft")
        drafts.unlink()
        counts = {}
        for model in (
            "entro.marketplace.settlement.line",
            "entro.marketplace.settlement",
            "entro.marketplace.return",
            "entro.marketplace.order",
            "entro.marketplace.order.staging",
            "entro.marketplace.event",
            "entro.marketplace.listing",
            "entro.marketplace.log",
        ):
            if model not in env:
                continue
            records = env[model].with_context(active_test=False).search(domain)
            counts[model] = len(records)
            records.unlink()
        for shop in shops:
            shop._forget_authorization()
        counts["entro.marketplace.shop"] = len(shops)
        shops.unlink()
        company.entro_data_purged_on = fields.Date.context_today(self)
        _logger.info(
            "Deleted the marketplace data of company %s after termination: %s",
            company.id,
            counts,
        )
        return counts
