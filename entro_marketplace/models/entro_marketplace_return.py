import json
import logging
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare

from ..platforms.errors import PermanentError
from ..platforms.records import OrderLine
from ..tools.dates import to_aware, to_naive
from ..tools.locks import advisory_xact_lock

_logger = logging.getLogger(__name__)

RETURN_STATES = [
    ("requested", "Requested"),
    ("refunded", "Refunded"),
    ("cancelled", "Cancelled"),
]


class EntroMarketplaceReturn(models.Model):
    """A buyer's return or refund on the platform, and what it made in Odoo."""

    _name = "entro.marketplace.return"
    _description = "Marketplace Return"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "platform_update_time desc, id desc"

    name = fields.Char(compute="_compute_name", store=True)
    shop_id = fields.Many2one(
        "entro.marketplace.shop", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    platform = fields.Selection(related="shop_id.platform", store=True)
    external_id = fields.Char("Return Number", required=True, index=True)
    order_external_id = fields.Char("Order Number", required=True, index=True)
    order_id = fields.Many2one("entro.marketplace.order", index=True)
    sale_order_id = fields.Many2one(
        related="order_id.sale_order_id", store=True, index=True
    )
    status = fields.Char("Platform Status")
    state = fields.Selection(RETURN_STATES, index=True)
    platform_update_time = fields.Datetime("Updated on Platform")
    refund_amount = fields.Float(digits=(16, 2))
    goods_returned = fields.Boolean(
        default=True, help="False for a refund without the goods coming back."
    )
    reason = fields.Char()
    line_data = fields.Json(
        "Returned Lines", help="The returned units as the platform listed them."
    )
    picking_id = fields.Many2one(
        "stock.picking", string="Return Picking", readonly=True, copy=False
    )
    credit_note_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, copy=False
    )
    processed = fields.Boolean(
        readonly=True,
        copy=False,
        help="The return picking and the credit note were made (once).",
    )
    sync_state = fields.Selection(
        [("ok", "Synced"), ("exception", "Exception")],
        default="ok",
        required=True,
        index=True,
    )
    exception_reason = fields.Text(readonly=True)
    payload = fields.Json("Platform Data", copy=False)

    _sql_constraints = [
        (
            "external_id_uniq",
            "unique(shop_id, external_id)",
            "This platform return is already imported for this shop.",
        ),
    ]

    @api.depends("external_id", "order_external_id")
    def _compute_name(self):
        for ret in self:
            ret.name = f"{ret.external_id} ({ret.order_external_id})"

    # -------------------------------------------------------------------- sync

    @api.model
    def _enqueue_sync(self, shop):
        # the job writes in the company's language (credit notes, chatter)
        lang = shop.company_id._entro_lang()
        return (
            self.with_context(lang=lang)
            .with_delay(
                channel=shop._job_channel(),
                identity_key=f"entro-returns-{shop.id}",
                description=f"{shop._platform_label()} {shop.name}: sync returns",
            )
            ._job_sync_returns(shop)
        )

    @api.model
    def _cron_sync_returns(self):
        shops = self.env["entro.marketplace.shop"].search(
            [("state", "=", "connected"), ("sync_orders", "=", True)]
        )
        for shop in shops:
            self._enqueue_sync(shop)

    @api.model
    def _job_sync_returns(self, shop):
        """Import the returns updated since the shop's cursor (with overlap)."""
        now = fields.Datetime.now()
        if shop.return_cursor:
            since = shop.return_cursor - timedelta(minutes=shop.order_overlap_minutes)
        else:
            since = now - timedelta(days=shop.initial_sync_days)
        with shop._api_session("return sync") as client:
            try:
                returns = list(
                    client.iter_returns(
                        to_aware(since), to_aware(now + timedelta(seconds=1))
                    )
                )
            except PermanentError as exc:
                if exc.code == "unsupported":
                    return str(exc)
                raise
        results = [self._import_platform_return(shop, ret) for ret in returns]
        shop.return_cursor = now
        return f"{len(returns)} returns: {', '.join(sorted(set(results)))}"

    @api.model
    def _import_platform_return(self, shop, ret):
        """Create or update the return; when the platform completed it, make the
        return picking and the credit note, once."""
        advisory_xact_lock(self.env.cr, "entro.return", f"{shop.id}:{ret.external_id}")
        record = self.search(
            [("shop_id", "=", shop.id), ("external_id", "=", ret.external_id)]
        )
        binding = self.env["entro.marketplace.order"].search(
            [("shop_id", "=", shop.id), ("external_id", "=", ret.order_external_id)]
        )
        values = {
            "shop_id": shop.id,
            "external_id": ret.external_id,
            "order_external_id": ret.order_external_id,
            "order_id": binding.id or False,
            "status": ret.status,
            "state": ret.state,
            "platform_update_time": to_naive(ret.update_time),
            "refund_amount": float(ret.refund_amount),
            "goods_returned": ret.goods_returned,
            "reason": ret.reason,
            "line_data": [
                {
                    "item_id": line.item_id,
                    "variant_id": line.variant_id,
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "refund_amount": str(line.refund_amount),
                    "order_line_external_id": line.order_line_external_id,
                }
                for line in ret.lines
            ],
            "payload": json.loads(json.dumps(ret.raw, default=str)),
        }
        outcome = "updated" if record else "created"
        if record:
            record.write(values)
        else:
            record = self.create(values)
        if record.state == "refunded" and not record.processed:
            return record._process() or outcome
        return outcome

    # ------------------------------------------------------------- processing

    def _process(self):
        """Return picking (goods back) and credit note (money back), once."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._make_return_picking()
                self._make_credit_note()
                self.write(
                    {"processed": True, "sync_state": "ok", "exception_reason": False}
                )
        except (UserError, ValidationError) as exc:
            reason = str(exc.args[0] if exc.args else exc)
            self.write({"sync_state": "exception", "exception_reason": reason})
            self.shop_id._schedule_activity(
                _("Marketplace return needs attention"), reason, record=self
            )
            return "exception"
        return "processed"

    def _sale(self):
        sale = self.order_id.sale_order_id
        if not sale:
            raise UserError(
                _(
                    "Order %s is not imported (or has no sales order): import it, "
                    "then retry the return.",
                    self.order_external_id,
                )
            )
        return sale

    def _returned_quantities(self, sale):
        """{sale.order.line: quantity} of the returned units."""
        Listing = self.env["entro.marketplace.listing"]
        product_lines = sale.order_line.filtered("entro_external_line_id")
        quantities = {}
        for data in self.line_data or []:
            line = product_lines.filtered(
                lambda sol, d=data: (
                    d.get("order_line_external_id")
                    and sol.entro_external_line_id == d["order_line_external_id"]
                )
            )[:1]
            if not line:
                product = Listing._product_for_line(
                    self.shop_id,
                    OrderLine(
                        external_id="",
                        item_id=data.get("item_id") or "",
                        variant_id=data.get("variant_id"),
                        sku=data.get("sku"),
                        name="",
                        quantity=int(data.get("quantity") or 0),
                        unit_price=0,
                        discounted_unit_price=0,
                    ),
                )
                line = product_lines.filtered(
                    lambda sol, p=product: p and sol.product_id == p
                )[:1]
            if not line:
                raise UserError(
                    _(
                        "Returned item %s matches no line of the sales order.",
                        data.get("sku") or data.get("item_id"),
                    )
                )
            quantities[line] = quantities.get(line, 0) + int(data.get("quantity") or 0)
        return quantities

    def _make_return_picking(self):
        if not self.goods_returned or self.picking_id:
            return
        sale = self._sale()
        delivery = sale.picking_ids.filtered(
            lambda p: (
                p.state == "done"
                and p.picking_type_code == "outgoing"
                and not p.entro_return_id
            )
        )[:1]
        if not delivery:
            return  # refunded before it was delivered: nothing comes back
        by_product = {}
        for line, qty in self._returned_quantities(sale).items():
            by_product[line.product_id] = by_product.get(line.product_id, 0) + qty
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        for return_line in wizard.product_return_moves:
            wanted = by_product.pop(return_line.product_id, 0)
            return_line.quantity = min(wanted, return_line.move_id.quantity)
        picking = wizard._create_return()
        picking.write({"entro_return_id": self.id})
        picking.message_post(
            body=_("Return %s from the marketplace.", self.external_id)
        )
        self.picking_id = picking

    def _make_credit_note(self):
        if self.credit_note_id:
            return
        sale = self._sale()
        invoices = sale.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if not invoices:
            self.message_post(
                body=_(
                    "Not invoiced yet: no credit note. The invoice will follow the "
                    "delivered quantities."
                )
            )
            return
        invoice = invoices[:1]
        lines = [
            fields.Command.create(
                {
                    "product_id": line.product_id.id,
                    "name": line.name,
                    "quantity": qty,
                    "price_unit": line.price_unit,
                    "tax_ids": [fields.Command.set(line.tax_id.ids)],
                }
            )
            for line, qty in self._returned_quantities(sale).items()
        ]
        # as sale.order._create_invoices does: a salesperson's flow may make the
        # accounting document without accounting rights
        move = (
            self.env["account.move"]
            .sudo()
            .with_company(sale.company_id)
            .create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "journal_id": (sale._entro_journal() or invoice.journal_id).id,
                    "invoice_origin": sale.name,
                    "ref": _("Marketplace return %s", self.external_id),
                    "reversed_entry_id": invoice.id,
                    "currency_id": invoice.currency_id.id,
                    "invoice_line_ids": lines,
                }
            )
        )
        difference = self.refund_amount - move.amount_total
        rounding = move.currency_id.rounding
        if self.refund_amount and float_compare(
            difference, 0, precision_rounding=rounding
        ):
            # what the platform refunds beyond (or short of) the goods' price:
            # their share of vouchers, shipping
            product = self.env.ref(
                "entro_marketplace.product_marketplace_seller_voucher"
            )
            taxes = self.shop_id.sale_tax_id
            move.invoice_line_ids = [
                fields.Command.create(
                    {
                        "product_id": product.id,
                        "name": _("Refund adjustment (vouchers, shipping)"),
                        "quantity": 1,
                        "price_unit": difference,
                        "tax_ids": [fields.Command.set(taxes.ids)],
                    }
                )
            ]
        move.action_post()
        self.credit_note_id = move
        sale.message_post(
            body=_(
                "Credit note %(move)s for marketplace return %(ret)s.",
                move=move.name,
                ret=self.external_id,
            )
        )

    # ------------------------------------------------------------------ actions

    def action_retry(self):
        """Make the return picking and credit note again after a fix."""
        for ret in self.filtered(lambda r: r.state == "refunded" and not r.processed):
            if not ret.order_id:
                ret.order_id = self.env["entro.marketplace.order"].search(
                    [
                        ("shop_id", "=", ret.shop_id.id),
                        ("external_id", "=", ret.order_external_id),
                    ]
                )
            ret._process()
        return True

    def action_sync(self):
        for shop in self.shop_id:
            shop._check_usable()
            self._enqueue_sync(shop)
        return self.shop_id._queued_notification(_("Returns sync"))
