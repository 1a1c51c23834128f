from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..platforms import PLATFORMS
from ..tools import crypto


class EntroMarketplaceShopConnect(models.TransientModel):
    """Connect a shop: its app credentials, then the platform's OAuth consent."""

    _name = "entro.marketplace.shop.connect"
    _description = "Connect a Marketplace Shop"
    _inherit = "entro.marketplace.platform.mixin"
    _check_company_auto = True

    name = fields.Char("Shop Name", required=True)
    platform = fields.Selection(
        selection="_selection_platform",
        required=True,
        default=lambda self: next(iter(PLATFORMS), False),
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
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
    # Never in clear in the wizard's table: encrypted like the shop's credentials,
    # handed to the shop on confirm, then forgotten.
    app_secret = fields.Char(
        "App Secret / Partner Key",
        required=True,
        compute="_compute_app_secret",
        inverse="_inverse_app_secret",
    )
    app_secret_enc = fields.Char(
        "Encrypted App Secret", copy=False, groups="base.group_system"
    )
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

    public_url_warning = fields.Boolean(
        "Public Address Not Fixed", compute="_compute_public_url_warning"
    )

    @api.constrains("company_id")
    def _check_user_company(self):
        if self.env.su:
            return
        for wizard in self:
            if wizard.company_id not in self.env.companies:
                raise AccessError(
                    self.env._(
                        "You cannot connect a shop for %s.", wizard.company_id.name
                    )
                )

    def _compute_app_secret(self):
        # write-only, like the shop's
        for wizard in self:
            wizard.app_secret = False

    def _inverse_app_secret(self):
        for wizard in self:
            # sudo: the ciphertext field is the system's; the record is the
            # user's own wizard (checked by the write that calls this)
            wizard.sudo().app_secret_enc = crypto.encrypt(wizard.app_secret)

    @api.depends("platform")
    def _compute_public_url_warning(self):
        warning = self.env["entro.marketplace.shop"]._public_url_unstable()
        for wizard in self:
            wizard.public_url_warning = warning

    def action_connect(self):
        """Create the shop, then send the user to the platform's consent page."""
        self.ensure_one()
        Shop = self.env["entro.marketplace.shop"]
        Shop._check_manager()
        # sudo: the ciphertext field is the system's; this is the user's own wizard
        wizard = self.sudo()
        secret = crypto.decrypt(wizard.app_secret_enc)
        if not secret:
            raise UserError(self.env._("Enter the app secret again."))
        # used once: gone from the wizard's table once the shop holds it
        wizard.app_secret_enc = False
        shop = Shop.create(
            {
                "name": self.name,
                "platform": self.platform,
                "country_code": self.country_code,
                "company_id": self.company_id.id,
                "warehouse_id": self.warehouse_id.id,
                "app_key": self.app_key,
                "app_secret": secret,
                "external_id": self.external_id or False,
                "api_base_url": self.api_base_url or False,
                "service_id": self.service_id or False,
            }
        )
        return shop.action_authorize()
