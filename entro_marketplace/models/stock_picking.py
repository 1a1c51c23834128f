import base64
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.pdf import merge_pdf

from odoo.addons.queue_job.exception import RetryableJobError

from ..platforms.errors import PermanentError, TokenExpired
from ..platforms.records import Shipment

_logger = logging.getLogger(__name__)

SHIP_STATES = [
    ("pending", "Sending to Platform"),
    ("waiting_tracking", "Waiting for Tracking Number"),
    ("to_retry", "To Retry"),
    ("done", "Shipment Arranged"),
    ("seller_center", "Arranged in the Seller Center"),
]
#: how long a late tracking number or label is waited for before a person is told
TRACKING_PATIENCE = timedelta(days=2)
#: name prefix of the merged label PDFs (kept a day for their download)
LABELS_PREFIX = "entro-labels-"
#: retries of a tracking/label fetch (about 4 hours with the retry pattern)
WAIT_RETRIES = 12


class StockPicking(models.Model):
    """A marketplace order's delivery arranges the shipment on the platform."""

    _inherit = "stock.picking"

    entro_shop_id = fields.Many2one(
        related="sale_id.entro_shop_id",
        string="Marketplace Shop",
        store=True,
        index=True,
    )
    entro_ship_state = fields.Selection(
        SHIP_STATES,
        string="Platform Shipment",
        copy=False,
        index=True,
        readonly=True,
        tracking=True,
        help="Where arranging this delivery's shipment on the marketplace stands. "
        "To Retry: the platform refused or could not be reached; read the message, "
        "fix the cause, then press Retry.",
    )
    entro_ship_message = fields.Text("Platform Message", copy=False, readonly=True)
    entro_ship_mode = fields.Selection(
        [("pickup", "Carrier Pickup"), ("dropoff", "Drop-off")],
        string="Handed Over By",
        copy=False,
        readonly=True,
    )
    entro_package_number = fields.Char("Platform Package", copy=False, readonly=True)
    entro_shipped_at = fields.Datetime("Arranged On", copy=False, readonly=True)
    entro_label_id = fields.Many2one(
        "ir.attachment", string="Shipping Label", copy=False, readonly=True
    )
    entro_return_id = fields.Many2one(
        "entro.marketplace.return",
        string="Marketplace Return",
        copy=False,
        readonly=True,
        index="btree_not_null",
    )
    # -- the seller's cockpit (issue 20): platforms that ship on their own
    entro_shipping_supported = fields.Boolean(
        related="entro_shop_id.platform_shipping",
        string="Ships through Entro",
    )
    entro_shipping_notice = fields.Char(
        compute="_compute_entro_shipping_notice",
        string="Platform Shipping Notice",
    )

    @api.depends("entro_shop_id.platform")
    @api.depends_context("lang")
    def _compute_entro_shipping_notice(self):
        for picking in self:
            shop = picking.entro_shop_id
            picking.entro_shipping_notice = (
                shop
                and not shop.platform_shipping
                and picking._entro_unsupported_message()
            )

    def _entro_unsupported_message(self):
        platform = self.entro_shop_id._platform_label()
        return _(
            "%(platform)s ships this order itself: arrange it in the %(platform)s "
            "Seller Center; validating here only records it in Odoo.",
            platform=platform,
        )

    # ------------------------------------------------------------------ triggers

    def _action_done(self):
        pickings = self
        if self and self._entro_buyer_silent() == self:
            pickings = self.with_context(skip_sms=True)
        result = super(StockPicking, pickings)._action_done()
        self._entro_after_delivery()
        return result

    # -- the seller's cockpit (issue 20): the platform's buyer is never contacted
    #
    # The platforms forbid contacting their buyers outside their own channels:
    # a marketplace delivery sends the buyer neither the delivery email (stock)
    # nor the SMS (stock_sms), and never asks for the SMS confirmation. No
    # dependency on stock_sms: its hooks read the ``skip_sms`` context key, set
    # here from stock's own button_validate and _action_done, and its sending
    # goes through stock's _send_confirmation_email, filtered here.

    def _entro_buyer_silent(self):
        """The marketplace deliveries of ``self`` (a platform's buyer)."""
        return self.filtered(
            lambda p: p.entro_shop_id and p.picking_type_code == "outgoing"
        )

    def button_validate(self):
        todo = self.filtered(lambda p: p.state != "done")
        pickings = self
        if todo and todo._entro_buyer_silent() == todo:
            pickings = self.with_context(skip_sms=True)
        return super(StockPicking, pickings).button_validate()

    def _check_warn_sms(self):
        # stock_sms's (only called where it is installed): never ask for theirs
        return super()._check_warn_sms() - self._entro_buyer_silent()

    def _send_confirmation_email(self):
        # this addon loads after stock_sms (it depends on more): its override
        # runs first, and stock_sms's SMS go to the other deliveries only. So
        # does stock_delivery's sending to an Odoo carrier: the platform's own
        # logistics carry a marketplace parcel (never two carriers)
        silent = self._entro_buyer_silent()
        return super(StockPicking, self - silent)._send_confirmation_email()

    def _entro_after_delivery(self):
        """Queue the platform shipment of marketplace deliveries just done, and
        invoice them when their shop invoices on delivery (never any platform
        call here: this is the user's validation transaction)."""
        deliveries = self.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and p.entro_shop_id
                and not p.entro_return_id
                and not p.entro_ship_state
            )
        )
        for picking in deliveries:
            sale = picking.sale_id
            # one platform order ships once: a backorder goes in the same parcel
            # on the platform's side, and returns are not shipments
            already = sale.picking_ids.filtered(
                lambda p, me=picking: p.entro_ship_state
            )
            if picking.move_ids.origin_returned_move_id or already:
                continue
            if not picking.entro_shipping_supported:
                # the seller arranges it in the platform's seller center: no job
                # that could only fail, only the record of it
                picking.entro_ship_state = "seller_center"
                continue
            picking.entro_ship_state = "pending"
            picking._entro_enqueue("_entro_job_ship", "ship")
        for sale in deliveries.sale_id:
            if sale.entro_shop_id.invoice_policy == "delivery":
                sale._entro_invoice()

    def _entro_binding(self):
        self.ensure_one()
        binding = self.sale_id.entro_order_ids[:1]
        if not binding:
            raise UserError(
                _("%s is not linked to a marketplace order.", self.display_name)
            )
        return binding

    def _entro_enqueue(self, method, step, eta=None):
        self.ensure_one()
        shop = self.entro_shop_id
        # the job writes in the company's language (chatter, labels)
        picking = self.with_context(lang=shop.company_id._entro_lang())
        delayable = picking.with_delay(
            channel=shop._job_channel(),
            identity_key=f"entro-{step}-{self.id}",
            eta=eta,
            # waiting for a carrier or a label takes many retries (see the job
            # functions' retry patterns); the hourly cron takes over after them
            max_retries=WAIT_RETRIES if step in ("tracking", "label") else None,
            description=f"{shop._platform_label()} {shop.name}: {step} {self.name}",
        )
        return getattr(delayable, method)()

    def _entro_shipment(self):
        self.ensure_one()
        return Shipment(
            order_external_id=self._entro_binding().external_id,
            package_number=self.entro_package_number or None,
            tracking_number=self.carrier_tracking_ref or None,
            mode=self.entro_ship_mode or None,
        )

    # ---------------------------------------------------------------------- jobs

    def _entro_job_ship(self):
        """Arrange the shipment on the platform (idempotent on the platform's side:
        an order already arranged is only asked for its tracking number)."""
        self.ensure_one()
        if self.entro_ship_state == "done":
            return _("already arranged")
        if not self.entro_shipping_supported:
            # a job of old, requeued: nothing the platform would accept
            self.write(
                {"entro_ship_state": "seller_center", "entro_ship_message": False}
            )
            return self._entro_unsupported_message()
        binding = self._entro_binding()
        shop = self.entro_shop_id
        with shop._api_session("shipment") as client:
            try:
                orders = client.get_orders([binding.external_id])
                if not orders:
                    raise PermanentError(
                        f"the platform does not know order {binding.external_id}",
                        code="not_found",
                    )
                shipment = client.ship_order(orders[0], shop.ship_mode)
            except (PermanentError, TokenExpired) as exc:
                return self._entro_to_retry(str(exc))
        self.write(
            {
                "entro_ship_mode": shipment.mode,
                "entro_package_number": shipment.package_number,
                "entro_shipped_at": fields.Datetime.now(),
                "entro_ship_message": False,
            }
        )
        return self._entro_took_tracking(shipment)

    def _entro_took_tracking(self, shipment):
        if not shipment.tracking_number:
            self.entro_ship_state = "waiting_tracking"
            self._entro_enqueue("_entro_job_fetch_tracking", "tracking")
            return _("arranged; the carrier has not assigned the tracking number yet")
        self.write(
            {
                "carrier_tracking_ref": shipment.tracking_number,
                "entro_ship_state": "done",
                "entro_package_number": shipment.package_number
                or self.entro_package_number,
            }
        )
        binding = self._entro_binding()
        if shipment.tracking_number not in (binding.tracking_numbers or ""):
            binding.tracking_numbers = ", ".join(
                filter(None, [binding.tracking_numbers, shipment.tracking_number])
            )
        self._entro_enqueue("_entro_job_fetch_label", "label")
        return _("arranged, tracking %s", shipment.tracking_number)

    def _entro_job_fetch_tracking(self):
        """Ask for the tracking number a carrier assigns late (retried with backoff
        until it comes; a cron re-queues the ones left waiting)."""
        self.ensure_one()
        if self.carrier_tracking_ref:
            return _("already known")
        shop = self.entro_shop_id
        with shop._api_session("tracking number") as client:
            try:
                shipment = client.get_tracking(self._entro_shipment())
            except (PermanentError, TokenExpired) as exc:
                return self._entro_to_retry(str(exc))
        if not shipment.tracking_number:
            self._entro_give_up_if_late(_("no tracking number yet"))
            raise RetryableJobError(f"{self.name}: no tracking number yet")
        return self._entro_took_tracking(shipment)

    def _entro_job_fetch_label(self):
        """Fetch the shipping label and attach it to the delivery."""
        self.ensure_one()
        if self.entro_label_id:
            return _("already attached")
        try:
            label = self._entro_fetch_label()
        except (PermanentError, TokenExpired) as exc:
            self.entro_ship_message = _("Label: %s", exc)
            return str(exc)
        if not label:
            self._entro_give_up_if_late(_("label not produced yet"))
            raise RetryableJobError(f"{self.name}: label not ready yet")
        return _("label attached")

    def _entro_fetch_label(self):
        """Ask the platform for the shipping label and attach it: the attachment,
        or None while the platform is still producing it.

        :raise PermanentError, TokenExpired: the platform refused.
        :raise RetryableJobError: it could not be reached, or limits the rate.
        """
        self.ensure_one()
        shop = self.entro_shop_id
        with shop._api_session("shipping label") as client:
            label = client.get_shipping_label(self._entro_shipment())
        if label is None:
            return None
        attachment = self.env["ir.attachment"].create(
            {
                "name": label.filename,
                "datas": base64.b64encode(label.content),
                "mimetype": label.mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.entro_label_id = attachment
        self.message_post(
            body=_("Shipping label from the platform."),
            attachment_ids=attachment.ids,
        )
        return attachment

    def _entro_give_up_if_late(self, what):
        """Past the patience, a person is told (the job keeps waiting)."""
        if (
            self.entro_shipped_at
            and fields.Datetime.now() - self.entro_shipped_at > TRACKING_PATIENCE
        ):
            self.entro_shop_id._schedule_activity(
                _("Shipment waits for the carrier"),
                _(
                    "%(picking)s: %(what)s after two days.",
                    picking=self.name,
                    what=what,
                ),
                record=self,
            )

    def _entro_retry_summary(self):
        return _("Shipment to retry")

    def _entro_to_retry(self, message):
        self.write({"entro_ship_state": "to_retry", "entro_ship_message": message})
        self.entro_shop_id._schedule_activity(
            self._entro_retry_summary(),
            _(
                "%(picking)s: the platform did not arrange the shipment: %(message)s",
                picking=self.name,
                message=message,
            ),
            record=self,
        )
        return message

    def _entro_on_job_failed(self, exc_name=None, exc_message=None, **_kwargs):
        """queue_job's on-failure hook (after the rollback): to retry, visibly.

        A shipment still waiting for its carrier stays waiting (the hourly cron
        asks again); its message says why.
        """
        message = exc_message or exc_name or _("unknown error")
        for picking in self:
            if picking.entro_ship_state == "pending":
                picking._entro_to_retry(message)
            else:
                picking.entro_ship_message = message

    # ------------------------------------------------------------------- actions

    def action_entro_retry_shipment(self):
        """Send the shipment to the platform again (as a job)."""
        for picking in self:
            if picking.state != "done" or not picking.entro_shop_id:
                raise UserError(
                    _("%s is not a validated marketplace delivery.", picking.name)
                )
            if not picking.entro_shipping_supported:
                raise UserError(picking._entro_unsupported_message())
            picking.entro_shop_id._check_usable()
            if picking.entro_ship_state == "done" and not picking.entro_label_id:
                picking._entro_enqueue("_entro_job_fetch_label", "label")
                continue
            picking.write({"entro_ship_state": "pending", "entro_ship_message": False})
            picking._entro_enqueue("_entro_job_ship", "ship")
        return True

    # -- the seller's cockpit (issue 20): print the platforms' shipping labels

    def action_entro_print_labels(self):
        """The shipping labels of these deliveries, merged into one PDF to
        download. A label not fetched yet is asked for now; the deliveries left
        without one are listed in a notification, never silently dropped."""
        if not self.env.user.has_group("entro_marketplace.group_marketplace_user"):
            raise AccessError(_("Only Marketplace users can print shipping labels."))
        self.check_access("read")
        self.entro_shop_id.check_access("read")
        if not self:
            raise UserError(_("Select the deliveries whose labels you want."))
        deliveries = self._entro_buyer_silent().filtered(
            lambda p: not p.entro_return_id
        )
        missing = {}  # picking: why it has no label
        for picking in self - deliveries:
            missing[picking] = _("not a marketplace delivery")
        for picking in deliveries:
            if not picking.entro_shipping_supported:
                platform = picking.entro_shop_id._platform_label()
                missing[picking] = _(
                    "%(platform)s does not give its labels to Entro: print it in "
                    "the %(platform)s Seller Center",
                    platform=platform,
                )
            elif not picking.entro_label_id:
                reason = picking._entro_label_now()
                if reason:
                    missing[picking] = reason
        printed = deliveries.filtered(lambda p: p.entro_label_id and p not in missing)
        lines = "\n".join(
            f"{picking.name}: {reason}" for picking, reason in missing.items()
        )
        if not printed:
            raise UserError(_("No shipping label to print.\n%s", lines))
        merged = merge_pdf([picking.entro_label_id.raw for picking in printed])
        stamp = fields.Datetime.context_timestamp(self, fields.Datetime.now())
        # no res_id: only the user who printed it reads it (ir.attachment's rule)
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{LABELS_PREFIX}{stamp:%Y%m%d-%H%M%S}.pdf",
                "raw": merged,
                "mimetype": "application/pdf",
                "res_model": self._name,
            }
        )
        download = {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "download",
        }
        if not missing:
            return download
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _(
                    "%(printed)s labels printed, %(missing)s without a label",
                    printed=len(printed),
                    missing=len(missing),
                ),
                # shown as escaped text: line breaks would be lost
                "message": lines.replace("\n", "; "),
                "type": "warning",
                "sticky": True,
                "next": download,
            },
        }

    def _entro_label_now(self):
        """Fetch this delivery's missing label now: None once attached, else why
        there is none (the label job is queued when the platform is not ready)."""
        self.ensure_one()
        if self.entro_ship_state == "waiting_tracking":
            return _("the carrier has not assigned the tracking number yet")
        if self.state != "done" or self.entro_ship_state != "done":
            return _("the shipment is not arranged on the platform yet")
        try:
            label = self._entro_fetch_label()
        except (PermanentError, TokenExpired) as exc:
            return _("the platform refused the label: %s", exc)
        except (RetryableJobError, UserError) as exc:
            self._entro_enqueue("_entro_job_fetch_label", "label")
            return _("the platform could not be reached (%s); asked again later", exc)
        if not label:
            self._entro_enqueue("_entro_job_fetch_label", "label")
            return _("the platform has not produced the label yet; asked again later")
        return None

    @api.autovacuum
    def _gc_entro_label_prints(self):
        """Merged label PDFs are for downloading now: gone the next day."""
        old = self.env["ir.attachment"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "=", False),
                ("name", "=like", f"{LABELS_PREFIX}%"),
                ("create_date", "<", fields.Datetime.now() - timedelta(days=1)),
            ]
        )
        old.unlink()

    @api.model
    def _entro_settle_unsupported_shipments(self):
        """At install and upgrade: deliveries left To Retry by a platform that
        does not ship through Entro (their job could only fail as unsupported)
        are recorded as arranged in the seller center, their failed jobs
        cancelled and their "to retry" to-dos removed: no retry is offered."""
        # sudo: the addon's own upkeep, across companies
        stuck = (
            self.sudo()
            .search([("entro_ship_state", "=", "to_retry")])
            .filtered(lambda p: not p.entro_shipping_supported)
        )
        if not stuck:
            return
        stuck.write({"entro_ship_state": "seller_center", "entro_ship_message": False})
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("identity_key", "in", [f"entro-ship-{p.id}" for p in stuck]),
                    ("state", "=", "failed"),
                ]
            )
        )
        jobs._change_job_state("cancelled", result=_("The platform ships it itself."))
        stuck.activity_ids.filtered(
            lambda a: (
                a.summary
                == self.with_context(lang=a.user_id.lang)._entro_retry_summary()
            )
        ).unlink()

    @api.model
    def _cron_entro_fetch_tracking(self):
        """Re-queue the tracking (and label) fetches a carrier kept waiting."""
        waiting = self.search([("entro_ship_state", "=", "waiting_tracking")])
        for picking in waiting:
            picking._entro_enqueue("_entro_job_fetch_tracking", "tracking")
        missing = self.search(
            [
                ("entro_ship_state", "=", "done"),
                ("entro_label_id", "=", False),
                ("entro_shipped_at", ">", fields.Datetime.now() - timedelta(days=7)),
            ]
        )
        for picking in missing:
            picking._entro_enqueue("_entro_job_fetch_label", "label")
