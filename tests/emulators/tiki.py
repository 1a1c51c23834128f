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
import csv
import io
import random
import re
import secrets
import threading
import time
import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from .fakedata import (
    LOCATIONS,
    creation_times,
    digits,
    person_name,
    street_of,
)
from .harness import TOKEN_EXPIRED, EmulatorServer, Request, Response

VN = timezone(timedelta(hours=7))
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
STATUS_WEIGHTS = {
    "waiting_payment": 4,
    "queueing": 20,
    "processing": 4,
    "packaging": 8,
    "ready_to_ship": 8,
    "shipping": 15,
    "successful_delivery": 10,
    "complete": 20,
    "canceled": 8,
    "returned": 3,
}
LIFECYCLE = {
    "waiting_payment": "queueing",
    "processing": "queueing",
    "queueing": "packaging",
    "packaging": "ready_to_ship",
    "ready_to_ship": "shipping",
    "shipping": "successful_delivery",
    "successful_delivery": "complete",
}
EVENT_TYPES = (
    "ORDER_CREATED_SUCCESSFULLY",
    "ORDER_STATUS_UPDATED",
    "PRODUCT_PRICE_UPDATED",
    "PRODUCT_MARKET_PRICE_UPDATED",
    "PRODUCT_INVENTORY_UPDATED",
)
TIKI_PRODUCTS = [
    ("Sách tiếng Việt", 89000),
    ("Bình giữ nhiệt 500ml", 189000),
    ("Tai nghe không dây", 459000),
    ("Nồi cơm điện 1.8L", 790000),
    ("Kem chống nắng", 215000),
    ("Bộ lau nhà", 329000),
    ("Cà phê rang xay 500g", 145000),
    ("Balo laptop", 399000),
]


def vn_time(ts: float) -> str:
    """Tiki's zone-less ``YYYY-MM-DD HH:MM:SS``, in Vietnam time."""
    return datetime.fromtimestamp(ts, tz=VN).strftime(TIME_FORMAT)


def parse_vn_time(text: str) -> float:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=VN).timestamp()


def generate_catalogue(n: int = 10, seed: int = 0) -> list[dict[str, Any]]:
    """Tiki products (one SKU each): ``TK0001``..., VND prices."""
    rng = random.Random(seed)
    rows = []
    for index in range(n):
        name, price = TIKI_PRODUCTS[index % len(TIKI_PRODUCTS)]
        rows.append(
            {
                "product_id": 70000000 + index * 7 + 1,
                "sku": str(5000000 + index),
                "original_sku": f"TK{index + 1:04d}",
                "name": f"{name} #{index + 1}",
                "price": max(1000, round(price * rng.uniform(0.8, 1.2) / 1000) * 1000),
                "active": 1,
                "_qty": rng.randint(0, 100),
            }
        )
    return rows


