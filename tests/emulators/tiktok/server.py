"""A loopback emulator of the TikTok Shop Partner API 202309 (the parts Entro uses).

It checks what TikTok checks: the app key, a timestamp in [now - 5 min,
now + 30 s], the lower-case HMAC-SHA256 signature (sorted query parameters but
``sign``/``access_token``, path prefix, exact JSON body, wrapped in the secret),
the access token in ``x-tts-access-token``, the ``shop_cipher`` of shop-scoped
calls (required there, refused on ``/authorization``), single-use auth codes,
page tokens and batch limits. It answers ``{"code", "message", "request_id",
"data"}``; injected 429s carry code 36009002. Token endpoints (the auth host)
and the consent page are served on the same port.

One seller authorization serves every shop in ``shops``. Recipient data are
masked as TikTok masks them while an order is UNPAID, ON_HOLD or CANCELLED.

It is written independently from the client in ``entro_marketplace``.
"""

from __future__ import annotations

import hmac
import random
import re
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..harness import TOKEN_EXPIRED, EmulatorServer, Request, Response
from .common import (
    CODE_AUTH,
    CODE_CIPHER_MISMATCH,
    CODE_CIPHER_MISSING,
    CODE_PARAM,
    CODE_RATE,
    CODE_SIGN,
    CODE_TOKEN_EXPIRED,
    V,
)
from .data import DEFAULT_SHOP
from .finance import TikTokFinance
from .fulfilment import TikTokFulfilment
from .listings import TikTokListings
from .orders import TikTokOrders
from .signing import cipher_of, tiktok_sign


