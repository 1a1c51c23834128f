"""What the Overview and the order filters need of an order: its ship-by
deadline, how late it reached Odoo, and "today", "last 7 days", "overdue"
as searchable flags (kept apart from the order's core file)."""

from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models

#: when the platform gives no ship-by deadline: this many days after the order
DEFAULT_SHIP_DAYS = 2
#: the states in which an order waits for the seller to ship it
WAITING_TO_SHIP = ("to_ship",)


class EntroMarketplaceOrder(models.Model):
    _inherit = "entro.marketplace.order"

    # --- overview (c20-overview) ------------------------------------------------
    # r20-mend: the platform's deadline is its mapper's (Order.ship_by_time),
    # written by the import; only the default is computed here
    ship_by_date = fields.Datetime(
        "Ship By",
        compute="_compute_ship_by_date",
        store=True,
        readonly=False,
        index=True,
        help="When the order must be handed to the carrier: the platform's "
        "deadline (Shopee's ship-by date, TikTok Shop's latest shipping time, "
        "Lazada's items' shipping SLA, Tiki's pickup deadline of a drop-shipped "
        "order) or, when the platform gives none, two days after the order.",
    )
    sync_lag_minutes = fields.Float(
        "Sync Lag (min)",
        compute="_compute_sync_lag_minutes",
        store=True,
        aggregator="avg",
        digits=(16, 1),
        help="Minutes between the order's last change on the platform and its "
        "import into Odoo (a webhook takes seconds, a scheduled sync up to its "
        "interval; a first import reaches days back).",
    )
    ordered_today = fields.Boolean(
        compute="_compute_overview_flags", search="_search_ordered_today"
    )
    ordered_last_7_days = fields.Boolean(
        "Ordered in the Last 7 Days",
        compute="_compute_overview_flags",
        search="_search_ordered_last_7_days",
    )
    ship_overdue = fields.Boolean(
        "Shipping Overdue",
        compute="_compute_overview_flags",
        search="_search_ship_overdue",
        help="Waiting to be shipped and past its ship-by deadline.",
    )

    @api.depends("platform_create_time")
    def _compute_ship_by_date(self):
        """Two days after the order, unless a deadline is known: the
        platform's, written by the import with the order's other values."""
        for order in self:
            if not order.ship_by_date and order.platform_create_time:
                order.ship_by_date = order.platform_create_time + timedelta(
                    days=DEFAULT_SHIP_DAYS
                )

    @api.depends("platform_update_time")
    def _compute_sync_lag_minutes(self):
        now = fields.Datetime.now()
        for order in self:
            changed = order.platform_update_time
            order.sync_lag_minutes = (
                max((now - changed).total_seconds() / 60, 0.0) if changed else 0.0
            )

    @api.model
    def _overview_day_start(self, days_back=0):
        """The start of the user's day ``days_back`` days ago, as naive UTC."""
        tz_name = self.env.context.get("tz") or self.env.user.tz or "UTC"
        try:
            tz = pytz.timezone(tz_name)
        except pytz.UnknownTimeZoneError:
            tz = pytz.utc
        today = datetime.now(tz).date() - timedelta(days=days_back)
        start = tz.localize(datetime.combine(today, time.min))
        return start.astimezone(pytz.utc).replace(tzinfo=None)

    def _compute_overview_flags(self):
        today = self._overview_day_start()
        week = self._overview_day_start(days_back=6)
        now = fields.Datetime.now()
        for order in self:
            created = order.platform_create_time
            order.ordered_today = bool(created and created >= today)
            order.ordered_last_7_days = bool(created and created >= week)
            order.ship_overdue = bool(
                order.state in WAITING_TO_SHIP
                and order.ship_by_date
                and order.ship_by_date < now
            )

    @api.model
    def _flag_domain(self, operator, value, domain):
        """``domain`` for ``= True`` (and ``!= False``), its negation otherwise."""
        if operator not in ("=", "!="):
            raise NotImplementedError(f"operator {operator} on a flag")
        if (operator == "=") == bool(value):
            return domain
        return ["!", *domain] if len(domain) == 1 else ["!", "&", *domain]

    def _search_ordered_today(self, operator, value):
        start = self._overview_day_start()
        return self._flag_domain(
            operator, value, [("platform_create_time", ">=", start)]
        )

    def _search_ordered_last_7_days(self, operator, value):
        start = self._overview_day_start(days_back=6)
        return self._flag_domain(
            operator, value, [("platform_create_time", ">=", start)]
        )

    def _search_ship_overdue(self, operator, value):
        now = fields.Datetime.now()
        return self._flag_domain(
            operator,
            value,
            [("state", "in", WAITING_TO_SHIP), ("ship_by_date", "<", now)],
        )
