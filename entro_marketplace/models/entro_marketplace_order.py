import json
import logging
from datetime import timedelta
from decimal import Decimal

import psycopg2.errors
from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.misc import formatLang

from odoo.addons.queue_job.exception import RetryableJobError

from ..tools.dates import to_aware, to_naive
from ..tools.locks import advisory_xact_locks, stock_transaction

_logger = logging.getLogger(__name__)

ORDER_STATES = [
    ("unpaid", "Unpaid"),
    ("pending", "Pending"),
    ("to_ship", "To Ship"),
    ("shipped", "Shipped"),
    ("delivered", "Delivered"),
    ("completed", "Completed"),
    ("in_cancel", "Cancellation Requested"),
    ("cancelled", "Cancelled"),
    ("to_return", "Return Requested"),
    ("returned", "Returned"),
]
# Normalised states in which the buyer has paid (or COD is accepted): the sale
# order is confirmed, which reserves the stock.
CONFIRMED_STATES = {
    "to_ship",
    "shipped",
    "delivered",
    "completed",
    "in_cancel",
    "to_return",
    "returned",
}
# Adjustment lines: Order attribute -> (product xmlid, sign on the sale order).
ADJUSTMENTS = [
    ("shipping_fee", "entro_marketplace.product_marketplace_shipping", 1),
    ("shipping_discount", "entro_marketplace.product_marketplace_shipping", -1),
    ("seller_voucher", "entro_marketplace.product_marketplace_seller_voucher", -1),
    ("platform_voucher", "entro_marketplace.product_marketplace_platform_voucher", -1),
    ("coins", "entro_marketplace.product_marketplace_platform_voucher", -1),
    ("other_discounts", "entro_marketplace.product_marketplace_seller_voucher", -1),
    ("other_fees", "entro_marketplace.product_marketplace_shipping", 1),
]

#: how far back the hourly retry fetches orders whose breakdown is pending
PENDING_AMOUNTS_DAYS = 30
#: ... and how many detail batches of each shop it fetches per run at most
PENDING_AMOUNTS_BATCHES = 20


def _as_float(value):
    try:
        return float(value or 0)
    except (TypeError, ValueError):
        return 0.0


class OrderMappingError(UserError):
    """A platform order that cannot become a sale order until a person acts."""


