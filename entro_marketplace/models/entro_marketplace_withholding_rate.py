"""The rates at which the platforms withhold tax from household sellers.

Vietnam's Decree 117/2025/ND-CP (in force since 1 July 2025): an e-commerce
platform with a payment function withholds VAT and personal income tax (PIT)
from the revenue of each successful order of a household or individual seller,
at the rate of the kind of supply; when the platform cannot tell the kind, at
the highest rate. The defaults below are the decree's; a company changes them
here if the law or its platforms' practice differ.
"""

from odoo import api, fields, models

#: supply kind -> (label, VAT %, PIT %): Decree 117/2025/ND-CP, Article 8
SUPPLY_KINDS = {
    "goods": ("Goods", 1.0, 0.5),
    "services": ("Services", 5.0, 2.0),
    "transport": ("Transport and Goods-related Services", 3.0, 1.5),
    "unknown": ("Unknown (highest rate)", 5.0, 2.0),
}
SUPPLY_KIND_SELECTION = [(kind, spec[0]) for kind, spec in SUPPLY_KINDS.items()]


class EntroMarketplaceWithholdingRate(models.Model):
    _name = "entro.marketplace.withholding.rate"
    _description = "Marketplace Withholding Tax Rate"
    _order = "company_id, sequence, id"
    _rec_name = "supply_kind"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
        ondelete="cascade",
    )
    sequence = fields.Integer(default=10)
    supply_kind = fields.Selection(
        SUPPLY_KIND_SELECTION,
        required=True,
        readonly=True,
        help="The kind of supply of an order's products (set on each product, "
        "Goods by default); Unknown is used when an order's products are not "
        "known yet, and should stay the highest rate.",
    )
    vat_rate = fields.Float(
        "VAT Withheld (%)", digits=(5, 2), help="Of the order's withholding base."
    )
    pit_rate = fields.Float(
        "PIT Withheld (%)", digits=(5, 2), help="Of the order's withholding base."
    )

    _sql_constraints = [
        (
            "kind_uniq",
            "unique(company_id, supply_kind)",
            "A company has one withholding rate per kind of supply.",
        ),
        (
            "rates_positive",
            "CHECK(vat_rate BETWEEN 0 AND 99.99 AND pit_rate BETWEEN 0 AND 99.99)",
            "Withholding rates are percentages between 0 and 100.",
        ),
    ]

    @api.model
    def _ensure_company_rates(self, companies=None):
        """Give each company (all by default) the rates it lacks, at the
        decree's defaults. Called at install and update, and for a new company."""
        # sudo: the rates are created by the system for each company
        Rate = self.sudo()
        if companies is None:
            companies = self.env["res.company"].sudo().search([])
        existing = {
            (rate.company_id.id, rate.supply_kind)
            for rate in Rate.search([("company_id", "in", companies.ids)])
        }
        Rate.create(
            [
                {
                    "company_id": company.id,
                    "supply_kind": kind,
                    "sequence": index,
                    "vat_rate": vat,
                    "pit_rate": pit,
                }
                for company in companies
                for index, (kind, (_label, vat, pit)) in enumerate(SUPPLY_KINDS.items())
                if (company.id, kind) not in existing
            ]
        )

    @api.model
    def _rates_by_company(self, companies):
        """{company id: {kind: (VAT %, PIT %)}}: the decree's default where a
        company has no row for a kind. One query for every company."""
        if not companies:
            return {}
        defaults = {kind: (vat, pit) for kind, (_l, vat, pit) in SUPPLY_KINDS.items()}
        result = {company_id: dict(defaults) for company_id in companies.ids}
        # sudo: the rates of the records' own companies, read for a computation
        for rate in self.sudo().search([("company_id", "in", companies.ids)]):
            result[rate.company_id.id][rate.supply_kind] = (
                rate.vat_rate,
                rate.pit_rate,
            )
        return result

    def write(self, vals):
        result = super().write(vals)
        if {"vat_rate", "pit_rate"} & set(vals):
            self.env["entro.marketplace.order"]._recompute_withholding(
                [("company_id", "in", self.company_id.ids)]
            )
        return result
