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

import hashlib
import hmac
import json
import random
import re
import secrets
import time
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests

from .fakedata import (
    LOCATIONS,
    PRODUCTS,
    creation_times,
    mobile,
    person_name,
    street_of,
)
from .harness import (
    TOKEN_EXPIRED,
    EmulatorServer,
    Request,
    Response,
    tiny_pdf,
)
from .push import send_webhooks

V = "202309"
STATUSES = (
    "UNPAID",
    "ON_HOLD",
    "AWAITING_SHIPMENT",
    "PARTIALLY_SHIPPING",
    "AWAITING_COLLECTION",
    "IN_TRANSIT",
    "DELIVERED",
    "COMPLETED",
    "CANCELLED",
)
STATUS_WEIGHTS = {
    "UNPAID": 6,
    "ON_HOLD": 6,
    "AWAITING_SHIPMENT": 25,
    "AWAITING_COLLECTION": 10,
    "IN_TRANSIT": 15,
    "DELIVERED": 15,
    "COMPLETED": 15,
    "CANCELLED": 8,
}
LIFECYCLE = {
    "UNPAID": "ON_HOLD",
    "ON_HOLD": "AWAITING_SHIPMENT",
    "AWAITING_SHIPMENT": "AWAITING_COLLECTION",
    "AWAITING_COLLECTION": "IN_TRANSIT",
    "IN_TRANSIT": "DELIVERED",
    "DELIVERED": "COMPLETED",
}
MASKED_STATUSES = frozenset({"UNPAID", "ON_HOLD", "CANCELLED"})
CARRIERS = ["J&T Express", "Giao Hàng Nhanh", "Ninja Van", "BEST Express"]
DEFAULT_SHOP = "7494726673780148744"

# Documented codes (T-DOC errors page); the others are the emulator's own.
CODE_RATE = 36009002
CODE_TOKEN_EXPIRED = 105002
CODE_AUTH = 36009004
CODE_SIGN = 106001
CODE_CIPHER_MISMATCH = 101000
CODE_CIPHER_MISSING = 106013
CODE_PARAM = 12052900
CODE_PACKAGE_STATUS = 21011001
CODE_NOT_CANCELLABLE = 25001005
CODE_NOT_FOUND = 21001001
SELLER_CANCEL_REASONS = frozenset(
    {
        "seller_cancel_reason_out_of_stock",
        "seller_cancel_unpaid_reason_out_of_stock",
        "seller_cancel_paid_reason_address_not_deliver",
        "seller_cancel_reason_wrong_price",
    }
)
#: order status -> status of its package
PACKAGE_STATUSES = {
    "AWAITING_SHIPMENT": "PROCESSING",
    "PARTIALLY_SHIPPING": "PROCESSING",
    "AWAITING_COLLECTION": "FULFILLING",
    "IN_TRANSIT": "FULFILLING",
    "DELIVERED": "COMPLETED",
    "COMPLETED": "COMPLETED",
    "CANCELLED": "CANCELLED",
}


# ------------------------------------------------------------------------- signatures


def tiktok_sign(secret: str, path: str, params: dict[str, str], body: bytes) -> str:
    """hex HMAC-SHA256(secret, secret + path + sorted k+v + body + secret)."""
    text = path + "".join(
        f"{k}{params[k]}" for k in sorted(params) if k not in ("sign", "access_token")
    )
    wrapped = secret.encode() + text.encode() + body + secret.encode()
    return hmac.new(secret.encode(), wrapped, hashlib.sha256).hexdigest()


def tiktok_push_sign(app_key: str, secret: str, body: bytes) -> str:
    """Webhook ``Authorization``: hex HMAC-SHA256(secret, app_key + body)."""
    return hmac.new(
        secret.encode(), app_key.encode() + body, hashlib.sha256
    ).hexdigest()


def cipher_of(shop_id: str) -> str:
    """The emulator's shop cipher of a shop id."""
    return "ROW_" + hashlib.sha1(shop_id.encode()).hexdigest()[:24]


def _in_time_range(body: dict[str, Any], row: dict[str, Any]) -> bool:
    """Whether ``row`` is in the search body's ``{create,update}_time_ge/_lt``."""
    for name in ("update_time", "create_time"):
        low, high = body.get(f"{name}_ge"), body.get(f"{name}_lt")
        if low is not None and row[name] < int(low):
            return False
        if high is not None and row[name] >= int(high):
            return False
    return True


# --------------------------------------------------------------------- data generators


def _round_k(value: float) -> int:
    return max(1000, round(value / 1000.0) * 1000)


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    units = total // 1000
    cuts = sorted(rng.randint(0, units) for _ in range(parts - 1))
    bounds = [0, *cuts, units]
    return [(bounds[i + 1] - bounds[i]) * 1000 for i in range(parts)]


