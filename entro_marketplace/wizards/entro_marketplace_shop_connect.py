from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.entro_marketplace_platform_mixin import platform_label
from ..tools import crypto

#: the context key that preselects a platform ("Connect a Shopee shop")
PLATFORM_CONTEXT_KEY = "entro_connect_platform"


class EntroMarketplaceShopConnect(models.TransientModel):
    """Connect a shop in one click: choose the platform (the company's platform
    app), then authorise on the platform's consent page, and come back connected.

    The app key and secret are the app's, entered once by an administrator in
    Configuration > Platform Apps. ``app_key``/``app_secret`` are still accepted
    from integrators (XML-RPC), who gave them here before: they choose (or set
    up) the company's app of the platform.
    """

    _name = "entro.marketplace.shop.connect"
    _description = "Connect a Marketplace Shop"
    _inherit = "entro.marketplace.platform.mixin"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    app_id = fields.Many2one(
        "entro.marketplace.app",
        string="Platform",
        check_company=True,
        domain="[('company_id', '=', company_id)]",
        default=lambda self: self._default_app_id(),
        help="The platforms whose app is set up for the company (Configuration > "
        "Platform Apps).",
    )
    platform = fields.Selection(
        selection="_selection_platform",
        string="Platform of the App",
        compute="_compute_platform",
        store=True,
        readonly=False,
        precompute=True,
    )
    requested_platform = fields.Selection(
        selection="_selection_platform",
        default=lambda self: self.env.context.get(PLATFORM_CONTEXT_KEY),
        help="The platform the user asked to connect a shop of.",
    )
    app_count = fields.Integer(compute="_compute_missing_app")
    missing_app_message = fields.Char(compute="_compute_missing_app")
    name = fields.Char(
        "Shop Name",
        help="Optional: left empty, the shop takes the name the platform gives it "
        "(or the platform's name and the shop id).",
    )
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        default=lambda self: self.env["stock.warehouse"].search(
            [("company_id", "=", self.env.company.id)], limit=1
        ),
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
    external_id = fields.Char(
        "Shop ID on the Platform",
        help="Optional: the platform sends it back when the seller authorizes.",
    )
    # --- the old way, for integrators: app credentials given here ----------------
    app_key = fields.Char("App Key / Partner ID")
    # Never in clear in the wizard's table: encrypted, handed to the app on
    # confirm, then forgotten.
    app_secret = fields.Char(
        "App Secret / Partner Key",
        compute="_compute_app_secret",
        inverse="_inverse_app_secret",
    )
    app_secret_enc = fields.Char(
        "Encrypted App Secret", copy=False, groups="base.group_system"
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

    @api.model
    def _default_app_id(self):
        company = self.env["res.company"].browse(
            self.env.context.get("default_company_id")
        )
        domain = [("company_id", "=", (company or self.env.company).id)]
        platform = self.env.context.get(PLATFORM_CONTEXT_KEY)
        if platform:
            domain.append(("platform", "=", platform))
        return self.env["entro.marketplace.app"].search(domain, limit=1)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if not vals.get("app_id") and vals.get("platform"):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                if company not in self.env.companies and not self.env.su:
                    raise AccessError(
                        self.env._("You cannot connect a shop for %s.", company.name)
                    )
                App = self.env["entro.marketplace.app"]
                if vals.get("app_key"):
                    # the old way: the company's app of this key, set up if need be
                    self.env["entro.marketplace.shop"]._check_manager()
                    app = App._for_shop_values(
                        vals["platform"], company, vals["app_key"], vals
                    )
                else:
                    app = App.search(
                        [
                            ("platform", "=", vals["platform"]),
                            ("company_id", "=", company.id),
                        ],
                        limit=1,
                    )
                if app:
                    vals["app_id"] = app.id
        return super().create(vals_list)

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

    @api.depends("app_id")
    def _compute_platform(self):
        for wizard in self:
            if wizard.app_id:
                wizard.platform = wizard.app_id.platform

    @api.depends("company_id", "app_id", "requested_platform")
    def _compute_missing_app(self):
        App = self.env["entro.marketplace.app"]
        for wizard in self:
            company = wizard.company_id or self.env.company
            wizard.app_count = App.search_count([("company_id", "=", company.id)])
            message = False
            requested = wizard.requested_platform
            if requested and wizard.app_id.platform != requested:
                message = self.env._(
                    "No %(platform)s app is set up for %(company)s. Ask your "
                    "administrator to set up the %(platform)s app in Configuration "
                    "> Platform Apps.",
                    platform=platform_label(requested),
                    company=company.name,
                )
            elif not wizard.app_count:
                message = self.env._(
                    "No platform app is set up for %s yet. Ask your administrator "
                    "to set up the app of your platform (Shopee, Lazada, TikTok "
                    "Shop, Tiki) in Configuration > Platform Apps.",
                    company.name,
                )
            wizard.missing_app_message = message

    def _compute_app_secret(self):
        # write-only, like the app's
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

    def _shop_values(self):
        """The values of the shop this wizard connects."""
        self.ensure_one()
        app = self.app_id
        values = {
            "name": self.name
            or self.env._("%s shop (authorising)", platform_label(app.platform)),
            "name_from_platform": not self.name,
            "app_id": app.id,
            "platform": app.platform,
            "country_code": self.country_code,
            "company_id": self.company_id.id,
            "warehouse_id": self.warehouse_id.id,
            "external_id": self.external_id or False,
        }
        # integrators' own host and service id (the app's otherwise)
        if self.api_base_url and self.api_base_url != app.api_base_url:
            values["api_base_url"] = self.api_base_url
        if self.service_id and self.service_id != app.service_id:
            values["service_id"] = self.service_id
        return values

    def action_connect(self):
        """Create the shop, then send the user to the platform's consent page."""
        self.ensure_one()
        Shop = self.env["entro.marketplace.shop"]
        Shop._check_manager()
        if not self.app_id:
            raise UserError(
                self.missing_app_message
                or self.env._("Choose the platform of the shop to connect.")
            )
        # sudo: the ciphertext field is the system's; this is the user's own wizard
        wizard = self.sudo()
        secret = crypto.decrypt(wizard.app_secret_enc)
        # used once: gone from the wizard's table once the app holds it
        wizard.app_secret_enc = False
        shop = Shop.create(self._shop_values())
        if secret:
            shop.app_id._set_secret_from_shop(secret, shop)
        if not shop.app_id.has_secret:
            raise UserError(
                self.env._(
                    "The %(platform)s app of %(company)s has no app secret yet: "
                    "ask your administrator to enter it in Configuration > "
                    "Platform Apps.",
                    platform=platform_label(shop.platform),
                    company=shop.company_id.name,
                )
            )
        return shop.action_authorize()

    def action_open_apps(self):
        """Configuration > Platform Apps (for the managers who set them up)."""
        self.env["entro.marketplace.shop"]._check_manager()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "entro_marketplace.entro_marketplace_app_action"
        )
        if self.requested_platform:
            action["context"] = {
                "default_platform": self.requested_platform,
                "default_company_id": self.company_id.id,
            }
        return action