def generate_order(
    rng: random.Random,
    catalogue: list[dict[str, Any]],
    created: datetime,
    seller_id: str,
    code: str,
    status: str | None = None,
    no_phone: bool | None = None,
    no_customer: bool = False,
) -> dict[str, Any]:
    """One order v2 (``/integration/v2/orders/{code}`` shape) + private keys."""
    status = (
        status or rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
    )
    family, middle, given = person_name(rng)
    ward, district, region = rng.choice(LOCATIONS)
    if no_phone is None:
        no_phone = rng.random() < 0.2  # Tiki does not always give the phone
    phone = "" if no_phone else "09" + digits(rng, 8)
    items = []
    for n, product in enumerate(
        rng.sample(catalogue, rng.randint(1, min(3, len(catalogue))))
    ):
        qty = rng.randint(1, 3)
        price = product["price"]
        subtotal = price * qty
        coupon = rng.choice([0, 0, 10000]) if subtotal > 100000 else 0
        tikixu = rng.choice([0, 0, 0, 5000])
        promotion = rng.choice([0, 0, 15000]) if subtotal > 150000 else 0
        discount = coupon + tikixu + promotion
        fee = round(subtotal * 0.08)
        items.append(
            {
                "id": int(code) * 10 + n + 1,
                "product": {
                    "id": product["product_id"],
                    "name": product["name"],
                    "sku": product["sku"],
                    "seller_product_code": product["original_sku"],
                },
                "invoice": {
                    "price": price,
                    "quantity": qty,
                    "subtotal": subtotal,
                    "row_total": subtotal - discount,
                    "discount_amount": discount,
                    "discount_tikixu": tikixu,
                    "discount_promotion": promotion,
                    "discount_percent": 0,
                    "discount_coupon": coupon,
                    "discount_other": 0,
                    "is_seller_discount_coupon": rng.random() < 0.5,
                    "is_taxable": True,
                    "seller_fee": fee,
                    "seller_income": subtotal - fee - (coupon if n % 2 else 0),
                    "fees": [
                        {
                            "id": int(code) * 100 + n,
                            "fee_type_key": "percent_per_item_sales_value",
                            "fee_type_name": "Phí cố định",
                            "status": 1,
                            "quantity": qty,
                            "base_amount": subtotal,
                            "total_amount": fee,
                            "discount_amount": 0,
                            "final_amount": fee,
                        }
                    ],
                },
                "confirmation": {"status": "waiting"},
            }
        )
    shipping = rng.choice([0, 0, 15000, 25000])
    ship_discount = rng.choice([0, 10000]) if shipping >= 15000 else 0
    handling = rng.choice([0, 0, 3000])
    rows_total = sum(i["invoice"]["row_total"] for i in items)
    create_ts = created.timestamp()
    update_ts = create_ts + (
        0 if status == "waiting_payment" else rng.randint(60, 86400)
    )
    return {
        "code": code,
        "relation_code": "",
        "fulfillment_type": rng.choice(
            ["dropship", "tiki_delivery", "seller_delivery"]
        ),
        "status": status,
        "is_rma": False,
        "created_at": vn_time(create_ts),
        "updated_at": vn_time(update_ts),
        "invoice": {
            "items_count": len(items),
            "items_quantity": sum(i["invoice"]["quantity"] for i in items),
            "subtotal": sum(i["invoice"]["subtotal"] for i in items),
            "grand_total": rows_total + shipping - ship_discount + handling,
            "collectible_amount": 0,
            "discount_amount": sum(i["invoice"]["discount_amount"] for i in items),
            "shipping_amount_after_discount": shipping - ship_discount,
            "shipping_discount_amount": ship_discount,
            "handling_fee": handling,
            "other_fee": 0,
            "total_seller_fee": sum(i["invoice"]["seller_fee"] for i in items),
            "total_seller_income": sum(i["invoice"]["seller_income"] for i in items),
        },
        "items": items,
        "shipping": {
            "address": {
                "full_name": f"{family} {middle} {given}",
                "street": street_of(rng),
                "ward": ward,
                "district": district,
                "region": region,
                "country": "VN",
                "phone": phone,
            },
            "tracking_code": f"TIKI{code}"
            if status in ("shipping", "complete")
            else "",
            "partner_name": "TikiNOW Smart Logistics",
        },
        "payment": {"method": rng.choice(["cod", "cybersource", "momo"])},
        "customer": {}
        if no_customer
        else {"id": rng.randint(10**6, 10**7), "full_name": f"{family} {given}"},
        "cancel_info": {"reason_text": "Khách đổi ý"} if status == "canceled" else {},
        "status_histories": [{"status": status, "created_at": vn_time(update_ts)}],
        "_seller_id": str(seller_id),
        "_update_ts": update_ts,
    }


