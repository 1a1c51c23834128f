"""What every platform's end-to-end case shares: jobs, syncs, webhooks over HTTP."""

import requests

from ..odoo_case import CrossAddonHttpCase
from .jobs import run_jobs


class MarketplaceFlowCase(CrossAddonHttpCase):
    """Odoo's HTTP server and one platform's emulator; ``cls.shop`` connected to it."""

    platform = None  # set by each platform's case

    def run_jobs(self, **kwargs):
        return run_jobs(self.env, **kwargs)

    def sync(self, shop=None):
        (shop or self.shop).action_sync_orders()
        return self.run_jobs()

    def bindings(self, shop=None):
        return self.env["entro.marketplace.order"].search(
            [("shop_id", "=", (shop or self.shop).id)]
        )

    def webhook_url(self):
        return f"{self.base_url()}/entro/webhook/{self.platform}"

    def push(self, messages, **kwargs):
        """Have the emulator deliver these pushes to Odoo's webhook over HTTP."""
        self.env.flush_all()  # the server thread reads the database, not our cache
        statuses = self.emulator.push(self.webhook_url(), messages, **kwargs)
        self.env.invalidate_all()  # ... and writes to it behind our cache
        return statuses

    def post_webhook(self, headers, body):
        """POST one push to Odoo's webhook over HTTP; return the response."""
        self.env.flush_all()
        response = requests.post(
            self.webhook_url(), data=body, headers=headers, timeout=10
        )
        self.env.invalidate_all()
        return response
