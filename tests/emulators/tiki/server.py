"""A loopback emulator of the Tiki Open API (the parts Entro uses).

It checks what Tiki checks - client credentials at the token endpoint (HTTP
Basic or in the body), Bearer access tokens on every call, single-use codes and
an OAuth ``state`` of at least 8 characters, refresh tokens, page limits - and
answers with Tiki's common exceptions: the HTTP status plus ``{"errors": [..]}``.
It enforces Tiki's 200 calls per second per seller (429) and serves the event
queue: queues, subscriptions per seller, pull with ``ack_id``; events not
acknowledged come again after a visibility timeout (at-least-once delivery).

It is written independently from the client in ``entro_marketplace``.
"""

from __future__ import annotations

import base64
import random
import re
import secrets
import threading
import time
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from ..harness import TOKEN_EXPIRED, EmulatorServer, Request, Response
from .events import TikiEvents
from .listings import TikiListings
from .orders import TikiOrders


class TikiEmulator(TikiOrders, TikiListings, TikiEvents, EmulatorServer):
    """Tiki Open API on loopback (API and OAuth on one port).

    :param app_type: ``public`` (authorization code) or ``in_house`` (client
        credentials are the seller's).
    :param access_ttl, refresh_ttl: token lifetimes in seconds (``expires_in``).
    :param rate_limit: calls per second per seller before a 429.
    :param visibility_timeout: seconds before an unacknowledged event comes again.
    :param batch_size: events per pull.
    """

    def __init__(
        self,
        client_id: str = "tiki-client-1",
        client_secret: str = "tiki_test_secret",
        seller_id: str = "3001",
        app_type: str = "public",
        host: str = "127.0.0.1",
        port: int = 0,
        access_ttl: int = 3600,
        refresh_ttl: int = 30 * 86400,
        rate_limit: int = 200,
        visibility_timeout: float = 30.0,
        batch_size: int = 10,
        warehouses: list[dict[str, Any]] | None = None,
        seed: int = 0,
    ):
        super().__init__(host, port)
        self.client_id = client_id
        self.client_secret = client_secret
        self.seller_id = str(seller_id)
        self.app_type = app_type
        self.access_ttl = access_ttl
        self.refresh_ttl = refresh_ttl
        self.rate_limit = rate_limit
        self.visibility_timeout = visibility_timeout
        self.batch_size = batch_size
        self.warehouses = warehouses or [{"id": 11, "name": "Kho HCM", "status": 1}]
        self.rng = random.Random(seed)
        self.offset = 0.0  # seconds added to the clock (visibility tests)
        #: how many codes the order list's ``code`` filter honours (Tiki does not
        #: say; None: all of them)
        self.code_filter_limit: int | None = None
        self._calls: dict[tuple[str, int], int] = defaultdict(int)
        self._calls_lock = threading.Lock()
        for key in ("orders", "products", "codes", "access", "refresh", "queues"):
            self.store[key] = {}
        self.store["confirmed"] = []
        routes = {
            ("GET", "/sc/oauth2/auth"): self._authorize_page,
            ("POST", "/sc/oauth2/token"): self._token,
            ("GET", "/integration/v2/sellers/me"): self._seller,
            ("GET", "/integration/v2/sellers/me/warehouses"): self._warehouses,
            ("GET", "/integration/v2/orders"): self._orders,
            ("GET", "/integration/v2/products"): self._products,
            ("PUT", "/integration/v2.1/products/updateSkus"): self._update_skus,
            ("GET", "/integration/v1/queues"): self._queues,
            ("POST", "/integration/v1/queues"): self._create_queue,
        }
        for (method, path), handler in routes.items():
            self.route(method, path, handler)
        self.patterns = [
            ("GET", re.compile(r"^/integration/v2/orders/(\w+)$"), self._order),
            (
                "POST",
                re.compile(r"^/integration/v2/orders/(\w+)/confirm-available$"),
                self._confirm,
            ),
            (
                "POST",
                re.compile(
                    r"^/integration/v2/orders/(\w+)/dropship/confirm-available$"
                ),
                self._confirm,
            ),
            (
                "GET",
                re.compile(r"^/integration/v1/queues/([\w-]+)/subscriptions$"),
                self._subscriptions,
            ),
            (
                "POST",
                re.compile(r"^/integration/v1/queues/([\w-]+)/subscriptions$"),
                self._subscribe,
            ),
            (
                "POST",
                re.compile(r"^/integration/v1/queues/([\w-]+)/events/pull$"),
                self._pull,
            ),
        ]

    # ------------------------------------------------------------ plumbing

    def clock(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Move the emulator's clock forward (event visibility, token expiry)."""
        self.offset += seconds

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        """Tiki's common exception body."""
        return {"errors": [message], "code": code}

    def not_found(self, request: Request) -> Response:
        """Paths with ids: dispatched by pattern."""
        for method, pattern, handler in self.patterns:
            match = pattern.match(request.path)
            if match and method == request.method:
                request.path_args = match.groups()
                return handler(request)
        return Response(404, self.error_body("not_found", f"no route {request.path}"))

    def fault_response(self, fault: Any, request: Request) -> Response:
        response = super().fault_response(fault, request)
        if fault.kind == "http_429":
            response.body = self.error_body(
                "rate_limit",
                "Current rate limit is 200 request / per second / per seller",
            )
        return response

    def generic_fault_kinds(self) -> tuple[str, ...]:
        """Token expiry applies after the token check."""
        return tuple(k for k in super().generic_fault_kinds() if k != TOKEN_EXPIRED)

    def _err(self, status: int, message: str, code: str | None = None) -> Response:
        return Response(status, self.error_body(code or f"http_{status}", message))

    def _json(self, req: Request) -> Any:
        try:
            return req.json()
        except ValueError:
            return None

    def _auth(
        self, req: Request, app_ok: bool = False
    ) -> tuple[dict | None, Response | None]:
        """The grant behind the Bearer token, or a 401/429 answer."""
        header = req.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return None, self._err(401, "token missing", "unauthorized")
        token = header[len("Bearer ") :]
        with self.store.lock:
            grant = self.store["access"].get(token)
        if self.faults.take(req.path, [TOKEN_EXPIRED], req.query) is not None or (
            grant is None or grant["expires"] < self.clock()
        ):
            return None, self._err(401, "token is expired or invalid", "unauthorized")
        if grant["seller_id"] is None and not app_ok:
            return None, self._err(
                401, "token is not linked to a seller", "unauthorized"
            )
        key = (grant["seller_id"] or "app", int(time.time()))
        with self._calls_lock:
            self._calls[key] += 1
            over = self._calls[key] > self.rate_limit
        if over:
            return None, Response(
                429,
                self.error_body(
                    "rate_limit",
                    "Current rate limit is 200 request / per second / per seller",
                ),
                {"Retry-After": "1"},
            )
        return grant, None

    # ----------------------------------------------------------------- auth

    def _grant(self, seller_id: str | None, refresh: bool = True) -> dict[str, Any]:
        access = "tk_at_" + secrets.token_hex(16)
        now = self.clock()
        body: dict[str, Any] = {
            "access_token": access,
            "token_type": "bearer",
            "expires_in": self.access_ttl,
            "scope": "offline product order inventory",
        }
        with self.store.lock:
            self.store["access"][access] = {
                "seller_id": seller_id,
                "expires": now + self.access_ttl,
            }
            if refresh:
                token = "tk_rt_" + secrets.token_hex(16)
                self.store["refresh"][token] = {
                    "seller_id": seller_id,
                    "expires": now + self.refresh_ttl,
                }
                body["refresh_token"] = token
        return body

    def issue_tokens(self) -> dict[str, Any]:
        """Seller tokens directly (tests that skip the consent page)."""
        if self.app_type == "in_house":
            return self._grant(self.seller_id, refresh=False)
        return self._grant(self.seller_id)

    def expire_access_tokens(self) -> None:
        with self.store.lock:
            for grant in self.store["access"].values():
                grant["expires"] = 0

    def authorize(self) -> str:
        code = "tk_code_" + secrets.token_hex(10)
        with self.store.lock:
            self.store["codes"][code] = self.clock() + 600
        return code

    def _authorize_page(self, req: Request) -> Response:
        if req.arg("client_id") != self.client_id or req.arg("response_type") != "code":
            return Response(400, "<html>invalid client</html>")
        state = req.arg("state") or ""
        if len(state) < 8:
            return Response(400, "<html>state must be at least 8 characters</html>")
        redirect = req.arg("redirect_uri")
        if not redirect:
            return Response(400, "<html>redirect_uri missing</html>")
        extra = urlencode({"code": self.authorize(), "state": state})
        parts = urlsplit(redirect)
        query = f"{parts.query}&{extra}" if parts.query else extra
        return Response(302, b"", {"Location": urlunsplit(parts._replace(query=query))})

    def _client_ok(self, req: Request, form: dict[str, str]) -> bool:
        header = req.headers.get("authorization", "")
        if header.startswith("Basic "):
            try:
                pair = base64.b64decode(header[6:]).decode()
            except ValueError:
                return False
            return pair == f"{self.client_id}:{self.client_secret}"
        return (
            form.get("client_id") == self.client_id
            and form.get("client_secret") == self.client_secret
        )

    def _token(self, req: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(req.body.decode()).items() if v}
        if not self._client_ok(req, form):
            return Response(
                401, {"error": "invalid_client", "error_description": "bad client"}
            )
        grant_type = form.get("grant_type")
        if grant_type == "client_credentials":
            seller = self.seller_id if self.app_type == "in_house" else None
            return Response(200, self._grant(seller, refresh=False))
        if grant_type == "authorization_code":
            with self.store.lock:
                expires = self.store["codes"].pop(form.get("code", ""), None)
            if expires is None or expires < self.clock():
                return Response(
                    400, {"error": "invalid_grant", "error_description": "bad code"}
                )
            return Response(200, self._grant(self.seller_id))
        if grant_type == "refresh_token":
            with self.store.lock:
                grant = self.store["refresh"].pop(form.get("refresh_token", ""), None)
            if grant is None or grant["expires"] < self.clock():
                return Response(
                    400,
                    {
                        "error": "invalid_grant",
                        "error_description": "bad refresh token",
                    },
                )
            return Response(200, self._grant(grant["seller_id"]))
        return Response(400, {"error": "unsupported_grant_type"})

    # ---------------------------------------------------------------- seller

    def _seller(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        return Response(
            200,
            {
                "id": int(grant["seller_id"]),
                "name": "Cửa hàng Tiki Demo",
                "active": 1,
                "operation_models": ["dropship", "instock"],
                "can_update_product": 1,
            },
        )

    def _warehouses(self, req: Request) -> Response:
        _grant, error = self._auth(req)
        if error:
            return error
        return Response(200, {"data": self.warehouses})
