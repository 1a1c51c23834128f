"""What every platform's end-to-end case shares: jobs, syncs, webhooks over HTTP."""

from urllib.parse import urlsplit

import requests

from odoo.tests import HttpCase, tagged
from odoo.tests.common import BlockedRequest, _super_send

from .jobs import run_jobs

CUSTOM_API_HOSTS_PARAM = "entro_marketplace.allow_custom_api_hosts"
LOOPBACK = ("127.0.0.1", "localhost", "::1")


class LoopbackRequests:
    """Odoo's guard against real HTTP in tests, keeping (connect, read) timeouts."""

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Odoo's own handler compares the timeout with a number and fails on the
        tuples our transport uses; the rule is the same: loopback only."""
        if urlsplit(r.url).hostname in LOOPBACK:
            return _super_send(s, r, **kw)
        raise BlockedRequest(f"External requests verboten (was {r.method} {r.url})")


@tagged("post_install", "-at_install")
class MarketplaceFlowCase(LoopbackRequests, HttpCase):
    """Odoo's HTTP server and one platform's emulator; ``cls.shop`` connected to it."""

    platform = None  # set by each platform's case

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The shops call an emulator on loopback, which only a test or sandbox
        # database allows (tests of the refusal unset it again).
        cls.env["ir.config_parameter"].sudo().set_param(CUSTOM_API_HOSTS_PARAM, True)

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
