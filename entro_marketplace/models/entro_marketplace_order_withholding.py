"""Tax withheld by the platform on an order: expected, withheld, difference.

For a shop of a household or individual seller (its Tax Regime), each order
shows the VAT and PIT its platform should withhold at the company's rates
(Decree 117/2025/ND-CP), what the payouts withheld (their ``withheld_vat`` and
``withheld_pit`` lines, offsets of cancelled or returned orders included), and
whether the two differ.

The withholding base is the seller's revenue from the goods of the order: the
items at the price the buyer is charged, plus the item discounts the platform
funds, less the seller's vouchers and the discounts the platform did not break
down. Platform vouchers and coins stay in it (the platform pays them to the
seller); shipping is left out (the buyer pays it to the carrier). A cancelled or
returned order has nothing to withhold: what was withheld comes back as an
offset. A partial refund (the payouts' ``refund`` lines of an order that is
neither cancelled nor returned) lowers the base by the amount refunded.
"""

from odoo import api, fields, models

from ..platforms.records import WITHHELD_TAX_TYPES
from .entro_marketplace_order import ADJUSTMENTS
from .entro_marketplace_withholding_rate import SUPPLY_KIND_SELECTION

#: states in which nothing is (any longer) to withhold
REVERSED_STATES = ("cancelled", "returned")

WITHHOLDING_STATES = [
    ("none", "Not Tracked"),
    ("pending", "Awaiting Payout"),
    ("ok", "As Expected"),
    ("differs", "Differs"),
]

#: the withholding fields recomputed when a company's rates change
RECOMPUTED = (
    "withholding_kind",
    "expected_withheld_vat",
    "expected_withheld_pit",
    "withholding_difference",
    "withholding_state",
)


