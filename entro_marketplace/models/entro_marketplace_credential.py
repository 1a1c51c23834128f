from odoo import fields, models


class EntroMarketplaceCredential(models.Model):
    """The tokens of one shop, encrypted, in a table of their own (the app key
    and secret are the shop's platform app's: entro.marketplace.app).

    Only the system (and administrators) can read this model: the shop shows
    whether a secret is set and when tokens expire, never their values. Tokens
    are written here in transactions of their own (refresh tokens are single-use),
    so keeping them off the shop's row means those writes never conflict with a
    job updating the shop.
    """

    _name = "entro.marketplace.credential"
    _description = "Marketplace Shop Credentials"
    _rec_name = "shop_id"

    shop_id = fields.Many2one(
        "entro.marketplace.shop", required=True, index=True, ondelete="cascade"
    )
    # Legacy: the app secret of shops connected before 18.0.1.2.0, moved to their
    # platform app (entro.marketplace.app) by the upgrade; nothing writes it now.
    app_secret_enc = fields.Char(copy=False)
    access_token_enc = fields.Char(copy=False)
    refresh_token_enc = fields.Char(copy=False)
    access_expires_at = fields.Datetime(copy=False)
    refresh_expires_at = fields.Datetime(copy=False)
    authorization_expires_at = fields.Datetime(copy=False)
    oauth_state_hash = fields.Char(copy=False)
    oauth_state_expires = fields.Datetime(copy=False)

    _sql_constraints = [
        ("shop_uniq", "unique(shop_id)", "A shop has one set of credentials."),
    ]

    def _clear_tokens(self):
        self.write(
            {
                "access_token_enc": False,
                "refresh_token_enc": False,
                "access_expires_at": False,
                "refresh_expires_at": False,
                "authorization_expires_at": False,
            }
        )
