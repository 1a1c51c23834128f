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

import base64
import hashlib
import hmac
import json
import random
import secrets
import time
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import requests

from .harness import (
    TOKEN_EXPIRED,
    EmulatorServer,
    Request,
    Response,
    send_webhooks,
    tiny_pdf,
)
from .shopee import (
    FAMILY_NAMES,
    GIVEN_NAMES,
    LOCATIONS,
    MIDDLE_NAMES,
    PRODUCTS,
    STREETS,
)

TIMESTAMP_TOLERANCE = 7200
ITEM_STATUSES = (
    "unpaid",
    "pending",
    "topack",
    "repacked",
    "packed",
    "ready_to_ship_pending",
    "ready_to_ship",
    "toship",
    "shipped",
    "shipping",
    "delivered",
    "canceled",
    "returned",
    "shipped_back_success",
    "failed",
    "failed_delivery",
    "lost",
    "lost_by_3pl",
    "damaged_by_3pl",
    "shipped_back",
    "shipped_back_failed",
)
STATUS_WEIGHTS = {
    "unpaid": 8,
    "pending": 20,
    "packed": 8,
    "ready_to_ship": 10,
    "shipped": 15,
    "delivered": 25,
    "canceled": 8,
    "returned": 3,
    "failed_delivery": 3,
}
LIFECYCLE = {
    "unpaid": "pending",
    "pending": "packed",
    "packed": "ready_to_ship",
    "ready_to_ship": "shipped",
    "shipped": "delivered",
}
CARRIERS = ["LEX VN", "Giao Hàng Nhanh", "J&T Express", "Ninja Van"]


# ------------------------------------------------------------------------- signatures


def lazada_sign(secret: str, path: str, params: dict[str, str]) -> str:
    """UPPER hex HMAC-SHA256 of path + sorted key+value (``sign`` excluded)."""
    base = path + "".join(f"{k}{params[k]}" for k in sorted(params) if k != "sign")
    return hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest().upper()


def lazada_push_sign(app_key: str, secret: str, body: bytes) -> str:
    """Push ``Authorization``: lower hex HMAC-SHA256(secret, app_key + body)."""
    return hmac.new(
        secret.encode(), app_key.encode() + body, hashlib.sha256
    ).hexdigest()


# --------------------------------------------------------------------- data generators


def _round_k(value: float) -> int:
    return max(1000, round(value / 1000.0) * 1000)


def _iso(ts: float) -> str:
    """Lazada's ISO form in Vietnam time: ``2024-05-01T10:00:00+07:00``."""
    moment = datetime.fromtimestamp(ts, tz=timezone(timedelta(hours=7)))
    return moment.isoformat(timespec="seconds")


