from odoo import api, fields, models

FEATURES = ("price_push", "payouts", "multi_warehouse")


class EntroBillingPlan(models.Model):
    """A tier of the Entro service: its prices, limits and features."""

    _name = "entro.billing.plan"
    _description = "Entro Plan"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True, help="Stable identifier, e.g. for integrators.")
    sequence = fields.Integer(
        "Tier",
        default=10,
        help="Order of the tiers: moving to a higher tier is an upgrade (at once, "
        "prorated), to a lower one a downgrade (at the next period).",
    )
    active = fields.Boolean(default=True)
    description = fields.Text(translate=True)
    company_id = fields.Many2one(
        "res.company",
        string="Invoicing Company",
        default=lambda self: self.env.company,
        help="The company that invoices this plan (Entrosoft).",
    )
    currency_id = fields.Many2one(
        "res.currency", required=True, default=lambda self: self._default_currency()
    )
    product_id = fields.Many2one(
        "product.product",
        string="Invoiced Product",
        required=True,
        default=lambda self: self._default_product(),
        help="The service product of the invoice lines: its taxes apply on top of "
        "the prices, which exclude VAT.",
    )
    price_monthly = fields.Monetary(
        "Monthly Price (excl. VAT)", currency_field="currency_id"
    )
    price_annual = fields.Monetary(
        "Annual Price (excl. VAT)", currency_field="currency_id"
    )
    max_shops = fields.Integer(
        "Maximum Connected Stores", default=1, help="0 means no limit."
    )
    max_orders_month = fields.Integer(
        "Orders per Month", default=500, help="0 means no limit."
    )
    sync_mode = fields.Selection(
        [("realtime", "Real-time (webhooks)"), ("scheduled", "Scheduled")],
        default="scheduled",
        required=True,
    )
    sync_interval = fields.Integer(
        "Sync Interval (min)",
        default=60,
        help="With scheduled sync: orders are imported at most this often.",
    )
    feature_price_push = fields.Boolean("Price Push")
    feature_payouts = fields.Boolean("Payouts in Accounting")
    feature_multi_warehouse = fields.Boolean("Multiple Warehouses")
    priority_support = fields.Boolean()
    trial_days = fields.Integer(default=14)
    subscription_count = fields.Integer(
        compute="_compute_subscription_count",
        groups="entro_billing.group_billing_manager",
    )

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A plan with this code already exists."),
        (
            "limits_positive",
            "CHECK(max_shops >= 0 AND max_orders_month >= 0 AND trial_days >= 0)",
            "Limits and trial days cannot be negative.",
        ),
    ]

    def _default_currency(self):
        return self.env.ref("base.VND", raise_if_not_found=False) or (
            self.env.company.currency_id
        )

    def _default_product(self):
        return self.env.ref(
            "entro_billing.product_entro_subscription", raise_if_not_found=False
        )

    def _compute_subscription_count(self):
        counts = dict(
            self.env["entro.billing.subscription"]._read_group(
                [("plan_id", "in", self.ids)], ["plan_id"], ["__count"]
            )
        )
        for plan in self:
            plan.subscription_count = counts.get(plan, 0)

    @api.model
    def _price_field(self, period):
        return "price_annual" if period == "annual" else "price_monthly"

    def _price(self, period):
        self.ensure_one()
        return self[self._price_field(period)]

    def _has_feature(self, feature):
        self.ensure_one()
        if feature == "realtime":
            return self.sync_mode == "realtime"
        return bool(self[f"feature_{feature}"]) if feature in FEATURES else True
