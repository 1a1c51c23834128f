import logging
import time

from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo import SUPERUSER_ID, http
from odoo.exceptions import AccessError
from odoo.http import request

from ..platforms import PLATFORMS
from ..platforms.errors import PlatformError, WebhookRejected

_logger = logging.getLogger(__name__)

# Larger bodies are refused before anything is parsed or stored.
MAX_WEBHOOK_BYTES = 1024 * 1024
READ_CHUNK = 64 * 1024
# the body once read: should Odoo retry the request (concurrency), it is still there
BODY_KEY = "entro.webhook.body"


def read_capped(stream, limit):
    """The bytes of ``stream``, or None when there are more than ``limit``.

    Never reads more than ``limit + 1`` bytes, whatever the request claims: a
    chunked body has no Content-Length to check beforehand.
    """
    chunks, size = [], 0
    while size <= limit:
        chunk = stream.read(min(READ_CHUNK, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks) if size <= limit else None


def _input_stream(httprequest):
    """werkzeug's input stream of the request (a chunked body included), which
    Odoo's request wrapper does not expose."""
    return getattr(httprequest, "_HTTPRequest__wrapped", httprequest).stream


class MarketplaceController(http.Controller):
    @http.route(
        "/entro/webhook/<string:platform>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        # it writes: a read-only attempt would consume the body, then be retried
        readonly=False,
    )
    def webhook(self, platform, **_kwargs):
        """Platform pushes: verify, store once, enqueue; answer 2xx, empty body.

        No API call is made here: the work runs in queue_job jobs, so the platform
        gets its answer fast and never retries for a slow import.
        """
        started = time.monotonic()
        if platform not in PLATFORMS:
            raise NotFound()
        # the platform is no user of ours: act as OdooBot, as crons do
        env = request.env(user=SUPERUSER_ID)
        Event = env["entro.marketplace.event"]
        httprequest = request.httprequest
        environ = httprequest.environ
        if BODY_KEY not in environ:
            if (httprequest.content_length or 0) > MAX_WEBHOOK_BYTES:
                environ[BODY_KEY] = None
            else:
                environ[BODY_KEY] = read_capped(
                    _input_stream(httprequest), MAX_WEBHOOK_BYTES
                )
        body = environ[BODY_KEY]
        if body is None:
            if Event._log_webhook(platform, None, 413, started, "too_large"):
                _logger.warning("refused a %s push: too_large", platform)
            return request.make_response("", status=413)
        try:
            shop, event = Event._verify_webhook(platform, httprequest.headers, body)
        except WebhookRejected as exc:
            # one log line and row per platform, status and reason a minute
            if Event._log_webhook(platform, None, exc.status, started, exc.reason):
                _logger.warning("refused a %s push: %s", platform, exc.reason)
            return request.make_response("", status=exc.status)
        record = Event._receive(platform, shop, event)
        Event._log_webhook(
            platform, shop, 200, started, None if record else "duplicate"
        )
        return request.make_response("", status=200)

    @http.route(
        "/entro/oauth/<string:platform>",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=False,
    )
    def oauth_callback(self, platform, state=None, code=None, **params):
        """Where the platform sends the seller back after authorizing the shop."""
        Shop = request.env["entro.marketplace.shop"]
        if not request.env.user.has_group(
            "entro_marketplace.group_marketplace_manager"
        ):
            raise Forbidden("Only Marketplace Managers can connect shops.")
        shop = Shop._shop_for_oauth_state(platform, state)
        if not shop:
            raise BadRequest(
                "This authorization link is unknown or expired: start the connection "
                "again from the shop."
            )
        if not code:
            raise BadRequest("The platform did not send an authorization code.")
        # the shop is found by its state (as superuser): it must be one this user
        # may change, in any of the user's companies, before it is written to
        companies = request.env.user.company_ids
        try:
            shop.with_context(allowed_company_ids=companies.ids).check_access("write")
        except AccessError:
            raise Forbidden("This shop is not one you can connect.")
        try:
            shop._complete_oauth(code, params)
        except PlatformError as exc:
            shop._report_failure("connection", exc)
            raise BadRequest(f"The platform refused the authorization: {exc}")
        return request.redirect(
            f"/odoo/action-entro_marketplace.entro_marketplace_shop_action/{shop.id}",
            local=True,
        )
