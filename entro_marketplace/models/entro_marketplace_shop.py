from odoo import api, fields, models

PLATFORMS = [
    ("shopee", "Shopee"),
    ("lazada", "Lazada"),
    ("tiktok", "TikTok Shop"),
    ("tiki", "Tiki"),
]


class EntroMarketplaceShop(models.Model):
    """One store connected on a marketplace, in one company."""

    _name = "entro.marketplace.shop"
    _description = "Marketplace Shop"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True, tracking=True)
    platform = fields.Selection(PLATFORMS, required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    external_id = fields.Char(
        string="Shop ID on the Platform",
        copy=False,
        help="The identifier the platform gives this shop (shop_id, seller_id, ...).",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="Warehouse the orders of this shop ship from, and whose stock is pushed.",
    )
    state = fields.Selection(
        [
            ("draft", "Not Connected"),
            ("connected", "Connected"),
            ("error", "Needs Attention"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )

    _sql_constraints = [
        (
            "external_id_uniq",
            "unique(platform, external_id)",
            "This platform shop is already connected.",
        ),
    ]

    @api.onchange("company_id")
    def _onchange_company_id(self):
        if self.warehouse_id.company_id != self.company_id:
            self.warehouse_id = False
