from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from odoo.addons.queue_job.exception import RetryableJobError

from ..platforms import get_platform_class
from ..platforms.errors import PlatformError

CANCEL_REASONS = [
    ("out_of_stock", "Out of Stock"),
    ("customer_request", "Customer Request"),
    ("undeliverable_area", "Undeliverable Area"),
    ("cod_not_supported", "Cash on Delivery Not Supported"),
]


class EntroMarketplaceCancel(models.TransientModel):
    """The seller cancels a marketplace order: on the platform first, with a reason."""

    _name = "entro.marketplace.cancel"
    _description = "Cancel a Marketplace Order"

    sale_order_id = fields.Many2one("sale.order", required=True, readonly=True)
    shop_id = fields.Many2one(related="sale_order_id.entro_shop_id")
    platform = fields.Selection(related="shop_id.platform")
    reason = fields.Selection(CANCEL_REASONS, required=True, default="out_of_stock")
    note = fields.Text(help="Kept on the order's chatter with the reason.")

    @api.constrains("sale_order_id")
    def _check_sale_order_access(self):
        # the cancellation acts on the order as the system (a Marketplace User may
        # have no sales rights): it must be an order of the user's companies
        if self.env.su:
            return
        for wizard in self:
            # sudo: only the order's company is read, to refuse another's
            if wizard.sale_order_id.sudo().company_id not in self.env.companies:
                raise AccessError(
                    _("This order belongs to a company you are not working in.")
                )

    def action_confirm(self):
        self.ensure_one()
        sale = self.sale_order_id
        binding = sale._entro_check_seller_cancellable()
        shop = sale.entro_shop_id
        if binding:
            allowed = get_platform_class(shop.platform).cancel_reasons
            if self.reason not in allowed:
                raise UserError(
                    _(
                        "%(platform)s does not accept this reason. Choose one of: "
                        "%(reasons)s.",
                        platform=shop._platform_label(),
                        reasons=", ".join(
                            label for code, label in CANCEL_REASONS if code in allowed
                        ),
                    )
                )
            shop._check_usable()
            self._cancel_on_platform(shop, binding)
        label = dict(CANCEL_REASONS)[self.reason]
        sale.with_context(
            entro_platform_cancel_done=True, disable_cancel_warning=True
        ).action_cancel()
        sale.message_post(
            body=_(
                "Cancelled by the seller on the marketplace: %(reason)s. %(note)s",
                reason=label,
                note=self.note or "",
            )
        )
        return True

    def _cancel_on_platform(self, shop, binding):
        try:
            with shop._api_session("seller cancel") as client:
                orders = client.get_orders([binding.external_id])
                if not orders:
                    raise UserError(
                        _("The platform does not know order %s.", binding.external_id)
                    )
                client.cancel_order(orders[0], self.reason)
        except RetryableJobError as exc:
            raise UserError(
                _(
                    "The platform could not be reached (%s): nothing was cancelled. "
                    "Try again in a moment.",
                    exc,
                )
            ) from exc
        except PlatformError as exc:
            raise UserError(
                _(
                    "The platform refused to cancel %(order)s: %(error)s",
                    order=binding.external_id,
                    error=exc,
                )
            ) from exc
        binding.message_post(
            body=_("Cancelled on the platform by the seller (%s).", self.reason)
        )
