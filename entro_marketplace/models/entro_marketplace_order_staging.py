import logging
from datetime import timedelta

from psycopg2.extras import Json

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.dates import to_naive
from .res_partner import _clean, buyer_key

_logger = logging.getLogger(__name__)

DAYS_PARAM = "entro_marketplace.order_staging_days"
DEFAULT_DAYS = 7
#: rows per INSERT statement
CHUNK = 500


class EntroMarketplaceOrderStaging(models.Model):
    """An order header read from a platform's order list, kept until its import.

    Where a platform's order list returns whole order headers (Lazada), the order
    sync keeps the headers of the orders it hands to import jobs here, rather than
    in the jobs' arguments (which queue_job keeps, out of reach of the privacy
    erasure); the import job builds its orders from them and one read of what a
    header lacks, then deletes them. An order with no header here is read from the
    platform as before. The headers hold buyer data: declared in ``privacy.py``
    (export, erasure), deleted after ``entro_marketplace.order_staging_days`` days
    (7 by default) if no import took them, readable by marketplace managers only.
    """

    _name = "entro.marketplace.order.staging"
    _description = "Staged Marketplace Order Header"
    _order = "id desc"
    _rec_name = "external_id"

    shop_id = fields.Many2one(
        "entro.marketplace.shop",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    external_id = fields.Char("Order Number", required=True, readonly=True)
    update_time = fields.Datetime("Updated on Platform", readonly=True)
    payload = fields.Json(
        "Order Header",
        readonly=True,
        help="The order's header as the platform's order list returned it.",
    )
    buyer_key = fields.Char(
        readonly=True,
        index=True,
        help="The buyer's key (platform:buyer id, or platform:phone:number), as on "
        "the buyer's contact, so that a request for the person's data finds it.",
    )
    buyer_phone = fields.Char(readonly=True, index=True)

    _sql_constraints = [
        (
            "shop_order_uniq",
            "unique(shop_id, external_id)",
            "An order's header is staged once per shop.",
        ),
    ]

    # ------------------------------------------------------------------ staging

    @api.model
    def _stage(self, shop, client, refs):
        """Keep the headers these refs carry; a header replaces a staged one of
        the same order unless it is older. Returns how many were staged."""
        refs = {r.external_id: r for r in refs if isinstance(r.header, dict)}
        if not refs:
            return 0
        buyers = {key: client.header_buyer(ref.header) for key, ref in refs.items()}
        phones = {key: _clean(buyer.phone) for key, buyer in buyers.items() if buyer}
        known = self._buyer_keys_by_phone(shop, {p for p in phones.values() if p})
        rows = []
        for key in sorted(refs):  # one order of locks for concurrent syncs
            ref, buyer, phone = refs[key], buyers[key], phones.get(key)
            buyer_id = _clean(buyer.external_id) if buyer else None
            if buyer_id or phone:
                owner = (not buyer_id and known.get(phone)) or buyer_key(
                    shop, buyer_id, phone
                )
            else:
                owner = None
            rows.append(
                (
                    shop.id,
                    shop.company_id.id,
                    key,
                    to_naive(ref.update_time) or None,
                    Json(ref.header),
                    owner,
                    phone,
                    self.env.uid,
                    self.env.uid,
                )
            )
        self.flush_model()
        for start in range(0, len(rows), CHUNK):
            values = SQL(", ").join(
                SQL(
                    "(%s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, "
                    "now() at time zone 'UTC', now() at time zone 'UTC')",
                    *row,
                )
                for row in rows[start : start + CHUNK]
            )
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO entro_marketplace_order_staging
                        (shop_id, company_id, external_id, update_time, payload,
                         buyer_key, buyer_phone, create_uid, write_uid,
                         create_date, write_date)
                    VALUES %s
                    ON CONFLICT (shop_id, external_id) DO UPDATE SET
                        update_time = EXCLUDED.update_time,
                        payload = EXCLUDED.payload,
                        buyer_key = EXCLUDED.buyer_key,
                        buyer_phone = EXCLUDED.buyer_phone,
                        write_uid = EXCLUDED.write_uid,
                        write_date = EXCLUDED.write_date
                    WHERE entro_marketplace_order_staging.update_time IS NULL
                       OR EXCLUDED.update_time IS NULL
                       OR EXCLUDED.update_time
                          >= entro_marketplace_order_staging.update_time
                    """,
                    values,
                )
            )
        self.invalidate_model()
        return len(rows)

    @api.model
    def _buyer_keys_by_phone(self, shop, phones):
        """{phone: buyer key} of the shop's known buyers with these phones: a
        header without a buyer id belongs to the contact its phone already has."""
        if not phones:
            return {}
        partners = (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search_read(
                [
                    ("company_id", "=", shop.company_id.id),
                    ("phone", "in", sorted(phones)),
                    ("entro_buyer_key", "=like", f"{shop.platform}:%"),
                    ("entro_buyer_key", "not like", ":shop:"),
                ],
                ["phone", "entro_buyer_key"],
                order="id",
            )
        )
        found = {}
        for partner in partners:
            found.setdefault(partner["phone"], partner["entro_buyer_key"])
        return found

    @api.model
    def _headers_for(self, shop, external_ids):
        """{order id: staged header} of these orders, but for headers older than
        the order as already imported (those are read from the platform again)."""
        rows = self.search_read(
            [("shop_id", "=", shop.id), ("external_id", "in", list(external_ids))],
            ["external_id", "update_time", "payload"],
        )
        if not rows:
            return {}
        imported = {
            r["external_id"]: r["platform_update_time"]
            for r in self.env["entro.marketplace.order"]
            .sudo()
            .search_read(
                [
                    ("shop_id", "=", shop.id),
                    ("external_id", "in", [r["external_id"] for r in rows]),
                ],
                ["external_id", "platform_update_time"],
            )
        }
        headers = {}
        for row in rows:
            known = imported.get(row["external_id"])
            if known and not (row["update_time"] and row["update_time"] >= known):
                continue
            if isinstance(row["payload"], dict):
                headers[row["external_id"]] = row["payload"]
        return headers

    @api.model
    def _consume(self, shop, orders):
        """Delete the staged headers of these imported orders (none newer than
        the version imported stays)."""
        times = {o.external_id: to_naive(o.update_time) for o in orders}
        if not times:
            return 0
        rows = self.search(
            [("shop_id", "=", shop.id), ("external_id", "in", list(times))]
        )
        done = rows.filtered(
            lambda r: (
                not r.update_time
                or not times[r.external_id]
                or r.update_time <= times[r.external_id]
            )
        )
        done.unlink()
        return len(done)

    # ---------------------------------------------------------------- retention

    @api.model
    def _retention_days(self):
        value = self.env["ir.config_parameter"].sudo().get_param(DAYS_PARAM)
        try:
            return max(int(value or DEFAULT_DAYS), 1)
        except ValueError:
            return DEFAULT_DAYS

    @api.model
    def _purge(self):
        """Delete the headers no import took within the retention period (counted
        from when each was last staged). Returns how many."""
        limit = fields.Datetime.now() - timedelta(days=self._retention_days())
        # sudo: retention, run by the cron over every company
        rows = self.sudo().search([("write_date", "<", limit)])
        rows.unlink()
        if rows:
            _logger.info("%s staged order headers past retention deleted", len(rows))
        return len(rows)

    @api.autovacuum
    def _gc_staged_headers(self):
        self._purge()