class TikTokEmulator(
    TikTokOrders, TikTokFulfilment, TikTokListings, TikTokFinance, EmulatorServer
):
    """TikTok Shop on loopback.

    :param shops: ``{shop_id: region}`` one seller authorization serves.
    :param access_ttl, refresh_ttl: token lifetimes in seconds.
    """

    def __init__(
        self,
        app_key: str = "test_app_key",
        app_secret: str = "test_app_secret",
        shops: dict[str, str] | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        access_ttl: int = 7 * 86400,
        refresh_ttl: int = 365 * 86400,
        clock: Any = time.time,
        seed: int = 0,
    ):
        super().__init__(host, port)
        self.app_key = str(app_key)
        self.app_secret = app_secret
        self.shops = dict(shops or {DEFAULT_SHOP: "VN"})
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.clock = clock
        self.rng = random.Random(seed)
        self._notifications = 7327112393057371910
        #: polls of the package detail before a shipped package shows its
        #: tracking number (0: at once)
        self.tracking_delay = 0
        for key in (
            "orders",
            "products",
            "codes",
            "access",
            "refresh",
            "pages",
            "returns",
            "documents",
        ):
            self.store[key] = {}
        routes = {
            ("GET", "/open/authorize"): self._authorize_page,
            ("GET", "/api/v2/token/get"): self._token_get,
            ("GET", "/api/v2/token/refresh"): self._token_refresh,
            ("GET", f"/authorization/{V}/shops"): self._shops,
            ("POST", f"/order/{V}/orders/search"): self._orders_search,
            ("GET", f"/order/{V}/orders"): self._orders_detail,
            ("POST", f"/product/{V}/products/search"): self._products_search,
            ("POST", f"/return_refund/{V}/cancellations"): self._cancel,
            ("POST", f"/return_refund/{V}/returns/search"): self._returns_search,
        }
        for (method, path), handler in routes.items():
            self.route(method, path, handler)
        self.pattern_routes = [
            (
                "POST",
                re.compile(rf"^/product/{V}/products/(\d+)/inventory/update$"),
                self._inventory_update,
            ),
            (
                "POST",
                re.compile(rf"^/product/{V}/products/(\d+)/prices/update$"),
                self._prices_update,
            ),
            ("GET", re.compile(rf"^/fulfillment/{V}/packages/(\d+)$"), self._package),
            (
                "POST",
                re.compile(rf"^/fulfillment/{V}/packages/(\d+)/ship$"),
                self._ship,
            ),
            (
                "GET",
                re.compile(rf"^/fulfillment/{V}/packages/(\d+)/shipping_documents$"),
                self._shipping_documents,
            ),
            ("GET", re.compile(r"^/_documents/(\w+)\.pdf$"), self._document_file),
        ]
        self._finance_setup()

    @property
    def shop_id(self) -> str:
        """The default (first) shop."""
        return next(iter(self.shops))

    # ------------------------------------------------------------ envelope

    def error_body(self, code: Any, message: str) -> dict[str, Any]:
        """TikTok's envelope for an error."""
        return {
            "code": int(code) if str(code).isdigit() else 36009999,
            "message": message,
            "request_id": uuid.uuid4().hex[:24],
        }

    def fault_response(self, fault: Any, request: Request) -> Response:
        """TikTok-looking bodies for injected 429/5xx."""
        response = super().fault_response(fault, request)
        if fault.kind == "http_429":
            response.body = self.error_body(CODE_RATE, "Too many requests")
        elif fault.kind == "http_5xx":
            response.body = self.error_body(36009999, "Internal error (emulated)")
        return response

    def generic_fault_kinds(self) -> tuple[str, ...]:
        """Token expiry is applied after the signature check."""
        return tuple(k for k in super().generic_fault_kinds() if k != TOKEN_EXPIRED)

    def not_found(self, request: Request) -> Response:
        """Paths with ids: matched by pattern; else 404."""
        for method, pattern, handler in self.pattern_routes:
            match = pattern.match(request.path)
            if match and request.method == method:
                request.path_id = match.group(1)
                return handler(request)
        return Response(404, self.error_body(36009999, f"no route {request.path}"))

    def _error(self, code: int, message: str, status: int = 200) -> Response:
        return Response(status, self.error_body(code, message))

    def _ok(self, data: Any = None) -> Response:
        return Response(
            200,
            {
                "code": 0,
                "message": "Success",
                "request_id": uuid.uuid4().hex[:24],
                "data": data if data is not None else {},
            },
        )

    # --------------------------------------------------------------- checks

    def _check(
        self, req: Request, shop_scoped: bool = True
    ) -> tuple[str | None, Response | None]:
        """Verify the common parameters; return (shop_id, error)."""
        params = {k: v[0] for k, v in req.query.items() if v}
        if params.get("app_key") != self.app_key:
            return None, self._error(CODE_AUTH, "Invalid app_key")
        ts = params.get("timestamp", "")
        if not ts.isdigit():
            return None, self._error(CODE_AUTH, "Invalid timestamp")
        age = self.clock() - int(ts)
        if age > 300 or age < -30:
            return None, self._error(CODE_AUTH, "Timestamp is expired")
        given = params.get("sign")
        if not given:
            return None, self._error(CODE_AUTH, "Signature is missing")
        multipart = "multipart/form-data" in req.headers.get("content-type", "")
        body = b"" if multipart else req.body
        expected = tiktok_sign(self.app_secret, req.path, params, body)
        if not hmac.compare_digest(expected, given):
            return None, self._error(CODE_SIGN, "Invalid sign")
        if "access_token" in params:
            return None, self._error(
                CODE_AUTH, "access_token in the query is deprecated: use the header"
            )
        token = req.headers.get("x-tts-access-token", "")
        expired = self.faults.take(req.path, [TOKEN_EXPIRED], req.query) is not None
        with self.store.lock:
            grant = self.store["access"].get(token)
        if not token or grant is None:
            return None, self._error(CODE_AUTH, "Invalid access token")
        if expired or grant["expires"] < self.clock():
            return None, self._error(CODE_TOKEN_EXPIRED, "Access token is expired")
        cipher = params.get("shop_cipher")
        if not shop_scoped:
            if cipher:
                return None, self._error(CODE_AUTH, "shop_cipher is not allowed here")
            return None, None
        if not cipher:
            return None, self._error(CODE_CIPHER_MISSING, "shop_cipher is required")
        for shop_id in self.shops:
            if cipher_of(shop_id) == cipher:
                return shop_id, None
        return None, self._error(
            CODE_CIPHER_MISMATCH, "The shop_cipher does not match the access token"
        )

    def _body(self, req: Request) -> tuple[dict[str, Any], Response | None]:
        try:
            body = req.json() or {}
        except ValueError:
            return {}, self._error(CODE_PARAM, "The request body is not JSON")
        if not isinstance(body, dict):
            return {}, self._error(CODE_PARAM, "The request body is not an object")
        return body, None

    def _page(
        self, req: Request, rows: list[Any], low: int = 1, high: int = 100
    ) -> tuple[list[Any], str, Response | None]:
        """One page of ``rows`` by ``page_size``/``page_token``."""
        try:
            size = int(req.arg("page_size") or "")
        except ValueError:
            return [], "", self._error(CODE_PARAM, "page_size is required")
        if not low <= size <= high:
            return [], "", self._error(CODE_PARAM, f"page_size must be {low}-{high}")
        token = req.arg("page_token") or ""
        offset = 0
        if token:
            with self.store.lock:
                found = self.store["pages"].get(token)
            if found is None:
                return [], "", self._error(CODE_PARAM, "Invalid page_token")
            offset = found
        page = rows[offset : offset + size]
        next_token = ""
        if offset + size < len(rows):
            next_token = secrets.token_urlsafe(12)
            with self.store.lock:
                self.store["pages"][next_token] = offset + size
        return page, next_token, None

    # ----------------------------------------------------------------- auth

    def _grant(self, refresh_expires: float) -> dict[str, Any]:
        access = "ROW_" + secrets.token_urlsafe(30)
        refresh = "ROW_" + secrets.token_urlsafe(30)
        now = self.clock()
        with self.store.lock:
            self.store["access"][access] = {"expires": now + self.access_ttl}
            self.store["refresh"][refresh] = {"expires": refresh_expires}
        return {
            "access_token": access,
            "access_token_expire_in": int(now + self.access_ttl),
            "refresh_token": refresh,
            "refresh_token_expire_in": int(refresh_expires),
            "open_id": "7010736057180325637",
            "seller_name": "Entro Demo Seller",
            "seller_base_region": next(iter(self.shops.values())),
            "user_type": 0,
            "granted_scopes": ["seller.order.info", "seller.product.basic"],
        }

    def issue_tokens(self) -> dict[str, Any]:
        """Grant tokens directly (tests that skip the consent page)."""
        return self._grant(self.clock() + self.refresh_ttl)

    def expire_access_tokens(self) -> None:
        """Make every access token expired (refresh tokens stay valid)."""
        with self.store.lock:
            for grant in self.store["access"].values():
                grant["expires"] = 0

    def authorize(self) -> str:
        """An auth code as the seller's consent gives it (30 min, single use)."""
        code = "ROW_" + secrets.token_hex(16)
        with self.store.lock:
            self.store["codes"][code] = self.clock() + 1800
        return code

    def _authorize_page(self, req: Request) -> Response:
        if req.arg("service_id") != self.app_key:
            return Response(400, "<html>unknown service</html>")
        redirect = req.arg("redirect_uri")
        if not redirect:
            return Response(400, "<html>no redirect URL registered</html>")
        extra = {"app_key": self.app_key, "code": self.authorize()}
        if req.arg("state"):
            extra["state"] = req.arg("state") or ""
        parts = urlsplit(redirect)
        query = f"{parts.query}&{urlencode(extra)}" if parts.query else urlencode(extra)
        return Response(302, b"", {"Location": urlunsplit(parts._replace(query=query))})

    def _token_check(self, req: Request, grant_type: str) -> Response | None:
        if req.arg("app_key") != self.app_key or req.arg("app_secret") != (
            self.app_secret
        ):
            return self._error(CODE_AUTH, "Invalid app_key or app_secret")
        if req.arg("grant_type") != grant_type:
            return self._error(CODE_PARAM, "Invalid grant_type")
        return None

    def _token_get(self, req: Request) -> Response:
        error = self._token_check(req, "authorized_code")
        if error:
            return error
        with self.store.lock:
            expires = self.store["codes"].pop(req.arg("auth_code") or "", None)
        if expires is None or expires < self.clock():
            return self._error(36004004, "Invalid auth_code")
        return self._ok(self.issue_tokens())

    def _token_refresh(self, req: Request) -> Response:
        error = self._token_check(req, "refresh_token")
        if error:
            return error
        with self.store.lock:
            grant = self.store["refresh"].pop(req.arg("refresh_token") or "", None)
        if grant is None or grant["expires"] < self.clock():
            return self._error(36004005, "Invalid refresh_token")
        # the refresh token lasts as long as the seller's authorization
        return self._ok(self._grant(grant["expires"]))

    def _shops(self, req: Request) -> Response:
        _, error = self._check(req, shop_scoped=False)
        if error:
            return error
        shops = [
            {
                "id": shop_id,
                "name": f"Entro Demo {region} {n + 1}",
                "region": region,
                "seller_type": "LOCAL" if region == "VN" else "CROSS_BORDER",
                "cipher": cipher_of(shop_id),
                "code": f"{region}LC{shop_id[-6:]}",
            }
            for n, (shop_id, region) in enumerate(self.shops.items())
        ]
        return self._ok({"shops": shops})
