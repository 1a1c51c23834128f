"""A loopback emulator of the Lazada Open Platform (the parts Entro uses).

It checks what Lazada checks (app key, timestamp within 7200 s, the UPPER-case
HMAC-SHA256 signature over path + sorted parameters, access tokens, single-use
codes, refresh tokens whose lifetime a refresh does not reset, page and batch
limits) and answers in Lazada's envelope: ``{"code": "0", "data": ..,
"request_id": ..}`` or ``{"type", "code", "message", "request_id"}`` with HTTP
200 for business errors, as Lazada does; injected faults use 429 and 5xx. Paths
are served with or without the ``/rest`` prefix, API and auth on one port.

It is written independently from the client in ``entro_marketplace``.
"""

from __future__ import annotations

import hmac
import random
import secrets
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from ..harness import TOKEN_EXPIRED, EmulatorServer, Request, Response
from .const import TIMESTAMP_TOLERANCE
from .finance import LazadaFinance
from .fulfilment import LazadaFulfilment
from .listings import LazadaListings
from .orders import LazadaOrders
from .signing import lazada_sign


class LazadaEmulator(
    LazadaOrders, LazadaFulfilment, LazadaListings, LazadaFinance, EmulatorServer
):
    """Lazada Open Platform on loopback.

    :param sellers: ``{country: seller_id}`` one token serves (two countries =
        a cross-border seller); the first is the default seller.
    :param offset_ceiling: largest offset /orders/get accepts (Lazada: 5000).
    :param access_ttl, refresh_ttl: token lifetimes in seconds.
    """

    def __init__(
        self,
        app_key: str = "123456",
        app_secret: str = "test_app_secret",
        sellers: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        access_ttl: int = 7 * 86400,
        refresh_ttl: int = 30 * 86400,
        offset_ceiling: int = 5000,
        clock: Any = time.time,
        seed: int = 0,
    ):
        super().__init__(host, port)
        self.app_key = str(app_key)
        self.app_secret = app_secret
        self.sellers = dict(sellers or {"vn": "200100"})
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.offset_ceiling = offset_ceiling
        self.clock = clock
        self.rng = random.Random(seed)
        #: /orders/items/get calls after packing that still show no tracking code
        #: (a carrier that assigns it late); 0 = the pack response carries it
        self.tracking_delay = 0
        #: issue 22: None (a company), or the kind of business of a household or
        #: individual seller whose VAT and PIT Lazada withholds per order item
        #: ("goods", "services", "transport", "unknown": see vn_withholding)
        self.withholding: str | None = None
        #: the fee names of those rows (their offsets: "Reversal <name>")
        self.withholding_fee_names = {
            "vat": "VAT Withholding",
            "pit": "PIT Withholding",
        }
        for key in ("orders", "products", "codes", "access", "refresh", "reverse"):
            self.store[key] = {}
        self.store["finance"] = []
        self.store["statements"] = []
        self.store["next_transaction"] = 51000000
        routes = {
            ("GET", "/oauth/authorize"): self._authorize_page,
            ("POST", "/auth/token/create"): self._token_create,
            ("GET", "/auth/token/create"): self._token_create,
            ("POST", "/auth/token/refresh"): self._token_refresh,
            ("GET", "/auth/token/refresh"): self._token_refresh,
            ("GET", "/orders/get"): self._orders_get,
            ("GET", "/order/get"): self._order_get,
            ("GET", "/orders/items/get"): self._order_items_get,
            ("GET", "/products/get"): self._products_get,
            ("POST", "/product/price_quantity/update"): self._price_quantity_update,
            # --- fulfilment
            ("POST", "/order/fulfill/pack"): self._pack,
            ("POST", "/order/package/rts"): self._rts,
            ("POST", "/order/package/document/get"): self._document_get,
            ("GET", "/order/reverse/cancel/validate"): self._cancel_validate,
            ("GET", "/order/reverse/cancel/create"): self._cancel_create,
            ("GET", "/reverse/getreverseordersforseller"): self._reverse_orders,
            ("GET", "/finance/payout/status/get"): self._payout_status_get,
            ("GET", "/finance/transaction/details/get"): self._transaction_details_get,
        }
        for (method, path), handler in routes.items():
            self.route(method, path, handler)

    @property
    def seller_id(self) -> str:
        """The default (first) seller id."""
        return next(iter(self.sellers.values()))

    # ------------------------------------------------------------ envelope

    def handle(self, request: Request) -> Response:
        """Serve paths with or without the ``/rest`` prefix.

        ``/<country>/rest/...`` stands for that country's API host (Lazada picks
        the venture by host: one cross-border token works on all of them).
        """
        parts = request.path.split("/", 3)
        if len(parts) == 4 and parts[2] == "rest" and parts[1] in self.sellers:
            request.country = parts[1]
            request.path = "/" + parts[3]
        elif request.path.startswith("/rest/"):
            request.path = request.path[len("/rest") :]
        return super().handle(request)

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        """Lazada's error envelope."""
        kind = "SYSTEM" if code in ("ServiceUnavailable", "InternalError") else "ISV"
        return {
            "type": kind,
            "code": code,
            "message": message,
            "request_id": uuid.uuid4().hex[:26],
        }

    def fault_response(self, fault: Any, request: Request) -> Response:
        """Lazada-looking bodies for injected 429/5xx."""
        response = super().fault_response(fault, request)
        if fault.kind == "http_429":
            response.body = self.error_body("ApiCallLimit", "emulated throttling")
        elif fault.kind == "http_5xx":
            response.body = self.error_body("ServiceUnavailable", "emulated failure")
        return response

    def not_found(self, request: Request) -> Response:
        """Unknown API: Lazada answers InvalidApiPath."""
        return Response(404, self.error_body("InvalidApiPath", "api not found"))

    def _error(self, code: str, message: str, **extra: Any) -> Response:
        return Response(200, {**self.error_body(code, message), **extra})

    def _ok(self, data: Any = None, **top: Any) -> Response:
        body = {"code": "0", "request_id": uuid.uuid4().hex[:26], **top}
        if data is not None:
            body["data"] = data
        return Response(200, body)

    def generic_fault_kinds(self) -> tuple[str, ...]:
        """Token expiry is applied after the signature check."""
        return tuple(k for k in super().generic_fault_kinds() if k != TOKEN_EXPIRED)

    # --------------------------------------------------------------- checks

    @staticmethod
    def params_of(req: Request) -> dict[str, str]:
        """Query and form parameters of a request (form wins)."""
        params = {k: v[0] for k, v in req.query.items() if v}
        if req.method == "POST" and req.body:
            form = parse_qs(req.body.decode("utf-8"), keep_blank_values=True)
            params.update({k: v[0] for k, v in form.items() if v})
        return params

    def _check(
        self, req: Request, with_token: bool = True
    ) -> tuple[dict[str, str], str | None, Response | None]:
        """Verify system parameters; return (params, seller_id, error)."""
        params = self.params_of(req)
        if params.get("app_key") != self.app_key:
            return params, None, self._error("InvalidAppKey", "Invalid app key")
        ts = params.get("timestamp", "")
        if not ts.isdigit():
            return params, None, self._error("MissingParameter", "timestamp")
        if abs(self.clock() - int(ts) / 1000) > TIMESTAMP_TOLERANCE:
            return params, None, self._error("InvalidTimestamp", "Timestamp expired")
        if params.get("sign_method") != "sha256":
            return params, None, self._error("InvalidSignMethod", "sign_method")
        given = params.get("sign")
        if not given:
            return params, None, self._error("MissingParameter", "sign")
        expected = lazada_sign(self.app_secret, req.path, params)
        if not hmac.compare_digest(expected, given):
            return (
                params,
                None,
                self._error(
                    "IncompleteSignature",
                    "The request signature does not conform to lazop standards",
                ),
            )
        if not with_token:
            return params, None, None
        token = params.get("access_token")
        expired = self.faults.take(req.path, [TOKEN_EXPIRED], req.query) is not None
        with self.store.lock:
            grant = self.store["access"].get(token or "")
        if expired or grant is None or grant["expires"] < self.clock():
            return (
                params,
                None,
                self._error(
                    "IllegalAccessToken",
                    "The specified access token is invalid or expired",
                ),
            )
        country = getattr(req, "country", None)
        return params, self.sellers.get(country) or grant["seller_id"], None

    # ----------------------------------------------------------------- auth

    def _grant_body(self, refresh_expires: float) -> dict[str, Any]:
        access = "50000" + secrets.token_hex(20)
        refresh = "50001" + secrets.token_hex(20)
        now = self.clock()
        with self.store.lock:
            self.store["access"][access] = {
                "seller_id": self.seller_id,
                "expires": now + self.access_ttl,
            }
            self.store["refresh"][refresh] = {"expires": refresh_expires}
        cross_border = len(self.sellers) > 1
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expires_in": self.access_ttl,
            "refresh_expires_in": max(0, int(refresh_expires - now)),
            "country": "cb" if cross_border else next(iter(self.sellers)),
            "account": "seller@example.vn",
            "account_platform": "seller_center",
            "country_user_info": [
                {
                    "country": country,
                    "seller_id": seller,
                    "user_id": str(int(seller) + 7),
                    "short_code": f"{country.upper()}{seller[-4:]}",
                }
                for country, seller in self.sellers.items()
            ],
        }

    def issue_tokens(self) -> dict[str, Any]:
        """Grant tokens directly (tests that skip the consent page)."""
        return self._grant_body(self.clock() + self.refresh_ttl)

    def expire_access_tokens(self) -> None:
        """Make every access token expired (refresh tokens stay valid)."""
        with self.store.lock:
            for grant in self.store["access"].values():
                grant["expires"] = 0

    def authorize(self) -> str:
        """A code as the seller's consent gives it (30 min, single use)."""
        code = "0_" + self.app_key + "_" + secrets.token_hex(12)
        with self.store.lock:
            self.store["codes"][code] = self.clock() + 1800
        return code

    def _authorize_page(self, req: Request) -> Response:
        if req.arg("client_id") != self.app_key or req.arg("response_type") != "code":
            return Response(400, "<html>invalid client</html>")
        redirect = req.arg("redirect_uri")
        if not redirect:
            return Response(400, "<html>redirect_uri missing</html>")
        extra = {"code": self.authorize()}
        if req.arg("state"):
            extra["state"] = req.arg("state") or ""
        parts = urlsplit(redirect)
        query = f"{parts.query}&{urlencode(extra)}" if parts.query else urlencode(extra)
        return Response(302, b"", {"Location": urlunsplit(parts._replace(query=query))})

    def _token_create(self, req: Request) -> Response:
        params, _, error = self._check(req, with_token=False)
        if error:
            return error
        with self.store.lock:
            expires = self.store["codes"].pop(params.get("code", ""), None)
        if expires is None or expires < self.clock():
            return self._error("InvalidCode", "Invalid authorization code")
        return Response(
            200,
            {
                "code": "0",
                "request_id": uuid.uuid4().hex[:26],
                **self.issue_tokens(),
            },
        )

    def _token_refresh(self, req: Request) -> Response:
        params, _, error = self._check(req, with_token=False)
        if error:
            return error
        with self.store.lock:
            grant = self.store["refresh"].pop(params.get("refresh_token", ""), None)
        if grant is None or grant["expires"] < self.clock():
            return self._error(
                "IllegalRefreshToken",
                "The specified refresh token is invalid or expired",
            )
        body = self._grant_body(grant["expires"])  # the lifetime is not reset
        body["country_user_info_list"] = body.pop("country_user_info")
        return Response(200, {"code": "0", "request_id": uuid.uuid4().hex[:26], **body})
