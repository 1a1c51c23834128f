from odoo import fields, models

from ..models.entro_marketplace_shop import PLATFORMS


class EntroMarketplaceShopConnect(models.TransientModel):
    """Connect a shop: its app credentials, then the platform's OAuth consent."""

    _name = "entro.marketplace.shop.connect"
    _description = "Connect a Marketplace Shop"

    name = fields.Char("Shop Name", required=True)
    platform = fields.Selection(PLATFORMS, required=True, default="shopee")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        domain="[('company_id', '=', company_id)]",
        help="Orders ship from this warehouse, and its free stock is pushed.",
    )
    country_code = fields.Selection(
        lambda self: (
            self.env["entro.marketplace.shop"]._fields["country_code"].selection
        ),
        string="Market",
        default="vn",
    )
    app_key = fields.Char("App Key / Partner ID", required=True)
    app_secret = fields.Char("App Secret / Partner Key", required=True)
    external_id = fields.Char(
        "Shop ID on the Platform",
        help="Optional: the platform sends it back when the seller authorizes.",
    )
    api_base_url = fields.Char(
        "API Host", help="Leave empty for the platform's production host."
    )
    service_id = fields.Char(
        "Service ID",
        help="TikTok Shop: the service_id of the app's authorization link.",
    )

    def action_connect(self):
        """Create the shop, then send the user to the platform's consent page."""
        self.ensure_one()
        Shop = self.env["entro.marketplace.shop"]
        Shop._check_manager()
        shop = Shop.create(
            {
                "name": self.name,
                "platform": self.platform,
                "country_code": self.country_code,
                "company_id": self.company_id.id,
                "warehouse_id": self.warehouse_id.id,
                "app_key": self.app_key,
                "app_secret": self.app_secret,
                "external_id": self.external_id or False,
                "api_base_url": self.api_base_url or False,
                "service_id": self.service_id or False,
            }
        )
        return shop.action_authorize()
