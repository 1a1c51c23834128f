"""Tiki specifics of a shop: app type, warehouse, and the event queue.

Tiki has no webhooks: each Tiki shop gets a queue of the app, subscribed to the
seller's order and product events, and a job pulls it. A pull sends the
``ack_id`` of the previous batch, which Tiki takes as its acknowledgement; the
new batch's events and its ``ack_id`` are stored in one transaction. So a batch
is acknowledged only by a pull that starts after the commit that stored it: a
crash between the pull and the commit stores nothing and acknowledges nothing,
Tiki delivers the batch again after its visibility timeout, and the event
de-duplication (``entro.marketplace.event``) keeps every event once.
"""

import zlib
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

TIKI_APP_TYPES = [
    ("public", "Public App (authorization by the seller)"),
    ("in_house", "In-house App (the seller's own credentials)"),
]


class EntroMarketplaceShop(models.Model):
    _inherit = "entro.marketplace.shop"

    tiki_app_type = fields.Selection(
        TIKI_APP_TYPES,
        string="Tiki App Type",
        compute="_compute_tiki_app_type",
        store=True,
        readonly=False,
        precompute=True,
        help="A public app serves many sellers, who each authorize it; an in-house "
        "app is the seller's own and authenticates with its client credentials. "
        "The platform app's type, unless set here.",
    )
    tiki_token_auth_method = fields.Selection(
        [("basic", "HTTP Basic"), ("post", "In the Request Body")],
        string="Tiki Client Authentication",
        default="basic",
        help="How the client id and secret are sent to Tiki's token endpoint: as "
        "the app's 'token endpoint auth method' is set on Tiki.",
    )
    tiki_warehouse_id = fields.Char(
        "Tiki Warehouse ID",
        help="The seller warehouse on Tiki whose quantity Entro sets. Leave empty "
        "when the seller has one warehouse.",
    )
    tiki_sku_batch_size = fields.Integer(
        "Tiki SKUs per Update",
        default=50,
        help="SKUs sent in one updateSkus call (Tiki documents no maximum).",
    )
    tiki_utc_offset = fields.Float(
        "Tiki Time Zone (UTC+)",
        default=7.0,
        help="Tiki prints times without a zone; they are read in this one.",
    )
    tiki_pull_interval = fields.Integer(
        "Event Pull Interval (min)",
        default=60,
        help="When the shop's plan has no real-time sync, the event queue is "
        "pulled this often; otherwise every minute.",
    )
    tiki_queue_code = fields.Char("Tiki Event Queue", readonly=True, copy=False)
    tiki_subscribed = fields.Boolean(
        "Subscribed to Tiki Events", readonly=True, copy=False
    )
    tiki_ack_id = fields.Char(
        "Unacknowledged Batch",
        readonly=True,
        copy=False,
        help="The last batch pulled and stored; the next pull acknowledges it.",
    )
    tiki_last_pull_at = fields.Datetime("Last Event Pull", readonly=True, copy=False)

    @api.depends("app_id")
    def _compute_tiki_app_type(self):
        # c20-connect: the type of the shop's platform app
        for shop in self:
            shop.tiki_app_type = (
                shop.app_id.tiki_app_type or shop.tiki_app_type or "public"
            )

    # ------------------------------------------------------------ platform client

    def _platform_config(self):
        config = super()._platform_config()
        if self.platform == "tiki":
            config.extra.update(
                app_type=self.tiki_app_type or "public",
                token_auth_method=self.tiki_token_auth_method or "basic",
                warehouse_id=self.tiki_warehouse_id or None,
                sku_batch_size=self.tiki_sku_batch_size or None,
                utc_offset_hours=self.tiki_utc_offset,
            )
        return config

    # ---------------------------------------------------------------- connecting

    def action_authorize(self):
        """An in-house Tiki app needs no consent page: it connects at once."""
        self.ensure_one()
        if self.platform == "tiki" and self.tiki_app_type == "in_house":
            self._check_manager()
            self._tiki_connect_in_house()
            return {
                "type": "ir.actions.act_window",
                "res_model": self._name,
                "res_id": self.id,
                "view_mode": "form",
                "target": "current",
            }
        return super().action_authorize()

    def _tiki_connect_in_house(self):
        self.ensure_one()
        log = self.env["entro.marketplace.log"]._buffer(self, "connect")
        try:
            tokens = self._platform_client(api_log=log).client_credentials()
        finally:
            log.flush()
        self._write_tokens(tokens)
        seller = (tokens.extra or {}).get("shop_id") or self.external_id
        # sudo: state fields are the system's; the shop passed action_authorize's checks
        self.sudo().write(
            {"external_id": seller, "state": "connected", "last_error": False}
        )
        self._take_platform_name(tokens)
        self.message_post(body=_("Shop connected on %s.", self._platform_label()))
        self._enqueue("_job_tiki_pull_events", identity=f"tiki-pull-{self.id}")
        return True

    def action_tiki_setup_queue(self):
        """Create the shop's event queue and subscribe it (as a job)."""
        self._check_manager()
        self.check_access("write")
        self._check_usable()
        for shop in self.filtered(lambda s: s.platform == "tiki"):
            # sudo: a system field, on a shop the manager may write (checked above)
            shop.sudo().write({"tiki_subscribed": False})
            shop._enqueue("_job_tiki_pull_events", identity=f"tiki-pull-{shop.id}")
        return True

    # ---------------------------------------------------------------- event queue

    def _tiki_queue_name(self):
        dbuuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid", "")
        return f"entro-{dbuuid[:8]}-shop-{self.id}"

    def _tiki_setup_queue(self, client):
        """The shop's queue (found again by name, or created), subscribed to the
        seller's order and product events."""
        code = self.tiki_queue_code or client.ensure_queue(self._tiki_queue_name())
        added = client.subscribe(code)
        # sudo: system fields of the queue, written by the shop's own job
        self.sudo().write({"tiki_queue_code": code, "tiki_subscribed": True})
        if added:
            self.message_post(
                body=_(
                    "Subscribed to Tiki events: %(events)s.", events=", ".join(added)
                )
            )
        return code

    def _job_tiki_pull_events(self):
        """Pull one batch of the shop's queue, store its events, remember its ack.

        The previous batch is acknowledged by this pull (it was stored by an
        earlier, committed transaction); this batch by the next pull, enqueued
        here while events keep coming.
        """
        self.ensure_one()
        if self.platform != "tiki" or self.state != "connected":
            return "shop not connected"
        # sudo: a job of the shop (queue_job runs it as the user who enqueued it)
        shop = self.sudo()
        shop._tiki_lock_queue()
        with self._api_session("event queue pull") as client:
            if not shop.tiki_queue_code or not shop.tiki_subscribed:
                shop._tiki_setup_queue(client)
            batch = client.pull_events(shop.tiki_queue_code, shop.tiki_ack_id or None)
        # events are the system's record of what Tiki said, not a user's
        Event = self.env["entro.marketplace.event"].sudo()
        new = [e for e in batch.events if Event._receive("tiki", shop, e, "queue")]
        shop.write(
            {"tiki_ack_id": batch.ack_id, "tiki_last_pull_at": fields.Datetime.now()}
        )
        if batch.events:
            # acknowledges this batch once it is committed, and drains the queue
            self._enqueue("_job_tiki_pull_events", identity=f"tiki-pull-{self.id}")
        return f"{len(batch.events)} events, {len(new)} new"

    def _tiki_lock_queue(self):
        """One pull of a shop's queue at a time: a concurrent one is retried.

        An advisory lock, not a row lock: the API log, written meanwhile in a
        transaction of its own, references the shop row.
        """
        self.env.cr.execute(
            "SELECT pg_try_advisory_xact_lock(%s, %s)",
            [zlib.crc32(b"entro.tiki.queue") - 2**31, self.id],
        )
        if not self.env.cr.fetchone()[0]:
            raise RetryableJobError(
                f"{self.name}: its event queue is being pulled", seconds=5
            )

    @api.model
    def _cron_tiki_pull_events(self):
        """Enqueue a pull per connected Tiki shop: every run for real-time plans,
        every ``tiki_pull_interval`` minutes otherwise."""
        now = fields.Datetime.now()
        shops = self.search(
            [
                ("platform", "=", "tiki"),
                ("state", "=", "connected"),
                ("sync_orders", "=", True),
            ]
        )
        for shop in shops:
            if (
                not shop._accepts_realtime()
                and shop.tiki_last_pull_at
                and now - shop.tiki_last_pull_at
                < timedelta(minutes=max(1, shop.tiki_pull_interval))
            ):
                continue
            shop._enqueue("_job_tiki_pull_events", identity=f"tiki-pull-{shop.id}")

    @api.constrains("tiki_sku_batch_size")
    def _check_tiki_sku_batch_size(self):
        for shop in self:
            if shop.platform == "tiki" and shop.tiki_sku_batch_size < 1:
                raise ValidationError(_("Tiki SKUs per update must be at least 1."))