def _parse_iso(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def generate_catalogue(
    n_items: int = 10, skus_per_item: int = 2, seed: int = 0
) -> list[dict[str, Any]]:
    """Products in /products/get shape, SellerSku ``LZ0001-1`` ..., VND prices."""
    rng = random.Random(seed)
    products = []
    for index in range(n_items):
        base_name, base_price, variants = PRODUCTS[index % len(PRODUCTS)]
        item_id = 2000000000 + index * 11 + 3
        labels = variants or ["Mặc định"]
        skus = []
        for n in range(max(1, min(skus_per_item, len(labels)))):
            price = _round_k(base_price * rng.uniform(0.8, 1.2))
            skus.append(
                {
                    "SkuId": item_id * 10 + n + 1,
                    "SellerSku": f"LZ{index + 1:04d}-{n + 1}",
                    "ShopSku": f"{item_id}_VNAMZ-{n + 1}",
                    "Status": "active",
                    "quantity": rng.randint(0, 200),
                    "Available": 0,
                    "price": price,
                    "special_price": _round_k(price * 0.9) if rng.random() < 0.3 else 0,
                    "_variation": labels[n % len(labels)],
                }
            )
        products.append(
            {
                "item_id": item_id,
                "status": "Active",
                "attributes": {
                    "name": f"{base_name} #{index + 1}",
                    "brand": "No Brand",
                },
                "skus": skus,
                "created_time": str(int(time.time() * 1000)),
                "updated_time": str(int(time.time() * 1000)),
            }
        )
    return products


def _variants(catalogue: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for product in catalogue:
        for sku in product["skus"]:
            price = sku["special_price"] or sku["price"]
            rows.append(
                {
                    "name": product["attributes"]["name"],
                    "variation": sku.get("_variation", ""),
                    "sku": sku["SellerSku"],
                    "sku_id": sku["SkuId"],
                    "shop_sku": sku["ShopSku"],
                    "price": price,
                }
            )
    return rows


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """Split a multiple of 1,000 into ``parts`` multiples of 1,000."""
    units = total // 1000
    cuts = sorted(rng.randint(0, units) for _ in range(parts - 1))
    bounds = [0, *cuts, units]
    return [(bounds[i + 1] - bounds[i]) * 1000 for i in range(parts)]


def generate_order(
    rng: random.Random,
    variants: list[dict[str, Any]],
    created: datetime,
    seller_id: str,
    order_id: int,
    statuses: list[str] | None = None,
) -> dict[str, Any]:
    """One Vietnamese Lazada order: header (``/order/get`` shape) + ``_items``.

    ``statuses`` gives the item statuses (one per unit, 1 to 5 units); by
    default one status for all units, sometimes with a partial cancellation.
    """
    n_units = len(statuses) if statuses else rng.randint(1, 5)
    if not statuses:
        main = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
        statuses = [main] * n_units
        if n_units > 1 and main not in ("unpaid", "canceled") and rng.random() < 0.2:
            statuses[rng.randrange(n_units)] = "canceled"
    family, middle, given = (
        rng.choice(FAMILY_NAMES),
        rng.choice(MIDDLE_NAMES),
        rng.choice(GIVEN_NAMES),
    )
    phone = (
        "84" + rng.choice("35789") + "".join(str(rng.randint(0, 9)) for _ in range(8))
    )
    ward, district, province = rng.choice(LOCATIONS)
    street = f"{rng.randint(1, 300)} {rng.choice(STREETS)}"
    shipping = rng.choice([0, 0, 15000, 22000, 30000])
    ship_discount_seller = rng.choice([0, 0, 5000]) if shipping else 0
    ship_discount_platform = rng.choice([0, 0, 10000]) if shipping > 10000 else 0
    units = [rng.choice(variants) for _ in range(n_units)]
    subtotal = sum(u["price"] for u in units)
    voucher_seller = rng.choice([0, 0, 10000, 20000]) if subtotal > 200000 else 0
    voucher_platform = rng.choice([0, 0, 5000, 15000]) if subtotal > 100000 else 0
    seller_parts = _split(voucher_seller, n_units, rng)
    platform_parts = _split(voucher_platform, n_units, rng)
    ship_parts = _split(shipping, n_units, rng)
    sds_parts = _split(ship_discount_seller, n_units, rng)
    sdp_parts = _split(ship_discount_platform, n_units, rng)
    create_ts = created.timestamp()
    update_ts = create_ts + (0 if statuses[0] == "unpaid" else rng.randint(60, 86400))
    buyer_id = str(rng.randint(10**9, 10**10))
    method = rng.choice(["COD", "COD", "MIXEDCARD", "LAZADA_WALLET"])
    carrier = rng.choice(CARRIERS)
    items = []
    for n, (unit, status) in enumerate(zip(units, statuses, strict=True)):
        # the unit's share: vouchers never exceed its price, shipping discounts
        # never exceed its original shipping
        vs = min(seller_parts[n], unit["price"])
        vp = min(platform_parts[n], unit["price"] - vs)
        seller_parts[n], platform_parts[n] = vs, vp
        original = ship_parts[n]
        sds = min(sds_parts[n], original)
        sdp = min(sdp_parts[n], original - sds)
        shipped = status not in ("unpaid", "pending", "topack", "canceled")
        items.append(
            {
                "order_id": order_id,
                "order_item_id": order_id * 10 + n + 1,
                "name": unit["name"],
                "variation": unit["variation"],
                "sku": unit["sku"],
                "sku_id": str(unit["sku_id"]),
                "shop_sku": unit["shop_sku"],
                "status": status,
                "item_price": f"{unit['price']:.2f}",
                "paid_price": f"{unit['price'] - vs - vp:.2f}",
                "voucher_amount": f"{vs + vp:.2f}",
                "voucher_seller": f"{vs:.2f}",
                "voucher_platform": f"{vp:.2f}",
                "shipping_fee_original": f"{original:.2f}",
                "shipping_fee_discount_seller": f"{sds:.2f}",
                "shipping_fee_discount_platform": f"{sdp:.2f}",
                "shipping_amount": f"{original - sds - sdp:.2f}",
                "tax_amount": "0.00",
                "currency": "VND",
                "buyer_id": buyer_id,
                "shipment_provider": carrier if shipped else "",
                "tracking_code": f"LZDVN{order_id}" if shipped else "",
                "package_id": f"FP{order_id}" if shipped else "",
                "reason": "Thay đổi ý định" if status == "canceled" else "",
                "cancel_return_initiator": "cancellation-customer"
                if status == "canceled"
                else "",
                "payment_time": str(int(create_ts * 1000) + 60000)
                if status != "unpaid"
                else "",
                "need_cancel_confirm": "false",
                "created_at": _iso(create_ts),
                "updated_at": _iso(update_ts),
            }
        )
    order = {
        "order_id": order_id,
        "order_number": order_id,
        "created_at": _iso(create_ts),
        "updated_at": _iso(update_ts),
        "customer_first_name": f"{family} {middle} {given}",
        "customer_last_name": "",
        "payment_method": method,
        "remarks": "",
        "buyer_note": rng.choice(["", "", "Giao giờ hành chính giúp em"]),
        "items_count": n_units,
        "statuses": sorted(set(statuses)),
        "address_shipping": {
            "first_name": f"{family} {middle} {given}",
            "last_name": "",
            "phone": phone,
            "phone2": "",
            "address1": street,
            "address2": "",
            "address3": province,
            "address4": district,
            "address5": ward,
            "city": district,
            "post_code": "",
            "country": "Vietnam",
        },
        "_seller_id": str(seller_id),
        "_items": items,
        "_update_ts": update_ts,
    }
    _refresh_totals(order)
    return order


def _stamp(order: dict[str, Any], ts: float) -> None:
    """Set a generated order's update time, its items' with it (as on Lazada, an
    order is updated whenever one of its items is, never before it)."""
    order["_update_ts"] = ts
    order["updated_at"] = _iso(ts)
    for item in order["_items"]:
        item["updated_at"] = _iso(ts)


def _refresh_totals(order: dict[str, Any]) -> None:
    """Order-level price/voucher/shipping as sums over all its items."""
    items = order["_items"]

    def total(key: str) -> float:
        return sum(float(i[key]) for i in items)

    order["price"] = f"{total('item_price'):.2f}"
    order["voucher"] = f"{total('voucher_amount'):.2f}"
    order["voucher_seller"] = f"{total('voucher_seller'):.2f}"
    order["voucher_platform"] = f"{total('voucher_platform'):.2f}"
    order["shipping_fee"] = f"{total('shipping_amount'):.2f}"
    order["shipping_fee_original"] = f"{total('shipping_fee_original'):.2f}"
    order["shipping_fee_discount_seller"] = (
        f"{total('shipping_fee_discount_seller'):.2f}"
    )
    order["shipping_fee_discount_platform"] = (
        f"{total('shipping_fee_discount_platform'):.2f}"
    )


def buyer_paid(order: dict[str, Any], live_only: bool = True) -> int:
    """What the buyer pays: paid_price + shipping_amount of the live items."""
    return round(
        sum(
            float(i["paid_price"]) + float(i["shipping_amount"])
            for i in order["_items"]
            if not live_only or i["status"] != "canceled"
        )
    )


def generate_orders(
    n: int,
    seed: int = 0,
    catalogue: list[dict[str, Any]] | None = None,
    seller_id: str = "200100",
    statuses: list[list[str]] | None = None,
    start: datetime | None = None,
    span: timedelta = timedelta(days=10),
    first_order_id: int | None = None,
) -> list[dict[str, Any]]:
    """Generate ``n`` orders created between ``start`` and ``start + span``.

    ``statuses`` cycles through per-order item status lists (one per unit).
    """
    rng = random.Random(seed)
    variants = _variants(catalogue or generate_catalogue(10, 2, seed=seed))
    now = datetime.now(timezone.utc)
    start = start or (now - span)
    next_id = first_order_id or (300000000000 + seed * 1000000)
    orders = []
    for index in range(n):
        created = start + timedelta(seconds=rng.uniform(0, span.total_seconds()))
        wanted = list(statuses[index % len(statuses)]) if statuses else None
        order = generate_order(
            rng, variants, created, seller_id, next_id + index, wanted
        )
        limit = max(now, start + span).timestamp()
        if order["_update_ts"] > limit:
            _stamp(order, max(created.timestamp(), limit))
        orders.append(order)
    return orders


# ---------------------------------------------------------------------------- server


class LazadaEmulator(EmulatorServer):
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

    # --------------------------------------------------------------- orders

    def add_orders(self, orders: list[dict[str, Any]]) -> None:
        """Add generated orders."""
        with self.store.lock:
            for order in orders:
                self.store["orders"][str(order["order_id"])] = order

    @staticmethod
    def header(order: dict[str, Any]) -> dict[str, Any]:
        """The order as /order/get shows it (private keys removed)."""
        row = {k: v for k, v in order.items() if not k.startswith("_")}
        return json.loads(json.dumps(row))

    def set_item_status(
        self,
        order_id: Any,
        item_ids: list[Any] | None,
        status: str,
        push_url: str | None = None,
    ) -> list[dict[str, Any]]:
        """Change the status of some items (None = all live ones), bump updated_at, and
        return (and push to ``push_url``) one message_type 0 per item."""
        messages = []
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            now = max(self.clock(), order["_update_ts"] + 1)
            order["_update_ts"] = now
            order["updated_at"] = _iso(now)
            wanted = {str(i) for i in item_ids} if item_ids is not None else None
            for item in order["_items"]:
                # "all" means all live units: Lazada never revives a cancelled one
                if wanted is None and item["status"] == "canceled":
                    continue
                if wanted is not None and str(item["order_item_id"]) not in wanted:
                    continue
                item["status"] = status
                item["updated_at"] = _iso(now)
                if status == "canceled":
                    item["reason"] = "Thay đổi ý định"
                    item["cancel_return_initiator"] = "cancellation-customer"
                messages.append(self.order_message(order, item, int(now)))
            order["statuses"] = sorted({i["status"] for i in order["_items"]})
        if push_url:
            self.push(push_url, messages)
        return messages

    def order_message(
        self, order: dict[str, Any], item: dict[str, Any], changed: int
    ) -> dict[str, Any]:
        """A message_type 0 trade order push, as Lazada sends it."""
        return {
            "seller_id": order["_seller_id"],
            "message_type": 0,
            "data": {
                "order_status": item["status"],
                "trade_order_id": str(order["order_id"]),
                "trade_order_line_id": str(item["order_item_id"]),
                "status_update_time": changed,
            },
            "timestamp": int(self.clock() * 1000),
            "site": "lazada_vn",
        }

    def _orders_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        try:
            after = params.get("update_after")
            created_after = params.get("created_after")
            if not after and not created_after:
                return self._error("MissingParameter", "update_after or created_after")
            field = "_update_ts" if after else "created_at"
            low = _parse_iso(after or created_after or "")
            before = params.get("update_before") or params.get("created_before")
            high = _parse_iso(before) if before else float("inf")
            limit = int(params.get("limit", "10"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            return self._error("17", 'E017: "%s" Invalid Date Format')
        if not 1 <= limit <= 100:
            return self._error("19", 'E019: "%s" Invalid Limit')
        if offset < 0 or offset > self.offset_ceiling:
            return self._error("14", 'E014: "%s" Invalid Offset')
        reverse = params.get("sort_direction", "DESC").upper() == "DESC"

        def stamp(order: dict[str, Any]) -> float:
            if field == "_update_ts":
                return order["_update_ts"]
            return _parse_iso(order["created_at"])

        with self.store.lock:
            rows = sorted(
                (
                    o
                    for o in self.store["orders"].values()
                    if o["_seller_id"] == seller and low <= stamp(o) <= high
                ),
                key=lambda o: (stamp(o), o["order_id"]),
                reverse=reverse,
            )
            page = [self.header(o) for o in rows[offset : offset + limit]]
        return self._ok({"count": len(page), "countTotal": len(rows), "orders": page})

    def _order_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        with self.store.lock:
            order = self.store["orders"].get(params.get("order_id", ""))
            if order is None or order["_seller_id"] != seller:
                return self._error("16", "Invalid Order ID")
            return self._ok(self.header(order))

    def _order_items_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        text = params.get("order_ids", "")
        try:
            ids = json.loads(text)
            if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
                raise ValueError(text)
        except ValueError:
            return self._error(
                "56", "E056: Invalid OrdersIdList format. Must use array format [1,2]"
            )
        if len(ids) > 50:
            return self._error("38", "E038: Too many orders were requested")
        out = []
        with self.store.lock:
            for order_id in ids:
                order = self.store["orders"].get(str(order_id))
                if order is None or order["_seller_id"] != seller:
                    return self._error(
                        "37", "E037: One or more order id in the list are incorrect"
                    )
                self._assign_late_tracking(order)
                out.append(
                    {
                        "order_id": order["order_id"],
                        "order_number": order["order_number"],
                        "order_items": json.loads(json.dumps(order["_items"])),
                    }
                )
        return self._ok(out)

    # ------------------------------------------------------------ fulfilment

    def _touch(self, order: dict[str, Any]) -> float:
        now = max(self.clock(), order["_update_ts"] + 1)
        order["_update_ts"] = now
        order["updated_at"] = _iso(now)
        return now

    def _set_items(
        self, order: dict[str, Any], items: list[dict[str, Any]], status: str
    ) -> None:
        now = self._touch(order)
        for item in items:
            item["status"] = status
            item["updated_at"] = _iso(now)
        order["statuses"] = sorted({i["status"] for i in order["_items"]})

    def _assign_late_tracking(self, order: dict[str, Any]) -> None:
        if not order.get("_tracking"):
            return
        if order.get("_tracking_wait", 0) > 0:
            order["_tracking_wait"] -= 1
            return
        for item in order["_items"]:
            if item["package_id"] and not item["tracking_code"]:
                item["tracking_code"] = order["_tracking"]

    def _request_json(
        self, params: dict[str, str], name: str
    ) -> tuple[Any, Response | None]:
        try:
            return json.loads(params.get(name) or ""), None
        except ValueError:
            return None, self._error("MissingParameter", f"{name} is not valid JSON")

    def _pack(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        pack, error = self._request_json(params, "packReq")
        if error:
            return error
        if pack.get("delivery_type") != "dropship":
            return self._error("InvalidParameter", "delivery_type must be dropship")
        groups = []
        with self.store.lock:
            for group in pack.get("pack_order_list") or []:
                order = self.store["orders"].get(str(group.get("order_id")))
                if order is None or order["_seller_id"] != seller:
                    return self._error("16", "Invalid Order ID")
                wanted = {int(i) for i in group.get("order_item_list") or []}
                items = [i for i in order["_items"] if i["order_item_id"] in wanted]
                if not items or len(items) != len(wanted):
                    return self._error("InvalidParameter", "order_item_list")
                rows = []
                bad = [i for i in items if i["status"] not in ("pending", "repacked")]
                package = f"FP{order['order_id']}"
                tracking = f"LZDVN{self.rng.randint(10**9, 10**10 - 1)}"
                for item in items:
                    ok = not bad
                    rows.append(
                        {
                            "order_item_id": item["order_item_id"],
                            "item_err_code": "0" if ok else "82",
                            "msg": "success"
                            if ok
                            else f"item status {item['status']} cannot be packed",
                            "package_id": package if ok else "",
                            "tracking_number": tracking
                            if ok and not self.tracking_delay
                            else "",
                            "shipment_provider": "LEX VN" if ok else "",
                            "retry": False,
                        }
                    )
                if not bad:
                    carrier = "LEX VN"
                    for item in items:
                        item["package_id"] = package
                        item["shipment_provider"] = carrier
                        item["tracking_code"] = "" if self.tracking_delay else tracking
                    order["_tracking"] = tracking
                    order["_tracking_wait"] = self.tracking_delay
                    self._set_items(order, items, "packed")
                groups.append({"order_id": order["order_id"], "order_item_list": rows})
        return self._ok(
            None, result={"success": True, "data": {"pack_order_list": groups}}
        )

    def _packages(
        self, seller: str | None, packages: list[dict[str, Any]]
    ) -> list[tuple[str, dict[str, Any] | None, list[dict[str, Any]]]]:
        found = []
        for package in packages:
            pid = str(package.get("package_id"))
            match = None
            for order in self.store["orders"].values():
                if order["_seller_id"] != seller:
                    continue
                items = [i for i in order["_items"] if i["package_id"] == pid]
                if items:
                    match = (pid, order, items)
                    break
            found.append(match or (pid, None, []))
        return found

    def _rts(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        rts, error = self._request_json(params, "readyToShipReq")
        if error:
            return error
        rows = []
        with self.store.lock:
            for pid, order, items in self._packages(seller, rts.get("packages") or []):
                if order is None:
                    rows.append(
                        {"package_id": pid, "item_err_code": "20", "msg": "no package"}
                    )
                elif any(i["status"] != "packed" for i in items):
                    rows.append(
                        {
                            "package_id": pid,
                            "item_err_code": "21",
                            "msg": "only packed items can be ready to ship",
                        }
                    )
                else:
                    self._set_items(order, items, "ready_to_ship")
                    rows.append({"package_id": pid, "item_err_code": "0", "msg": ""})
        return self._ok(None, result={"success": True, "data": {"packages": rows}})

    def _document_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        doc, error = self._request_json(params, "getDocumentReq")
        if error:
            return error
        with self.store.lock:
            found = self._packages(seller, doc.get("packages") or [])
            ready = [
                (pid, order, items)
                for pid, order, items in found
                if order is not None
                and items[0]["tracking_code"]
                and all(i["status"] not in ("pending", "packed") for i in items)
            ]
            if not found or len(ready) != len(found):
                return self._ok(
                    None,
                    result={
                        "success": False,
                        "error_code": "DOCUMENT_NOT_READY",
                        "error_msg": "the package must be ready to ship",
                    },
                )
            text = " ".join(
                f"Lazada AWB {pid} {i[0]['tracking_code']}" for pid, _o, i in ready
            )
        pdf = base64.b64encode(tiny_pdf(text)).decode()
        return self._ok(
            None, result={"success": True, "data": {"file": pdf, "pdf_url": ""}}
        )

    def _cancel_items(
        self, params: dict[str, str], seller: str | None
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]], Response | None]:
        order = self.store["orders"].get(params.get("order_id", ""))
        if order is None or order["_seller_id"] != seller:
            return None, [], self._error("16", "Invalid Order ID")
        try:
            wanted = {int(i) for i in json.loads(params.get("order_item_id_list", ""))}
        except (ValueError, TypeError):
            return None, [], self._error("MissingParameter", "order_item_id_list")
        items = [i for i in order["_items"] if i["order_item_id"] in wanted]
        if len(items) != len(wanted) or not items:
            return None, [], self._error("InvalidParameter", "order_item_id_list")
        return order, items, None

    CANCEL_REASONS = (
        {"reason_id": 1001, "reason_name": "Out of stock"},
        {"reason_id": 1002, "reason_name": "Customer requested cancellation"},
        {"reason_id": 1003, "reason_name": "Undeliverable area"},
        {"reason_id": 1004, "reason_name": "COD not supported"},
    )

    def _cancel_validate(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        with self.store.lock:
            _order, items, error = self._cancel_items(params, seller)
            if error:
                return error
            if any(i["status"] not in ("pending", "unpaid", "topack") for i in items):
                return self._ok(
                    {
                        "tip_type": "NOT_ALLOWED",
                        "tip_content": "Items already packed or shipped cannot be "
                        "cancelled",
                        "reason_options": [],
                    }
                )
        return self._ok({"tip_type": "", "reason_options": list(self.CANCEL_REASONS)})

    def _cancel_create(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        reasons = {str(r["reason_id"]): r for r in self.CANCEL_REASONS}
        if params.get("reason_id") not in reasons:
            return self._error("InvalidParameter", "reason_id")
        with self.store.lock:
            order, items, error = self._cancel_items(params, seller)
            if error:
                return error
            if any(i["status"] not in ("pending", "unpaid", "topack") for i in items):
                return self._error("CANCEL_NOT_ALLOWED", "cannot cancel these items")
            for item in items:
                item["reason"] = reasons[params["reason_id"]]["reason_name"]
                item["cancel_return_initiator"] = "cancellation-seller"
            self._set_items(order, items, "canceled")
        return self._ok({})

    def add_reverse_order(
        self,
        order_id: Any,
        item_ids: list[Any] | None = None,
        status: str = "REQUEST_INITIATE",
        request_type: str = "RETURN",
    ) -> dict[str, Any]:
        """Open a return (or refund-only) of some items (None = all live ones)."""
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            wanted = {int(i) for i in item_ids} if item_ids is not None else None
            items = [
                i
                for i in order["_items"]
                if i["status"] != "canceled"
                and (wanted is None or i["order_item_id"] in wanted)
            ]
            now = int(self.clock() * 1000)
            rid = f"{order['order_id']}{len(self.store['reverse']) + 1:03d}"
            row = {
                "reverse_order_id": int(rid),
                "trade_order_id": order["order_id"],
                "request_type": request_type,
                "is_rtm": False,
                "shipping_type": "DROPSHIP",
                "reverse_order_lines": [
                    {
                        "reverse_order_line_id": int(rid) * 10 + n,
                        "trade_order_line_id": item["order_item_id"],
                        "reverse_status": status,
                        "refund_amount": float(item["paid_price"]),
                        "seller_sku_id": item["sku"],
                        "sku_id": item["sku_id"],
                        "product_id": item.get("product_id"),
                        "reason_text": "Sản phẩm bị lỗi",
                        "return_order_line_gmt_create": now,
                        "return_order_line_gmt_modified": now,
                    }
                    for n, item in enumerate(items, start=1)
                ],
                "_seller_id": order["_seller_id"],
            }
            self.store["reverse"][rid] = row
        return row

    def set_reverse_status(self, reverse_order_id: Any, status: str) -> dict[str, Any]:
        """Move every line of a reverse order to ``status`` (REFUND_SUCCESS = done);
        a completed return marks the items returned."""
        with self.store.lock:
            row = self.store["reverse"][str(reverse_order_id)]
            now = int(self.clock() * 1000)
            for line in row["reverse_order_lines"]:
                now = max(now, line["return_order_line_gmt_modified"] + 1)
                line["reverse_status"] = status
                line["return_order_line_gmt_modified"] = now
            if status == "REFUND_SUCCESS" and row["request_type"] == "RETURN":
                order = self.store["orders"][str(row["trade_order_id"])]
                ids = {li["trade_order_line_id"] for li in row["reverse_order_lines"]}
                items = [i for i in order["_items"] if i["order_item_id"] in ids]
                self._set_items(order, items, "returned")
        return row

    def _reverse_orders(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        try:
            page_no = int(params.get("page_no", "1"))
            page_size = int(params.get("page_size", "10"))
            low = int(params.get("update_start_time", "0"))
            high = int(params.get("update_end_time", str(2**62)))
        except ValueError:
            return self._error("InvalidParameter", "page or time")
        if page_no < 1 or not 1 <= page_size <= 100:
            return self._error("InvalidParameter", "page_no/page_size")
        with self.store.lock:
            rows = sorted(
                (
                    r
                    for r in self.store["reverse"].values()
                    if r["_seller_id"] == seller
                    and low
                    <= max(
                        li["return_order_line_gmt_modified"]
                        for li in r["reverse_order_lines"]
                    )
                    <= high
                ),
                key=lambda r: r["reverse_order_id"],
            )
            page = [
                {k: v for k, v in json.loads(json.dumps(r)).items() if k[0] != "_"}
                for r in rows[(page_no - 1) * page_size : page_no * page_size]
            ]
        return self._ok(
            {
                "page_no": page_no,
                "page_size": page_size,
                "total": len(rows),
                "items": page,
            }
        )

    # ------------------------------------------------------------- products

    def add_catalogue(self, products: list[dict[str, Any]]) -> None:
        """Add generated products."""
        with self.store.lock:
            for product in products:
                self.store["products"][int(product["item_id"])] = product

    def _products_get(self, req: Request) -> Response:
        params, _, error = self._check(req)
        if error:
            return error
        try:
            limit = int(params.get("limit", "10"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            return self._error("19", "Invalid Limit")
        if not 1 <= limit <= 50:
            return self._error("19", "Invalid Limit")
        if offset < 0 or offset > 10000:
            return self._error("14", 'E014: "%s" Invalid Offset')
        if params.get("filter", "all") not in ("all", "live"):
            return self._error("36", "E036: Invalid status filter")
        with self.store.lock:
            rows = sorted(self.store["products"].values(), key=lambda p: p["item_id"])
            page = [
                {
                    **{k: v for k, v in p.items() if k != "skus"},
                    "item_id": str(p["item_id"]),
                    "skus": [
                        {k: v for k, v in s.items() if not k.startswith("_")}
                        for s in p["skus"]
                    ],
                }
                for p in rows[offset : offset + limit]
            ]
        return self._ok({"total_products": len(rows), "products": page})

    def _price_quantity_update(self, req: Request) -> Response:
        params, _, error = self._check(req)
        if error:
            return error
        try:
            root = ET.fromstring(params.get("payload", ""))
        except ET.ParseError:
            return self._error("5", "E005: Invalid Request Format")
        nodes = root.findall("./Product/Skus/Sku")
        if root.tag != "Request" or not nodes:
            return self._error("30", "E030: Empty Request")
        if len(nodes) > 50:
            return self._error(
                "4171",
                "The updated SKU quantity exceeds the maximum number 50, please do not "
                "update more than 50 SKUs at once",
            )
        detail = []
        with self.store.lock:
            by_sku_id = {
                str(s["SkuId"]): (p, s)
                for p in self.store["products"].values()
                for s in p["skus"]
            }
            for node in nodes:
                item_id = node.findtext("ItemId")
                sku_id = node.findtext("SkuId")
                seller_sku = node.findtext("SellerSku")
                found = by_sku_id.get(sku_id or "")
                if found is None and seller_sku:
                    found = next(
                        (
                            v
                            for v in by_sku_id.values()
                            if v[1]["SellerSku"] == seller_sku
                        ),
                        None,
                    )
                if found is None or str(found[0]["item_id"]) != item_id:
                    detail.append(
                        {
                            "field": "SkuId",
                            "message": "SKU not found",
                            "seller_sku": seller_sku or "",
                            "sku_id": sku_id or "",
                        }
                    )
                    continue
                quantity, price = node.findtext("Quantity"), node.findtext("Price")
                try:
                    if quantity is not None:
                        if int(quantity) < 0:
                            raise ValueError(quantity)
                        found[1]["quantity"] = int(quantity)
                    if price is not None:
                        if float(price) <= 0:
                            raise ValueError(price)
                        found[1]["price"] = float(price)
                except ValueError:
                    detail.append(
                        {
                            "field": "Quantity" if quantity is not None else "Price",
                            "message": "invalid value",
                            "seller_sku": found[1]["SellerSku"],
                            "sku_id": str(found[1]["SkuId"]),
                        }
                    )
        if detail:
            return self._error("501", "Update product failed", detail=detail)
        return self._ok({})

    # ----------------------------------------------------------------- push

    def build_push(
        self,
        message: dict[str, Any],
        forge: bool = False,
        stale_seconds: int = 0,
        sign: bool = True,
    ) -> tuple[dict[str, str], bytes]:
        """Serialise and sign a push (the URL is not part of Lazada's signature)."""
        message = dict(message)
        if stale_seconds:
            ts = int(message.get("timestamp") or self.clock() * 1000)
            message["timestamp"] = ts - stale_seconds * (1000 if ts > 10**11 else 1)
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            secret = self.app_secret + "-forged" if forge else self.app_secret
            headers["Authorization"] = lazada_push_sign(self.app_key, secret, body)
        return headers, body

    def push(
        self,
        url: str,
        messages: list[dict[str, Any]],
        duplicate: int = 1,
        shuffle: bool = False,
        seed: int | None = None,
    ) -> list[int]:
        """Sign and POST messages to ``url`` (Lazada keeps no lost pushes)."""
        pushes = [self.build_push(m) for m in messages]
        try:
            return send_webhooks(url, pushes, duplicate, shuffle, seed)
        except requests.RequestException:
            return [0] * len(pushes) * max(1, duplicate)

    def new_order(self, statuses: list[str] | None = None) -> dict[str, Any]:
        """Generate and add one order created now (demo mode)."""
        with self.store.lock:
            catalogue = list(self.store["products"].values()) or None
            next_id = 400000000000 + len(self.store["orders"])
        now = datetime.fromtimestamp(self.clock(), tz=timezone.utc)
        order = generate_order(
            self.rng,
            _variants(catalogue or generate_catalogue()),
            now,
            self.seller_id,
            next_id,
            statuses,
        )
        _stamp(order, now.timestamp())
        self.add_orders([order])
        return order

    # -------------------------------------------------------------- finance

    #: emulator's fee_type codes for the fee names it uses (Lazada's own numeric
    #: codes are not documented; the names are those of its statements)
    FEE_CODES = {
        "Item Price Credit": 3,
        "Promotional Charges Vouchers": 16,
        "Shipping Fee (Paid By Customer)": 8,
        "Commission": 13,
        "Payment Fee": 14,
        "Shipping Fee Paid by Seller": 28,
        "Shipping Fee Voucher (by Lazada)": 56,
        "Reversal Item Price": 4,
        "Reversal Promotional Charges Vouchers": 17,
        "Reversal Shipping Fee (Paid By Customer)": 9,
        "Reversal Commission": 15,
        "Adjustments Others": 103,
    }

    def _finance_row(
        self,
        seller: str,
        when: float,
        fee_name: str,
        amount: int,
        order: dict[str, Any] | None = None,
        item: dict[str, Any] | None = None,
    ) -> None:
        self.store["next_transaction"] += 1
        day = datetime.fromtimestamp(when, tz=timezone(timedelta(hours=7)))
        self.store["finance"].append(
            {
                "transaction_date": day.strftime("%d %b %Y"),
                "transaction_type": "Orders-Sales" if order else "Other Services",
                "fee_type": str(self.FEE_CODES.get(fee_name, 0)),
                "fee_name": fee_name,
                "amount": str(amount),
                "VAT_in_amount": "0",
                "WHT_amount": "0",
                "WHT_included_in_amount": "No",
                "statement": "",
                "paid_status": "Not paid",
                "order_no": str(order["order_id"]) if order else "",
                "orderItem_no": str(item["order_item_id"]) if item else "",
                "transaction_number": str(self.store["next_transaction"]),
                "details": fee_name,
                "seller_sku": item["sku"] if item else "",
                "lazada_sku": item["shop_sku"] if item else "",
                "comment": "",
                "reference": "",
                "_seller_id": seller,
                "_ts": when,
            }
        )

    def settle_order(self, order_id: Any, when: float) -> int:
        """Book the finance rows of an order's delivered and returned items.

        Delivered: item price, seller voucher, shipping paid by the customer,
        commission (4 %), payment fee (2 % of what the buyer paid), the carrier's
        charge and Lazada's shipping voucher. Returned: the same, then reversals
        of the item price, voucher, shipping and commission. Cancelled and not
        yet delivered items book nothing. Returns the net amount booked.
        """
        net = 0
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            seller = order["_seller_id"]
            for item in order["_items"]:
                status = item["status"]
                if status not in ("delivered", "returned", "shipped_back_success"):
                    continue
                price = round(float(item["item_price"]))
                voucher = round(float(item["voucher_seller"]))
                shipping = round(float(item["shipping_amount"]))
                original = round(float(item["shipping_fee_original"]))
                lazada_ship = round(float(item["shipping_fee_discount_platform"]))
                paid = round(float(item["paid_price"])) + shipping
                commission = price * 4 // 100
                rows = [
                    ("Item Price Credit", price),
                    ("Promotional Charges Vouchers", -voucher),
                    ("Shipping Fee (Paid By Customer)", shipping),
                    ("Commission", -commission),
                    ("Payment Fee", -(paid * 2 // 100)),
                    ("Shipping Fee Paid by Seller", -original),
                    ("Shipping Fee Voucher (by Lazada)", lazada_ship),
                ]
                if status != "delivered":
                    rows += [
                        ("Reversal Item Price", -price),
                        ("Reversal Promotional Charges Vouchers", voucher),
                        ("Reversal Shipping Fee (Paid By Customer)", -shipping),
                        ("Reversal Commission", commission),
                    ]
                for name, amount in rows:
                    if amount:
                        self._finance_row(seller, when, name, amount, order, item)
                        net += amount
        return net

    def adjust(self, amount: int, when: float, seller_id: str | None = None) -> None:
        """An adjustment not tied to an order (a claim paid, a fine charged)."""
        with self.store.lock:
            self._finance_row(
                seller_id or self.seller_id, when, "Adjustments Others", amount
            )

    def close_statement(
        self, when: float, seller_id: str | None = None, paid: bool = True
    ) -> dict[str, Any]:
        """Put every row not yet in a statement into a new one and pay it out."""
        seller = seller_id or self.seller_id
        local = datetime.fromtimestamp(when, tz=timezone(timedelta(hours=7)))
        with self.store.lock:
            number = f"VN{seller}-{local:%Y%m%d%H%M}"
            rows = [
                r
                for r in self.store["finance"]
                if r["_seller_id"] == seller and not r["statement"] and r["_ts"] <= when
            ]
            for row in rows:
                row["statement"] = number
                row["paid_status"] = "paid" if paid else "Not paid"
            amounts = [int(r["amount"]) for r in rows]
            revenue = sum(a for a in amounts if a > 0)
            fees = sum(a for a in amounts if a < 0)
            previous = [
                s for s in self.store["statements"] if s["_seller_id"] == seller
            ]
            opening = int(previous[-1]["closing_balance"]) if previous else 0
            net = sum(amounts)
            statement = {
                "statement_number": number,
                "created_at": local.strftime("%Y-%m-%d %H:%M:%S"),
                "updated_at": local.strftime("%Y-%m-%d %H:%M:%S"),
                "opening_balance": str(opening),
                "item_revenue": str(revenue),
                "fees_total": str(fees),
                "refunds": "0",
                "subtotal1": str(net),
                "subtotal2": str(net),
                "shipment_fee": "0",
                "guarantee_deposit": "0",
                "closing_balance": str(opening + net),
                "payout": f"{net} VND",
                "paid": "1" if paid else "0",
                "_seller_id": seller,
                "_ts": when,
            }
            self.store["statements"].append(statement)
            return dict(statement)

    def payouts(self, seller_id: str | None = None) -> list[dict[str, Any]]:
        """The statements closed so far."""
        seller = seller_id or self.seller_id
        with self.store.lock:
            return [
                dict(s) for s in self.store["statements"] if s["_seller_id"] == seller
            ]

    @staticmethod
    def _public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not k.startswith("_")}

    def _payout_status_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        after = params.get("created_after")
        if not after:
            return self._error("MissingParameter", "created_after")
        try:
            low = datetime.strptime(after, "%Y-%m-%d").replace(
                tzinfo=timezone(timedelta(hours=7))
            )
        except ValueError:
            return self._error("InvalidParameter", "created_after: yyyy-MM-dd")
        with self.store.lock:
            rows = [
                self._public(s)
                for s in self.store["statements"]
                if s["_seller_id"] == seller and s["_ts"] >= low.timestamp()
            ]
        return self._ok(rows)

    def _transaction_details_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        zone = timezone(timedelta(hours=7))
        try:
            start = datetime.strptime(params.get("start_time", ""), "%Y-%m-%d")
            end = datetime.strptime(params.get("end_time", ""), "%Y-%m-%d")
            limit = int(params.get("limit", "500"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            return self._error("InvalidParameter", "start_time/end_time: yyyy-MM-dd")
        if end < start or (end - start).days >= 180:
            return self._error(
                "1000012", "endTime - startTime must should be less than 180 days"
            )
        if not 1 <= limit <= 500 or offset < 0:
            return self._error("InvalidParameter", "limit 1-500, offset >= 0")
        low = start.replace(tzinfo=zone).timestamp()
        high = (end + timedelta(days=1)).replace(tzinfo=zone).timestamp()
        with self.store.lock:
            rows = [
                self._public(r)
                for r in self.store["finance"]
                if r["_seller_id"] == seller and low <= r["_ts"] < high
            ]
        return self._ok(rows[offset : offset + limit])