def generate_catalogue(
    n_items: int = 10, skus_per_item: int = 2, seed: int = 0
) -> list[dict[str, Any]]:
    """Products in Search Products shape, seller SKUs ``TT0001-1`` ..., VND."""
    rng = random.Random(seed)
    products = []
    for index in range(n_items):
        base_name, base_price, variants = PRODUCTS[index % len(PRODUCTS)]
        product_id = str(1729000000000000000 + index * 1013)
        labels = variants or ["Mặc định"]
        skus = []
        for n in range(max(1, min(skus_per_item, len(labels)))):
            price = _round_k(base_price * rng.uniform(0.8, 1.2))
            skus.append(
                {
                    "id": str(int(product_id) + 100 + n),
                    "seller_sku": f"TT{index + 1:04d}-{n + 1}",
                    "price": {
                        "currency": "VND",
                        "sale_price": str(price),
                        "tax_exclusive_price": str(price),
                    },
                    "inventory": [
                        {"warehouse_id": "7068517275539719942", "quantity": 50}
                    ],
                    "_name": labels[n % len(labels)],
                }
            )
        products.append(
            {
                "id": product_id,
                "title": f"{base_name} #{index + 1}",
                "status": "ACTIVATE",
                "skus": skus,
                "create_time": int(time.time()),
                "update_time": int(time.time()),
            }
        )
    return products


def _variants(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "product_id": p["id"],
            "product_name": p["title"],
            "sku_id": s["id"],
            "sku_name": s.get("_name", ""),
            "seller_sku": s["seller_sku"],
            "price": int(s["price"]["sale_price"]),
        }
        for p in catalogue
        for s in p["skus"]
    ]


def generate_order(
    rng: random.Random,
    variants: list[dict[str, Any]],
    created: datetime,
    shop_id: str,
    order_id: int,
    status: str | None = None,
    units: int | None = None,
) -> dict[str, Any]:
    """One Vietnamese TikTok Shop order (Get Order Detail shape) + private keys."""
    status = (
        status or rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    )
    n_units = units or rng.randint(1, 4)
    picked = [rng.choice(variants) for _ in range(n_units)]
    original = sum(v["price"] for v in picked)
    seller_discount = rng.choice([0, 0, 10000, 20000]) if original > 200000 else 0
    platform_discount = rng.choice([0, 0, 5000, 15000]) if original > 100000 else 0
    shipping = rng.choice([15000, 22000, 30000])
    ship_seller = rng.choice([0, 0, 5000])
    ship_platform = rng.choice([0, 10000]) if shipping - ship_seller >= 10000 else 0
    seller_parts = _split(seller_discount, n_units, rng)
    platform_parts = _split(platform_discount, n_units, rng)
    family, middle, given = person_name(rng)
    phone = mobile(rng, "(+84)")
    ward, district, province = rng.choice(LOCATIONS)
    street = street_of(rng)
    create_ts = int(created.timestamp())
    update_ts = create_ts + (0 if status == "UNPAID" else rng.randint(60, 86400))
    shipped = status in ("IN_TRANSIT", "DELIVERED", "COMPLETED")
    carrier = rng.choice(CARRIERS)
    items = []
    for n, unit in enumerate(picked):
        sd = min(seller_parts[n], unit["price"])
        pd = min(platform_parts[n], unit["price"] - sd)
        seller_parts[n], platform_parts[n] = sd, pd
        items.append(
            {
                "id": str(order_id * 10 + n + 1),
                "product_id": unit["product_id"],
                "product_name": unit["product_name"],
                "sku_id": unit["sku_id"],
                "sku_name": unit["sku_name"],
                "seller_sku": unit["seller_sku"],
                "original_price": str(unit["price"]),
                "sale_price": str(unit["price"] - sd - pd),
                "seller_discount": str(sd),
                "platform_discount": str(pd),
                "currency": "VND",
                "display_status": status,
                "package_id": f"1152{order_id}" if shipped else "",
                "package_status": "FULFILLING" if shipped else "TO_FULFILL",
                "tracking_number": f"TTVN{order_id}" if shipped else "",
                "shipping_provider_name": carrier if shipped else "",
                "is_gift": False,
            }
        )
    seller_discount = sum(seller_parts)
    platform_discount = sum(platform_parts)
    sub_total = original - seller_discount - platform_discount
    shipping_net = shipping - ship_seller - ship_platform
    order = {
        "id": str(order_id),
        "status": status,
        "create_time": create_ts,
        "update_time": update_ts,
        "paid_time": create_ts + 60 if status != "UNPAID" else None,
        "user_id": str(7000000000000000000 + rng.randint(10**6, 10**9)),
        "buyer_email": f"v{rng.randint(10**6, 10**7)}@scs.tiktokw.vn",
        "buyer_message": rng.choice(["", "", "Giao giờ hành chính giúp em"]),
        "payment_method_name": rng.choice(["COD", "COD", "Thẻ tín dụng", "ZaloPay"]),
        "is_cod": False,
        "is_on_hold_order": status == "ON_HOLD",
        "is_buyer_request_cancel": False,
        "shipping_type": "TIKTOK",
        "shipping_provider": carrier if shipped else "",
        "tracking_number": f"TTVN{order_id}" if shipped else "",
        "cancel_reason": "Thay đổi ý định" if status == "CANCELLED" else "",
        "cancellation_initiator": "BUYER" if status == "CANCELLED" else "",
        "payment": {
            "currency": "VND",
            "original_total_product_price": str(original),
            "seller_discount": str(seller_discount),
            "platform_discount": str(platform_discount),
            "sub_total": str(sub_total),
            "original_shipping_fee": str(shipping),
            "shipping_fee_seller_discount": str(ship_seller),
            "shipping_fee_platform_discount": str(ship_platform),
            "shipping_fee": str(shipping_net),
            "tax": "0",
            "total_amount": str(sub_total + shipping_net),
        },
        "line_items": items,
        "packages": [{"id": f"1152{order_id}"}] if shipped else [],
        "_recipient": {
            "name": f"{family} {middle} {given}",
            "phone_number": phone,
            "address_detail": street,
            "region_code": "VN",
            "postal_code": "",
            "district_info": [
                {"address_level": "L0", "address_name": "Việt Nam"},
                {"address_level": "L1", "address_name": province},
                {"address_level": "L2", "address_name": district},
                {"address_level": "L3", "address_name": ward},
            ],
        },
        "_shop_id": str(shop_id),
    }
    order["is_cod"] = order["payment_method_name"] == "COD"
    return order


