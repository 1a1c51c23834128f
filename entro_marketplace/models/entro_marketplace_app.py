from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import consteq

from ..tools import crypto
from .entro_marketplace_platform_mixin import platform_label


class EntroMarketplaceApp(models.Model):
    """A platform app (partner app) of one company: its key and secret, entered
    once by an administrator in Configuration > Platform Apps (a company usually
    has one per platform; one per key at most).

    Shops only authorise the app (the platform's consent page): they hold no app
    credentials of their own. A push signed with an app's secret is routed to
    that app's shops (and to the shops of the other companies' apps holding the
    very same key and secret, which are the same app on the platform).
    """

    _name = "entro.marketplace.app"
    _description = "Marketplace Platform App"
    _inherit = ["mail.thread", "entro.marketplace.platform.mixin"]
    _order = "platform, company_id, id"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    active = fields.Boolean(default=True, tracking=True)
    platform = fields.Selection(
        selection="_selection_platform", required=True, tracking=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        index=True,
    )
    app_key = fields.Char(
        string="App Key / Partner ID",
        required=True,
        tracking=True,
        help="The app's public identifier on the platform (Shopee: partner_id; "
        "Lazada and TikTok Shop: app key; Tiki: client id).",
    )
    # Write-only: the ciphertext lives in app_secret_enc, readable by the system
    # only; the secret itself is never read back through the ORM.
    app_secret = fields.Char(
        string="App Secret / Partner Key",
        compute="_compute_app_secret",
        inverse="_inverse_app_secret",
        help="Stored encrypted; it is never shown again once saved. Type a new one "
        "to replace it.",
    )
    app_secret_enc = fields.Char(copy=False, groups="base.group_system")
    has_secret = fields.Boolean("Secret Set", compute="_compute_has_secret")
    api_base_url = fields.Char(
        string="API Host",
        help="Leave empty for the platform's production host. Another host of the "
        "platform (its sandbox) can be set here; a host that is not the "
        "platform's (the Entro emulator) only on a test or sandbox database. "
        "Changing it forgets the tokens of the app's shops.",
    )
    service_id = fields.Char(
        string="Service ID",
        help="TikTok Shop: the service_id of the app's authorization link in Partner "
        "Center (services.tiktokshop.com/open/authorize?service_id=...).",
    )
    webhook_url = fields.Char(
        "Push URL",
        compute="_compute_urls",
        help="Enter it as the push (webhook) URL of the app in the platform's "
        "developer console.",
    )
    redirect_url = fields.Char(
        "Redirect URL",
        compute="_compute_urls",
        help="Enter it as the app's redirect (callback) URL in the platform's "
        "developer console: sellers come back here after authorizing.",
    )
    public_url_warning = fields.Boolean(
        "Public Address Not Fixed", compute="_compute_urls"
    )
    shop_ids = fields.One2many("entro.marketplace.shop", "app_id", string="Shops")
    shop_count = fields.Integer(compute="_compute_shop_count")

    _sql_constraints = [
        (
            "platform_company_key_uniq",
            "unique(platform, company_id, app_key)",
            "This company already has an app of this platform with this key.",
        ),
    ]

    @api.depends("platform", "company_id")
    def _compute_name(self):
        for app in self:
            if not app.name and app.platform:
                app.name = _("%s App", platform_label(app.platform))

    @api.depends("platform")
    def _compute_urls(self):
        Shop = self.env["entro.marketplace.shop"]
        Event = self.env["entro.marketplace.event"]
        base = Shop._public_base_url()
        warning = Shop._public_url_unstable()
        for app in self:
            app.webhook_url = app.platform and Event._webhook_url(app.platform)
            app.redirect_url = (
                f"{base}/entro/oauth/{app.platform}" if app.platform else False
            )
            app.public_url_warning = warning

    def _compute_app_secret(self):
        for app in self:
            app.app_secret = False

    def _inverse_app_secret(self):
        for app in self:
            if app.app_secret:
                # sudo: the ciphertext field is the system's; the caller may
                # write this app (checked by the write that calls this)
                app.sudo().app_secret_enc = crypto.encrypt(app.app_secret)
        # write-only: never read back, not even from this transaction's cache
        self.invalidate_recordset(["app_secret", "has_secret"])

    def _compute_has_secret(self):
        # sudo: whether a secret is set, never its value
        for app in self:
            app.has_secret = bool(app.sudo().app_secret_enc)

    def _compute_shop_count(self):
        counts = dict(
            self.env["entro.marketplace.shop"]._read_group(
                [("app_id", "in", self.ids)], ["app_id"], ["__count"]
            )
        )
        for app in self:
            app.shop_count = counts.get(app, 0)

    # ---------------------------------------------------------------- checks

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                platform = vals.get("platform") or self.env.context.get(
                    "default_platform"
                )
                self.env["entro.marketplace.shop"]._check_api_host(
                    platform, vals.get("api_base_url")
                )
        return super().create(vals_list)

    def write(self, vals):
        moved = self.browse()
        if "api_base_url" in vals or "platform" in vals:
            for app in self:
                url = vals.get("api_base_url", app.api_base_url)
                if not self.env.su:
                    self.env["entro.marketplace.shop"]._check_api_host(
                        vals.get("platform", app.platform), url
                    )
                if (url or False) != (app.api_base_url or False):
                    moved |= app
        if "platform" in vals:
            for app in self:
                if app.shop_ids and vals["platform"] != app.platform:
                    raise ValidationError(
                        _(
                            "The app %s has shops: its platform cannot change.",
                            app.display_name,
                        )
                    )
        result = super().write(vals)
        if moved:
            # tokens were issued by the host that had them: the shops that use
            # this app's host forget them
            moved.shop_ids.filtered(lambda s: not s.api_base_url)._on_api_host_changed()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_shops(self):
        # sudo: the shops of every company use this app (archived ones included)
        shops = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .with_context(active_test=False)
            .search([("app_id", "in", self.ids)], limit=1)
        )
        if shops:
            raise ValidationError(
                _("An app whose shops are still there cannot be deleted: archive it.")
            )

    # ----------------------------------------------------------------- secret

    def _readable_secret(self):
        """This app's secret (never logged, never returned to RPC), None when it
        has none; raises crypto.SecretUnreadable when it cannot be decrypted."""
        self.ensure_one()
        # sudo: the ciphertext is the system's (the caller's access was checked)
        return crypto.decrypt(self.sudo().app_secret_enc)

    def _secret_or_none(self):
        self.ensure_one()
        try:
            return self._readable_secret()
        except crypto.SecretUnreadable:
            return None

    @api.model
    def _rotate_encryption(self):
        """Re-encrypt every app secret with the first configured key."""
        # sudo: every company's apps, archived ones included (maintenance)
        apps = self.sudo().with_context(active_test=False).search([])
        for app in apps.filtered("app_secret_enc"):
            app.app_secret_enc = crypto.rotate(app.app_secret_enc)
        return True

    def _same_credentials(self, other):
        """Whether ``other`` is the same app on the platform (same key, same
        secret), as when two companies enter the credentials of one app."""
        self.ensure_one()
        if not other:
            return False
        if self == other:
            return True
        if self.platform != other.platform or self.app_key != other.app_key:
            return False
        mine, theirs = self._secret_or_none(), other._secret_or_none()
        return bool(mine and theirs and consteq(mine, theirs))

    def _set_secret_from_shop(self, secret, shop):
        """``secret`` given for ``shop`` the old way (an app secret on the shop,
        over XML-RPC): stored on the app when it has none, or when the shop is
        its only one; refused when it differs from the secret other shops use."""
        self.ensure_one()
        if not secret:
            return
        current = self._secret_or_none()
        if current and consteq(current, secret):
            return
        # sudo: the app's shops in every company (archived ones included)
        others = (
            self.env["entro.marketplace.shop"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("app_id", "=", self.id),
                    ("id", "not in", (shop | shop.credential_shop_id).ids),
                    ("credential_shop_id", "not in", shop.ids),
                ]
            )
        )
        if current and others:
            raise ValidationError(
                _(
                    "The %(platform)s app %(key)s of %(company)s already has a "
                    "different app secret, used by its other shops. One app has one "
                    "secret: enter that app's secret, or change it in Configuration "
                    "> Platform Apps.",
                    platform=platform_label(self.platform),
                    key=self.app_key,
                    company=self.company_id.name,
                )
            )
        # sudo: the ciphertext field is the system's
        self.sudo().app_secret_enc = crypto.encrypt(secret)
        self.invalidate_recordset(["has_secret"])

    @api.model
    def _for_shop_values(self, platform, company, app_key, values=None):
        """The app of ``platform`` and ``app_key`` in ``company``, created (with
        the host and service id of ``values``) when the company has none.

        For shops created the old way, with an app key and secret of their own.
        """
        values = values or {}
        # sudo: found whatever the caller's companies; the caller's access to
        # the company was checked by the shop it creates
        app = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("platform", "=", platform),
                    ("company_id", "=", company.id),
                    ("app_key", "=", str(app_key)),
                ],
                limit=1,
            )
        )
        if app:
            if not app.active:
                app.active = True
            return app.with_env(self.env)
        app_values = {
            "platform": platform,
            "company_id": company.id,
            "app_key": str(app_key),
        }
        for name in ("api_base_url", "service_id"):
            if values.get(name):
                app_values[name] = values[name]
        if "tiki_app_type" in self._fields and values.get("tiki_app_type"):
            app_values["tiki_app_type"] = values["tiki_app_type"]
        return self.create(app_values)

    # ----------------------------------------------------------------- actions

    def action_view_shops(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "entro_marketplace.entro_marketplace_shop_action"
        )
        action["domain"] = [("app_id", "=", self.id)]
        action["context"] = {"default_app_id": self.id}
        return action

    def action_connect_shop(self):
        """Connect a shop of this app: the connect wizard, this app chosen."""
        self.ensure_one()
        self.check_access("read")
        self.env["entro.marketplace.shop"]._check_manager()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "entro_marketplace.entro_marketplace_shop_connect_action"
        )
        action["context"] = {
            "default_app_id": self.id,
            "default_company_id": self.company_id.id,
        }
        action["name"] = _("Connect a %s shop", platform_label(self.platform))
        return action

    # ---------------------------------------------------------------- migration

    @api.model
    def _migrate_shop_credentials(self):
        """Give every shop an app, from the app key and secret it holds itself
        (shops connected before 18.0.1.2.0): one app per platform, company and
        key, found or created, its secret the shops' own (still encrypted).
        Returns the shops linked.
        """
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            """
            SELECT shop.id, shop.platform, shop.company_id, shop.app_key,
                   cred.app_secret_enc, shop.api_base_url, shop.service_id
              FROM entro_marketplace_shop shop
              LEFT JOIN entro_marketplace_credential cred
                ON cred.shop_id = COALESCE(shop.credential_shop_id, shop.id)
             WHERE shop.app_id IS NULL
               AND COALESCE(shop.app_key, '') != ''
             ORDER BY shop.credential_shop_id NULLS FIRST, shop.id
            """
        )
        rows = cr.fetchall()
        Shop = self.env["entro.marketplace.shop"].sudo().with_context(active_test=False)
        App = self.sudo().with_context(active_test=False)
        linked = Shop.browse()
        for shop_id, platform, company_id, key, secret_enc, host, service in rows:
            shop = Shop.browse(shop_id)
            app = App.search(
                [
                    ("platform", "=", platform),
                    ("company_id", "=", company_id),
                    ("app_key", "=", key),
                ],
                limit=1,
            )
            if not app:
                app = App.create(
                    {
                        "platform": platform,
                        "company_id": company_id,
                        "app_key": key,
                        "api_base_url": host or False,
                        "service_id": service or False,
                    }
                )
            if secret_enc and not app.app_secret_enc:
                app.app_secret_enc = secret_enc
            # SQL: app_key is the app's now (a related field); keep it as it is
            cr.execute(
                "UPDATE entro_marketplace_shop SET app_id = %s WHERE id = %s",
                [app.id, shop_id],
            )
            linked |= shop
        # the secret lives on the app only from now on
        cr.execute(
            "UPDATE entro_marketplace_credential SET app_secret_enc = NULL "
            "WHERE shop_id = ANY(%s)",
            [linked.ids],
        )
        self.env.invalidate_all()
        return linked