class EntroMarketplaceOrder(models.Model):
    """A platform order bound to a sale order."""

    _name = "entro.marketplace.order"
    _description = "Marketplace Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "platform_create_time desc, id desc"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name", store=True)
    shop_id = fields.Many2one(
        "entro.marketplace.shop", required=True, index=True, ondelete="restrict"
    )
    company_id = fields.Many2one(related="shop_id.company_id", store=True, index=True)
    platform = fields.Selection(related="shop_id.platform", store=True)
    external_id = fields.Char("Order Number", required=True, index=True)
    sale_order_id = fields.Many2one(
        "sale.order", index=True, ondelete="set null", copy=False
    )
    # not tracked here (the related field would inherit the sale order's
    # tracking): the sale order tracks its customer; here each import would post
    # the buyer's name once more in the order's chatter
    partner_id = fields.Many2one(related="sale_order_id.partner_id", tracking=False)
    # issue 18: the inverse of the returns' order, so that writing the sale
    # orders of a batch's orders reads their returns (whose stored sale_order_id
    # follows) in one query for the batch, where the ORM searched them per order
    return_ids = fields.One2many(
        "entro.marketplace.return", "order_id", string="Marketplace Returns"
    )
    status = fields.Char(
        "Platform Status", help="The status as the platform says it (its own code)."
    )
    state = fields.Selection(
        ORDER_STATES,
        "Status",
        index=True,
        help="Where the order is, in the same words for every platform.",
    )
    platform_create_time = fields.Datetime("Ordered On")
    platform_update_time = fields.Datetime("Updated on Platform")
    currency_code = fields.Char("Platform Currency")
    amount_total = fields.Monetary(
        "Platform Total",
        currency_field="currency_id",
        help="What the buyer pays, as the platform says it.",
    )
    sale_amount_total = fields.Monetary(
        related="sale_order_id.amount_total",
        string="Odoo Total",
        store=True,
        tracking=False,
        help="The total of the sale order in Odoo.",
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        help="The order's currency: the platform's, else the sale order's.",
    )
    amounts_complete = fields.Boolean(
        default=True,
        help="False when the platform did not give the breakdown of every discount: "
        "the unexplained part is on the order as one discount line.",
    )
    amounts_pending = fields.Boolean(
        "Breakdown Pending",
        readonly=True,
        copy=False,
        help="The platform's breakdown of this paid order (vouchers, shipping, "
        "platform subsidies) could not be read when it was imported: the app "
        "lacks the permission for the platform's payment API, or that API was "
        "down. The sale order has the platform's total, the difference from its "
        "lines in one adjustment line; the breakdown is completed, the total "
        "unchanged, when the order is fetched again (its next change, Fetch Again, "
        "or the hourly retry of pending breakdowns).",
    )
    payment_method = fields.Char()
    cod = fields.Boolean("Cash on Delivery")
    tracking_numbers = fields.Char()
    sync_state = fields.Selection(
        [("ok", "Synced"), ("exception", "Exception")],
        default="ok",
        required=True,
        index=True,
    )
    exception_reason = fields.Text(readonly=True)
    payload = fields.Json(
        "Platform Data",
        copy=False,
        help="The platform's own record of the order, as last received.",
    )
    payload_text = fields.Text(compute="_compute_payload_text")
    update_count = fields.Integer(
        default=0, help="How many times a newer version of the order was applied."
    )

    # --- issue 20 (c20-orders): what a seller reads on the order: the items
    # bought, the ship-by deadline, the buyer's message, the amounts' breakdown
    # and why the platform's total and Odoo's differ
    # (the ship-by deadline, ship_by_date, is the platform's, read by its mapper;
    # entro_marketplace_order_overview.py gives the default where a platform gives none)
    buyer_message = fields.Text(
        "Buyer's Message", readonly=True, help="What the buyer wrote to the shop."
    )
    order_items = fields.Json(
        "Items Bought (Data)",
        readonly=True,
        copy=False,
        help="The order's lines as the platform gave them (normalised).",
    )
    order_items_html = fields.Html(
        "Items Bought", compute="_compute_order_items_html", sanitize=False
    )
    amount_items_original = fields.Monetary(
        "Items at List Price",
        readonly=True,
        help="The items at the listing price, before any discount.",
    )
    amount_item_seller_discount = fields.Monetary(
        "Item Discounts by the Seller", readonly=True
    )
    amount_item_platform_discount = fields.Monetary(
        "Item Discounts by the Platform", readonly=True
    )
    amount_items = fields.Monetary(
        "Items Total",
        readonly=True,
        help="The items at the price the buyer is charged.",
    )
    amount_shipping = fields.Monetary(
        "Shipping Fee", readonly=True, help="Shipping charged to the buyer."
    )
    amount_shipping_discount = fields.Monetary(
        "Shipping Discounts",
        readonly=True,
        help="Shipping discounts (by the seller or the platform) not in the fee.",
    )
    amount_seller_voucher = fields.Monetary(
        "Seller Vouchers", readonly=True, help="Vouchers funded by the seller."
    )
    amount_platform_voucher = fields.Monetary(
        "Platform Vouchers", readonly=True, help="Vouchers funded by the platform."
    )
    amount_coins = fields.Monetary(
        "Platform Coins", readonly=True, help="Platform coins the buyer redeemed."
    )
    amount_other_discounts = fields.Monetary(
        "Other Discounts",
        readonly=True,
        help="Discounts the platform did not break down.",
    )
    amount_other_fees = fields.Monetary(
        "Other Fees", readonly=True, help="Fees and taxes paid by the buyer."
    )
    amount_difference = fields.Monetary(
        "Difference",
        compute="_compute_amount_difference",
        store=True,
        help="Platform Total less Odoo Total.",
    )
    amount_difference_reason = fields.Text(
        "Why the Totals Differ", compute="_compute_amount_difference_reason"
    )

    _sql_constraints = [
        (
            "external_id_uniq",
            "unique(shop_id, external_id)",
            "This platform order is already imported for this shop.",
        ),
    ]

    @api.depends("shop_id.platform", "external_id")
    def _compute_name(self):
        Shop = self.env["entro.marketplace.shop"]
        labels = dict(Shop._fields["platform"]._description_selection(self.env))
        for order in self:
            order.name = f"{labels.get(order.shop_id.platform, '')} {order.external_id}"

    @api.depends("currency_code", "sale_order_id.currency_id", "company_id")
    def _compute_currency_id(self):
        # the usual code is the company's or the sale order's currency: found
        # without a search (an import computes this order by order)
        currencies = {}
        for order in self:
            for currency in (
                order.sale_order_id.currency_id,
                order.company_id.currency_id,
            ):
                if currency:
                    currencies.setdefault(currency.name, currency)
        currencies = self._currencies_by_code(
            set(self.filtered("currency_code").mapped("currency_code")), currencies
        )
        for order in self:
            order.currency_id = (
                currencies.get(order.currency_code)
                or order.sale_order_id.currency_id
                or order.company_id.currency_id
            )

    @api.depends("amount_total", "sale_amount_total", "sale_order_id")
    def _compute_amount_difference(self):
        for order in self:
            order.amount_difference = order.amount_total - order.sale_amount_total

    @api.depends(
        "amount_difference",
        "sale_order_id.state",
        "sale_order_id.order_line.price_total",
        "state",
        "sync_state",
    )
    def _compute_amount_difference_reason(self):
        for order in self:
            order.amount_difference_reason = order._explain_difference() or False

    def _explain_difference(self):
        """Why Platform Total and Odoo Total differ, in the seller's words."""
        self.ensure_one()
        currency = self.currency_id
        if not currency or currency.is_zero(self.amount_difference):
            return ""
        sale = self.sale_order_id
        if not sale:
            if self.state == "cancelled":
                return _(
                    "Cancelled on the platform before it was imported: there is no "
                    "sale order, so nothing counts in Odoo."
                )
            if self.sync_state == "exception":
                return _(
                    "Held in exception: its sale order is created once the problem "
                    "above is solved."
                )
            return _("No sale order yet (an unpaid order not imported yet).")
        if sale.currency_id != currency:
            return _(
                "The sale order is in %(odoo)s, the platform's order in %(platform)s.",
                odoo=sale.currency_id.name,
                platform=currency.name,
            )
        amount = self._format_amount(abs(self.amount_difference))
        if sale.state == "cancel":
            return _(
                "The sale order is cancelled; the platform still shows %(amount)s.",
                amount=amount,
            )
        reasons = []
        if abs(self.amount_difference) < currency.rounding * 2:
            reasons.append(_("Rounding of %(amount)s.", amount=amount))
        booked = self._booked_amounts()
        expected = {
            "items": self.amount_items,
            "shipping": self.amount_shipping
            - self.amount_shipping_discount
            + self.amount_other_fees,
            "seller": -(self.amount_seller_voucher + self.amount_other_discounts),
            "platform": -(self.amount_platform_voucher + self.amount_coins),
        }
        labels = {
            "items": _("Items"),
            "shipping": _("Shipping and fees"),
            "seller": _("Seller vouchers and discounts"),
            "platform": _("Platform vouchers and coins"),
        }
        for key, label in labels.items():
            if currency.compare_amounts(booked[key], expected[key]):
                reasons.append(
                    _(
                        "%(what)s: %(platform)s on the platform, %(odoo)s booked on "
                        "the sale order.",
                        what=label,
                        platform=self._format_amount(expected[key]),
                        odoo=self._format_amount(booked[key]),
                    )
                )
        if self.amounts_pending:
            reasons.append(
                _("The platform's breakdown is pending: fetched again later.")
            )
        if not reasons:
            reasons.append(
                _(
                    "The sale order was changed after its import (lines, prices or "
                    "taxes), or the platform changed the order since."
                )
            )
        return "\n".join(reasons)

    def _booked_amounts(self):
        """The sale order's amounts (tax included) by kind: items, shipping and
        fees, seller discounts, platform discounts."""
        self.ensure_one()
        refs = {}
        for _attribute, xmlid, _sign in ADJUSTMENTS:
            product = self.env.ref(xmlid, raise_if_not_found=False)
            if product:
                kind = {
                    "entro_marketplace.product_marketplace_shipping": "shipping",
                    "entro_marketplace.product_marketplace_seller_voucher": "seller",
                    "entro_marketplace.product_marketplace_platform_voucher": (
                        "platform"
                    ),
                }[xmlid]
                refs[product.id] = kind
        booked = dict.fromkeys(("items", "shipping", "seller", "platform"), 0.0)
        for line in self.sale_order_id.order_line.filtered(
            lambda sol: not sol.display_type
        ):
            booked[refs.get(line.product_id.id, "items")] += line.price_total
        return booked

    def _format_amount(self, amount):
        return formatLang(self.env, amount, currency_obj=self.currency_id)

    @api.depends("order_items", "currency_id", "sale_order_id.order_line")
    def _compute_order_items_html(self):
        for order in self:
            order.order_items_html = (
                order._render_items() if order.order_items else False
            )

    def _render_items(self):
        """The items bought as a table (every value escaped: the platform's text)."""
        self.ensure_one()
        products = {
            line.entro_external_line_id: line.product_id
            for line in self.sale_order_id.order_line
            if line.entro_external_line_id
        }
        head = Markup(
            "<table class='table table-sm o_entro_order_items'><thead><tr>"
            "<th>%s</th><th>%s</th><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead><tbody>"
        ) % (
            _("Item"),
            _("SKU"),
            _("Product in Odoo"),
            _("Quantity"),
            _("List Price"),
            _("Price Paid"),
            _("Subtotal"),
        )
        rows = []
        for item in self.order_items or []:
            if not isinstance(item, dict):
                continue
            product = products.get(item.get("external_id"))
            cancelled = item.get("cancelled")
            name = escape(item.get("name") or "")
            if cancelled:
                name = Markup(
                    "<s>%s</s> <span class='badge text-bg-danger'>%s</span>"
                ) % (
                    name,
                    _("Cancelled"),
                )
            rows.append(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (
                    name,
                    item.get("sku") or "",
                    product.display_name if product else "",
                    item.get("quantity") or 0,
                    self._format_amount(_as_float(item.get("unit_price"))),
                    self._format_amount(_as_float(item.get("discounted_unit_price"))),
                    self._format_amount(
                        _as_float(item.get("discounted_unit_price"))
                        * (item.get("quantity") or 0)
                    ),
                )
            )
        return head + Markup("").join(rows) + Markup("</tbody></table>")

    @api.model
    def _readable_values(self, order):
        """The values a seller reads on the order (issue 20), from an Order."""

        def item(line, cancelled=False):
            return {
                "external_id": line.external_id,
                "item_id": line.item_id,
                "variant_id": line.variant_id,
                "sku": line.sku,
                "name": (line.name or "")[:300],
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "discounted_unit_price": str(line.discounted_unit_price),
                "seller_discount": str(line.seller_discount),
                "platform_discount": str(line.platform_discount),
                "cancelled": cancelled,
            }

        lines = order.lines or []

        def total(amounts):
            # the platform's numbers as they came: an unreadable one (a broken
            # order, kept in exception) shows as nothing rather than failing
            try:
                return float(sum(amounts(), Decimal(0)))
            except (TypeError, ValueError, ArithmeticError):
                return 0.0

        return {
            # r20-mend: the platform's ship-by deadline (its mapper's); none
            # given, the order keeps the one it has, or the default
            **(
                {"ship_by_date": to_naive(order.ship_by_time)}
                if order.ship_by_time
                else {}
            ),
            "buyer_message": order.buyer_message or False,
            "order_items": [item(line) for line in lines]
            + [item(line, True) for line in order.cancelled_lines or []],
            "amount_items_original": total(
                lambda: (x.original_subtotal for x in lines)
            ),
            "amount_item_seller_discount": total(
                lambda: (x.seller_discount for x in lines)
            ),
            "amount_item_platform_discount": total(
                lambda: (x.platform_discount for x in lines)
            ),
            "amount_items": total(lambda: (x.subtotal for x in lines)),
            **{
                field: total(lambda a=attribute: [getattr(order, a) or Decimal(0)])
                for field, attribute in (
                    ("amount_shipping", "shipping_fee"),
                    ("amount_shipping_discount", "shipping_discount"),
                    ("amount_seller_voucher", "seller_voucher"),
                    ("amount_platform_voucher", "platform_voucher"),
                    ("amount_coins", "coins"),
                    ("amount_other_discounts", "other_discounts"),
                    ("amount_other_fees", "other_fees"),
                )
            },
        }

    def _compute_payload_text(self):
        for order in self:
            order.payload_text = (
                json.dumps(order.payload, indent=2, ensure_ascii=False, default=str)
                if order.payload
                else False
            )

    # ------------------------------------------------------------------- reading

    @api.model
    def _latest_update_times(self, shop, external_ids):
        if not external_ids:
            return {}
        rows = self.search_read(
            [
                ("shop_id", "=", shop.id),
                ("external_id", "in", external_ids),
                ("sync_state", "=", "ok"),
                # fetched again even unchanged: its breakdown may be readable now
                ("amounts_pending", "=", False),
            ],
            ["external_id", "platform_update_time"],
        )
        return {r["external_id"]: r["platform_update_time"] for r in rows}

    # ------------------------------------------------------------------- import
    #
    # The order path, one way: cron, action or event -> shop job -> here -> the
    # shop's client (overrides applied there) -> binding -> sale order.

    @api.model
    def _sync_from_platform(self, shop):
        """List the orders of ``shop`` changed since its cursor; queue their import.

        The cursor moves in the same transaction as the import jobs are created,
        so an order is either covered by a pending job or not yet past the cursor.
        Where the list carries whole headers, those of the orders to import are
        staged (entro.marketplace.order.staging) for the import jobs, never put
        in the jobs' arguments.
        """
        shop._check_order_import()
        # sudo: the shop's own sync bookkeeping (a Marketplace user, who may
        # sync, cannot write the shop)
        bookkeeping = shop.sudo()
        paused = shop._orders_sync_paused()
        if paused:
            bookkeeping.write({"last_error": paused})
            return f"paused: {paused}"
        now = fields.Datetime.now()
        if shop.order_cursor:
            since = shop.order_cursor - timedelta(minutes=shop.order_overlap_minutes)
        else:
            since = now - timedelta(days=shop.initial_sync_days)
        # Platforms compare whole seconds: end the window after the current one,
        # so that an order updated a moment ago is not left for the next run.
        until = now + timedelta(seconds=1)
        with shop._api_session("order sync") as client:
            refs = list(client.iter_order_refs(to_aware(since), to_aware(until)))
        known = self._latest_update_times(shop, [r.external_id for r in refs])
        todo = [
            ref
            for ref in refs
            if not (
                ref.update_time
                and known.get(ref.external_id)
                and to_naive(ref.update_time) <= known[ref.external_id]
            )
        ]
        if client.refs_carry_headers:
            # sudo: the staging store is written by the system only (no user may)
            self.env["entro.marketplace.order.staging"].sudo()._stage(
                shop, client, todo
            )
        shop._enqueue_order_import([ref.external_id for ref in todo])
        bookkeeping.write(
            {"order_cursor": now, "last_sync_at": now, "last_error": False}
        )
        return f"{len(refs)} orders changed, {len(todo)} to import"

    @api.model
    def _import_from_platform(self, shop, external_ids):
        """Fetch these orders of ``shop`` (one detail batch) and import them.

        Headers the order sync staged are used (then deleted with the import), so
        that the platform is asked only for what a header lacks.

        Runs as the superuser once the user's right to import the shop's orders
        is checked (see the shop's :meth:`_check_order_import`); the user stays
        the author of what it creates.
        """
        shop._check_order_import()
        # sudo: the staging store is the system's (managers only read it)
        Staging = self.env["entro.marketplace.order.staging"].sudo()
        with shop._api_session("order import") as client:
            staged = client.refs_carry_headers
            headers = Staging._headers_for(shop, external_ids) if staged else None
            orders = client.get_orders(external_ids, headers=headers)
        # Reservations and stock flags: one import of the company at a time, each
        # seeing what the previous one committed (no deadlock, no serialization
        # failure between jobs running side by side).
        with stock_transaction(shop) as env:
            env = env(su=True)
            shop_in_env = shop.with_env(env)
            results = self.with_env(env)._import_platform_orders(shop_in_env, orders)
            if staged:
                # deleted in the transaction that imports them
                Staging.with_env(env).sudo()._consume(shop_in_env, orders)
        missing = set(external_ids) - {o.external_id for o in orders}
        return (
            f"{len(orders)} imported"
            + (f", not returned by the platform: {sorted(missing)}" if missing else "")
            + f" ({', '.join(sorted(set(results)))})"
        )

    def _lock(self, shop, external_ids):
        """Serialise the imports of these platform orders across workers."""
        advisory_xact_locks(
            self.env.cr, "entro.order", [f"{shop.id}:{eid}" for eid in external_ids]
        )

    @api.model
    def _claim(self, shop, external_ids, known=None):
        """{external id: (binding, created)} of these orders (of one batch, in
        their order), safe against concurrent imports.

        ``known``: {external id: binding} of the batch's orders already found
        (one search for the batch, as good as one after the locks: what another
        job commits after this transaction's snapshot is invisible to either, and
        met by the INSERT below).

        The orders are locked together (one query), and the new ones claimed
        together: one INSERT .. ON CONFLICT of their rows, in their order, so
        that their ids count them as entro_billing's quota does, one after the
        other. A job whose snapshot predates another job's commit cannot see that
        job's bindings: the INSERT then conflicts, or raises a serialization
        failure, turned into a retry of the job (with a fresh snapshot), as one
        order's claim did before. The claimed rows carry no personal data, and a
        failed attempt is not logged.
        """
        self._lock(shop, external_ids)
        if known is None:
            known = {
                binding.external_id: binding
                for binding in self.search(
                    [("shop_id", "=", shop.id), ("external_id", "in", external_ids)]
                )
            }
        new = [eid for eid in dict.fromkeys(external_ids) if eid not in known]
        created = {}
        if new:
            self.env.flush_all()
            label = shop._platform_label()
            rows = [
                (
                    shop.id,
                    shop.company_id.id,
                    shop.platform,
                    f"{label} {eid}",
                    eid,
                    self.env.uid,
                )
                for eid in new
            ]
            values = ", ".join(["%s"] * len(rows))
            try:
                with self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        f"""
                        INSERT INTO entro_marketplace_order
                            (shop_id, company_id, platform, name, external_id,
                             sync_state, update_count, amounts_complete,
                             amounts_pending, cod,
                             create_uid, write_uid, create_date, write_date)
                        SELECT v.shop_id, v.company_id, v.platform, v.name,
                               v.external_id, 'ok', 0, true, false, false,
                               v.uid, v.uid,
                               now() at time zone 'UTC', now() at time zone 'UTC'
                          FROM (VALUES {values})
                            AS v(shop_id, company_id, platform, name, external_id,
                                 uid)
                        ON CONFLICT (shop_id, external_id) DO NOTHING
                        RETURNING id, external_id
                        """,  # only placeholders are formatted in
                        rows,
                        log_exceptions=False,
                    )
                    created = {eid: id_ for id_, eid in self.env.cr.fetchall()}
            except psycopg2.errors.SerializationFailure:
                created = {}
            if len(created) < len(new):
                raise RetryableJobError(
                    f"order(s) {', '.join(e for e in new if e not in created)} "
                    "being imported by another job",
                    seconds=5,
                    ignore_retry=True,
                )
        # one recordset: what is read of one binding is read of all at once
        ids = [known[eid].id if eid in known else created[eid] for eid in external_ids]
        bindings = {binding.id: binding for binding in self.browse(ids)}
        return {
            eid: (bindings[id_], eid in created)
            for eid, id_ in zip(external_ids, ids, strict=True)
        }

    @api.model
    def _import_platform_order(self, shop, order):
        """Import one normalised Order: see :meth:`_import_platform_orders`."""
        return self._import_platform_orders(shop, [order])[0]

    @api.model
    def _import_platform_orders(self, shop, orders):
        """Create or update the bindings and sale orders of normalised Orders.

        Returns what happened to each, in their order: created, updated,
        unchanged, older or exception. Never moves an order back on an older
        update; an order that cannot be mapped is kept in the exception state
        with an activity, never dropped.

        The batch's orders are claimed together (:meth:`_claim`), then each is
        classified on its own; the new sale orders of the batch are then created
        together and the paid ones confirmed together, in one savepoint. Should
        that fail, they are imported one at a time, each in a savepoint of its
        own, so that one bad order cannot block the others (nothing lost,
        nothing twice). Updates of existing sale orders are applied one at a
        time.

        What the import creates (buyers, sale orders, their deliveries and
        invoices) is not followed by the user who queued it: Odoo subscribes a
        record's creator, and that user would follow every buyer and delivery of
        the shop (notified of each), at the cost of inserting followers for
        each record.
        """
        if not self.env.context.get("mail_create_nosubscribe"):
            return self.with_context(
                mail_create_nosubscribe=True
            )._import_platform_orders(
                shop.with_context(mail_create_nosubscribe=True), orders
            )
        results = [None] * len(orders)
        # the same order twice in one batch: the later one after the first
        first, again, seen = [], [], set()
        for index, order in enumerate(orders):
            (again if order.external_id in seen else first).append(index)
            seen.add(order.external_id)
        # the products of every line of the batch, in three queries
        Listing = self.env["entro.marketplace.listing"]
        resolved = Listing._products_for_lines(
            shop, [line for index in first for line in orders[index].lines]
        )
        products, start = {}, 0
        for index in first:
            products[index] = resolved[start : start + len(orders[index].lines)]
            start += len(orders[index].lines)
        # the batch's orders locked, and the new ones claimed, together
        claims = self._claim(shop, [orders[i].external_id for i in first])
        currencies = self._currency_ids(shop, orders)
        together = []
        for index in first:
            order = orders[index]
            binding, created = claims[order.external_id]
            outcome = binding._receive_platform_order(order, created, currencies)
            if outcome:
                results[index] = outcome
            elif binding.sale_order_id or order.state == "cancelled":
                results[index] = binding._apply_alone(order, created)
            else:
                try:
                    binding._check_amounts(order)
                    lines = binding._prepare_lines(order, products[index])
                except (UserError, ValidationError) as exc:
                    # nothing written yet: no savepoint to roll back
                    binding._set_exception(str(exc.args[0] if exc.args else exc))
                    results[index] = "exception"
                    continue
                together.append((index, binding, order, created, lines))
        if together:
            for index, outcome in self._create_sale_orders(shop, together):
                results[index] = outcome
        if again:
            outcomes = self._import_platform_orders(shop, [orders[i] for i in again])
            for index, outcome in zip(again, outcomes, strict=True):
                results[index] = outcome
        return results

    @api.model
    def _currencies_by_code(self, codes, known):
        """{code: res.currency} of these currency codes: ``known`` ({code:
        currency} already at hand, e.g. the company's), and one search for the
        others."""
        currencies = dict(known)
        if codes - set(currencies):
            currencies.update(
                (currency.name, currency)
                for currency in self.env["res.currency"]
                .with_context(active_test=False)
                .search([("name", "in", list(codes - set(currencies)))])
            )
        return currencies

    @api.model
    def _currency_ids(self, shop, orders):
        """{currency code: id} of these orders' currencies, for a batch: one
        search at most, where computing each binding's currency as it is
        written searched once per order for a code that is neither the
        company's nor (not created yet) its sale order's."""
        codes = {order.currency for order in orders if order.currency}
        company = shop.company_id.currency_id
        found = self._currencies_by_code(codes, {company.name: company})
        return {code: found[code].id for code in codes if code in found}

    def _receive_platform_order(self, order, created, currencies=None):
        """Record a claimed order's platform data on its binding.

        ``currencies``: {code: id} of the batch's currencies (see
        :meth:`_currency_ids`), written with the rest rather than computed
        binding by binding.

        Returns the outcome when there is nothing more to do (older, unchanged,
        exception), or None when its sale order is to be created or updated.
        """
        self.ensure_one()
        update_time = to_naive(order.update_time)
        known = self.platform_update_time
        if not created and not order.problems and known and update_time:
            if update_time < known:
                return "older"
            if (
                update_time == known
                and self.status == order.status
                and self.sync_state == "ok"
                # the breakdown that was pending is readable now
                and not (self.amounts_pending and not order.amounts_pending)
            ):
                return "unchanged"
        values = self._values_from_platform(self.shop_id, order)
        if not created:
            values["update_count"] = self.update_count + 1
        if order.problems:
            reason = _(
                "The platform's data for this order could not be read: "
                "%(problem)s. It is kept here; fetch it again once the platform "
                "has corrected it, or handle it by hand.",
                problem="; ".join(order.problems),
            )
        elif order.unknown_statuses:
            reason = _(
                "The platform reports this order in a status Entro does not know: "
                "%(statuses)s. Its sale order is left as it was rather than moved "
                "to a guessed state. Map the status in the shop's Status Mapping "
                "Overrides, then fetch the order again (Retry).",
                statuses=", ".join(order.unknown_statuses),
            )
        else:
            reason = None
        if reason:
            # kept with the platform's raw data, the sale order left as it was
            values = {
                k: v
                for k, v in values.items()
                if k in ("shop_id", "external_id", "status", "payload", "update_count")
            }
            self.write(values)
            self._set_exception(reason)
            return "exception"
        if currencies and order.currency in currencies:
            # what _compute_currency_id gives: the currency of the platform's code
            values["currency_id"] = currencies[order.currency]
        self.write(values)
        if created:
            self.shop_id._on_order_created(self)
        return None

    def _apply_alone(self, order, created):
        """Apply the order to its sale order in a savepoint of its own."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._apply_to_sale_order(order)
        except (UserError, ValidationError) as exc:
            self._set_exception(str(exc.args[0] if exc.args else exc))
            return "exception"
        self._applied(order)
        return "created" if created else "updated"

    def _applied(self, order):
        """The sale order follows the platform's order: clear what was pending."""
        self.ensure_one()
        pending = bool(
            order.amounts_pending
            and self.sale_order_id
            and order.state in CONFIRMED_STATES
        )
        if self.amounts_pending != pending:
            self.amounts_pending = pending
        if self.sync_state == "exception":
            self._clear_exception()

    @api.model
    def _create_sale_orders(self, shop, items):
        """Create the sale orders of new platform orders together, and confirm
        the paid ones together; one at a time should that fail.

        ``items``: (index, binding, order, created, product and adjustment
        lines). Returns [(index, outcome)].
        """
        # the batch's bindings as written so far, outside the savepoint: a
        # failure there (a serialization failure) fails the job, to be retried
        self.env.cr.flush()
        try:
            with self.env.cr.savepoint():
                self._create_sale_orders_together(shop, items)
        except (UserError, ValidationError, psycopg2.Error) as exc:
            # an order's data, a constraint, a lock: each one alone now, the
            # failing one held (or failing the job as before), the others in
            _logger.info(
                "%s new orders of %s imported one at a time: %s",
                len(items),
                shop.name,
                exc.__class__.__name__,
            )
            return [
                (index, binding._apply_alone(order, created))
                for index, binding, order, created, _lines in items
            ]
        outcomes = []
        for index, binding, order, created, _lines in items:
            binding._applied(order)
            outcomes.append((index, "created" if created else "updated"))
        return outcomes

    @api.model
    def _create_sale_orders_together(self, shop, items):
        partners = self.env["res.partner"]._entro_buyer_partners_many(
            shop, [order for _index, _binding, order, _created, _lines in items]
        )
        values = [
            binding._sale_order_values(order, lines, buyer)
            for (_index, binding, order, _created, lines), buyer in zip(
                items, partners, strict=True
            )
        ]
        # not followed by the queuing user: see _import_platform_orders
        sales = self.env["sale.order"].with_company(shop.company_id).create(values)
        payable = self.env["sale.order"]
        for (_index, binding, order, _created, _lines), sale in zip(
            items, sales, strict=True
        ):
            binding._check_currency(order, sale)
            binding._check_total(order, sale)
            binding.sale_order_id = sale
            if order.state in CONFIRMED_STATES:
                payable |= sale
        if payable:
            payable.with_company(shop.company_id).action_confirm()
        for (_index, binding, order, _created, _lines), sale in zip(
            items, sales, strict=True
        ):
            binding._follow_status(order, sale)
        return sales

    @api.model
    def _values_from_platform(self, shop, order):
        return {
            "shop_id": shop.id,
            "external_id": order.external_id,
            "status": order.status,
            "state": order.state,
            "platform_create_time": to_naive(order.create_time),
            "platform_update_time": to_naive(order.update_time),
            "currency_code": order.currency,
            "amount_total": float(order.total_amount),
            "amounts_complete": order.amounts_complete,
            "payment_method": order.payment_method,
            "cod": order.cod,
            "tracking_numbers": ", ".join(order.tracking_numbers) or False,
            "payload": json.loads(json.dumps(order.raw, default=str)),
            # issue 20 (c20-orders): items, ship-by, buyer's message, breakdown
            **self._readable_values(order),
        }

    def _set_exception(self, reason):
        self.ensure_one()
        self.write({"sync_state": "exception", "exception_reason": reason})
        self.shop_id._schedule_activity(
            _("Marketplace order needs attention"), reason, record=self
        )
        _logger.info("%s kept in exception: %s", self.name, reason)

    def _clear_exception(self):
        self.write({"sync_state": "ok", "exception_reason": False})
        self.activity_ids.filtered(
            lambda a: a.summary == _("Marketplace order needs attention")
        ).action_feedback(feedback=_("Imported after the problem was resolved."))

    # -------------------------------------------------------------- sale orders

    def _apply_to_sale_order(self, order):
        """Create the sale order if needed, then follow the platform's status."""
        self.ensure_one()
        self._check_amounts(order)
        sale = self.sale_order_id
        if not sale:
            if order.state == "cancelled":
                # Cancelled before it was ever imported: nothing to reserve or ship.
                return
            sale = self._create_sale_order(order)
            self.sale_order_id = sale
        elif sale.state in ("draft", "sent") and order.state != "cancelled":
            # Still a quotation (unpaid): its lines follow the platform's, e.g. the
            # exact voucher breakdown that arrives with the payment.
            sale.order_line.unlink()
            sale.order_line = [
                fields.Command.create(line) for line in self._prepare_lines(order)
            ]
            self._check_total(order, sale)
            self._follow_address(order, sale)
        elif sale.state == "sale" and order.state != "cancelled":
            self._sync_confirmed_sale(order, sale)
        self._follow_status(order, sale)

    def _check_amounts(self, order):
        """A paid order is imported only with amounts that add up: its breakdown,
        or the platform's total while the breakdown is pending."""
        if (
            order.state in CONFIRMED_STATES
            and not order.amounts_complete
            and not order.amounts_pending
        ):
            raise OrderMappingError(
                _(
                    "The platform's amounts for this paid order do not add up, or "
                    "its breakdown (vouchers, shipping) is missing: total "
                    "%(total)s, lines and shipping less vouchers %(computed)s. Fetch "
                    "it again later, or handle it by hand.",
                    total=order.total_amount,
                    computed=order.lines_total
                    + order.shipping_fee
                    - order.shipping_discount
                    - order.seller_voucher
                    - order.platform_voucher
                    - order.coins,
                )
            )

    def _follow_address(self, order, sale):
        """A delivery address the platform masked or withheld until payment (TikTok
        Shop's ON_HOLD) is filled in once given, before the order is confirmed."""
        if order.shipping_address and not sale.partner_shipping_id.street:
            _buyer, shipping = self.env["res.partner"]._entro_buyer_partners(
                self.shop_id, order
            )
            if shipping.street:
                sale.partner_shipping_id = shipping

    def _sync_confirmed_sale(self, order, sale):
        """Units the platform cancelled inside a live order leave the sale order
        (their reservation freed); adjustment lines follow the platform's amounts.
        """
        # Entro's own sync: the lines of a confirmed order follow the platform's
        sale = sale.with_context(entro_platform_sync=True)
        cancelled = {line.external_id for line in order.cancelled_lines}
        changed = False
        for line in sale.order_line.filtered(
            lambda sol: sol.entro_external_line_id in cancelled and sol.product_uom_qty
        ):
            if line.qty_delivered:
                self.shop_id._schedule_activity(
                    _("Cancelled on the platform after delivery"),
                    _(
                        "%(order)s: %(product)s was cancelled on the platform after "
                        "it was delivered; handle the return by hand.",
                        order=self.name,
                        product=line.product_id.display_name,
                    ),
                    record=sale,
                )
                continue
            line.product_uom_qty = 0
            changed = True
        wanted = {
            values["product_id"]: values
            for values in self._prepare_adjustment_lines(order)
        }
        adjustment_products = {self.env.ref(xmlid).id for _a, xmlid, _s in ADJUSTMENTS}
        rounding = sale.currency_id.rounding
        for line in sale.order_line.filtered(
            lambda sol: sol.product_id.id in adjustment_products
        ):
            target = wanted.pop(line.product_id.id, {"price_unit": 0.0})["price_unit"]
            if float_compare(line.price_unit, target, precision_rounding=rounding):
                line.price_unit = target
                changed = True
        if wanted:
            sale.order_line = [fields.Command.create(v) for v in wanted.values()]
            changed = True
        if changed:
            self._check_total(order, sale)

    def _prepare_lines(self, order, products=None):
        """The sale order lines of ``order``; ``products``: the product of each
        of its lines when already resolved (with a whole batch's)."""
        return self._prepare_product_lines(
            order, products
        ) + self._prepare_adjustment_lines(order)

    def _create_sale_order(self, order):
        shop = self.shop_id
        values = self._sale_order_values(order, self._prepare_lines(order))
        # not followed by the queuing user: see _import_platform_orders
        sale = self.env["sale.order"].with_company(shop.company_id).create(values)
        self._check_currency(order, sale)
        self._check_total(order, sale)
        return sale

    def _sale_order_values(self, order, lines, partners=None):
        """The values of the sale order of this binding's platform order;
        ``partners``: its (customer, delivery address) when already found (with a
        whole batch's)."""
        shop = self.shop_id
        partner, shipping = partners or self.env["res.partner"]._entro_buyer_partners(
            shop, order
        )
        values = {
            "partner_id": partner.id,
            "partner_invoice_id": partner.id,
            "partner_shipping_id": shipping.id,
            "company_id": shop.company_id.id,
            "client_order_ref": order.external_id,
            "origin": self.name,
            "order_line": [fields.Command.create(line) for line in lines],
            "entro_shop_id": shop.id,
        }
        if order.create_time:
            values["date_order"] = to_naive(order.create_time)
        if shop.warehouse_id:
            values["warehouse_id"] = shop.warehouse_id.id
        if shop.pricelist_id:
            values["pricelist_id"] = shop.pricelist_id.id
        if shop.team_id:
            values["team_id"] = shop.team_id.id
        if shop.user_id:
            values["user_id"] = shop.user_id.id
        note = "\n".join(filter(None, [order.buyer_message, order.note]))
        if note:
            # the buyer's words, shown as text: escaped, never HTML (no link, image)
            values["note"] = Markup("<p>%s</p>") % Markup("<br/>").join(
                escape(line) for line in note.splitlines()
            )
        return values

    def _check_currency(self, order, sale):
        if order.currency and sale.currency_id.name != order.currency:
            raise OrderMappingError(
                _(
                    "The order is in %(order)s but the shop's pricelist is in "
                    "%(odoo)s: choose a pricelist in %(order)s on the shop.",
                    order=order.currency,
                    odoo=sale.currency_id.name,
                )
            )

    def _check_total(self, order, sale):
        rounding = sale.currency_id.rounding
        if float_compare(
            sale.amount_total, float(order.total_amount), precision_rounding=rounding
        ):
            raise OrderMappingError(
                _(
                    "The sale order total (%(odoo)s) differs from the platform's "
                    "(%(platform)s): check the tax on marketplace prices of the shop.",
                    odoo=sale.amount_total,
                    platform=order.total_amount,
                )
            )

    def _prepare_product_lines(self, order, products=None):
        shop = self.shop_id
        if not order.lines:
            raise OrderMappingError(_("The platform sent the order without any line."))
        if products is None:
            products = self.env["entro.marketplace.listing"]._products_for_lines(
                shop, order.lines
            )
        taxes = shop.sale_tax_id
        lines, unknown = [], []
        for line, product in zip(order.lines, products, strict=True):
            if line.quantity is None or line.quantity <= 0:
                raise OrderMappingError(
                    _(
                        "Line %(sku)s has quantity %(qty)s.",
                        sku=line.sku,
                        qty=line.quantity,
                    )
                )
            if line.discounted_unit_price is None or line.discounted_unit_price < 0:
                raise OrderMappingError(
                    _("Line %(sku)s has no valid price.", sku=line.sku)
                )
            if not product:
                unknown.append(line.sku or f"{line.item_id}/{line.variant_id or '-'}")
                continue
            lines.append(
                {
                    "product_id": product.id,
                    "name": self._line_label(product, line),
                    "product_uom_qty": line.quantity,
                    "price_unit": float(line.discounted_unit_price),
                    "discount": 0.0,
                    "tax_id": [fields.Command.set(taxes.ids)],
                    "entro_external_line_id": line.external_id,
                }
            )
        if unknown:
            raise OrderMappingError(
                _(
                    "No product matches SKU %(skus)s. Map the listing to a product "
                    "(Marketplaces > Listings), or give a product this internal "
                    "reference, then retry the order.",
                    skus=", ".join(unknown),
                )
            )
        return lines

    @api.model
    def _line_label(self, product, line):
        name = (line.name or "").strip()[:200]
        if not name or name == product.name:
            return product.display_name
        return f"{product.display_name}\n{name}"

    def _prepare_adjustment_lines(self, order):
        amounts = {}
        for attribute, xmlid, sign in ADJUSTMENTS:
            value = getattr(order, attribute, None) or Decimal(0)
            if value:
                amounts[xmlid] = amounts.get(xmlid, Decimal(0)) + sign * Decimal(value)
        lines = []
        for xmlid, amount in amounts.items():
            if not amount:
                continue
            # printed on the invoice: in the company's language
            product = self.env.ref(xmlid).with_context(
                lang=self.shop_id.company_id._entro_lang()
            )
            lines.append(
                {
                    "product_id": product.id,
                    "name": product.name,
                    "product_uom_qty": 1,
                    "price_unit": float(amount),
                    "discount": 0.0,
                    "tax_id": [fields.Command.set(self.shop_id.sale_tax_id.ids)],
                }
            )
        return lines

    def _follow_status(self, order, sale):
        """Move the sale order forward with the platform's status, never back."""
        state = order.state
        if state in CONFIRMED_STATES and sale.state in ("draft", "sent"):
            sale.with_company(sale.company_id).action_confirm()
        if state == "cancelled" and sale.state != "cancel":
            done = sale.picking_ids.filtered(lambda p: p.state == "done")
            if done:
                self.shop_id._schedule_activity(
                    _("Cancelled on the platform after delivery"),
                    _(
                        "%(order)s was cancelled on the platform, but its delivery "
                        "is already done: handle the return by hand.",
                        order=self.name,
                    ),
                    record=sale,
                )
            else:
                sale.with_context(disable_cancel_warning=True)._action_cancel()
        elif state == "in_cancel":
            self.shop_id._schedule_activity(
                _("Buyer asks to cancel"),
                _(
                    "The buyer asked to cancel %(order)s: accept or reject it on the "
                    "platform before shipping.",
                    order=self.name,
                ),
                record=sale,
            )
        elif state == "to_return":
            self.shop_id._schedule_activity(
                _("Buyer asks for a return"),
                _("The buyer asked to return %(order)s.", order=self.name),
                record=sale,
            )
        if state in ("to_return", "returned"):
            self.env["entro.marketplace.return"]._enqueue_sync(self.shop_id)

    # ------------------------------------------------------------------- crons

    @api.model
    def _cron_complete_pending_amounts(self):
        """Fetch again the recent paid orders whose breakdown is pending.

        One import job per shop and detail batch (the job's identity key keeps
        a batch from being queued twice while it waits), at most
        ``PENDING_AMOUNTS_BATCHES`` batches per shop and run: a shop whose app
        still lacks the permission costs that many calls an hour, not one per
        pending order.
        """
        since = fields.Datetime.now() - timedelta(days=PENDING_AMOUNTS_DAYS)
        pending = self.search(
            [
                ("amounts_pending", "=", True),
                ("sync_state", "=", "ok"),
                ("shop_id.state", "=", "connected"),
                ("platform_create_time", ">=", since),
            ],
            order="id",
        )
        for shop in pending.shop_id:
            shop._enqueue_order_import(
                pending.filtered(lambda o, s=shop: o.shop_id == s).mapped(
                    "external_id"
                ),
                max_batches=PENDING_AMOUNTS_BATCHES,
            )

    # ------------------------------------------------------------ public actions

    def action_retry(self):
        """Fetch these orders again from the platform and import them (as a job)."""
        for shop in self.shop_id:
            orders = self.filtered(lambda o, s=shop: o.shop_id == s)
            shop._check_usable()
            shop._enqueue_order_import(orders.mapped("external_id"))
        return True

    def action_open_sale_order(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "sale.order",
            "res_id": self.sale_order_id.id,
            "view_mode": "form",
        }