class EntroMarketplaceOrder(models.Model):
    _inherit = "entro.marketplace.order"

    # --- issue 22 (t22-regime): tax withheld by the platform (Decree 117/2025)
    payout_line_ids = fields.One2many(
        "entro.marketplace.settlement.line", "order_id", string="Payout Lines"
    )
    withholding_regime = fields.Selection(
        related="shop_id.withholding_regime",
        store=True,
        string="Tax Regime",
        # the shop tracks its regime; each order's chatter need not repeat it
        tracking=False,
    )
    withholding_kind = fields.Selection(
        SUPPLY_KIND_SELECTION,
        "Supply Kind",
        compute="_compute_withholding_kind",
        store=True,
        help="For a household shop: the kind of supply of the order's products "
        "(the one with the highest rate when they differ); Unknown while the order "
        "has no products.",
    )
    withholding_base = fields.Monetary(
        "Withholding Base",
        compute="_compute_withholding_base",
        store=True,
        help="The seller's revenue from the order's goods: items at the price "
        "charged, plus the item discounts the platform funds, less the seller's "
        "vouchers and unexplained discounts. Shipping is not in it.",
    )
    expected_withheld_vat = fields.Monetary(
        "Expected VAT Withheld", compute="_compute_expected_withholding", store=True
    )
    expected_withheld_pit = fields.Monetary(
        "Expected PIT Withheld", compute="_compute_expected_withholding", store=True
    )
    withheld_vat = fields.Monetary(
        "VAT Withheld",
        compute="_compute_withheld",
        store=True,
        help="What the payouts withheld as VAT, less what they offset back.",
    )
    withheld_pit = fields.Monetary(
        "PIT Withheld",
        compute="_compute_withheld",
        store=True,
        help="What the payouts withheld as PIT, less what they offset back.",
    )
    withholding_refunded = fields.Monetary(
        "Refunded to the Buyer",
        compute="_compute_withheld",
        store=True,
        help="What the payouts refunded to the buyer of this order: a partial "
        "refund lowers the withholding base.",
    )
    paid_out = fields.Boolean(
        compute="_compute_withheld",
        store=True,
        help="A payout of the platform has lines of this order.",
    )
    withholding_difference = fields.Monetary(
        compute="_compute_withholding_state",
        store=True,
        help="Tax withheld (VAT and PIT) less the tax expected: positive when the "
        "platform withheld too much.",
    )
    withholding_state = fields.Selection(
        WITHHOLDING_STATES,
        "Withholding",
        compute="_compute_withholding_state",
        store=True,
        index=True,
        help="For a household shop: whether the tax the payouts withheld from this "
        "order is the tax expected (to within one unit of the currency, the "
        "platforms' rounding).",
    )

    @api.depends(
        "withholding_regime",
        "sale_order_id.order_line.product_id.entro_supply_kind",
        "sale_order_id.order_line.display_type",
        "company_id",
    )
    def _compute_withholding_kind(self):
        # only a household shop's orders are compared: the others (the default)
        # cost the import nothing here, and are computed when the regime changes
        household = self.filtered(lambda o: o.withholding_regime == "household")
        (self - household).withholding_kind = False
        if not household:
            return
        adjustments = self._withholding_adjustment_products()
        rates = self.env["entro.marketplace.withholding.rate"]._rates_by_company(
            household.company_id
        )
        for order in household:
            kinds = {
                line.product_id.entro_supply_kind or "goods"
                for line in order.sale_order_id.order_line
                if line.product_id and line.product_id.id not in adjustments
            }
            if len(kinds) > 1:
                company_rates = rates.get(order.company_id.id, {})
                order.withholding_kind = max(
                    sorted(kinds), key=lambda k, r=company_rates: sum(r.get(k, (0, 0)))
                )
            else:
                order.withholding_kind = kinds.pop() if kinds else "unknown"

    def _withholding_adjustment_products(self):
        """Ids of the products of the orders' adjustment lines (shipping,
        vouchers): never goods or services of the seller."""
        ids = set()
        for _attr, xmlid, _sign in ADJUSTMENTS:
            product = self.env.ref(xmlid, raise_if_not_found=False)
            if product:
                ids.add(product.id)
        return ids

    @api.depends(
        "amount_items",
        "amount_item_platform_discount",
        "amount_seller_voucher",
        "amount_other_discounts",
    )
    def _compute_withholding_base(self):
        for order in self:
            order.withholding_base = (
                order.amount_items
                + order.amount_item_platform_discount
                - order.amount_seller_voucher
                - order.amount_other_discounts
            )

    @api.depends(
        "withholding_regime",
        "withholding_kind",
        "withholding_base",
        "withholding_refunded",
        "amount_total",
        "state",
        "currency_id",
    )
    def _compute_expected_withholding(self):
        household = self.filtered(lambda o: o.withholding_regime == "household")
        rates = self.env["entro.marketplace.withholding.rate"]._rates_by_company(
            household.company_id
        )
        for order in self:
            vat = pit = 0.0
            if order.withholding_regime == "household" and (
                order.state not in REVERSED_STATES
            ):
                vat_rate, pit_rate = rates.get(order.company_id.id, {}).get(
                    order.withholding_kind or "unknown", (0.0, 0.0)
                )
                currency = order.currency_id
                refunded = order.withholding_refunded
                if (
                    refunded
                    and currency.compare_amounts(refunded, order.amount_total) >= 0
                ):
                    # all the buyer paid came back: the whole order is returned
                    # (the part the platform funded included), nothing is due
                    base = 0.0
                else:
                    base = max(order.withholding_base - refunded, 0)
                vat = currency.round(base * vat_rate / 100) if currency else 0.0
                pit = currency.round(base * pit_rate / 100) if currency else 0.0
            order.expected_withheld_vat = vat
            order.expected_withheld_pit = pit

    @api.depends("payout_line_ids.amount", "payout_line_ids.fee_type")
    def _compute_withheld(self):
        """One query for the whole batch (orders imported by the thousand)."""
        ids = [order_id for order_id in self.ids if isinstance(order_id, int)]
        sums, paid = {}, set()
        if ids:
            # sudo: the payout lines of these very orders (same company), summed
            # whatever companies the caller works in at the moment
            groups = (
                self.env["entro.marketplace.settlement.line"]
                .sudo()
                ._read_group(
                    [("order_id", "in", ids)],
                    ["order_id", "fee_type"],
                    ["amount:sum"],
                )
            )
            for order, fee_type, amount in groups:
                paid.add(order.id)
                if fee_type in WITHHELD_TAX_TYPES or fee_type == "refund":
                    sums[order.id, fee_type] = amount
        for order in self:
            # withheld lines are negative (deducted), offsets positive
            order.withheld_vat = -sums.get((order.id, "withheld_vat"), 0.0)
            order.withheld_pit = -sums.get((order.id, "withheld_pit"), 0.0)
            order.withholding_refunded = -sums.get((order.id, "refund"), 0.0)
            order.paid_out = order.id in paid

    @api.depends(
        "withholding_regime",
        "expected_withheld_vat",
        "expected_withheld_pit",
        "withheld_vat",
        "withheld_pit",
        "paid_out",
    )
    def _compute_withholding_state(self):
        for order in self:
            withheld = order.withheld_vat + order.withheld_pit
            expected = order.expected_withheld_vat + order.expected_withheld_pit
            order.withholding_difference = withheld - expected
            if order.withholding_regime != "household":
                # nothing is expected of an enterprise: nothing to compare
                order.withholding_difference = 0.0
                order.withholding_state = "none"
            elif not order.paid_out and not withheld:
                order.withholding_state = "ok" if not expected else "pending"
            else:
                order.withholding_state = (
                    "differs" if order._withholding_differs() else "ok"
                )

    def _withholding_differs(self):
        self.ensure_one()
        currency = self.currency_id or self.company_id.currency_id
        tolerance = currency.rounding
        return any(
            currency.compare_amounts(abs(withheld - expected), tolerance) > 0
            for withheld, expected in (
                (self.withheld_vat, self.expected_withheld_vat),
                (self.withheld_pit, self.expected_withheld_pit),
            )
        )

    @api.model
    def _recompute_withholding(self, domain):
        """Recompute the expected withholding of the orders of ``domain`` (a
        change of rates): household shops' orders only, the others expect none."""
        # sudo: every order of the companies whose rates changed, whoever changed
        orders = self.sudo().search(domain + [("withholding_regime", "=", "household")])
        for name in RECOMPUTED:
            self.env.add_to_compute(self._fields[name], orders)
        orders.flush_recordset(list(RECOMPUTED))
