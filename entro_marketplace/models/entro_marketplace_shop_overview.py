"""The shop's card on Marketplaces > Overview: its counters, health and token
countdown, and the notifications of its jobs (kept apart from the shop's core
file).

Every counter is computed for all the shops shown at once, one grouped query
per counter, as the current user: record rules and the active companies apply
(a user of company A never counts company B's orders).
"""

import json
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError
from odoo.tools.misc import format_date

#: the order filters a card's counters open (search_default_<name>)
OVERVIEW_FILTERS = (
    "ordered_today",
    "ordered_last_7_days",
    "to_ship",
    "overdue",
    "exception",
)
#: a shop whose last successful order sync is older than this is watched
SYNC_STALE_AFTER = timedelta(hours=2)
#: a token ending within this many days turns the card red
TOKEN_CRITICAL_DAYS = 2
HEALTH_HELP = (
    "Red: the shop needs attention (it is in error), a job failed, an order is "
    "past its ship-by deadline, or its access to the platform ends within two "
    "days. Orange: orders are in exception, the access ends within the shop's "
    "warning days, or no order sync succeeded in the last two hours. Green: "
    "none of these. Grey: the shop is not connected."
)


class EntroMarketplaceShop(models.Model):
    _inherit = "entro.marketplace.shop"

    # --- overview (c20-overview) ------------------------------------------------
    overview_orders_today = fields.Integer("Orders Today", compute="_compute_overview")
    overview_orders_week = fields.Integer(
        "Orders (7 Days)", compute="_compute_overview"
    )
    overview_to_ship = fields.Integer("To Ship", compute="_compute_overview")
    overview_overdue = fields.Integer(
        "Overdue",
        compute="_compute_overview",
        help="Orders waiting to be shipped past their ship-by deadline.",
    )
    overview_failed_jobs = fields.Integer(
        "Failed Jobs", compute="_compute_overview_failed_jobs"
    )
    overview_graph = fields.Text(compute="_compute_overview_graph")
    token_expires_at = fields.Datetime(
        "Access Ends",
        compute="_compute_token_expires_at",
        help="When the shop's access to the platform ends unless it is renewed: "
        "the earliest of the refresh token's and the authorization's ends (the "
        "refresh token is renewed by the syncs; the authorization only by "
        "authorizing the shop again). Empty when the platform sets no end (an "
        "access token the app renews by itself).",
    )
    health = fields.Selection(
        [
            ("green", "Healthy"),
            ("orange", "Watch"),
            ("red", "Needs Action"),
            ("grey", "Not Connected"),
        ],
        compute="_compute_health",
        help=HEALTH_HELP,
    )
    health_color = fields.Integer(compute="_compute_health")
    health_reason = fields.Char("Health Details", compute="_compute_health")

    def _overview_count(self, domain):
        """{shop id: number of its orders matching ``domain``}, in one query."""
        if not self.ids:
            return {}
        groups = self.env["entro.marketplace.order"]._read_group(
            [("shop_id", "in", self.ids), *domain], ["shop_id"], ["__count"]
        )
        return {shop.id: count for shop, count in groups}

    def _compute_overview(self):
        today = self._overview_count([("ordered_today", "=", True)])
        week = self._overview_count([("ordered_last_7_days", "=", True)])
        to_ship = self._overview_count([("state", "=", "to_ship")])
        overdue = self._overview_count([("ship_overdue", "=", True)])
        for shop in self:
            key = shop._origin.id
            shop.overview_orders_today = today.get(key, 0)
            shop.overview_orders_week = week.get(key, 0)
            shop.overview_to_ship = to_ship.get(key, 0)
            shop.overview_overdue = overdue.get(key, 0)

    def _failed_job_ids(self):
        """{shop id: ids of its failed jobs}, in one query.

        Jobs are read in SQL (a Marketplace User may not read queue.job), for
        the shops the user may read only.
        """
        ids = self._filtered_access("read").ids
        if not ids:
            return {}
        # queue_job stores ``records`` as jsonb (a JSON text, in some versions)
        self.env["queue.job"].flush_model(["model_name", "state", "records"])
        self.env.cr.execute(
            """
            SELECT ids.value::int, array_agg(j.id)
              FROM queue_job j
             CROSS JOIN LATERAL jsonb_array_elements_text(
                   CASE jsonb_typeof(j.records)
                        WHEN 'string' THEN (j.records #>> '{}')::jsonb
                        ELSE j.records
                   END -> 'ids') ids
             WHERE j.model_name = %s
               AND j.state = 'failed'
               AND ids.value = ANY(%s)
             GROUP BY 1
            """,
            [self._name, [str(i) for i in ids]],
        )
        return dict(self.env.cr.fetchall())

    def _compute_overview_failed_jobs(self):
        failed = self._failed_job_ids()
        for shop in self:
            shop.overview_failed_jobs = len(failed.get(shop._origin.id, []))

    def _compute_overview_graph(self):
        """Orders of the last 7 days, per day, as Odoo's dashboard_graph data."""
        Order = self.env["entro.marketplace.order"]
        start = Order._overview_day_start(days_back=6)
        days = [(start + timedelta(days=i, hours=12)).date() for i in range(7)]
        tz = self.env.context.get("tz") or self.env.user.tz or "UTC"
        counts = {}
        if self.ids:
            groups = Order.with_context(tz=tz)._read_group(
                [("shop_id", "in", self.ids), ("platform_create_time", ">=", start)],
                ["shop_id", "platform_create_time:day"],
                ["__count"],
            )
            for shop, day, count in groups:
                day = day.date() if hasattr(day, "date") else day
                counts[(shop.id, day)] = count
        labels = [format_date(self.env, day, date_format="dd/MM") for day in days]
        for shop in self:
            values = [
                {
                    "label": label,
                    "value": counts.get((shop._origin.id, day), 0),
                    "type": "future" if day == days[-1] else "past",
                }
                for day, label in zip(days, labels, strict=True)
            ]
            shop.overview_graph = json.dumps(
                [{"key": _("Orders"), "values": values, "is_sample_data": False}]
            )

    def _compute_token_expires_at(self):
        for shop in self:
            ends = [
                d for d in (shop.refresh_expires_at, shop.authorization_expires_at) if d
            ]
            # an access token alone is renewed without the seller (Tiki's
            # client credentials): it ends nothing
            shop.token_expires_at = min(ends) if ends else False

    @api.depends("state", "last_sync_at", "sync_orders", "token_warning_days")
    def _compute_health(self):
        now = fields.Datetime.now()
        colors = {"green": 10, "orange": 2, "red": 1, "grey": 0}
        for shop in self:
            red, orange = [], []
            if shop.state not in ("connected", "error"):
                shop.health = "grey"
                shop.health_color = colors["grey"]
                shop.health_reason = _("Not connected: connect it again")
                continue
            if shop.state == "error":
                red.append(_("needs attention"))
            if shop.overview_failed_jobs:
                red.append(_("failed jobs: %s", shop.overview_failed_jobs))
            if shop.overview_overdue:
                red.append(_("overdue orders: %s", shop.overview_overdue))
            ends = shop.token_expires_at
            if ends and ends - now <= timedelta(days=TOKEN_CRITICAL_DAYS):
                red.append(_("access ends on %s", format_date(self.env, ends)))
            elif ends and ends - now <= timedelta(days=shop.token_warning_days):
                orange.append(_("access ends on %s", format_date(self.env, ends)))
            if shop.exception_count:
                orange.append(_("orders in exception: %s", shop.exception_count))
            if shop.sync_orders and (
                not shop.last_sync_at or now - shop.last_sync_at > SYNC_STALE_AFTER
            ):
                orange.append(_("no successful sync in the last 2 hours"))
            health = "red" if red else "orange" if orange else "green"
            shop.health = health
            shop.health_color = colors[health]
            shop.health_reason = ", ".join(red + orange) or _("All good")

    # ------------------------------------------------------------ card actions

    def _overview_orders_action(self, filter_name=None):
        """This shop's orders, under the search filter ``filter_name``."""
        # a button's record comes from the client: only a shop the user may read
        self.check_access("read")
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "entro_marketplace.entro_marketplace_order_action"
        )
        context = {"search_default_shop_id": self.id}
        if filter_name in OVERVIEW_FILTERS:
            context[f"search_default_{filter_name}"] = 1
        action["context"] = context
        return action

    def action_overview_orders(self):
        return self._overview_orders_action()

    def action_overview_orders_today(self):
        return self._overview_orders_action("ordered_today")

    def action_overview_orders_week(self):
        return self._overview_orders_action("ordered_last_7_days")

    def action_overview_to_ship(self):
        return self._overview_orders_action("to_ship")

    def action_overview_overdue(self):
        return self._overview_orders_action("overdue")

    def action_overview_exceptions(self):
        return self._overview_orders_action("exception")

    def action_overview_failed_jobs(self):
        """The failed jobs of this shop (queue job managers)."""
        self.ensure_one()
        if not self.env.user.has_group("queue_job.group_queue_job_manager"):
            raise AccessError(_("Only queue job managers can open the jobs."))
        return {
            "type": "ir.actions.act_window",
            "name": _("Failed Jobs of %s", self.name),
            "res_model": "queue.job",
            "view_mode": "list,form",
            "domain": [("id", "in", self._failed_job_ids().get(self.id, []))],
        }

    # ------------------------------------------------------------ notifications

    def _queued_notification(self, what):
        """The client action saying ``what`` was queued for these shops."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "info",
                "title": what,
                "message": _(
                    "Queued for %(shops)s. You will be told here when it is done.",
                    shops=", ".join(self.mapped("name")),
                ),
                "sticky": False,
            },
        }

    def _notify_wanted(self):
        """Whether a person runs this (a job queued by them): the scheduler's
        and the webhooks' jobs have nobody to tell."""
        user = self.env.user
        return not user._is_superuser() and user._is_internal()

    def _notify_user(self, message, level="success"):
        """Tell the person who ran this job ``message`` (Odoo's bus: their
        browser shows it, whichever worker ran the job). Jobs of the scheduler
        and of webhooks have no person to tell."""
        self.ensure_one()
        if not self._notify_wanted():
            return False
        self.env["bus.bus"]._sendone(
            self.env.user.partner_id,
            "simple_notification",
            {
                "type": level,
                "title": self.name,
                "message": message,
                "sticky": False,
            },
        )
        return True

    def _count_committed(self, model, domain):
        """search_count on what other transactions committed (the job's own
        snapshot predates the import it ran in a transaction of its own)."""
        with self.env.registry.cursor() as cr:
            return self.env(cr=cr)[model].search_count(domain)
