import json
import logging
import time

from odoo import _, api, fields, models

from ..platforms import get_platform_class
from ..platforms.config import ShopConfig
from ..platforms.errors import WebhookRejected
from ..tools import crypto

_logger = logging.getLogger(__name__)

EVENT_KINDS = [
    ("order_status", "Order Status"),
    ("tracking", "Tracking Number"),
    ("auth_granted", "Shop Authorized"),
    ("auth_revoked", "Authorization Revoked"),
    ("auth_expiring", "Authorization Expiring"),
    ("other", "Other"),
]


class EntroMarketplaceEvent(models.Model):
    """A notification received from a platform (webhook or lost-push recovery).

    Stored once per de-duplication key, so that a push delivered several times
    is processed once.
    """

    _name = "entro.marketplace.event"
    _description = "Marketplace Event"
    _order = "id desc"
    _rec_name = "dedup_key"

    shop_id = fields.Many2one("entro.marketplace.shop", index=True, ondelete="cascade")
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    platform = fields.Char(required=True)
    dedup_key = fields.Char(required=True)
    kind = fields.Selection(EVENT_KINDS, required=True, default="other")
    code = fields.Char(help="The platform's own code of the notification.")
    order_external_id = fields.Char("Order Number", index=True)
    status = fields.Char("Platform Status")
    event_time = fields.Datetime()
    source = fields.Selection(
        [
            ("webhook", "Webhook"),
            ("recovery", "Lost-Push Recovery"),
            ("queue", "Event Queue (pulled)"),
        ],
        default="webhook",
        required=True,
    )
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("deferred", "Deferred to Next Scheduled Sync"),
            ("done", "Done"),
            ("ignored", "Ignored"),
        ],
        default="queued",
        required=True,
        index=True,
    )
    result = fields.Char()
    payload = fields.Json(copy=False)

    _sql_constraints = [
        (
            "dedup_uniq",
            "unique(platform, dedup_key)",
            "This notification was already received.",
        ),
    ]

    # ------------------------------------------------------------ verification

    @api.model
    def _webhook_url(self, platform):
        base = self.env["entro.marketplace.shop"]._public_base_url()
        return f"{base}/entro/webhook/{platform}"

    @api.model
    def _verify_webhook(self, platform, headers, body):
        """(shop or empty, Event) for a genuine push; WebhookRejected otherwise.

        Fails closed: without an app (and so a secret) to check the signature
        with, every push is refused. Each distinct app (key and secret) of the
        platform's platform apps is tried, so one Odoo serves several apps and
        companies. A push is routed only to a shop of an app whose secret
        verified it (the apps of several companies holding the same key and
        secret are one app on the platform), and the shop id of the push picks
        the shop: a secret never speaks for another app's shops. A push of no
        known shop of that app is kept (and ignored). An app whose secret cannot
        be decrypted is skipped (its shops flagged); the others are still served.
        """
        cls = get_platform_class(platform)
        # sudo: a push has no user; the secrets are the system's, read to verify it
        apps = (
            self.env["entro.marketplace.app"]
            .sudo()
            .search([("platform", "=", platform), ("app_secret_enc", "!=", False)])
        )
        groups = {}
        unreadable = self.env["entro.marketplace.shop"]
        for app in apps:
            try:
                secret = app._readable_secret()
            except crypto.SecretUnreadable:
                unreadable |= app.shop_ids
                continue
            key = (app.app_key or "", secret)
            groups[key] = groups.get(key, app.browse()) | app
        if unreadable:
            unreadable._flag_unreadable_credentials()
        url = self._webhook_url(platform)
        rejection = WebhookRejected("no_secret", status=401)
        for (app_key, secret), group in groups.items():
            client = cls(ShopConfig(app_key=app_key or None, app_secret=secret))
            try:
                event = client.verify_webhook(url, headers, body)
            except WebhookRejected as exc:
                if exc.reason in ("bad_signature", "missing_signature"):
                    rejection = exc
                    continue
                raise
            external_id = str(event.shop_external_id or "")
            # sudo: the active shops of the apps the secret is of, any company
            target = (
                self.env["entro.marketplace.shop"]
                .sudo()
                .search(
                    [
                        ("app_id", "in", group.ids),
                        ("platform", "=", platform),
                        ("external_id", "=", external_id),
                    ],
                    limit=1,
                )
                if external_id
                else self.env["entro.marketplace.shop"]
            )
            return target, event
        raise rejection

    # -------------------------------------------------------------- reception

    @api.model
    def _receive(self, platform, shop, event, source="webhook"):
        """Store a verified event once and dispatch it; returns the record or None
        when it was a duplicate.

        The de-duplication key of an event routed to a shop is that shop's: an
        app whose secret verified a push for a shop of its own (or for none)
        cannot store one ahead of another app's genuine push and so have it
        dropped as a duplicate. An event of no shop keeps the platform's key
        (it is ignored whichever app sent it).
        """
        dedup_key = f"shop{shop.id}/{event.dedup_key}" if shop else event.dedup_key
        self.env.cr.execute(
            """
            INSERT INTO entro_marketplace_event
                (platform, dedup_key, shop_id, company_id, kind, code,
                 order_external_id, status, event_time, source, state, payload,
                 create_uid, write_uid, create_date, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'queued', %s, %s, %s,
                    now() at time zone 'UTC', now() at time zone 'UTC')
            ON CONFLICT (platform, dedup_key) DO NOTHING
            RETURNING id
            """,
            [
                platform,
                dedup_key,
                shop.id or None,
                # the stored related field: the company's users (only) see it
                shop.company_id.id or None,
                event.kind if event.kind in dict(EVENT_KINDS) else "other",
                event.code,
                event.order_external_id,
                event.status,
                event.update_time.replace(tzinfo=None) if event.update_time else None,
                source,
                json.dumps(event.raw, default=str),
                self.env.uid,
                self.env.uid,
            ],
            # a concurrent duplicate fails this statement: never log the payload
            log_exceptions=False,
        )
        row = self.env.cr.fetchone()
        if not row:
            return None
        record = self.browse(row[0])
        record._dispatch()
        return record

    def _dispatch(self):
        """Act on one stored event: enqueue what it asks for, never call an API."""
        self.ensure_one()
        shop = self.shop_id
        if not shop:
            self.write(
                {"state": "ignored", "result": _("no shop connected with this id")}
            )
            return
        if self.kind in ("order_status", "tracking") and self.order_external_id:
            if shop.state != "connected" or not shop.sync_orders:
                self.write({"state": "ignored", "result": _("shop not syncing orders")})
                return
            if not shop._accepts_realtime():
                self.write(
                    {
                        "state": "deferred",
                        "result": _("the next scheduled sync imports it"),
                    }
                )
                return
            shop._enqueue_order_import([self.order_external_id])
            self.write({"state": "done", "result": _("import queued")})
        elif self.kind == "auth_revoked":
            shop._on_platform_deauthorized()
            self.write({"state": "done", "result": _("shop disconnected")})
        elif self.kind == "auth_expiring":
            shop._schedule_activity(
                _("Marketplace authorization ends soon"),
                _(
                    "%(platform)s says the authorization of %(shop)s expires soon: "
                    "authorize the shop again.",
                    platform=shop._platform_label(),
                    shop=shop.name,
                ),
            )
            self.write({"state": "done", "result": _("responsible warned")})
        else:
            self.write({"state": "ignored", "result": _("not used by Entro")})

    @api.model
    def _log_webhook(self, platform, shop, status, started, reason=None):
        """Log one push; returns whether a new log row was written.

        A refused push (no shop: nobody vouched for it) adds to the row of the
        same platform, status and reason of the current minute when there is one,
        so that a flood of forged pushes cannot grow the table without bound.
        """
        duration = int((time.monotonic() - started) * 1000)
        if not shop and status != 200:
            self.env.cr.execute(
                """
                UPDATE entro_marketplace_log
                   SET hit_count = hit_count + 1,
                       duration_ms = GREATEST(duration_ms, %s),
                       write_date = now() at time zone 'UTC'
                 WHERE id = (
                    SELECT id FROM entro_marketplace_log
                     WHERE kind = 'webhook' AND shop_id IS NULL
                       AND platform = %s AND status_code = %s
                       AND error_code IS NOT DISTINCT FROM %s
                       AND create_date >= date_trunc('minute', now() at time zone 'UTC')
                     ORDER BY id DESC LIMIT 1
                 )
                RETURNING id
                """,
                [duration, platform, status, reason or None],
            )
            if self.env.cr.fetchone():
                self.env["entro.marketplace.log"].invalidate_model(
                    ["hit_count", "duration_ms"]
                )
                return False
        # sudo: the webhook's log is the system's record (a push has no user)
        self.env["entro.marketplace.log"].sudo().create(
            {
                "shop_id": shop.id if shop else False,
                "platform": platform,
                "operation": "webhook",
                "kind": "webhook",
                "method": "POST",
                "endpoint": f"/entro/webhook/{platform}",
                "status_code": status,
                "duration_ms": duration,
                "error_code": reason,
            }
        )
        return True

    # -------------------------------------------------------- lost pushes

    @api.model
    def _cron_recover_lost_events(self):
        """Ask each platform app for the pushes it failed to deliver."""
        Shop = self.env["entro.marketplace.shop"]
        shops = Shop.search([("state", "=", "connected")])
        done_apps = set()
        for shop in shops.filtered("app_id"):
            # one recovery per platform app (c20-connect)
            if shop.app_id in done_apps:
                continue
            done_apps.add(shop.app_id)
            shop._enqueue(
                "_job_recover_lost_events",
                identity=f"lost-{shop.platform}-app{shop.app_id.id}",
            )
