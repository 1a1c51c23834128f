"""Payout analysis: per shop and month, what was sold, charged and paid out."""

from odoo import fields, models, tools


class EntroMarketplacePayoutReport(models.Model):
    """One row per order (or per payout, for lines without an order) and payout.

    ``gross_sales`` is what the order brought in before the platform's fees: what
    the buyer paid plus what the platform funded. ``cost`` is the product cost of
    the order's lines (the company's product cost), counted with its sale.
    """

    _name = "entro.marketplace.payout.report"
    _description = "Marketplace Payout Analysis"
    _auto = False
    _order = "payout_date desc"

    settlement_id = fields.Many2one("entro.marketplace.settlement", readonly=True)
    shop_id = fields.Many2one("entro.marketplace.shop", readonly=True)
    platform = fields.Selection(related="shop_id.platform")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    payout_date = fields.Datetime(readonly=True)
    order_external_id = fields.Char("Platform Order", readonly=True)
    sale_order_id = fields.Many2one("sale.order", readonly=True)
    gross_sales = fields.Monetary(readonly=True)
    platform_subsidy = fields.Monetary(readonly=True)
    commission = fields.Monetary(readonly=True)
    transaction_fee = fields.Monetary("Payment Fees", readonly=True)
    service_fee = fields.Monetary(readonly=True)
    shipping = fields.Monetary("Shipping (net)", readonly=True)
    seller_voucher = fields.Monetary(readonly=True)
    refund = fields.Monetary("Refunds", readonly=True)
    adjustment = fields.Monetary("Adjustments", readonly=True)
    withheld_tax = fields.Monetary(
        "Tax Withheld",
        readonly=True,
        help="VAT and PIT the platform withheld (negative) or offset back.",
    )
    fees_total = fields.Monetary("Fees", readonly=True)
    net_payout = fields.Monetary(readonly=True)
    cost = fields.Monetary("Product Cost", readonly=True)
    net_margin = fields.Monetary(readonly=True)
    difference = fields.Monetary(readonly=True)
    order_count = fields.Integer("# Orders", readonly=True)

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
                    MAX(l.sale_order_id) AS sale_order_id,
                    SUM(l.amount) FILTER (
                        WHERE l.fee_type IN ('order_amount', 'platform_subsidy')
                    ) AS gross_sales,
                    SUM(l.amount) FILTER (WHERE l.fee_type = 'platform_subsidy')
                        AS platform_subsidy,
                    SUM(l.amount) FILTER (WHERE l.fee_type = 'commission')
                        AS commission,
                    SUM(l.amount) FILTER (WHERE l.fee_type = 'transaction_fee')
                        AS transaction_fee,
                    SUM(l.amount) FILTER (WHERE l.fee_type = 'service_fee')
                        AS service_fee,
                    SUM(l.amount) FILTER (
                        WHERE l.fee_type IN ('shipping_fee', 'shipping_rebate')
                    ) AS shipping,
                    SUM(l.amount) FILTER (WHERE l.fee_type = 'seller_voucher')
                        AS seller_voucher,
                    SUM(l.amount) FILTER (WHERE l.fee_type = 'refund') AS refund,
                    SUM(l.amount) FILTER (WHERE l.fee_type = 'adjustment')
                        AS adjustment,
                    SUM(l.amount) FILTER (
                        WHERE l.fee_type IN ('withheld_vat', 'withheld_pit')
                    ) AS withheld_tax,
                    SUM(l.amount) FILTER (
                        WHERE l.fee_type IN ('commission', 'transaction_fee',
                            'service_fee', 'shipping_fee', 'shipping_rebate',
                            'seller_voucher')
                    ) AS fees_total,
                    SUM(l.amount) AS net_payout,
                    SUM(l.difference) AS difference,
                    BOOL_OR(l.fee_type = 'order_amount') AS sold
                FROM entro_marketplace_settlement_line l
                GROUP BY l.settlement_id, l.order_external_id
            ),
            costs AS (
                SELECT
                    sol.order_id,
                    SUM(
                        sol.product_uom_qty * COALESCE(
                            (pp.standard_price ->> so.company_id::text)::numeric, 0
                        )
                    ) AS cost
                FROM sale_order_line sol
                JOIN sale_order so ON so.id = sol.order_id
                JOIN product_product pp ON pp.id = sol.product_id
                WHERE sol.order_id IN (
                    SELECT sale_order_id FROM grouped WHERE sale_order_id IS NOT NULL
                )
                GROUP BY sol.order_id
            )
            SELECT
                g.id,
                g.settlement_id,
                s.shop_id,
                s.company_id,
                s.currency_id,
                s.payout_date,
                g.order_external_id,
                g.sale_order_id,
                COALESCE(g.gross_sales, 0) AS gross_sales,
                COALESCE(g.platform_subsidy, 0) AS platform_subsidy,
                COALESCE(g.commission, 0) AS commission,
                COALESCE(g.transaction_fee, 0) AS transaction_fee,
                COALESCE(g.service_fee, 0) AS service_fee,
                COALESCE(g.shipping, 0) AS shipping,
                COALESCE(g.seller_voucher, 0) AS seller_voucher,
                COALESCE(g.refund, 0) AS refund,
                COALESCE(g.adjustment, 0) AS adjustment,
                COALESCE(g.withheld_tax, 0) AS withheld_tax,
                COALESCE(g.fees_total, 0) AS fees_total,
                g.net_payout,
                CASE WHEN g.sold THEN COALESCE(c.cost, 0) ELSE 0 END AS cost,
                g.net_payout
                    - CASE WHEN g.sold THEN COALESCE(c.cost, 0) ELSE 0 END
                    AS net_margin,
                COALESCE(g.difference, 0) AS difference,
                CASE WHEN g.order_external_id IS NULL THEN 0 ELSE 1 END
                    AS order_count
            FROM grouped g
            JOIN entro_marketplace_settlement s ON s.id = g.settlement_id
            LEFT JOIN costs c ON c.order_id = g.sale_order_id
            )
            """
        )
