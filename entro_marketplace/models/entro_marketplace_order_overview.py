"""What the Overview and the order filters need of an order: its ship-by
deadline, how late it reached Odoo, and "today", "last 7 days", "overdue"
as searchable flags (kept apart from the order's core file)."""

from datetime import datetime, time, timedelta, timezone

import pytz

from odoo import api, fields, models

#: when the platform gives no ship-by deadline: this many days after the order
DEFAULT_SHIP_DAYS = 2
#: keys of a platform order (or of its items) that hold the ship-by deadline:
#: Shopee ship_by_date, TikTok Shop rts_sla_time / shipping_due_time, Lazada's
#: items sla_time_stamp
SHIP_BY_KEYS = ("ship_by_date", "rts_sla_time", "shipping_due_time", "sla_time_stamp")
#: the states in which an order waits for the seller to ship it
WAITING_TO_SHIP = ("to_ship",)


def _parse_deadline(value):
    """A deadline as the platforms give it (unix seconds or milliseconds, or an
    ISO 8601 text), as Odoo's naive UTC; None when unreadable."""
    try:
        return _parse_deadline_or_raise(value)
    except (ValueError, TypeError, OverflowError, OSError):
        return None


def _parse_deadline_or_raise(value):
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if not value > 0:
            return None
        if value > 1e12:
            value = value / 1000
        return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None)
    if isinstance(value, str) and value.strip():
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if parsed.tzinfo:
            parsed = parsed.astimezone(timezone.utc).replace(tzinfo=None)
        return parsed
    return None


def payload_ship_by(payload, depth=3):
    """The earliest ship-by deadline a platform's order data gives (the order,
    its items, the sections the platform layer keeps it in), or None."""
    found = []

    def collect(node, level):
        if isinstance(node, dict):
            found.extend(node.get(key) for key in SHIP_BY_KEYS)
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            return
        if level < depth:
            for child in children:
                if isinstance(child, dict | list):
                    collect(child, level + 1)

    collect(payload, 0)
    deadlines = [d for d in map(_parse_deadline, found) if d]
    return min(deadlines) if deadlines else None


class EntroMarketplaceOrder(models.Model):
    _inherit = "entro.marketplace.order"

    # --- overview (c20-overview) ------------------------------------------------
    ship_by_date = fields.Datetime(
        "Ship By",
        compute="_compute_ship_by_date",
        store=True,
        index=True,
        help="When the order must be handed to the carrier: the platform's "
        "deadline (Shopee ship_by_date, TikTok Shop rts_sla_time, Lazada's "
        "items' SLA) or, when the platform gives none, two days after the order.",
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

    @api.depends("payload", "platform_create_time")
    def _compute_ship_by_date(self):
        for order in self:
            deadline = payload_ship_by(order.payload)
            if not deadline and order.platform_create_time:
                deadline = order.platform_create_time + timedelta(
                    days=DEFAULT_SHIP_DAYS
                )
            order.ship_by_date = deadline or False

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
