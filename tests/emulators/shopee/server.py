"""A loopback emulator of the Shopee Open Platform API v2 (the parts Entro uses).

It checks what Shopee checks (partner id, ±5 min timestamp, HMAC signature,
access token, batch limits, 15-day list windows) and pages like Shopee
(cursor for orders, offset for items). It is written independently from the
client in ``entro_marketplace`` so that one cannot hide the other's bugs.

HTTP status codes: Shopee documents only JSON bodies (its HTTP statuses are
unknown), so the emulator chooses 403 for auth/signature errors, 400 for
parameter errors, 404 for unknown paths, 500 for server errors and 429 for
throttling; every error body is Shopee's envelope
``{request_id, error, message}``.
"""

from __future__ import annotations

import hmac
import random
import secrets
import time
import uuid
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from ..harness import TOKEN_EXPIRED, EmulatorServer, Request, Response
from .const import PUBLIC, SHOP
from .finance import ShopeeFinance
from .fulfilment import ShopeeFulfilment
from .listings import ShopeeListings
from .orders import ShopeeOrders
from .signing import shopee_sign


class ShopeeEmulator(
    ShopeeOrders, ShopeeFulfilment, ShopeeListings, ShopeeFinance, EmulatorServer
):
    """Shopee Open Platform v2 on loopback.

    :param partner_id: the app's partner id.
    :param partner_key: the app's partner key (signs requests and pushes).
    :param shop_id: default shop authorized by the auth_partner page.
    :param access_ttl: access token lifetime in seconds (Shopee: 4 h).
    :param authorization_ttl: how long a seller's authorization lasts, in
        seconds (Shopee: the seller's choice, up to 365 days; the emulator's
        seller chooses 365).
    :param timestamp_tolerance: accepted clock skew of ``timestamp`` (Shopee: 5 min).
    :param clock: returns Unix seconds (tests may shift it).
    """

    def __init__(
        self,
        partner_id: int = 2001887,
        partner_key: str = "test_partner_key",
        shop_id: int = 600000,
        host: str = "127.0.0.1",
        port: int = 0,
        access_ttl: int = 4 * 3600,
        authorization_ttl: int = 365 * 86400,
        timestamp_tolerance: int = 300,
        clock: Any = time.time,
        seed: int = 0,
    ):
        super().__init__(host, port)
        self.partner_id = int(partner_id)
        self.partner_key = partner_key
        self.shop_id = int(shop_id)
        self.access_ttl = access_ttl
        self.authorization_ttl = authorization_ttl
        self.timestamp_tolerance = timestamp_tolerance
        self.clock = clock
        self.rng = random.Random(seed)
        #: get_tracking_number calls answered without a number after ship_order
        #: (a carrier that assigns it late); 0 = at once
        self.tracking_delay = 0
        #: get_shipping_document_result calls answered PROCESSING after creation
        self.document_delay = 1
        #: the modes get_shipping_parameter offers (info_needed keys)
        self.ship_modes = ("pickup", "dropoff")
        #: None, or the (code, message) every payment API call is refused with
        #: (see :meth:`refuse_payment_api`)
        self.payment_refusal: tuple[str, str] | None = None
        #: issue 22: None (a company), or the kind of business of a household
        #: or individual seller whose VAT and PIT Shopee withholds on release
        #: ("goods", "services", "transport", "unknown": see vn_withholding)
        self.withholding: str | None = None
        for key in (
            "orders",
            "items",
            "codes",
            "access",
            "refresh",
            "documents",
            "returns",
            "authorizations",
        ):
            self.store[key] = {}
        self.store["lost"] = []
        self.store["wallet"] = []
        self.store["next_transaction_id"] = 9100000
        self.store["lost_confirmed"] = 0
        self.store["next_message_id"] = 176600
        routes = {
            ("GET", "/api/v2/shop/auth_partner"): self._auth_partner,
            ("POST", "/api/v2/auth/token/get"): self._token_get,
            ("POST", "/api/v2/auth/access_token/get"): self._access_token_get,
            ("GET", "/api/v2/shop/get_shop_info"): self._get_shop_info,
            ("GET", "/api/v2/order/get_order_list"): self._get_order_list,
            ("GET", "/api/v2/order/get_order_detail"): self._get_order_detail,
            ("POST", "/api/v2/payment/get_escrow_detail_batch"): self._get_escrow_batch,
            # --- fulfilment
            (
                "GET",
                "/api/v2/logistics/get_shipping_parameter",
            ): self._get_shipping_parameter,
            ("POST", "/api/v2/logistics/ship_order"): self._ship_order,
            ("GET", "/api/v2/logistics/get_tracking_number"): self._get_tracking_number,
            (
                "POST",
                "/api/v2/logistics/create_shipping_document",
            ): self._create_shipping_document,
            (
                "POST",
                "/api/v2/logistics/get_shipping_document_result",
            ): self._get_shipping_document_result,
            (
                "POST",
                "/api/v2/logistics/download_shipping_document",
            ): self._download_shipping_document,
            ("POST", "/api/v2/order/cancel_order"): self._cancel_order,
            ("GET", "/api/v2/returns/get_return_list"): self._get_return_list,
            (
                "GET",
                "/api/v2/payment/get_wallet_transaction_list",
            ): self._get_wallet_transactions,
            ("GET", "/api/v2/product/get_item_list"): self._get_item_list,
            ("GET", "/api/v2/product/get_item_base_info"): self._get_item_base_info,
            ("GET", "/api/v2/product/get_model_list"): self._get_model_list,
            ("POST", "/api/v2/product/update_stock"): self._update_stock,
            ("POST", "/api/v2/product/update_price"): self._update_price,
            ("GET", "/api/v2/push/get_lost_push_message"): self._get_lost_push,
            (
                "POST",
                "/api/v2/push/confirm_consumed_lost_push_message",
            ): self._confirm_lost,
        }
        for (method, path), handler in routes.items():
            self.route(method, path, handler)

    # ------------------------------------------------------------ envelope

    def error_body(self, code: str, message: str) -> dict[str, Any]:
        """Shopee's error envelope."""
        return {"request_id": uuid.uuid4().hex, "error": code, "message": message}

    def _error(self, status: int, code: str, message: str) -> Response:
        return Response(status, self.error_body(code, message))

    def _ok(self, response: Any = None, **top: Any) -> Response:
        body = {"request_id": uuid.uuid4().hex, "error": "", "message": "", **top}
        if response is not None:
            body["response"] = response
        return Response(200, body)

    def generic_fault_kinds(self) -> tuple[str, ...]:
        """Token expiry is applied after the signature check, in :meth:`_check`."""
        return tuple(k for k in super().generic_fault_kinds() if k != TOKEN_EXPIRED)

    # --------------------------------------------------------------- checks

    def _check(self, req: Request, kind: str) -> tuple[int | None, Response | None]:
        """Verify common parameters; return (shop_id, None) or (None, error)."""
        if req.arg("partner_id") in (None, ""):
            return None, self._error(
                400, "error_param", "There is no partner_id in query."
            )
        if req.arg("partner_id") != str(self.partner_id):
            return None, self._error(400, "error_param", "Invalid partner_id.")
        ts = req.arg("timestamp")
        if not ts:
            return None, self._error(400, "error_param", "no timestamp")
        if not ts.isdigit() or abs(self.clock() - int(ts)) > self.timestamp_tolerance:
            return None, self._error(400, "error_param", "Invalid timestamp")
        given = req.arg("sign")
        if not given:
            return None, self._error(400, "error_param", "There is no sign in query.")
        base = f"{self.partner_id}{req.path}{ts}"
        if kind == PUBLIC:
            if not hmac.compare_digest(shopee_sign(self.partner_key, base), given):
                return None, self._error(403, "error_sign", "Wrong sign.")
            return None, None
        token = req.arg("access_token")
        shop = req.arg("shop_id")
        if not token:
            return None, self._error(
                400, "error_param", "There is no access_token in query."
            )
        if not shop or not shop.isdigit():
            return None, self._error(
                400, "error_param", "There is no shop_id in query."
            )
        if not hmac.compare_digest(
            shopee_sign(self.partner_key, base + token + shop), given
        ):
            return None, self._error(403, "error_sign", "Wrong sign.")
        if self.faults.take(req.path, [TOKEN_EXPIRED], req.query) is not None:
            return None, self._error(403, "error_auth", "Invalid access_token.")
        with self.store.lock:
            grant = self.store["access"].get(token)
        if (
            grant is None
            or grant["shop_id"] != int(shop)
            or grant["expires"] < self.clock()
        ):
            return None, self._error(403, "error_auth", "Invalid access_token.")
        return int(shop), None

    def refuse_payment_api(
        self,
        code: str = "error_auth",
        message: str = "No permission to current api.",
    ) -> None:
        """Refuse every payment API call (escrow details, wallet) from now on.

        The default is what Shopee answers an app that lacks the payment API's
        permission (the common error block of the v2.payment.* pages); pass
        ``error_permission`` or an outage's code to emulate those.
        """
        self.payment_refusal = (code, message)

    def restore_payment_api(self) -> None:
        """Answer the payment API again (the seller granted the permission)."""
        self.payment_refusal = None

    def _payment_refused(self) -> Response | None:
        refusal = self.payment_refusal
        if refusal is None:
            return None
        code, message = refusal
        return self._error(500 if code.endswith("server") else 403, code, message)

    @staticmethod
    def _json_body(req: Request) -> tuple[dict[str, Any] | None, Response | None]:
        try:
            body = req.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            return None, Response(
                400,
                {
                    "request_id": uuid.uuid4().hex,
                    "error": "error_param",
                    "message": "The request body is not a valid json format",
                },
            )
        return body, None

    # ----------------------------------------------------------------- auth

    def issue_tokens(self, shop_id: int | None = None) -> dict[str, Any]:
        """Grant tokens for a shop directly (tests that skip the OAuth dance);
        the shop is authorized then if it was not yet."""
        shop_id = int(shop_id or self.shop_id)
        access = secrets.token_hex(16)
        refresh = secrets.token_hex(16)
        with self.store.lock:
            if shop_id not in self.store["authorizations"]:
                self._grant_authorization(shop_id)
            self.store["access"][access] = {
                "shop_id": shop_id,
                "expires": self.clock() + self.access_ttl,
            }
            self.store["refresh"][refresh] = shop_id
        return {
            "access_token": access,
            "refresh_token": refresh,
            "expire_in": self.access_ttl,
        }

    def expire_access_tokens(self) -> None:
        """Make every current access token expired (refresh tokens stay valid)."""
        with self.store.lock:
            for grant in self.store["access"].values():
                grant["expires"] = 0

    def _grant_authorization(self, shop_id: int) -> dict[str, int]:
        """The seller authorizes the app for ``authorization_ttl`` (from now)."""
        now = int(self.clock())
        grant = {"auth_time": now, "expire_time": now + self.authorization_ttl}
        self.store["authorizations"][shop_id] = grant
        return grant

    def authorize(self, shop_id: int | None = None) -> str:
        """Create an authorization code as the seller's consent would (10 min);
        the authorization runs ``authorization_ttl`` from now."""
        code = secrets.token_hex(16)
        with self.store.lock:
            self._grant_authorization(int(shop_id or self.shop_id))
            self.store["codes"][code] = {
                "shop_id": int(shop_id or self.shop_id),
                "expires": self.clock() + 600,
            }
        return code

    def _auth_partner(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        redirect = req.arg("redirect")
        if not redirect:
            return self._error(400, "error_param", "There is no redirect in query.")
        code = self.authorize()
        parts = urlsplit(redirect)
        extra = urlencode({"code": code, "shop_id": self.shop_id})
        query = f"{parts.query}&{extra}" if parts.query else extra
        return Response(302, b"", {"Location": urlunsplit(parts._replace(query=query))})

    def _token_get(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        if str(body.get("partner_id")) != str(self.partner_id):
            return self._error(400, "error_param", "Invalid partner_id.")
        with self.store.lock:
            grant = self.store["codes"].pop(str(body.get("code")), None)
        if grant is None or grant["expires"] < self.clock():
            return self._error(403, "invalid_code", "Invalid code.")
        if str(body.get("shop_id")) != str(grant["shop_id"]):
            return self._error(403, "invalid_shop_id", "Invalid shop_id.")
        tokens = self.issue_tokens(grant["shop_id"])
        return self._ok(None, **tokens, merchant_id_list=[], shop_id_list=[])

    def _access_token_get(self, req: Request) -> Response:
        _, error = self._check(req, PUBLIC)
        if error:
            return error
        body, error = self._json_body(req)
        if error:
            return error
        if str(body.get("partner_id")) != str(self.partner_id):
            return self._error(400, "error_param", "Invalid partner_id.")
        with self.store.lock:
            shop = self.store["refresh"].get(str(body.get("refresh_token")))
            if shop is None or str(body.get("shop_id")) != str(shop):
                return self._error(403, "error_auth", "Invalid refresh_token.")
            del self.store["refresh"][str(body["refresh_token"])]  # single use
        tokens = self.issue_tokens(shop)
        return self._ok(None, **tokens, partner_id=self.partner_id, shop_id=shop)

    def _get_shop_info(self, req: Request) -> Response:
        """v2.shop.get_shop_info: the shop and its authorization's times, at the
        top of the answer (Shopee's sample has no ``response`` object)."""
        shop, error = self._check(req, SHOP)
        if error:
            return error
        with self.store.lock:
            grant = dict(self.store["authorizations"].get(shop) or {})
        return self._ok(
            None,
            shop_name=f"Emulated shop {shop}",
            region="VN",
            status="NORMAL",
            is_cb=False,
            is_sip=False,
            auth_time=grant.get("auth_time"),
            expire_time=grant.get("expire_time"),
        )