def buyer_paid(order: dict[str, Any]) -> int:
    """What the buyer pays (payment.total_amount)."""
    return int(order["payment"]["total_amount"])


def generate_orders(
    n: int,
    seed: int = 0,
    catalogue: list[dict[str, Any]] | None = None,
    shop_id: str = DEFAULT_SHOP,
    statuses: list[str] | None = None,
    start: datetime | None = None,
    span: timedelta = timedelta(days=10),
    first_order_id: int | None = None,
) -> list[dict[str, Any]]:
    """``n`` orders created between ``start`` and ``start + span`` (statuses cycle)."""
    rng = random.Random(seed)
    variants = _variants(catalogue or generate_catalogue(10, 2, seed=seed))
    now = datetime.now(timezone.utc)
    start = start or (now - span)
    next_id = first_order_id or (577000000000000000 + seed * 1000000)
    limit = int(max(now, start + span).timestamp())
    orders = []
    for index, created in creation_times(rng, n, start, span):
        status = statuses[index % len(statuses)] if statuses else None
        order = generate_order(rng, variants, created, shop_id, next_id + index, status)
        order["update_time"] = min(order["update_time"], limit)
        orders.append(order)
    return orders


# ---------------------------------------------------------------------------- server


class TikTokEmulator(EmulatorServer):
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

    # --------------------------------------------------------------- orders

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Add generated orders."""
        with self.store.lock:
            for order in orders:
                self.store["orders"][str(order["id"])] = order

    @staticmethod
    def view(order: dict[str, Any]) -> dict[str, Any]:
        """The order as the API shows it: private keys removed, the recipient
        masked while UNPAID, ON_HOLD or CANCELLED."""
        row = {k: v for k, v in order.items() if not k.startswith("_")}
        recipient = dict(order["_recipient"])
        if order["status"] in MASKED_STATUSES:
            name = recipient["name"]
            recipient["name"] = name[0] + "***" + name[-1]
            phone = recipient["phone_number"]
            recipient["phone_number"] = phone[:6] + "*" * (len(phone) - 8) + phone[-2:]
            recipient["address_detail"] = "****"
            recipient["district_info"] = recipient["district_info"][:2]
        recipient["full_address"] = ", ".join(
            [recipient["address_detail"]]
            + [d["address_name"] for d in reversed(recipient["district_info"])]
        )
        row["recipient_address"] = recipient
        if not row["packages"] and order["status"] in PACKAGE_STATUSES:
            row["packages"] = [{"id": f"1152{order['id']}"}]
        if order["status"] == "ON_HOLD":
            row["recipient_address"] = {"region_code": "VN", "name": recipient["name"]}
        # hostile-input tests: fields served as given, whatever they hold
        row.update(order.get("_served") or {})
        return json.loads(json.dumps(row))

    def set_status(
        self, order_id: Any, status: str, push_url: str | None = None
    ) -> dict[str, Any]:
        """Move an order to ``status`` (update_time bumped); return (and push to
        ``push_url``) its type-1 webhook."""
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
            order["status"] = status
            order["is_on_hold_order"] = order["is_on_hold_order"] or status == "ON_HOLD"
            for item in order["line_items"]:
                item["display_status"] = status
            if status == "CANCELLED":
                order["cancel_reason"] = "Thay đổi ý định"
                order["cancellation_initiator"] = "BUYER"
            if status != "UNPAID" and not order.get("paid_time"):
                order["paid_time"] = order["update_time"]
            message = self.order_message(order)
        if push_url:
            self.push(push_url, [message])
        return message

    def _notification_id(self) -> str:
        with self.store.lock:
            self._notifications += 1
            return str(self._notifications)

    def order_message(self, order: dict[str, Any]) -> dict[str, Any]:
        """A type 1 ORDER_STATUS_CHANGE as TikTok sends it (CANCEL, not CANCELLED)."""
        status = "CANCEL" if order["status"] == "CANCELLED" else order["status"]
        return {
            "type": 1,
            "tts_notification_id": self._notification_id(),
            "shop_id": order["_shop_id"],
            "timestamp": int(self.clock()),
            "data": {
                "order_id": order["id"],
                "order_status": status,
                "is_on_hold_order": order["is_on_hold_order"],
                "update_time": order["update_time"],
            },
        }

    def seller_message(
        self, push_type: int, shop_id: str | None = None, **data: Any
    ) -> dict[str, Any]:
        """A type 6 (seller deauthorized) or 7 (authorization expiring) webhook."""
        shop_id = shop_id or self.shop_id
        if push_type == 6:
            data.setdefault(
                "message",
                f"Shop_id {shop_id} is deauthorized from your APP by merchant.",
            )
        else:
            data.setdefault(
                "message",
                f"Authorization of shop_id {shop_id} is expiring in 7 days. Please "
                "direct the merchant to re-authorize.",
            )
            data.setdefault("expiration_time", str(int(self.clock()) + 7 * 86400))
        return {
            "type": push_type,
            "tts_notification_id": self._notification_id(),
            "shop_id": shop_id,
            "timestamp": int(self.clock()),
            "data": data,
        }

    def _orders_search(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        if req.arg("sort_field", "create_time") not in ("create_time", "update_time"):
            return self._error(CODE_PARAM, "Invalid sort_field")
        field = req.arg("sort_field", "create_time")
        reverse = (req.arg("sort_order") or "DESC").upper() == "DESC"

        def keep(order: dict[str, Any]) -> bool:
            wanted = body.get("order_status")
            return _in_time_range(body, order) and (
                not wanted or order["status"] == wanted
            )

        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_shop_id"] == shop_id and keep(o)
                ),
                key=lambda o: (o[field], o["id"]),
                reverse=reverse,
            )
        page, token, error = self._page(req, rows)
        if error:
            return error
        return self._ok(
            {
                "orders": [self.view(o) for o in page],
                "next_page_token": token,
                "total_count": len(rows),
            }
        )

    def _orders_detail(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        ids = [i for i in (req.arg("ids") or "").split(",") if i]
        if not ids or len(ids) > 50:
            return self._error(CODE_PARAM, "ids must hold 1 to 50 order ids")
        with self.store.lock:
            found = [self.store["orders"].get(i) for i in ids]
            rows = [self.view(o) for o in found if o and o["_shop_id"] == shop_id]
        return self._ok({"orders": rows})

    # ------------------------------------------------------------- products

    def add_catalogue(self, products: list[dict[str, Any]]) -> None:
        """Add generated products (every shop of the seller lists them)."""
        with self.store.lock:
            for product in products:
                self.store["products"][str(product["id"])] = product

    def _products_search(self, req: Request) -> Response:
        _, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        status = body.get("status", "ALL")
        with self.store.lock:
            rows = sorted(
                (
                    p
                    for p in self.store["products"].values()
                    if status == "ALL" or p["status"] == status
                ),
                key=lambda p: p["id"],
            )
            page, token, error = self._page(req, rows)
            if error:
                return error
            products = [
                {
                    **{k: v for k, v in p.items() if k != "skus"},
                    "skus": [
                        {k: v for k, v in s.items() if not k.startswith("_")}
                        for s in p["skus"]
                    ],
                }
                for p in page
            ]
        return self._ok(
            {
                "products": json.loads(json.dumps(products)),
                "next_page_token": token,
                "total_count": len(rows),
            }
        )

    def _product_skus(
        self, req: Request
    ) -> tuple[dict[str, Any] | None, list[Any], Response | None]:
        _, error = self._check(req)
        if error:
            return None, [], error
        body, error = self._body(req)
        if error:
            return None, [], error
        with self.store.lock:
            product = self.store["products"].get(req.path_id)
        if product is None:
            return None, [], self._error(17019001, "Product not found")
        skus = body.get("skus")
        if not isinstance(skus, list) or not skus:
            return None, [], self._error(CODE_PARAM, "skus is required")
        if product["status"] != "ACTIVATE":
            return None, [], self._error(17019002, "Product is not active")
        by_id = {s["id"]: s for s in product["skus"]}
        for row in skus:
            if not isinstance(row, dict) or str(row.get("id")) not in by_id:
                return (
                    None,
                    [],
                    self._error(17019003, "The SKU does not belong to the product"),
                )
        return product, [(by_id[str(r["id"])], r) for r in skus], None

    def _inventory_update(self, req: Request) -> Response:
        _product, pairs, error = self._product_skus(req)
        if error:
            return error
        for _sku, row in pairs:
            levels = row.get("inventory")
            if not isinstance(levels, list) or not levels:
                return self._error(CODE_PARAM, "inventory is required")
            for level in levels:
                quantity = level.get("quantity")
                if not isinstance(quantity, int) or not 0 <= quantity <= 99999:
                    return self._error(CODE_PARAM, "quantity must be 0-99999")
        with self.store.lock:
            for sku, row in pairs:
                sku["inventory"][0]["quantity"] = row["inventory"][0]["quantity"]
        return self._ok({})

    def _prices_update(self, req: Request) -> Response:
        _product, pairs, error = self._product_skus(req)
        if error:
            return error
        for _sku, row in pairs:
            price = row.get("price") or {}
            try:
                amount = float(price.get("amount"))
            except (TypeError, ValueError):
                return self._error(CODE_PARAM, "price.amount is required")
            if amount <= 0 or price.get("currency") != "VND":
                return self._error(CODE_PARAM, "Invalid price or currency")
        with self.store.lock:
            for sku, row in pairs:
                sku["price"]["sale_price"] = str(row["price"]["amount"])
        return self._ok({})

    # ----------------------------------------------------------------- push

    def build_push(
        self,
        message: dict[str, Any],
        forge: bool = False,
        stale_seconds: int = 0,
        sign: bool = True,
    ) -> tuple[dict[str, str], bytes]:
        """Serialise and sign a webhook (the URL is not part of the signature)."""
        message = dict(message)
        if stale_seconds:
            message["timestamp"] = int(message["timestamp"]) - stale_seconds
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            secret = self.app_secret + "-forged" if forge else self.app_secret
            headers["Authorization"] = tiktok_push_sign(self.app_key, secret, body)
        return headers, body

    def push(
        self,
        url: str,
        messages: list[dict[str, Any]],
        duplicate: int = 1,
        shuffle: bool = False,
        seed: int | None = None,
    ) -> list[int]:
        """Sign and POST webhooks to ``url`` (TikTok keeps no lost ones)."""
        pushes = [self.build_push(m) for m in messages]
        try:
            return send_webhooks(url, pushes, duplicate, shuffle, seed)
        except requests.RequestException:
            return [0] * len(pushes) * max(1, duplicate)

    def new_order(self, status: str = "AWAITING_SHIPMENT") -> dict[str, Any]:
        """Generate and add one order created now (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["products"].values()) or None
            next_id = 578000000000000000 + len(self.store["orders"])
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        order = generate_order(
            self.rng,
            _variants(catalogue or generate_catalogue()),
            now,
            self.shop_id,
            next_id,
            status,
        )
        order["update_time"] = int(now.timestamp())
        self.add_orders([order])
        return order

    # ----------------------------------------------------------- fulfilment

    def _order_of_package(
        self, shop_id: str | None, package_id: str
    ) -> dict[str, Any] | None:
        order = self.store["orders"].get(package_id[4:])
        if not package_id.startswith("1152") or order is None:
            return None
        if order["_shop_id"] != shop_id or order["status"] not in PACKAGE_STATUSES:
            return None
        return order

    def _package_view(self, order: dict[str, Any]) -> dict[str, Any]:
        """Package detail; a shipped package shows its tracking number once the
        carrier gave it (after ``tracking_delay`` polls)."""
        if order.get("_tracking_wait"):
            order["_tracking_wait"] -= 1
        elif order.get("_tracking") and not order["tracking_number"]:
            self._reveal_tracking(order)
        return {
            "package_id": f"1152{order['id']}",
            "package_status": PACKAGE_STATUSES[order["status"]],
            "handover_method": order.get("_handover", ""),
            "order_line_item_ids": [i["id"] for i in order["line_items"]],
            "orders": [{"id": order["id"]}],
            "shipping_provider_name": order["shipping_provider"],
            "tracking_number": order["tracking_number"],
            "shipping_type": order["shipping_type"],
            "update_time": order["update_time"],
        }

    @staticmethod
    def _reveal_tracking(order: dict[str, Any]) -> None:
        order["tracking_number"] = order["_tracking"]
        order["shipping_provider"] = order["_carrier"]
        for item in order["line_items"]:
            if item["display_status"] != "CANCELLED":
                item["tracking_number"] = order["_tracking"]
                item["shipping_provider_name"] = order["_carrier"]

    def _package(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        with self.store.lock:
            order = self._order_of_package(shop_id, req.path_id)
            if order is None:
                return self._error(CODE_NOT_FOUND, "Package not found")
            return self._ok(json.loads(json.dumps(self._package_view(order))))

    def _ship(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        method = body.get("handover_method", "PICKUP")
        if method not in ("PICKUP", "DROP_OFF"):
            return self._error(CODE_PARAM, "handover_method must be PICKUP|DROP_OFF")
        with self.store.lock:
            order = self._order_of_package(shop_id, req.path_id)
            if order is None:
                return self._error(CODE_NOT_FOUND, "Package not found")
            if order["status"] not in ("AWAITING_SHIPMENT", "PARTIALLY_SHIPPING"):
                return self._error(
                    CODE_PACKAGE_STATUS,
                    f"Package status {PACKAGE_STATUSES[order['status']]} cannot be "
                    "shipped",
                )
            package = f"1152{order['id']}"
            order["packages"] = [{"id": package}]
            order["_handover"] = method
            order["_tracking"] = f"TTVN{self.rng.randint(10**9, 10**10 - 1)}"
            order["_carrier"] = self.rng.choice(CARRIERS)
            order["_tracking_wait"] = self.tracking_delay
            for item in order["line_items"]:
                if item["display_status"] != "CANCELLED":
                    item["package_id"] = package
                    item["package_status"] = "FULFILLING"
            if not self.tracking_delay:
                self._reveal_tracking(order)
        self.set_status(order["id"], "AWAITING_COLLECTION")
        return self._ok({})

    def _shipping_documents(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        if req.arg("document_type", "SHIPPING_LABEL") not in (
            "SHIPPING_LABEL",
            "PACKING_SLIP",
            "SHIPPING_LABEL_AND_PACKING_SLIP",
        ):
            return self._error(CODE_PARAM, "Invalid document_type")
        with self.store.lock:
            order = self._order_of_package(shop_id, req.path_id)
            if order is None:
                return self._error(CODE_NOT_FOUND, "Package not found")
            if not order["tracking_number"]:
                return self._error(
                    CODE_PACKAGE_STATUS, "The package has no tracking number yet"
                )
            token = secrets.token_hex(12)
            self.store["documents"][token] = tiny_pdf(
                f"TikTok Shop label {req.path_id} {order['tracking_number']}"
            )
        return self._ok(
            {
                "doc_url": f"{self.base_url}/_documents/{token}.pdf",
                "tracking_number": order["tracking_number"],
            }
        )

    def _document_file(self, req: Request) -> Response:
        """The document URL (unsigned, as TikTok's CDN links are)."""
        with self.store.lock:
            pdf = self.store["documents"].get(req.path_id)
        if pdf is None:
            return Response(404, b"not found", {"Content-Type": "text/plain"})
        return Response(200, pdf, {"Content-Type": "application/pdf"})

    def _cancel(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error
        if body.get("cancel_reason") not in SELLER_CANCEL_REASONS:
            return self._error(CODE_PARAM, "Invalid cancel_reason")
        with self.store.lock:
            order = self.store["orders"].get(str(body.get("order_id")))
            if order is None or order["_shop_id"] != shop_id:
                return self._error(CODE_NOT_FOUND, "Order not found")
            if order["status"] not in ("UNPAID", "ON_HOLD", "AWAITING_SHIPMENT"):
                return self._error(
                    CODE_NOT_CANCELLABLE,
                    f"An order in {order['status']} cannot be cancelled by the seller",
                )
            wanted = body.get("order_line_item_ids")
            ids = {i["id"] for i in order["line_items"]}
            if wanted is not None and (not wanted or not set(wanted) <= ids):
                return self._error(CODE_PARAM, "Invalid order_line_item_ids")
            order["_seller_cancel_reason"] = body["cancel_reason"]
            whole = wanted is None or set(wanted) == ids
            if not whole:
                for item in order["line_items"]:
                    if item["id"] in wanted:
                        item["display_status"] = "CANCELLED"
                order["update_time"] = max(int(self.clock()), order["update_time"] + 1)
        if whole:
            self.set_status(order["id"], "CANCELLED")
            with self.store.lock:
                order["cancellation_initiator"] = "SELLER"
                order["cancel_reason"] = body["cancel_reason"]
        cancel_id = f"58{order['id'][-12:]}"
        return self._ok(
            {"cancel_id": cancel_id, "cancel_status": "CANCELLATION_SUCCESS"}
        )

    def add_return(
        self,
        order_id: Any,
        item_ids: list[Any] | None = None,
        status: str = "RETURN_OR_REFUND_REQUEST_PENDING",
        return_type: str = "RETURN_AND_REFUND",
    ) -> dict[str, Any]:
        """Open a return (or a REFUND without goods) of some line items (None:
        every live one); each line item is one unit."""
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            wanted = {str(i) for i in item_ids} if item_ids is not None else None
            items = [
                i
                for i in order["line_items"]
                if i["display_status"] != "CANCELLED"
                and (wanted is None or i["id"] in wanted)
            ]
            rid = f"4{order['id'][-15:]}{len(self.store['returns']) + 1:02d}"
            now = int(self.clock())
            total = sum(int(i["sale_price"]) for i in items)
            row = {
                "return_id": rid,
                "order_id": order["id"],
                "return_type": return_type,
                "return_status": status,
                "return_reason": "ecom_order_delivered_refund_and_return_reason_"
                "damaged_product",
                "return_reason_text": "Sản phẩm bị lỗi",
                "create_time": now,
                "update_time": now,
                "role": "BUYER",
                "refund_amount": {
                    "currency": "VND",
                    "refund_total": str(total),
                    "refund_subtotal": str(total),
                    "refund_shipping_fee": "0",
                    "refund_tax": "0",
                },
                "return_line_items": [
                    {
                        "return_line_item_id": f"{rid}{n}",
                        "order_line_item_id": item["id"],
                        "sku_id": item["sku_id"],
                        "seller_sku": item["seller_sku"],
                        "product_name": item["product_name"],
                        "sku_name": item["sku_name"],
                        "refund_amount": {
                            "currency": "VND",
                            "refund_total": item["sale_price"],
                        },
                    }
                    for n, item in enumerate(items, start=1)
                ],
                "_shop_id": order["_shop_id"],
            }
            self.store["returns"][rid] = row
        return row

    def set_return_status(self, return_id: str, status: str) -> dict[str, Any]:
        """Move a return on (RETURN_OR_REFUND_REQUEST_COMPLETE: refunded)."""
        with self.store.lock:
            row = self.store["returns"][str(return_id)]
            row["return_status"] = status
            row["update_time"] = max(int(self.clock()), row["update_time"])
        return row

    def _returns_search(self, req: Request) -> Response:
        shop_id, error = self._check(req)
        if error:
            return error
        body, error = self._body(req)
        if error:
            return error

        def keep(row: dict[str, Any]) -> bool:
            wanted = body.get("return_status")
            return _in_time_range(body, row) and (
                not wanted or row["return_status"] in wanted
            )

        with self.store.lock:
            rows = sorted(
                (
                    r
                    for r in self.store["returns"].values()
                    if r["_shop_id"] == shop_id and keep(r)
                ),
                key=lambda r: (r["update_time"], r["return_id"]),
            )
            page, token, error = self._page(req, rows, low=10, high=50)
            if error:
                return error
            page = [
                {k: v for k, v in json.loads(json.dumps(r)).items() if k[0] != "_"}
                for r in page
            ]
        return self._ok(
            {"return_orders": page, "next_page_token": token, "total_count": len(rows)}
        )

    # -------------------------------------------------------------- finance
    #
    # TikTok settles an order some days after delivery: one statement
    # transaction per order (or adjustment) with its fee amounts, signed as
    # TikTok signs them (deductions negative); the day's transactions make a
    # statement, paid out to the seller's bank (payment_status).

    #: commission, transaction (payment) fee, affiliate commission: per cent
    COMMISSION, TRANSACTION_FEE, AFFILIATE = 4, 2, 6

    def _finance_setup(self) -> None:
        self.store["finance"] = []
        self.store["statements"] = []
        self.route("GET", f"/finance/{V}/statements", self._statements_get)
        self.pattern_routes.append(
            (
                "GET",
                re.compile(
                    r"^/finance/202501/statements/(\d+)/statement_transactions$"
                ),
                self._statement_transactions_get,
            )
        )

    def settle_order(
        self, order_id: Any, when: float, refund: bool = False, unexplained: int = 0
    ) -> int:
        """Book an order's statement transaction; return its settlement amount.

        TikTok credits the product price after the seller's discount (its own
        discount is paid back inside it) and the shipping fee the buyer paid,
        charges the carrier's full fee and pays back its shipping discount, and
        takes commission (4 % of the credited price), the payment fee (2 % of
        what the buyer paid) and, on every third order, an affiliate commission
        (6 %). A refunded order gives the price and the buyer's shipping back
        (no commission then) and is charged the return shipping. ``unexplained``
        adds an amount the breakdown does not explain.
        """
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            pay = {k: int(v) for k, v in order["payment"].items() if k != "currency"}
            paid = pay["total_amount"]
            price = pay["original_total_product_price"]
            credited = price - pay["seller_discount"]
            revenue = {
                "subtotal_before_discount_amount": price,
                "seller_discount_amount": -pay["seller_discount"],
            }
            shipping = {
                "actual_shipping_fee_amount": -pay["original_shipping_fee"],
                "shipping_fee_discount_amount": pay["shipping_fee_platform_discount"],
                "customer_paid_shipping_fee_amount": pay["shipping_fee"],
                "return_shipping_fee_amount": 0,
            }
            affiliate = credited * self.AFFILIATE // 100
            fee = {
                "platform_commission_amount": -(credited * self.COMMISSION // 100),
                "transaction_fee_amount": -(paid * self.TRANSACTION_FEE // 100),
                "affiliate_commission_amount": -affiliate
                if int(order["id"]) % 3 == 0
                else 0,
            }
            if refund:
                revenue["refund_subtotal_before_discount_amount"] = -price
                revenue["seller_discount_refund_amount"] = pay["seller_discount"]
                shipping["customer_paid_shipping_fee_amount"] = 0
                shipping["return_shipping_fee_amount"] = -pay["original_shipping_fee"]
                fee["platform_commission_amount"] = 0
                fee["affiliate_commission_amount"] = 0
            parts = [sum(revenue.values()), sum(shipping.values()), sum(fee.values())]
            net = sum(parts) + unexplained

            def text(group: dict[str, int]) -> dict[str, str]:
                return {k: str(v) for k, v in group.items()}

            self._finance_row(
                {
                    "type": "ORDER",
                    "order_id": str(order["id"]),
                    "order_create_time": order["create_time"],
                    "revenue_amount": str(parts[0]),
                    "revenue_breakdown": text(revenue),
                    "shipping_cost_amount": str(parts[1]),
                    "shipping_cost_breakdown": {
                        **text(shipping),
                        "supplementary_component": {
                            "platform_shipping_fee_discount_amount": str(
                                pay["shipping_fee_platform_discount"]
                            ),
                            "seller_shipping_fee_discount_amount": str(
                                -pay["shipping_fee_seller_discount"]
                            ),
                        },
                    },
                    "fee_tax_amount": str(parts[2]),
                    "fee_tax_breakdown": {"fee": text(fee), "tax": {"vat_amount": "0"}},
                    "adjustment_amount": "0",
                    "settlement_amount": str(net),
                },
                order["_shop_id"],
                when,
            )
            return net

    def adjust(
        self, amount: int, when: float, reason: str = "Logistics reimbursement"
    ) -> None:
        """An adjustment not tied to an order (a claim paid, a penalty)."""
        with self.store.lock:
            self._finance_row(
                {
                    "type": "ADJUSTMENT",
                    "adjustment_id": str(
                        7200000000000000000 + len(self.store["finance"])
                    ),
                    "adjustment_amount": str(amount),
                    "_reason": reason,
                    "settlement_amount": str(amount),
                },
                self.shop_id,
                when,
            )

    def _finance_row(self, row: dict[str, Any], shop_id: str, when: float) -> None:
        number = len(self.store["finance"]) + 1
        row.update(
            id=str(7300000000000000000 + number),
            currency="VND",
            _shop_id=str(shop_id),
            _ts=when,
            _statement="",
        )
        self.store["finance"].append(row)

    def close_statement(
        self, when: float, shop_id: str | None = None, status: str = "PAID"
    ) -> dict[str, Any]:
        """Put every transaction not yet in a statement into a new one."""
        shop = str(shop_id or self.shop_id)
        with self.store.lock:
            number = str(7100000000000000000 + len(self.store["statements"]) + 1)
            rows = [
                r
                for r in self.store["finance"]
                if r["_shop_id"] == shop and not r["_statement"] and r["_ts"] <= when
            ]
            for row in rows:
                row["_statement"] = number

            def total(key: str) -> int:
                return sum(int(r.get(key) or 0) for r in rows)

            statement = {
                "id": number,
                "statement_time": int(when),
                "settlement_amount": str(total("settlement_amount")),
                "revenue_amount": str(total("revenue_amount")),
                "fee_amount": str(total("fee_tax_amount")),
                "shipping_cost_amount": str(total("shipping_cost_amount")),
                "adjustment_amount": str(total("adjustment_amount")),
                "currency": "VND",
                "payment_status": status,
                "payment_id": str(int(number) + 500) if status == "PAID" else "",
                "_shop_id": shop,
            }
            self.store["statements"].append(statement)
            return dict(statement)

    def payouts(self, shop_id: str | None = None) -> list[dict[str, Any]]:
        """The statements closed so far."""
        shop = str(shop_id or self.shop_id)
        with self.store.lock:
            return [dict(s) for s in self.store["statements"] if s["_shop_id"] == shop]

    @staticmethod
    def _public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not k.startswith("_")}

    def _statements_get(self, req: Request) -> Response:
        shop, error = self._check(req)
        if error:
            return error
        if req.arg("sort_field") != "statement_time":
            return self._error(CODE_PARAM, "sort_field must be statement_time")
        try:
            low = int(req.arg("statement_time_ge") or 0)
            high = int(req.arg("statement_time_lt") or 2**40)
        except ValueError:
            return self._error(CODE_PARAM, "statement_time_ge/lt: Unix seconds")
        status = req.arg("payment_status")
        with self.store.lock:
            rows = [
                self._public(s)
                for s in self.store["statements"]
                if s["_shop_id"] == shop
                and low <= s["statement_time"] < high
                and (not status or s["payment_status"] == status)
            ]
        if req.arg("sort_order") == "DESC":
            rows.reverse()
        page, token, error = self._page(req, rows)
        if error:
            return error
        return self._ok({"statements": page, "next_page_token": token})

    def _statement_transactions_get(self, req: Request) -> Response:
        shop, error = self._check(req)
        if error:
            return error
        if req.arg("sort_field") != "order_create_time":
            return self._error(CODE_AUTH, "sort_field is required: order_create_time")
        number = req.path_id
        with self.store.lock:
            statement = next(
                (
                    s
                    for s in self.store["statements"]
                    if s["id"] == number and s["_shop_id"] == shop
                ),
                None,
            )
            rows = [
                self._public(r)
                for r in self.store["finance"]
                if r["_statement"] == number
            ]
        if statement is None:
            return self._error(CODE_PARAM, f"statement {number} not found")
        page, token, error = self._page(req, rows)
        if error:
            return error
        return self._ok(
            {
                "id": number,
                "create_time": statement["statement_time"],
                "status": statement["payment_status"],
                "currency": "VND",
                "total_settlement_amount": statement["settlement_amount"],
                "transactions": page,
                "next_page_token": token,
            }
        )