def generate_orders(
    n: int,
    seed: int = 0,
    catalogue: list[dict[str, Any]] | None = None,
    seller_id: str = "3001",
    statuses: list[str] | None = None,
    start: datetime | None = None,
    span: timedelta = timedelta(days=5),
    first_code: int | None = None,
) -> list[dict[str, Any]]:
    """``n`` orders created in ``[start, start + span]`` (statuses cycle)."""
    rng = random.Random(seed)
    catalogue = catalogue or generate_catalogue(seed=seed)
    now = datetime.now(timezone.utc)
    start = start or now - span
    first = first_code or 800000000 + seed * 100000
    orders = []
    for index, created in creation_times(rng, n, start, span):
        status = statuses[index % len(statuses)] if statuses else None
        order = generate_order(
            rng, catalogue, created, seller_id, str(first + index), status
        )
        if order["_update_ts"] > now.timestamp():
            order["_update_ts"] = max(created.timestamp(), now.timestamp() - 1)
            order["updated_at"] = vn_time(order["_update_ts"])
        orders.append(order)
    return orders


def buyer_paid(order: dict[str, Any]) -> int:
    """What the buyer pays (``invoice.grand_total``)."""
    return int(order["invoice"]["grand_total"])


class TikiEmulator(EmulatorServer):
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

    # ---------------------------------------------------------------- orders

    def add_orders(self, orders: list[dict[str, Any]], emit: bool = False) -> None:
        with self.store.lock:
            for order in orders:
                self.store["orders"][order["code"]] = order
        if emit:
            for order in orders:
                if order["status"] not in ("waiting_payment", "processing"):
                    self.emit(order["_seller_id"], "ORDER_CREATED_SUCCESSFULLY", order)

    @staticmethod
    def public(order: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in order.items() if not k.startswith("_")}

    def set_status(self, code: str, status: str) -> dict[str, Any]:
        """Change an order's status and queue ORDER_STATUS_UPDATED."""
        with self.store.lock:
            order = self.store["orders"][code]
            order["status"] = status
            order["_update_ts"] = max(self.clock(), order["_update_ts"] + 1)
            order["updated_at"] = vn_time(order["_update_ts"])
            order["status_histories"].append(
                {"status": status, "created_at": order["updated_at"]}
            )
        return self.emit(order["_seller_id"], "ORDER_STATUS_UPDATED", order)

    def _orders(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        try:
            page = int(req.arg("page", "1") or 1)
            limit = int(req.arg("limit", "20") or 20)
            low = req.arg("updated_from_date")
            high = req.arg("updated_to_date")
            low_ts = parse_vn_time(low) if low else float("-inf")
            high_ts = parse_vn_time(high) if high else float("inf")
        except ValueError:
            return self._err(400, "invalid query")
        if page < 1 or not 1 <= limit <= 100:
            return self._err(400, "page must be >= 1 and limit in 1..100")
        reverse = (req.arg("order_by") or "created_at|desc").endswith("desc")
        codes = {
            c for c in (req.arg("code") or "").split(",")[: self.code_filter_limit] if c
        }
        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_seller_id"] == grant["seller_id"]
                    and low_ts <= int(o["_update_ts"]) <= high_ts
                    and (not codes or o["code"] in codes)
                ),
                key=lambda o: (o["_update_ts"], o["code"]),
                reverse=reverse,
            )
            chunk = rows[(page - 1) * limit : page * limit]
            data = [self._served(o, req) for o in chunk]
        last = max(1, -(-len(rows) // limit))
        return Response(
            200,
            {
                "data": data,
                "paging": {
                    "total": len(rows),
                    "per_page": limit,
                    "current_page": page,
                    "last_page": last,
                },
            },
        )

    def _order(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        (code,) = req.path_args
        with self.store.lock:
            order = self.store["orders"].get(code)
            if order is None or order["_seller_id"] != grant["seller_id"]:
                return self._err(404, "order not found")
            return Response(200, self._served(order, req))

    def _served(self, order: dict[str, Any], req: Request) -> dict[str, Any]:
        """An order as the list and the detail show it: items' fees only with
        ``include=items.fees`` (a list row carries the items, as Tiki's does)."""
        body = self.public(order)
        if "items.fees" in (req.arg("include") or ""):
            return body
        items = body.get("items")
        if not isinstance(items, list):
            return body  # hostile-input tests serve broken items as they are
        return {
            **body,
            "items": [
                {
                    **i,
                    "invoice": {k: v for k, v in i["invoice"].items() if k != "fees"},
                }
                if isinstance(i, dict) and isinstance(i.get("invoice"), dict)
                else i
                for i in items
            ],
        }

    def _confirm(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        (code,) = req.path_args
        body = self._json(req)
        if not isinstance(body, dict) or not body.get("item_ids"):
            return self._err(400, "item_ids is required")
        with self.store.lock:
            order = self.store["orders"].get(code)
            if order is None or order["_seller_id"] != grant["seller_id"]:
                return self._err(404, "order not found")
            if order["status"] != "queueing":
                return self._err(400, f"order is {order['status']}, not queueing")
            self.store["confirmed"].append((code, req.path, body))
        self.set_status(code, "packaging")
        return Response(200, {"order_code": code, "status": "packaging"})

    # -------------------------------------------------------------- products

    def add_catalogue(self, products: list[dict[str, Any]]) -> None:
        with self.store.lock:
            for product in products:
                self.store["products"][int(product["product_id"])] = product

    def _products(self, req: Request) -> Response:
        _grant, error = self._auth(req)
        if error:
            return error
        try:
            page = int(req.arg("page", "1") or 1)
            limit = int(req.arg("limit", "20") or 20)
        except ValueError:
            return self._err(400, "invalid page")
        if page < 1 or not 1 <= limit <= 100:
            return self._err(400, "page must be >= 1 and limit in 1..100")
        with self.store.lock:
            rows = sorted(
                self.store["products"].values(), key=lambda p: p["product_id"]
            )
            chunk = [
                {
                    **{k: v for k, v in p.items() if not k.startswith("_")},
                    "inventory": {
                        "quantity_available": p["_qty"],
                        "warehouse_quantities": [
                            {
                                "warehouse_id": self.warehouses[0]["id"],
                                "qty_available": p["_qty"],
                            }
                        ],
                    },
                }
                for p in rows[(page - 1) * limit : page * limit]
            ]
        last = max(1, -(-len(rows) // limit))
        return Response(
            200,
            {
                "data": chunk,
                "paging": {"total": len(rows), "current_page": page, "last_page": last},
            },
        )

    def _update_skus(self, req: Request) -> Response:
        _grant, error = self._auth(req)
        if error:
            return error
        body = self._json(req)
        rows = body.get("data") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not rows:
            return self._err(400, "data is required")
        if len(rows) > 50:
            return self._err(400, "at most 50 SKUs per request")
        warehouse_ids = {w["id"] for w in self.warehouses}
        results = []
        with self.store.lock:
            by_sku = {p["original_sku"]: p for p in self.store["products"].values()}
            for row in rows:
                product = self.store["products"].get(
                    row.get("product_id")
                ) or by_sku.get(row.get("original_sku"))
                ident = {
                    "product_id": row.get("product_id"),
                    "original_sku": row.get("original_sku"),
                }
                if product is None:
                    results.append(
                        {**ident, "state": "failed", "errors": ["product not found"]}
                    )
                    continue
                errors = []
                for wq in row.get("warehouse_quantities") or []:
                    if wq.get("warehouse_id") not in warehouse_ids:
                        errors.append("unknown warehouse")
                    elif int(wq.get("qty_available", -1)) < 0:
                        errors.append("invalid quantity")
                if "price" in row and not (
                    isinstance(row["price"], int | float) and row["price"] > 0
                ):
                    errors.append("invalid price")
                if errors:
                    results.append({**ident, "state": "failed", "errors": errors})
                    continue
                for wq in row.get("warehouse_quantities") or []:
                    product["_qty"] = int(wq["qty_available"])
                if "price" in row:
                    product["price"] = row["price"]
                results.append({**ident, "state": "approved"})
        return Response(200, {"data": results})

    # ----------------------------------------------------------- event queue

    def _queues(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        owner = grant["seller_id"] or "app"
        with self.store.lock:
            rows = [
                {k: q[k] for k in ("code", "name", "status")}
                for q in self.store["queues"].values()
                if q["owner"] == owner
            ]
        return Response(200, rows)

    def _create_queue(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        if self.app_type == "public" and grant["seller_id"] is not None:
            return self._err(403, "a public app creates queues with its own token")
        body = self._json(req)
        if not isinstance(body, dict) or not body.get("name"):
            return self._err(400, "name is required")
        code = str(uuid.uuid4())
        queue = {
            "code": code,
            "name": str(body["name"]),
            "status": "ACTIVE",
            "owner": grant["seller_id"] or "app",
            "subscriptions": [],
            "events": [],
            "batches": {},
        }
        with self.store.lock:
            self.store["queues"][code] = queue
        return Response(200, {k: queue[k] for k in ("code", "name", "status")})

    def _queue(self, req: Request, grant: dict) -> dict | None:
        (code,) = req.path_args
        queue = self.store["queues"].get(code)
        return queue

    def _subscriptions(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        with self.store.lock:
            queue = self._queue(req, grant)
            if queue is None:
                return self._err(404, "queue not found")
            rows = [
                s
                for s in queue["subscriptions"]
                if grant["seller_id"] is None or s["sid"] == grant["seller_id"]
            ]
        return Response(200, {"data": rows})

    def _subscribe(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        body = self._json(req)
        event_type = body.get("event_type") if isinstance(body, dict) else None
        if event_type not in EVENT_TYPES:
            return self._err(400, "unknown event_type")
        with self.store.lock:
            queue = self._queue(req, grant)
            if queue is None:
                return self._err(404, "queue not found")
            if any(
                s["sid"] == grant["seller_id"] and s["event_type"] == event_type
                for s in queue["subscriptions"]
            ):
                return self._err(409, "subscription already exists")
            row = {
                "code": str(uuid.uuid4()),
                "active": True,
                "event_type": event_type,
                "sid": grant["seller_id"],
            }
            queue["subscriptions"].append(row)
        return Response(200, row)

    def emit(
        self,
        seller_id: str,
        event_type: str,
        order: dict[str, Any] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Route one event to every queue subscribed to it for this seller."""
        event = {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "sid": str(seller_id),
            "created_at": vn_time(self.clock()),
            "payload": payload
            or {"order_code": order["code"], "status": order["status"]},
        }
        with self.store.lock:
            for queue in self.store["queues"].values():
                if any(
                    s["active"]
                    and s["sid"] == str(seller_id)
                    and s["event_type"] == event_type
                    for s in queue["subscriptions"]
                ):
                    queue["events"].append(
                        {"event": event, "visible_at": 0.0, "acked": False}
                    )
        return event

    def redeliver(
        self, duplicate: int = 1, shuffle: bool = False, seed: int | None = None
    ) -> list[str]:
        """At-least-once delivery at its worst: every unacknowledged event queued
        ``duplicate`` times and (with ``shuffle``) out of order, visible at once.
        Returns the ids of the events now queued, in their order."""
        rng = random.Random(seed)
        queued = []
        with self.store.lock:
            for queue in self.store["queues"].values():
                entries = [
                    {"event": e["event"], "visible_at": 0.0, "acked": False}
                    for e in queue["events"]
                    if not e["acked"]
                    for _ in range(max(1, duplicate))
                ]
                if shuffle:
                    rng.shuffle(entries)
                queue["events"] = entries
                queue["batches"] = {}
                queued.extend(e["event"]["id"] for e in entries)
        return queued

    def pending_events(self, queue_code: str | None = None) -> int:
        """Events not yet acknowledged (in every queue, or in one)."""
        with self.store.lock:
            return sum(
                1
                for q in self.store["queues"].values()
                if queue_code in (None, q["code"])
                for e in q["events"]
                if not e["acked"]
            )

    def _pull(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        body = self._json(req)
        if not isinstance(body, dict):
            return self._err(400, "body must be a JSON object")
        now = self.clock()
        with self.store.lock:
            queue = self._queue(req, grant)
            if queue is None:
                return self._err(404, "queue not found")
            if queue["owner"] != (grant["seller_id"] or "app"):
                return self._err(403, "not your queue")
            # acknowledging a batch twice, or one already gone, is harmless
            for entry in queue["batches"].pop(body.get("ack_id") or "", []):
                entry["acked"] = True
            queue["events"] = [e for e in queue["events"] if not e["acked"]]
            batch = [e for e in queue["events"] if e["visible_at"] <= now][
                : self.batch_size
            ]
            ack_id = str(uuid.uuid4())
            for entry in batch:
                entry["visible_at"] = now + self.visibility_timeout
            queue["batches"][ack_id] = batch
            events = [dict(e["event"]) for e in batch]
        return Response(200, {"ack_id": ack_id, "events": events})

    # ------------------------------------------------------------------ demo

    def new_order(self, status: str = "queueing") -> dict[str, Any]:
        """Generate one order created now and queue its event (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["products"].values()) or generate_catalogue()
            code = str(900000000 + len(self.store["orders"]))
        order = generate_order(
            self.rng,
            catalogue,
            datetime.fromtimestamp(self.clock(), tz=timezone.utc),
            self.seller_id,
            code,
            status,
        )
        order["_update_ts"] = self.clock()
        order["updated_at"] = vn_time(order["_update_ts"])
        self.add_orders([order], emit=True)
        return order


# ------------------------------------------------------------------- statements

STATEMENT_HEADER = [
    "STT",
    "Mã đơn hàng",
    "Mã SKU",
    "Tên sản phẩm",
    "Ngày hoàn thành",
    "Doanh thu",
    "Tổng phí",
    "Số tiền thực nhận",
]


def statement_rows(orders: list[dict[str, Any]]) -> list[list[Any]]:
    """A Seller Center statement as Tiki might lay it out: a title, a header in
    Vietnamese, one row per order item (fees negative), a total row."""
    rows: list[list[Any]] = [
        ["BẢNG ĐỐI SOÁT DOANH THU NHÀ BÁN"],
        ["Kỳ đối soát", "01/05/2024 - 15/05/2024"],
        [],
        list(STATEMENT_HEADER),
    ]
    number = 0
    total = 0
    for order in orders:
        done = order["updated_at"][:10]
        day = f"{done[8:10]}/{done[5:7]}/{done[0:4]}"
        for item in order["items"]:
            number += 1
            invoice = item["invoice"]
            total += invoice["seller_income"]
            rows.append(
                [
                    number,
                    order["code"],
                    item["product"]["seller_product_code"],
                    item["product"]["name"],
                    day,
                    invoice["subtotal"],
                    -invoice["seller_fee"],
                    invoice["seller_income"],
                ]
            )
    rows.append(["", "Tổng cộng", "", "", "", "", "", total])
    return rows


def _vnd_text(value: Any) -> str:
    """``1.234.567`` / ``(12.000)``, as Vietnamese spreadsheets export amounts."""
    if not isinstance(value, int):
        return str(value)
    text = f"{abs(value):,}".replace(",", ".")
    return f"({text})" if value < 0 else text


def statement_csv(orders: list[dict[str, Any]]) -> bytes:
    """The statement as a CSV download (UTF-8 with BOM, ``;``, VN amounts)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    for row in statement_rows(orders):
        writer.writerow([_vnd_text(v) for v in row])
    return out.getvalue().encode("utf-8-sig")


def statement_xlsx(orders: list[dict[str, Any]]) -> bytes:
    """The statement as an XLSX download (numbers as numbers)."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Doi soat"
    for row in statement_rows(orders):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
