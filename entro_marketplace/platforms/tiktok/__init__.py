"""TikTok Shop Partner API (versions 202309 and later).

Signing (HMAC-SHA256 keyed with the app secret, lower-case hex): the query
parameters but ``sign`` and ``access_token``, sorted by name and concatenated as
``key + value``, prefixed by the request path, followed by the exact JSON body
(unless the request is multipart), the whole wrapped in the app secret:
``secret + path + k1v1k2v2.. + body + secret``. The body is serialised once and
sent as the very bytes that were signed. The access token travels in the
``x-tts-access-token`` header, never in the query.

Tokens belong to the seller, not to a shop: one authorization can serve several
shops (one per region, or several in one region), each addressed by the
``shop_cipher`` of Get Authorized Shops. Each of them is a shop of its own in
Odoo (``shop_external_id`` = TikTok's shop id, which webhooks carry); they share
one set of tokens. The cipher of a shop is looked up once per process and app
(``client._CIPHERS``), or taken from ``ShopConfig.extra["shop_cipher"]``.

Tokens are got and refreshed on ``auth.tiktok-shops.com`` (GET, the app secret
in the query, no signature); their expiries are Unix times in the answer. The
refresh token lasts as long as the seller's authorization.

The package:

- :mod:`.const`: hosts, API versions, status maps, error codes;
- :mod:`.signing`: request signatures, webhook signatures;
- :mod:`.mappers`: TikTok JSON -> normalised records (orders and their amounts,
  returns, listings, webhooks, statements), no I/O;
- :mod:`.client`: :class:`TikTokPlatform` (calls, shop ciphers, authorization,
  orders, webhooks), with the mixins :mod:`.listings` (products, stock and
  prices), :mod:`.fulfilment` (shipping, labels, cancellations, returns) and
  :mod:`.finance` (statements as settlements).
"""

from ..errors import (
    AuthorizationError,
    PermanentError,
    PlatformError,
    RateLimited,
    TokenExpired,
    TransientError,
    WebhookRejected,
)
from .client import TikTokPlatform, forget_ciphers
from .const import (
    API_URL,
    AUTH_URL,
    CANCEL_REASON_CODES,
    CONSENT_URL,
    HANDOVER_METHODS,
    PUSH_KINDS,
    RATE_LIMIT_CODE,
    REGION_CURRENCIES,
    RETURN_STATES,
    STATUS_MAP,
    VERSION,
    WEBHOOK_TOLERANCE,
)
from .signing import encode_body, sign, webhook_signature
