import base64
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..platforms.errors import PermanentError, TokenExpired
from ..platforms.records import Shipment

_logger = logging.getLogger(__name__)

SHIP_STATES = [
    ("pending", "Sending to Platform"),
    ("waiting_tracking", "Waiting for Tracking Number"),
    ("to_retry", "To Retry"),
    ("done", "Shipment Arranged"),
]
#: how long a late tracking number or label is waited for before a person is told
TRACKING_PATIENCE = timedelta(days=2)
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

    # ------------------------------------------------------------------ triggers

    def _action_done(self):
        result = super()._action_done()
        self._entro_after_delivery()
        return result

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
        shop = self.entro_shop_id
        with shop._api_session("shipping label") as client:
            try:
                label = client.get_shipping_label(self._entro_shipment())
            except (PermanentError, TokenExpired) as exc:
                self.entro_ship_message = _("Label: %s", exc)
                return str(exc)
        if label is None:
            self._entro_give_up_if_late(_("label not produced yet"))
            raise RetryableJobError(f"{self.name}: label not ready yet")
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
        return _("label attached")

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

    def _entro_to_retry(self, message):
        self.write({"entro_ship_state": "to_retry", "entro_ship_message": message})
        self.entro_shop_id._schedule_activity(
            _("Shipment to retry"),
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
            picking.entro_shop_id._check_usable()
            if picking.entro_ship_state == "done" and not picking.entro_label_id:
                picking._entro_enqueue("_entro_job_fetch_label", "label")
                continue
            picking.write({"entro_ship_state": "pending", "entro_ship_message": False})
            picking._entro_enqueue("_entro_job_ship", "ship")
        return True

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
