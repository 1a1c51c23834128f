import hashlib
import json
import logging
import math
import secrets
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import consteq, str2bool

from odoo.addons.queue_job.exception import RetryableJobError

from ..platforms import get_platform_class
from ..platforms.config import ShopConfig
from ..platforms.errors import RateLimited, TransientError
from ..platforms.records import ORDER_STATES
from ..tools import crypto
from ..tools.dates import to_aware, to_naive
from ..tools.locks import stock_transaction
from ..tools.rate_holds import DatabaseHolds
from ..tools.token_store import ShopTokenStore
from .entro_marketplace_platform_mixin import platform_hosts, platform_label

_logger = logging.getLogger(__name__)

SECRET_FIELDS = ("app_secret", "access_token", "refresh_token")
OAUTH_STATE_LIFETIME = timedelta(minutes=30)

CUSTOM_API_HOSTS_PARAM = "entro_marketplace.allow_custom_api_hosts"
PUBLIC_BASE_URL_PARAM = "entro_marketplace.public_base_url"


class EntroMarketplaceShop(models.Model):
    """One store connected on a marketplace, in one company."""

    _name = "entro.marketplace.shop"
    _description = "Marketplace Shop"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "entro.marketplace.platform.mixin",
    ]
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, tracking=True)
    sequence = fields.Integer(default=10)
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
    external_id = fields.Char(
        string="Shop ID on the Platform",
        copy=False,
        index=True,
        help="The identifier the platform gives this shop (shop_id, seller_id, ...).",
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

    # --- c20-connect: the platform app the shop authorises (one-click connect) -------
    app_id = fields.Many2one(
        "entro.marketplace.app",
        string="Platform App",
        check_company=True,
        index=True,
        ondelete="restrict",
        tracking=True,
        domain="[('platform', '=', platform)]",
        help="The company's app of this platform (Configuration > Platform Apps), "
        "whose key and secret the shop uses: the seller only authorises it.",
    )
    name_from_platform = fields.Boolean(
        "Name from the Platform",
        copy=False,
        help="Connected without a name: the shop takes the name the platform gives "
        "it when the seller authorizes it.",
    )
    # --- end c20-connect ------------------------------------------------------------
    # --- credentials: stored encrypted, readable by nobody through the ORM ---------
    app_key = fields.Char(
        string="App Key / Partner ID",
        related="app_id.app_key",
        store=True,
        help="The app's public identifier on the platform (Shopee: partner_id), "
        "from the shop's platform app. Given on create or write (XML-RPC), it "
        "chooses the company's app of the platform, created when there is none.",
    )
    app_secret = fields.Char(
        string="App Secret / Partner Key",
        compute="_compute_app_secret",
        inverse="_inverse_app_secret",
        help="Write-only, for integrators: stored encrypted on the shop's platform "
        "app; it is never shown again once saved.",
    )
    credential_ids = fields.One2many(
        "entro.marketplace.credential", "shop_id", groups="base.group_system"
    )
    has_app_secret = fields.Boolean(compute="_compute_credentials")
    has_tokens = fields.Boolean(compute="_compute_credentials")
    access_expires_at = fields.Datetime(
        "Access Token Expires", compute="_compute_credentials"
    )
    refresh_expires_at = fields.Datetime(
        "Refresh Token Expires", compute="_compute_credentials"
    )
    authorization_expires_at = fields.Datetime(
        "Authorization Expires",
        compute="_compute_credentials",
        help="When the seller's grant ends; the seller must authorize again before.",
    )
    token_warning_days = fields.Integer(
        default=7,
        help="Warn this many days before the refresh token or the authorization ends.",
    )
    token_warning_sent_for = fields.Datetime(readonly=True, copy=False)
    country_code = fields.Selection(
        [
            ("vn", "Vietnam"),
            ("sg", "Singapore"),
            ("th", "Thailand"),
            ("my", "Malaysia"),
            ("ph", "Philippines"),
            ("id", "Indonesia"),
        ],
        string="Market",
        default="vn",
        help="The country of this shop, for platforms that have a host per country "
        "(Lazada).",
    )
    credential_shop_id = fields.Many2one(
        "entro.marketplace.shop",
        string="Uses the Authorization of",
        readonly=True,
        copy=False,
        index=True,
        help="For a cross-border seller whose one authorization serves several "
        "countries: the shop that holds the shared tokens.",
    )
    api_base_url = fields.Char(
        string="API Host",
        help="Leave empty for the platform's production host. Another host of the "
        "platform (its sandbox, a country's host) can be set here; a host that is "
        "not the platform's (the Entro emulator) only on a test or sandbox "
        "database. Changing it forgets the shop's tokens.",
    )
    service_id = fields.Char(
        string="Service ID",
        help="TikTok Shop: the service_id of the app's authorization link in Partner "
        "Center (services.tiktokshop.com/open/authorize?service_id=...).",
    )

    # --- where the orders go ----------------------------------------------------------
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        check_company=True,
        help="Warehouse the orders of this shop ship from, and whose stock is pushed.",
    )
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist of the sales orders, and the prices pushed to the platform.",
    )
    team_id = fields.Many2one("crm.team", string="Sales Team", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        help="Receives the activities of this shop (exceptions, expiring tokens).",
    )
    sale_tax_id = fields.Many2one(
        "account.tax",
        string="Tax on Marketplace Prices",
        check_company=True,
        domain="[('type_tax_use', '=', 'sale'), ('price_include', '=', True)]",
        help="Marketplace prices include tax: choose a price-included sales tax to "
        "split it out, or leave empty for no tax on marketplace orders.",
    )

    # --- fulfilment, returns and invoices ---------------------------------------------
    ship_mode = fields.Selection(
        [("pickup", "Carrier Pickup"), ("dropoff", "Drop-off")],
        string="Hand Parcels Over By",
        default="pickup",
        required=True,
        help="How shipments are arranged on the platform when a delivery is "
        "validated: the carrier picks the parcels up at the shop's pickup address, "
        "or the shop drops them at a carrier branch. When an order's channel offers "
        "only the other way, that one is used (Lazada takes it from Seller Center).",
    )
    invoice_policy = fields.Selection(
        [
            ("confirm", "On Confirmation"),
            ("delivery", "On Delivery"),
            ("manual", "Manually"),
        ],
        string="Invoice Orders",
        default="delivery",
        required=True,
        help="When marketplace orders are invoiced (and the invoice posted): when "
        "the platform confirms the order, when its delivery is validated, or never "
        "automatically.",
    )
    invoice_journal_id = fields.Many2one(
        "account.journal",
        string="Invoice Journal",
        check_company=True,
        domain="[('type', '=', 'sale')]",
        help="Sales journal of the invoices and credit notes of this shop's orders "
        "(empty: the company's first sales journal).",
    )
    return_cursor = fields.Datetime(
        "Returns Synced Up To",
        readonly=True,
        copy=False,
        help="Returns and refunds updated up to this time have been imported.",
    )

    # --- sync settings and cursors ----------------------------------------------------
    sync_orders = fields.Boolean("Import Orders", default=True)
    sync_stock = fields.Boolean("Push Stock", default=True)
    sync_prices = fields.Boolean("Push Prices", default=False)
    stock_buffer = fields.Integer(
        "Safety Stock",
        default=0,
        help="Quantity kept back: the platform is told free quantity minus this.",
    )
    push_delay = fields.Integer(
        "Stock Push Delay (s)",
        default=5,
        help="Stock changes are gathered for this long, then pushed in one go.",
    )
    initial_sync_days = fields.Integer(
        "First Import (days)",
        default=14,
        help="How far back the first order import reaches.",
    )
    order_overlap_minutes = fields.Integer(
        "Import Overlap (min)",
        default=10,
        help="Each scheduled import re-reads this much before the last one ended, "
        "so that an order updated at the edge is not missed.",
    )
    status_map_override = fields.Text(
        "Status Mapping Overrides",
        help="Optional JSON object from the platform's order status to Entro's "
        'state, over the built-in mapping, e.g. {"PROCESSED": "shipped"}. States: '
        "unpaid, pending, to_ship, shipped, delivered, completed, in_cancel, "
        "cancelled, to_return, returned. Orders are confirmed from to_ship on. "
        "An order in a status no mapping knows is held as an exception until "
        "the status is mapped here.",
    )
    rate_limit_per_s = fields.Float(
        "Rate Limit (calls/s)",
        default=10.0,
        help="Calls per second to the platform for this shop, in each Odoo worker.",
    )
    order_cursor = fields.Datetime(
        "Orders Synced Up To",
        readonly=True,
        copy=False,
        help="Orders updated up to this time have been imported.",
    )
    last_sync_at = fields.Datetime(readonly=True, copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    webhook_url = fields.Char(compute="_compute_webhook_url")
    public_url_warning = fields.Boolean(
        "Public Address Not Fixed",
        compute="_compute_public_url_warning",
        help="The public address of this Odoo is not set, and Odoo may change the "
        "one it falls back to: webhook signatures and OAuth callbacks would break.",
    )

    order_ids = fields.One2many("entro.marketplace.order", "shop_id")
    listing_ids = fields.One2many("entro.marketplace.listing", "shop_id")
    order_count = fields.Integer(compute="_compute_counts")
    exception_count = fields.Integer(compute="_compute_counts")
    listing_count = fields.Integer(compute="_compute_counts")
    unmatched_count = fields.Integer(compute="_compute_counts")

    _sql_constraints = [
        (
            "external_id_uniq",
            "unique(platform, external_id)",
            "This platform shop is already connected.",
        ),
    ]

    # ------------------------------------------------------------------- computes

    def _compute_app_secret(self):
        # Write-only: the secret is never read back.
        for shop in self:
            shop.app_secret = False

    def _inverse_app_secret(self):
        # c20-connect: the secret is the app's; given on a shop (the old way, by
        # an integrator), it is stored on the shop's app
        for shop in self:
            if shop.app_secret:
                if not shop.app_id:
                    raise ValidationError(
                        _(
                            "An app secret needs its app: give the app key too, or "
                            "choose the shop's platform app."
                        )
                    )
                shop.app_id._set_secret_from_shop(shop.app_secret, shop)
        # write-only: never read back, not even from this transaction's cache
        self.invalidate_recordset(["app_secret", "has_app_secret"])

    def _readable_app_secret(self):
        """This shop's app secret, or None when it has none or it cannot be
        decrypted."""
        self.ensure_one()
        return self.app_id._secret_or_none() if self.app_id else None

    def _flag_unreadable_credentials(self):
        """The stored secrets of these shops cannot be decrypted (the encryption
        key changed without the old one kept): the shops need a person. Said once
        per shop (log, state, activity); never a secret in it."""
        message = _(
            "The stored credentials of this shop cannot be decrypted with the "
            "configured encryption keys (the key changed without the old one being "
            "kept). Its webhooks are refused and it cannot sync: put the old key "
            "back after the new one, or enter the app secret again and authorize "
            "the shop again."
        )
        for shop in self:
            if shop.state == "error" and shop.last_error == message:
                continue
            _logger.error(
                "the credentials of marketplace shop %s (%s) cannot be decrypted "
                "with the configured keys: its webhooks are skipped",
                shop.id,
                shop.platform,
            )
            # sudo: the system reports on the shop (a webhook has no user)
            shop.sudo().write({"state": "error", "last_error": message})
            shop._schedule_activity(_("Marketplace credentials unreadable"), message)

    def _compute_credentials(self):
        owners = {shop.id: (shop.credential_shop_id or shop).id for shop in self}
        # sudo: only whether secrets are set and when tokens end, of readable shops
        credentials = (
            self.env["entro.marketplace.credential"]
            .sudo()
            .search([("shop_id", "in", list(set(owners.values())))])
        )
        by_shop = {c.shop_id.id: c for c in credentials}
        for shop in self:
            cred = by_shop.get(owners.get(shop.id))
            # c20-connect: the secret is the app's
            shop.has_app_secret = bool(shop.app_id.has_secret)
            shop.has_tokens = bool(cred and cred.access_token_enc)
            shop.access_expires_at = cred.access_expires_at if cred else False
            shop.refresh_expires_at = cred.refresh_expires_at if cred else False
            shop.authorization_expires_at = (
                cred.authorization_expires_at if cred else False
            )

    @api.depends("platform")
    def _compute_webhook_url(self):
        # the very URL webhooks are verified against (Shopee signs it)
        Event = self.env["entro.marketplace.event"]
        for shop in self:
            shop.webhook_url = (
                Event._webhook_url(shop.platform) if shop.platform else False
            )

    def _compute_public_url_warning(self):
        warning = self._public_url_unstable()
        for shop in self:
            shop.public_url_warning = warning

    def _compute_counts(self):
        orders = self.env["entro.marketplace.order"]._read_group(
            [("shop_id", "in", self.ids)], ["shop_id", "sync_state"], ["__count"]
        )
        listings = self.env["entro.marketplace.listing"]._read_group(
            [("shop_id", "in", self.ids)], ["shop_id", "match_state"], ["__count"]
        )
        for shop in self:
            shop.order_count = sum(c for s, _st, c in orders if s == shop)
            shop.exception_count = sum(
                c for s, st, c in orders if s == shop and st == "exception"
            )
            shop.listing_count = sum(c for s, _st, c in listings if s == shop)
            shop.unmatched_count = sum(
                c for s, st, c in listings if s == shop and st == "unmatched"
            )

    @api.constrains("status_map_override")
    def _check_status_map_override(self):
        for shop in self:
            shop._status_overrides()

    def _status_overrides(self):
        """The validated status overrides of this shop ({} when none)."""
        self.ensure_one()
        if not (self.status_map_override or "").strip():
            return {}
        try:
            mapping = json.loads(self.status_map_override)
        except ValueError:
            mapping = None
        states = set(ORDER_STATES)
        if not isinstance(mapping, dict) or not all(
            isinstance(k, str) and v in states for k, v in mapping.items()
        ):
            raise ValidationError(
                _(
                    "Status mapping overrides must be a JSON object from platform "
                    "statuses to one of: %(states)s.",
                    states=", ".join(sorted(states)),
                )
            )
        return mapping

    @api.onchange("company_id")
    def _onchange_company_id(self):
        if self.warehouse_id.company_id != self.company_id:
            self.warehouse_id = False

    def _public_base_url(self):
        # sudo: system parameters are read by the system, for any user
        ICP = self.env["ir.config_parameter"].sudo()
        base = ICP.get_param(PUBLIC_BASE_URL_PARAM) or ICP.get_param("web.base.url", "")
        return base.rstrip("/")

    @api.model
    def _public_url_unstable(self):
        """Whether the URL platforms call back may change under our feet: no
        public_base_url, and web.base.url (which Odoo rewrites when an
        administrator logs in) not frozen."""
        # sudo: system parameters are read by the system, for any user
        ICP = self.env["ir.config_parameter"].sudo()
        if (ICP.get_param(PUBLIC_BASE_URL_PARAM) or "").strip():
            return False
        return not str2bool(ICP.get_param("web.base.url.freeze") or "0", False)

    # ------------------------------------------------------------------ API host

    @api.model
    def _custom_api_hosts_allowed(self):
        """Whether a shop may call a host that is not its platform's (test and
        sandbox databases only: an administrator's system parameter)."""
        # sudo: system parameters are read by the system, for any user
        value = self.env["ir.config_parameter"].sudo().get_param(CUSTOM_API_HOSTS_PARAM)
        return str2bool(value or "0", False)

    @api.model
    def _check_api_host(self, platform, url):
        """Refuse an API host that is not one of the platform's own (over https),
        unless this database allows other hosts. Every call of the shop, token
        refreshes with their secrets included, goes to this host."""
        if not url:
            return
        parts = urlsplit(url.strip())
        try:
            port = parts.port
        except ValueError:
            port = -1
        if (
            parts.scheme == "https"
            and parts.hostname in platform_hosts(platform)
            and port in (None, 443)
            and not (parts.username or parts.password)
        ):
            return
        if (
            parts.scheme in ("http", "https")
            and parts.hostname
            and self._custom_api_hosts_allowed()
        ):
            return
        raise ValidationError(
            _(
                "%(url)s is not an API host of %(platform)s. A shop calls only its "
                "platform's own hosts, over https (%(hosts)s). Other hosts, such as "
                "an emulator, are allowed on test and sandbox databases only, where a "
                "system administrator sets the system parameter %(param)s.",
                url=url,
                platform=platform_label(platform) or "?",
                hosts=", ".join(sorted(platform_hosts(platform))) or "-",
                param=CUSTOM_API_HOSTS_PARAM,
            )
        )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._resolve_app_values(vals)
        if not self.env.su:
            for vals in vals_list:
                platform = vals.get("platform") or self.env.context.get(
                    "default_platform"
                )
                self._check_api_host(platform, vals.get("api_base_url"))
        return super().create(vals_list)

    # --- c20-connect: shops get their app key and secret from a platform app ----------

    @api.model
    def _resolve_app_values(self, vals, shop=None):
        """Turn the old way of giving a shop its app (``app_key``, over XML-RPC)
        into its ``app_id``: the company's app of the platform, created when
        there is none. A shop given an app takes its platform (and company) from
        it when they are not given."""
        key = vals.pop("app_key", None)
        app = self.env["entro.marketplace.app"].browse(vals.get("app_id") or [])
        platform = (
            vals.get("platform")
            or (shop and shop.platform)
            or self.env.context.get("default_platform")
            or app.platform
        )
        company = self.env["res.company"].browse(
            vals.get("company_id")
            or (shop and shop.company_id.id)
            or self.env.context.get("default_company_id")
            or app.company_id.id
            or self.env.company.id
        )
        if key and not app:
            if not platform:
                raise ValidationError(_("Choose the shop's platform."))
            # the caller may create a shop in this company, checked by the
            # create itself (record rules) before anything else is kept
            if company not in self.env.user.company_ids and not self.env.su:
                raise AccessError(_("You cannot connect a shop for %s.", company.name))
            app = self.env["entro.marketplace.app"]._for_shop_values(
                platform, company, key, vals
            )
            vals["app_id"] = app.id
        elif key and app and app.app_key != str(key):
            raise ValidationError(
                _(
                    "The app key %(key)s is not the key of the app %(app)s.",
                    key=key,
                    app=app.display_name,
                )
            )
        if app and not shop:
            vals.setdefault("platform", app.platform)
            vals.setdefault("company_id", app.company_id.id)
        return vals

    def _name_from_tokens(self, tokens):
        """The shop's name as the platform gives it in an authorization (its
        shop or seller name), or its platform's name and shop id."""
        self.ensure_one()
        extra = tokens.extra or {}
        name = extra.get("shop_name") or extra.get("seller_name")
        for row in extra.get("country_user_info") or []:
            if not name and str(row.get("seller_id") or "") == self.external_id:
                name = row.get("name") or row.get("shop_name")
        name = str(name or "").strip()
        return name or f"{self._platform_label()} {self.external_id or self.id}"

    def _take_platform_name(self, tokens):
        """Connected without a name: take the platform's (c20-connect)."""
        for shop in self.filtered("name_from_platform"):
            # sudo: the name is the platform's word (the caller checked access)
            shop.sudo().write(
                {"name": shop._name_from_tokens(tokens), "name_from_platform": False}
            )

    @api.constrains("app_id", "platform", "company_id")
    def _check_app_platform(self):
        for shop in self.filtered("app_id"):
            if shop.app_id.platform != shop.platform:
                raise ValidationError(
                    _(
                        "The app %(app)s is not an app of %(platform)s.",
                        app=shop.app_id.display_name,
                        platform=shop._platform_label(),
                    )
                )

    # --- end c20-connect ------------------------------------------------------------

    def write(self, vals):
        # c20-connect: an app key written (the old way) chooses the shop's app
        if "app_key" in vals:
            if len(self) > 1:
                for shop in self:
                    shop.write(vals)
                return True
            vals = dict(vals)
            if not vals["app_key"]:
                vals.pop("app_key")
                vals["app_id"] = False
            elif self:
                self._resolve_app_values(vals, shop=self)
            else:
                vals.pop("app_key")
        moved = self.browse()
        if "api_base_url" in vals or "platform" in vals:
            for shop in self:
                url = vals.get("api_base_url", shop.api_base_url)
                if not self.env.su:
                    self._check_api_host(vals.get("platform", shop.platform), url)
                if (url or False) != (shop.api_base_url or False):
                    moved |= shop
        result = super().write(vals)
        if moved:
            moved._on_api_host_changed()
        return result

    def _on_api_host_changed(self):
        """Tokens were issued for the host that had them: forget them when the
        host changes (the shops sharing them stop too), and say so."""
        for shop in self.filtered(lambda s: not s.credential_shop_id and s.has_tokens):
            shop._credential()._clear_tokens()
            # sudo: state is the system's; with the shops sharing these tokens,
            # whichever company they are in
            sharing = self.sudo().search([("credential_shop_id", "=", shop.id)])
            (shop.sudo() | sharing).write({"state": "disconnected"})
            shop.invalidate_recordset(
                [
                    "has_tokens",
                    "access_expires_at",
                    "refresh_expires_at",
                    "authorization_expires_at",
                ]
            )
            shop.message_post(
                body=_(
                    "The API host changed: the tokens of the shop were forgotten. "
                    "Authorize it again."
                )
            )

    # ---------------------------------------------------------------- credentials

    def _credential(self):
        """This shop's credential record (as superuser), created when missing.

        Shops of one cross-border authorization share the owner's credentials
        (one single-use refresh token for all of them).
        """
        self.ensure_one()
        owner = self.credential_shop_id or self
        # sudo: credentials are the system's; callers hold a shop they may use
        Credential = self.env["entro.marketplace.credential"].sudo()
        return Credential.search([("shop_id", "=", owner.id)], limit=1) or (
            Credential.create({"shop_id": owner.id})
        )

    def _secrets(self):
        """Decrypted credentials of one shop (never logged, never returned to RPC)."""
        self.ensure_one()
        raw = self._credential()
        return {
            # c20-connect: the app's secret
            "app_secret": self.app_id._readable_secret() if self.app_id else None,
            "access_token": crypto.decrypt(raw.access_token_enc),
            "refresh_token": crypto.decrypt(raw.refresh_token_enc),
        }

    def _write_tokens(self, tokens):
        """Store a TokenSet (encrypted) on this shop, in the current transaction."""
        self.ensure_one()
        vals = {
            "access_token_enc": crypto.encrypt(tokens.access_token),
            "access_expires_at": to_naive(tokens.access_expires_at),
        }
        if tokens.refresh_token:
            vals["refresh_token_enc"] = crypto.encrypt(tokens.refresh_token)
        if tokens.refresh_expires_at:
            vals["refresh_expires_at"] = to_naive(tokens.refresh_expires_at)
        extra = tokens.extra or {}
        # r20-mend: given as None, the authorization's end is not known (a new
        # Shopee authorization whose end could not be read): a former one's goes
        if "authorization_expires_at" in extra:
            vals["authorization_expires_at"] = to_naive(
                extra["authorization_expires_at"]
            )
        self._credential().write(vals)
        self.invalidate_recordset(
            [
                "has_tokens",
                "access_expires_at",
                "refresh_expires_at",
                "authorization_expires_at",
            ]
        )

    @contextmanager
    def _own_transaction(self):
        """This shop in a transaction of its own, committed when the block ends.

        For what must survive a rollback of the caller's transaction: single-use
        refresh tokens, API logs, the report of a failure.
        """
        with self.env.registry.cursor() as cr:
            yield self.with_env(self.env(cr=cr, su=True))

    def _rotate_encryption(self):
        """Re-encrypt every stored secret with the first configured key."""
        # sudo: every shop's credentials (an administrator's maintenance task)
        for cred in self.env["entro.marketplace.credential"].sudo().search([]):
            cred.write(
                {
                    name: crypto.rotate(cred[name])
                    for name in (f"{f}_enc" for f in SECRET_FIELDS)
                    if cred[name]
                }
            )
        # c20-connect: and the platform apps' secrets
        self.env["entro.marketplace.app"]._rotate_encryption()
        return True

    # ------------------------------------------------------------- platform client

    def _platform_config(self):
        self.ensure_one()
        secrets_ = self._secrets()
        # Odoo's empty fields are False; the platform layer expects None
        app = self.app_id
        service_id = self.service_id or app.service_id
        return ShopConfig(
            app_key=app.app_key or None,
            app_secret=secrets_["app_secret"],
            # c20-connect: the app's host, unless the shop has one of its own
            base_url=self.api_base_url or app.api_base_url or None,
            shop_external_id=self.external_id or None,
            country=self.country_code or None,
            access_token=secrets_["access_token"],
            refresh_token=secrets_["refresh_token"],
            access_expires_at=to_aware(self.access_expires_at),
            refresh_expires_at=to_aware(self.refresh_expires_at),
            rate_limit_per_s=self.rate_limit_per_s or None,
            # a longer Retry-After postpones the job instead of holding a worker
            max_inline_wait=10,
            hold_store=DatabaseHolds(self.env),
            status_overrides=self._status_overrides(),
            extra={"service_id": service_id} if service_id else {},
        )

    def _platform_client(self, api_log=None):
        """A platform client for this shop, its calls logged; it refreshes the
        shop's tokens once across workers and stores them (ShopTokenStore)."""
        self.ensure_one()
        if not self.has_app_secret or not self.app_key:
            raise UserError(
                _(
                    "The shop %s has no platform app with its key and secret: an "
                    "administrator sets the app up in Configuration > Platform Apps.",
                    self.name,
                )
            )
        return get_platform_class(self.platform)(
            self._platform_config(),
            on_call=api_log.add if api_log is not None else None,
            token_store=ShopTokenStore(self),
        )

    @contextmanager
    def _api_session(self, operation):
        """Run platform calls for this shop, logging every one of them.

        Transient errors and rate limits become queue_job retries (honouring
        Retry-After). Other platform errors propagate: the job fails, and
        queue_job calls :meth:`_on_job_failed` once its transaction is rolled back.
        The API log is written in a transaction of its own, so that the calls of a
        failed job stay visible.
        """
        self.ensure_one()
        log = self.env["entro.marketplace.log"]._buffer(self, operation)
        try:
            yield self._platform_client(api_log=log)
        except RateLimited as exc:
            # queue_job stores the job's eta to the second, cut down: one second
            # more, so that the job never runs again inside the platform's window
            raise RetryableJobError(
                f"{self.name}: rate limited ({exc})",
                seconds=math.ceil(exc.retry_after or 60) + 1,
            )
        except TransientError as exc:
            # the job function's retry pattern (Queue Job > Job Functions) says when
            raise RetryableJobError(f"{self.name}: {exc}")
        finally:
            log.flush()

    def _on_job_failed(self, exc_name=None, exc_message=None, **_kwargs):
        """queue_job's on-failure hook (after the rollback): tell a person."""
        for shop in self:
            values = {
                "last_error": _(
                    "A job failed: %(error)s", error=exc_message or exc_name or "?"
                )
            }
            if exc_name and exc_name.rsplit(".", 1)[-1] in (
                "TokenExpired",
                "AuthorizationError",
            ):
                values["state"] = "error"
            # sudo: the failed job's own shop (its user may lack write access)
            shop.sudo().write(values)
            shop.sudo()._schedule_activity(
                _("Marketplace sync needs attention"), values["last_error"]
            )
            shop._notify_user(values["last_error"], level="danger")

    def _report_failure(self, operation, exc):
        """Record a failure on the shop (message, activity) in its own transaction.

        For failures outside jobs (the OAuth callback); jobs use _on_job_failed.
        """
        message = _("%(operation)s failed: %(error)s", operation=operation, error=exc)
        with self._own_transaction() as shop:
            shop.write({"last_error": message})
            shop._schedule_activity(_("Marketplace sync needs attention"), message)

    def _schedule_activity(self, summary, note, record=None):
        """A to-do for the shop's responsible on ``record`` (default: the shop)."""
        record = record or self
        user = self.user_id or self.env.ref("base.user_admin")
        existing = record.activity_ids.filtered(
            lambda a: a.summary == summary and a.user_id == user
        )
        if existing:
            existing[:1].note = note
            return existing[:1]
        return record.activity_schedule(
            "mail.mail_activity_data_todo", summary=summary, note=note, user_id=user.id
        )

    # ---------------------------------------------------------------- connecting

    def _check_manager(self):
        if not self.env.user.has_group("entro_marketplace.group_marketplace_manager"):
            raise AccessError(_("Only Marketplace Managers can connect shops."))

    def _oauth_redirect_uri(self, state):
        return f"{self._public_base_url()}/entro/oauth/{self.platform}?state={state}"

    def action_authorize(self):
        """Start the platform's OAuth flow: returns the URL to open."""
        self.ensure_one()
        self._check_manager()
        self._check_connection_allowed()
        state = secrets.token_urlsafe(24)
        self._credential().write(
            {
                "oauth_state_hash": hashlib.sha256(state.encode()).hexdigest(),
                "oauth_state_expires": fields.Datetime.now() + OAUTH_STATE_LIFETIME,
            }
        )
        client = get_platform_class(self.platform)(self._platform_config())
        url = client.authorize_url(self._oauth_redirect_uri(state), state=state)
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    @api.model
    def _shop_for_oauth_state(self, platform, state):
        """The shop waiting for this OAuth state, or an empty recordset."""
        if not state:
            return self.browse()
        digest = hashlib.sha256(state.encode()).hexdigest()
        # sudo: found by the secret state only; the callback then checks that the
        # user may write the shop before completing it
        credentials = (
            self.env["entro.marketplace.credential"]
            .sudo()
            .search(
                [
                    ("shop_id.platform", "=", platform),
                    ("oauth_state_hash", "=", digest),
                ]
            )
        )
        for cred in credentials:
            if consteq(cred.oauth_state_hash, digest) and (
                cred.oauth_state_expires
                and cred.oauth_state_expires > fields.Datetime.now()
            ):
                return self.browse(cred.shop_id.id)
        return self.browse()

    def _complete_oauth(self, code, params):
        """Exchange the authorization code for tokens and mark the shop connected."""
        self.ensure_one()
        log = self.env["entro.marketplace.log"]._buffer(self, "connect")
        try:
            client = self._platform_client(api_log=log)
            external_id = params.get("shop_id") or self.external_id or None
            if external_id:
                client.config.shop_external_id = str(external_id)
            tokens = client.exchange_code(code, shop_id=external_id)
        finally:
            log.flush()
        # the platform's own word on which seller/shop this is, when it gives one
        external_id = (tokens.extra or {}).get("shop_id") or external_id
        if self.state not in ("connected", "error"):
            self._check_connection_allowed()
        self._write_tokens(tokens)
        self._credential().write(
            {"oauth_state_hash": False, "oauth_state_expires": False}
        )
        # sudo: state and external id are the system's (the caller checked access)
        self.sudo().write(
            {
                "external_id": str(external_id or self.external_id or ""),
                "state": "connected",
                "last_error": False,
            }
        )
        self._take_platform_name(tokens)
        self.message_post(body=_("Shop connected on %s.", self._platform_label()))
        self._connect_sibling_shops(tokens)
        return True

    def _connect_sibling_shops(self, tokens):
        """A cross-border authorization serves several countries: one shop each,
        sharing this shop's credentials (created once, found again after)."""
        self.ensure_one()
        for row in (tokens.extra or {}).get("country_user_info") or []:
            country = str(row.get("country") or "").lower()
            seller = str(row.get("seller_id") or "")
            if not seller or seller == self.external_id:
                continue
            if country not in dict(self._fields["country_code"].selection):
                continue
            # sudo: archived shops included; one of another company is left alone
            sibling = (
                self.sudo()
                .with_context(active_test=False)
                .search(
                    [("platform", "=", self.platform), ("external_id", "=", seller)],
                    limit=1,
                )
            )
            if sibling and sibling.company_id != self.company_id:
                self.message_post(
                    body=_(
                        "The same authorization serves the seller %(seller)s, whose "
                        "shop is connected in another company: it was left as it is.",
                        seller=seller,
                    )
                )
                continue
            values = {
                "credential_shop_id": self.id,
                "state": "connected",
                "app_id": self.app_id.id,
                "api_base_url": self.api_base_url,
            }
            if sibling:
                sibling.write(values)
                continue
            # sudo: the shop of the same authorization, in this shop's company
            sibling = self.sudo().create(
                dict(
                    values,
                    name=f"{self.name} ({row.get('name') or country.upper()})",
                    platform=self.platform,
                    country_code=country,
                    external_id=seller,
                    company_id=self.company_id.id,
                    warehouse_id=self.warehouse_id.id,
                    user_id=self.user_id.id,
                    sync_orders=self.sync_orders,
                    sync_stock=self.sync_stock,
                )
            )
            self.message_post(
                body=_(
                    "The same authorization serves %(shop)s: it was added, sharing "
                    "this shop's tokens. Give it a pricelist in its currency.",
                    shop=sibling.name,
                )
            )

    def _platform_label(self):
        return platform_label(self.platform)

    def action_disconnect(self):
        """Forget the tokens and stop syncing."""
        self._check_manager()
        self._forget_authorization()
        return True

    def _forget_authorization(self):
        """Wipe the tokens and mark the shops disconnected (syncs stop)."""
        for shop in self:
            shop._credential()._clear_tokens()
        # sudo: state is the system's; the callers checked the user (or the push)
        self.sudo().write({"state": "disconnected"})
        self.invalidate_recordset(
            [
                "has_tokens",
                "access_expires_at",
                "refresh_expires_at",
                "authorization_expires_at",
            ]
        )

    # ------------------------------------------------------------ public actions

    def _check_usable(self):
        for shop in self:
            if shop.state not in ("connected", "error") or not shop.has_tokens:
                raise UserError(_("The shop %s is not connected.", shop.name))

    def _check_order_import(self):
        """Whether this environment's user may import the shop's orders: a
        Marketplace user of the shop's company. Raises AccessError otherwise.

        The import then creates what the orders need (buyers, sale orders, their
        deliveries and reservations) as the superuser, the user kept as their
        author: what a sync creates is the shop's, the same whoever started it
        (the cron and the webhooks run as the superuser; a Marketplace user
        without Sales or Inventory rights may sync too). Products and buyers are
        looked up in the shop's company only, whatever the rights.
        """
        self.ensure_one()
        if self.env.su:
            return
        user = self.env.user
        if user.has_group("entro_marketplace.group_marketplace_user"):
            # the shop's company rule, in the companies the job was queued in
            self.check_access("read")
            if self.company_id in user.company_ids:
                return
        # sudo: the names, for the message
        company = self.sudo().company_id
        raise AccessError(
            _(
                "%(user)s may not import the orders of %(shop)s: only "
                "Marketplace users of %(company)s can.",
                user=user.name,
                shop=self.sudo().name,
                company=company.name,
            )
        )

    def action_sync_orders(self):
        """Import the orders changed since the last import (runs as a job)."""
        self._check_usable()
        for shop in self:
            shop._check_order_import()
        for shop in self:
            shop._enqueue("_job_sync_orders", identity=f"sync-orders-{shop.id}")
        return self._queued_notification(_("Order sync"))

    def action_import_listings(self):
        """Import the shop's listings and match them to products by SKU."""
        self._check_usable()
        for shop in self:
            shop._enqueue("_job_import_listings", identity=f"listings-{shop.id}")
        return self._queued_notification(_("Listing import"))

    def action_push_stock(self):
        """Push the free quantity of every matched listing that changed."""
        self._check_usable()
        for shop in self:
            shop.listing_ids.filtered("product_id").write({"stock_dirty": True})
            shop._enqueue("_job_push_stock", identity=f"push-stock-{shop.id}")
        return self._queued_notification(_("Stock push"))

    def action_push_prices(self):
        """Push the pricelist price of every matched listing that changed."""
        self._check_usable()
        for shop in self:
            if not shop._has_feature("price_push"):
                raise UserError(
                    _("The plan of %s does not include pushing prices.", shop.name)
                )
            shop._enqueue("_job_push_prices", identity=f"push-prices-{shop.id}")
        return self._queued_notification(_("Price push"))

    def action_sync_returns(self):
        """Import the returns and refunds changed since the last time (as a job)."""
        self._check_usable()
        for shop in self:
            self.env["entro.marketplace.return"]._enqueue_sync(shop)
        return self._queued_notification(_("Returns sync"))

    def action_view_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "entro_marketplace.entro_marketplace_order_action"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        action["context"] = {"default_shop_id": self.id}
        return action

    def action_view_listings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "entro_marketplace.entro_marketplace_listing_action"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------- jobs

    def _job_channel(self):
        return self._platform_info().channel_path

    def _enqueue(self, method, *args, identity=None, eta=None, description=None):
        """Enqueue ``method`` of this shop as a queue_job job."""
        self.ensure_one()
        # the job writes in the company's language (sales order lines, chatter)
        shop = self.with_context(lang=self.company_id._entro_lang())
        delayable = shop.with_delay(
            channel=self._job_channel(),
            identity_key=identity,
            eta=eta,
            description=description
            or f"{self._platform_label()} {self.name}: {method.strip('_')}",
        )
        return getattr(delayable, method)(*args)

    def _job_sync_orders(self):
        """Queue the import of the orders changed since the cursor (the job of
        the cron and of Sync Orders): see entro.marketplace.order's
        :meth:`_sync_from_platform`."""
        self.ensure_one()
        # what the sync queued, counted by _enqueue_order_import, for the user
        report = {"queued": 0}
        shop = self.with_context(entro_sync_report=report)
        result = self.env["entro.marketplace.order"]._sync_from_platform(shop)
        if str(result).startswith("paused"):
            self._notify_user(shop.last_error or str(result), level="warning")
        elif report["queued"]:
            self._notify_user(
                _(
                    "%(count)s new or changed orders found: importing them.",
                    count=report["queued"],
                )
            )
        else:
            self._notify_user(_("No new or changed order since the last sync."))
        return result

    def _enqueue_order_import(self, external_ids, max_batches=None):
        """Queue the import of these orders: one job per detail batch of the
        platform, at most ``max_batches`` of them.

        The one place order ids are cut into batches (the platform's
        ``detail_batches``): each job reads its orders in one call.
        """
        self.ensure_one()
        batches = get_platform_class(self.platform).detail_batches(external_ids)
        report = self.env.context.get("entro_sync_report")
        if report is not None:
            report["queued"] += sum(len(ids) for ids in batches[:max_batches])
        jobs = []
        for ids in batches[:max_batches]:
            digest = hashlib.sha1(",".join(sorted(ids)).encode()).hexdigest()
            jobs.append(
                self._enqueue(
                    "_job_import_orders",
                    ids,
                    identity=f"import-orders-{self.id}-{digest}",
                    description=f"{self._platform_label()} {self.name}: import "
                    f"{len(ids)} order(s)",
                )
            )
        return jobs

    def _job_import_orders(self, external_ids):
        """Fetch these orders and import them: see entro.marketplace.order's
        :meth:`_import_from_platform`."""
        self.ensure_one()
        result = self.env["entro.marketplace.order"]._import_from_platform(
            self, external_ids
        )
        if self._notify_wanted():
            # the import committed in a transaction of its own: count there
            domain = [("shop_id", "=", self.id), ("external_id", "in", external_ids)]
            Order = "entro.marketplace.order"
            count = self._count_committed(Order, domain)
            exceptions = self._count_committed(
                Order, [*domain, ("sync_state", "=", "exception")]
            )
            self._notify_user(
                _(
                    "%(count)s orders imported, %(exceptions)s in exception.",
                    count=count,
                    exceptions=exceptions,
                ),
                level="warning" if exceptions else "success",
            )
        return result

    def _job_import_listings(self):
        self.ensure_one()
        with self._api_session("listing import") as client:
            listings = list(client.iter_listings())
        with stock_transaction(self) as env:
            result = env["entro.marketplace.listing"]._import_platform_listings(
                self.with_env(env), listings
            )
        if self._notify_wanted():
            unmatched = self._count_committed(
                "entro.marketplace.listing",
                [("shop_id", "=", self.id), ("match_state", "=", "unmatched")],
            )
            self._notify_user(
                _(
                    "%(count)s listings imported, %(unmatched)s not matched to a "
                    "product.",
                    count=len(listings),
                    unmatched=unmatched,
                ),
                level="warning" if unmatched else "success",
            )
        return result

    def _job_push_stock(self):
        self.ensure_one()
        return self.env["entro.marketplace.listing"]._push_stock(self)

    def _job_push_prices(self):
        self.ensure_one()
        return self.env["entro.marketplace.listing"]._push_prices(self)

    def _schedule_stock_push(self, follow_up=False):
        """Debounced: one pending push per shop gathers every change until it runs.

        ``follow_up``: the pending push may start before this transaction
        commits, and so miss its changes: queue another one after it.
        Returns the jobs queued (or found pending).
        """
        jobs = []
        for shop in self:
            if shop.sync_stock and shop.state == "connected":
                jobs.append(
                    shop._enqueue(
                        "_job_push_stock",
                        identity=None if follow_up else f"push-stock-{shop.id}",
                        eta=shop.push_delay,
                    )
                )
        return jobs

    def _job_recover_lost_events(self):
        """Import the pushes the platform failed to deliver, then acknowledge them."""
        self.ensure_one()
        # events are the system's record of what platforms said, not a user's
        Event = self.env["entro.marketplace.event"].sudo()
        with self._api_session("lost push recovery") as client:
            events = client.fetch_lost_events()
            received = 0
            for event in events:
                shop = self._shop_for_event(
                    self.platform, event.shop_external_id, app=self
                )
                if Event._receive(self.platform, shop, event, source="recovery"):
                    received += 1
            if events:
                client.confirm_lost_events()
        return f"{len(events)} lost pushes, {received} new"

    def _accepts_realtime(self):
        """Whether webhooks of this shop are acted upon at once.

        entro_billing narrows this to the plans that include real-time sync; a
        deferred event is picked up by the next scheduled order sync.
        """
        self.ensure_one()
        return True

    def _check_connection_allowed(self):
        """Raise a UserError when this shop may not be connected now.

        Called before the seller is sent to the platform's consent page and again
        when the platform calls back. entro_billing narrows this to the number of
        stores of the company's plan.
        """
        self.ensure_one()

    def _orders_sync_paused(self):
        """Why scheduled order imports of this shop are paused, or False.

        entro_billing narrows this (monthly order quota reached, service
        suspended); the cursor does not move while paused, so nothing is lost.
        """
        self.ensure_one()
        return False

    def _on_order_created(self, binding):
        """A platform order of this shop was imported for the first time.

        entro_billing narrows this: past the plan's monthly quota the order is
        still imported, flagged, and the sync of new orders pauses.
        """
        self.ensure_one()

    def _scheduled_sync_due(self):
        """Whether the order-sync cron should sync this shop now.

        entro_billing narrows this to the sync interval of scheduled-only plans.
        """
        self.ensure_one()
        return True

    def _has_feature(self, feature):
        """Whether this shop may use ``feature`` ("price_push", "payouts", ...).

        entro_billing narrows this to the features of the company's plan.
        """
        self.ensure_one()
        return True

    def _on_platform_deauthorized(self):
        """The seller revoked our access on the platform: stop and forget tokens."""
        self._forget_authorization()
        for shop in self:
            shop._schedule_activity(
                _("Marketplace access revoked"),
                _(
                    "%(platform)s says the seller revoked Entro's access to %(shop)s. "
                    "Authorize it again to resume syncing.",
                    platform=shop._platform_label(),
                    shop=shop.name,
                ),
            )

    # ------------------------------------------------------------------- crons

    @api.model
    def _cron_sync_orders(self):
        shops = self.search([("state", "=", "connected"), ("sync_orders", "=", True)])
        for shop in shops.filtered(lambda s: s._scheduled_sync_due()):
            shop._enqueue("_job_sync_orders", identity=f"sync-orders-{shop.id}")

    @api.model
    def _cron_push_prices(self):
        shops = self.search([("state", "=", "connected"), ("sync_prices", "=", True)])
        for shop in shops.filtered(lambda s: s._has_feature("price_push")):
            shop._enqueue("_job_push_prices", identity=f"push-prices-{shop.id}")

    @api.model
    def _cron_check_tokens(self):
        """Warn the responsible before a refresh token or an authorization ends."""
        now = fields.Datetime.now()
        for shop in self.search([("state", "in", ("connected", "error"))]):
            ends = [
                d for d in (shop.refresh_expires_at, shop.authorization_expires_at) if d
            ]
            if not ends:
                continue
            end = min(ends)
            if end - now > timedelta(days=shop.token_warning_days):
                continue
            if shop.token_warning_sent_for == end:
                continue
            shop._schedule_activity(
                _("Marketplace authorization ends soon"),
                _(
                    "The access of %(shop)s to %(platform)s ends on %(date)s UTC. "
                    "Authorize the shop again before then, or syncing stops.",
                    shop=shop.name,
                    platform=shop._platform_label(),
                    date=end,
                ),
            )
            shop.token_warning_sent_for = end

    @api.model
    def _shop_for_event(self, platform, external_id, app=None):
        """The shop an event names, or an empty recordset. With ``app`` (the shop
        whose credentials fetched the event): only a shop of the same app key and
        secret, the only ones that app speaks for."""
        # sudo: the event names a shop of any company; ``app`` narrows it below
        shop = self.sudo().search(
            [("platform", "=", platform), ("external_id", "=", str(external_id))],
            limit=1,
        )
        # c20-connect: the same app record, or the same app entered in another
        # company (same key and secret)
        if (
            app
            and shop
            and shop != app
            and not (app.app_id and app.app_id._same_credentials(shop.app_id))
        ):
            return self.browse()
        return shop
