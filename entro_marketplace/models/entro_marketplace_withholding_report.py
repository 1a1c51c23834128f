"""Tax withheld by the platforms: per month, platform and shop (SQL view)."""

from odoo import api, fields, models, tools


class EntroMarketplaceWithholdingReport(models.Model):
    """One row per order (or per payout, for lines without an order) and payout
    with tax withheld or offset: the household seller's record of the tax the
    platforms paid on its behalf (Decree 117/2025/ND-CP).

    The amounts are those of the payouts' ``withheld_vat`` and ``withheld_pit``
    lines, shown positive: ``vat_withheld`` and ``pit_withheld`` what was
    withheld, ``offset_total`` what came back for cancelled or returned orders,
    ``net_withheld`` the difference (the sum of those lines, sign reversed).
    ``date`` is the line's date on the platform, else the payout's: the month
    the tax belongs to. ``revenue`` is the withholding base of the orders
    withheld on, less that of the orders offset.
    """

    _name = "entro.marketplace.withholding.report"
    _description = "Marketplace Tax Withheld Analysis"
    _auto = False
    _order = "date desc"

    settlement_id = fields.Many2one(
        "entro.marketplace.settlement", string="Payout", readonly=True
    )
    shop_id = fields.Many2one("entro.marketplace.shop", readonly=True)
    platform = fields.Selection(selection="_selection_platform", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Datetime(readonly=True)
    order_external_id = fields.Char("Platform Order", readonly=True)
    order_id = fields.Many2one(
        "entro.marketplace.order", string="Marketplace Order", readonly=True
    )
    revenue = fields.Monetary(
        readonly=True,
        help="The withholding base of the orders withheld on, less that of the "
        "orders whose tax was offset back.",
    )
    vat_withheld = fields.Monetary("VAT Withheld", readonly=True)
    pit_withheld = fields.Monetary("PIT Withheld", readonly=True)
    vat_offset = fields.Monetary("VAT Offset", readonly=True)
    pit_offset = fields.Monetary("PIT Offset", readonly=True)
    offset_total = fields.Monetary(
        "Refunds/Offsets",
        readonly=True,
        help="Tax given back for cancelled or returned orders.",
    )
    net_withheld = fields.Monetary(
        readonly=True,
        help="Withheld less offsets: the tax paid on the seller's behalf.",
    )

    @api.model
    def _selection_platform(self):
        return self.env["entro.marketplace.shop"]._selection_platform()

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
            WITH grouped AS (
                SELECT
                    MIN(l.id) AS id,
                    l.settlement_id,
                    l.order_external_id,
                    MAX(l.order_id) AS order_id,
                    MIN(l.line_date) AS line_date,
                    -COALESCE(SUM(l.amount) FILTER (
                        WHERE l.fee_type = 'withheld_vat' AND l.amount < 0), 0)
                        AS vat_withheld,
                    -COALESCE(SUM(l.amount) FILTER (
                        WHERE l.fee_type = 'withheld_pit' AND l.amount < 0), 0)
                        AS pit_withheld,
                    COALESCE(SUM(l.amount) FILTER (
                        WHERE l.fee_type = 'withheld_vat' AND l.amount > 0), 0)
                        AS vat_offset,
                    COALESCE(SUM(l.amount) FILTER (
                        WHERE l.fee_type = 'withheld_pit' AND l.amount > 0), 0)
                        AS pit_offset,
                    -SUM(l.amount) AS net_withheld
                FROM entro_marketplace_settlement_line l
                WHERE l.fee_type IN ('withheld_vat', 'withheld_pit')
                GROUP BY l.settlement_id, l.order_external_id
            )
            SELECT
                g.id,
                g.settlement_id,
                s.shop_id,
                s.platform,
                s.company_id,
                s.currency_id,
                COALESCE(g.line_date, s.payout_date) AS date,
                g.order_external_id,
                g.order_id,
                SIGN(g.net_withheld) * COALESCE(o.withholding_base, 0) AS revenue,
                g.vat_withheld,
                g.pit_withheld,
                g.vat_offset,
                g.pit_offset,
                g.vat_offset + g.pit_offset AS offset_total,
                g.net_withheld
            FROM grouped g
            JOIN entro_marketplace_settlement s ON s.id = g.settlement_id
            LEFT JOIN entro_marketplace_order o ON o.id = g.order_id
            )
            """
        )
