from odoo import _, models


class EntroMarketplaceShop(models.Model):
    _inherit = "entro.marketplace.shop"

    def _entro_revoke_url(self):
        """The platform's page where the seller withdraws the app's access, when
        the platform has one (computed before the credentials are wiped)."""
        self.ensure_one()
        if not (self.has_app_secret and self.app_key):
            return False  # no credentials: nothing to sign the link with
        client = self._platform_client()
        redirect = f"{self._public_base_url()}/odoo"
        return client.deauthorize_url(redirect) or False

    def action_disconnect(self):
        """Disconnect, then open the platform's page where the seller withdraws
        the app itself, when the platform has one (Shopee)."""
        urls = [shop._entro_revoke_url() for shop in self]
        super().action_disconnect()
        url = next(filter(None, urls), False)
        if url:
            return {"type": "ir.actions.act_url", "url": url, "target": "new"}
        return True

    def _on_platform_deauthorized(self):
        return super(
            EntroMarketplaceShop,
            self.with_context(entro_privacy_reason="platform"),
        )._on_platform_deauthorized()

    def _forget_authorization(self):
        """Also wipe the app's credentials, cancel the shops' pending jobs, and
        record it in the privacy audit trail. Shops sharing the authorization of
        one of these are disconnected with it."""
        # sudo: shops sharing the authorization of shops the caller may disconnect
        siblings = (
            self.sudo()
            .with_context(active_test=False)
            .search(
                [("credential_shop_id", "in", self.ids), ("id", "not in", self.ids)]
            )
        )
        shops = self | siblings.with_env(self.env)
        result = super(EntroMarketplaceShop, shops)._forget_authorization()
        # sudo: credentials are readable by no one through the ORM
        Credential = self.env["entro.marketplace.credential"].sudo()
        Credential.search([("shop_id", "in", shops.ids)]).write(
            {
                "app_secret_enc": False,
                "oauth_state_hash": False,
                "oauth_state_expires": False,
            }
        )
        # sudo: the shops' pending jobs, whoever queued them
        Job = self.env["queue.job"].sudo()
        jobs = Job.search(
            [
                ("model_name", "=", self._name),
                ("state", "in", ("wait_dependencies", "pending", "enqueued")),
            ]
        ).filtered(lambda j: set(j.records.ids) & set(shops.ids))
        jobs.button_cancelled()
        request = self.env["entro.privacy.request"].browse(
            self.env.context.get("entro_privacy_request")
        )
        reason = (
            _("the platform says the seller revoked the access")
            if self.env.context.get("entro_privacy_reason") == "platform"
            else _("disconnected in Odoo")
        )
        for shop in shops:
            detail = _(
                "%(shop)s: %(reason)s; tokens and credentials wiped, %(jobs)s pending "
                "jobs cancelled.",
                shop=shop.name,
                reason=reason,
                jobs=len(jobs.filtered(lambda j, s=shop: s.id in j.records.ids)),
            )
            self.env["entro.privacy.audit"]._log(
                "revoke", detail, shop_id=shop, request_id=request
            )
            # sudo: a system note in the shop's chatter, whoever disconnected it
            shop.sudo().message_post(body=detail)
        return result
