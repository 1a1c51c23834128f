"""A loopback emulator of Viettel's SInvoice API, as ``l10n_vn_edi_viettel`` calls it.

Endpoints and payloads are those of Odoo 18's ``l10n_vn_edi_viettel``
(``models/account_move.py``): the base ``/services/einvoiceapplication/api/``
and ``/auth/login`` on the same host. What they answer follows Viettel's
SInvoice web-service documentation as public clients quote it (v2.44, sections
7.x and the error table of section 8):

- ``POST /auth/login`` (JSON ``username``, ``password``): ``access_token``,
  ``expires_in`` (seconds) and the rest of an OAuth token answer;
- every API call carries the token in the ``access_token`` cookie; an unknown
  or expired token answers HTTP 500 ``{"message": "GENERAL"}`` (SInvoice's
  error table: an expired token is not a 401);
- ``InvoiceWS/createInvoice/{supplierTaxCode}`` (JSON invoice):
  ``{"errorCode": null, "description": null, "result": {invoiceNo,
  reservationCode, transactionID, supplierTaxCode}}``;
- ``InvoiceWS/searchInvoiceByTransactionUuid`` (query ``supplierTaxCode``,
  ``transactionUuid``): ``{"result": [{invoiceNo, reservationCode, issueDate,
  status, exchangeStatus}]}``, or HTTP 400 ``NOT_FOUND_DATA`` when no invoice
  was issued with that uuid;
- ``InvoiceUtilsWS/getInvoiceRepresentationFile`` (JSON): ``fileToBytes``
  (base64; ZIP: a zip holding a zip of the XML and its XSL, as
  ``l10n_vn_edi_viettel`` unpacks it), ``fileName``;
- ``InvoiceWS/cancelTransactionInvoice``, ``InvoiceWS/updatePaymentStatus``,
  ``InvoiceWS/cancelPaymentStatus`` (query parameters).

A business error (a refused invoice) is HTTP 400 ``{"code": 400, "message":
"<CODE>", "data": "<Vietnamese text>"}``, what ``l10n_vn_edi_viettel`` reads
(``code`` and ``data``). What the documentation does not say, the emulator
chooses and says so: a wrong login answers 401 ``{"error": "invalid_grant"}``.

Faults (``emu.faults.add(kind, path_pattern)``), besides the harness's generic
ones (``http_5xx``, ``timeout``, ``malformed``...):

- ``service_down``: HTTP 503 with a proxy's HTML page (the service is down);
- ``refused``: ``createInvoice`` refuses the invoice (a business error with
  ``message`` / ``data`` given by :meth:`refuse_next` or the defaults);
- ``timeout_after_create``: ``createInvoice`` issues the invoice, then holds
  the answer ``delay`` seconds (the client times out and does not know).

The emulator counts issued invoices per transaction uuid
(:meth:`invoices_per_uuid`): a client that sends the same invoice twice shows
there. Viettel is quoted as refusing a second invoice with a used uuid
(``TRANSACTION_UUID_INVALID``); by default the emulator does not, so that a
duplicate is seen (``reject_reused_uuid=True`` refuses it).

Independent of ``l10n_vn_edi_viettel``'s code: nothing is imported from it.
"""

from __future__ import annotations

import base64
import io
import logging
import re
import secrets
import threading
import time
import zipfile
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from ..harness import (
    HTTP_5XX,
    MALFORMED,
    TIMEOUT,
    EmulatorServer,
    Faults,
    JournalEntry,
    Request,
    Response,
    tiny_pdf,
)

_logger = logging.getLogger(__name__)

API = "/services/einvoiceapplication/api/"
LOGIN = "/auth/login"

SERVICE_DOWN = "service_down"
REFUSED = "refused"
TIMEOUT_AFTER_CREATE = "timeout_after_create"
SINVOICE_FAULT_KINDS = (SERVICE_DOWN, REFUSED, TIMEOUT_AFTER_CREATE)

UNPAID = "Chưa thanh toán"  # what l10n_vn_edi_viettel compares the status with
PAID = "Đã thanh toán"
TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$")
DOWN_PAGE = (
    "<html><head><title>503 Service Temporarily Unavailable</title></head>"
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>"
)


class SInvoiceFaults(Faults):
    """The harness's faults, plus SInvoice's own kinds (taken by the routes)."""

    def add(self, kind: str, path_pattern: str | None = None, **kwargs: Any):
        if kind not in SINVOICE_FAULT_KINDS:
            return super().add(kind, path_pattern, **kwargs)
        fault = super().add(MALFORMED, path_pattern, **kwargs)
        fault.kind = kind  # never taken as a generic fault: the routes take it
        return fault


class SInvoiceEmulator(EmulatorServer):
    """SInvoice on loopback: one supplier account (username, password, tax code),
    its registered templates and symbols, invoices numbered per symbol.

    :param templates: ``{template code: [symbols]}`` the account may issue with.
    :param token_ttl: ``expires_in`` of a login (seconds).
    """

    def __init__(
        self,
        username: str = "0100109106-506",
        password: str = "sinvoice-test-password",
        tax_code: str = "0100109106-506",
        templates: dict[str, list[str]] | None = None,
        token_ttl: int = 1200,
        reject_reused_uuid: bool = False,
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        super().__init__(host, port)
        self.faults = SInvoiceFaults()
        self.username = username
        self.password = password
        self.tax_code = tax_code
        self.templates = templates or {"1/001": ["K24TUT"]}
        self.token_ttl = token_ttl
        self.reject_reused_uuid = reject_reused_uuid
        self._lock = threading.Lock()
        self.reset()
        routes = {
            LOGIN: self.login,
            f"{API}InvoiceAPI/InvoiceWS/searchInvoiceByTransactionUuid": self.search,
            f"{API}InvoiceAPI/InvoiceUtilsWS/getInvoiceRepresentationFile": self.file,
            f"{API}InvoiceAPI/InvoiceWS/cancelTransactionInvoice": self.cancel,
            f"{API}InvoiceAPI/InvoiceWS/updatePaymentStatus": self.paid,
            f"{API}InvoiceAPI/InvoiceWS/cancelPaymentStatus": self.unpaid,
        }
        for path, handler in routes.items():
            self.route("POST", path, handler)

    # ------------------------------------------------------------- state

    def reset(self) -> None:
        """Forget every token, invoice and counter (between tests)."""
        with self._lock:
            self.tokens: dict[str, float] = {}
            self.invoices: list[dict[str, Any]] = []
            self.sequences: Counter[str] = Counter()
            self.logins = 0
            self.refusal: tuple[str, str] | None = None

    def invoices_per_uuid(self) -> Counter[str]:
        """How many invoices were issued with each transaction uuid."""
        with self._lock:
            return Counter(inv["transactionUuid"] for inv in self.invoices)

    def duplicates(self) -> dict[str, int]:
        """Transaction uuids issued more than once."""
        return {u: n for u, n in self.invoices_per_uuid().items() if n > 1}

    def invoice(self, transaction_uuid: str) -> dict[str, Any] | None:
        """The (first) invoice issued with this uuid."""
        with self._lock:
            for inv in self.invoices:
                if inv["transactionUuid"] == transaction_uuid:
                    return inv
        return None

    def expire_tokens(self) -> None:
        """Every token issued so far expires now."""
        with self._lock:
            self.tokens = dict.fromkeys(self.tokens, 0.0)

    def refuse_next(self, message: str, data: str, count: int = 1) -> None:
        """The next ``count`` invoices are refused with this error."""
        self.refusal = (message, data)
        self.faults.add(REFUSED, "createInvoice", count=count)

    # ------------------------------------------------------------- helpers

    def handle(self, request: Request) -> Response:
        down = self.faults.take(request.path, kinds=(SERVICE_DOWN,))
        if down is not None:
            response = Response(503, DOWN_PAGE)
            self._journal(request, response, SERVICE_DOWN)
            return response
        if request.method == "POST" and request.path.startswith(
            f"{API}InvoiceAPI/InvoiceWS/createInvoice/"
        ):
            response = self._guarded(request, self.create)
            late = None
            if response.status == 200:
                late = self.faults.take(request.path, kinds=(TIMEOUT_AFTER_CREATE,))
            self._journal(request, response, late.kind if late else None)
            if late is not None:
                time.sleep(late.delay)  # issued; the client gives up before this
            return response
        return super().handle(request)

    def _journal(self, request: Request, response: Response, fault: str | None):
        self.journal.append(
            JournalEntry(
                method=request.method,
                path=request.path,
                query=request.query,
                body=request.body,
                status=response.status,
                fault=fault,
                at=time.time(),
            )
        )

    def _guarded(self, request: Request, handler) -> Response:
        fault = self.faults.take(request.path, kinds=(HTTP_5XX, TIMEOUT))
        if fault is not None:
            return self.fault_response(fault, request)
        try:
            return handler(request)
        except Exception:  # an emulator bug is a 500, never a hang
            _logger.exception("emulator route failed: %s", request.path)
            return self.server_error(request)

    def error_body(self, code: str, message: str) -> Any:
        return {"code": 500, "message": code, "data": message}

    def fault_response(self, fault, request: Request) -> Response:
        if fault.kind == HTTP_5XX:
            return Response(
                fault.status,
                {
                    "timestamp": int(time.time() * 1000),
                    "status": fault.status,
                    "error": "Internal Server Error",
                    "message": "emulated failure",
                    "path": request.path,
                },
            )
        return super().fault_response(fault, request)

    @staticmethod
    def business_error(message: str, data: str, status: int = 400) -> Response:
        return Response(status, {"code": status, "message": message, "data": data})

    def _authorized(self, request: Request) -> bool:
        cookie = request.headers.get("cookie", "")
        token = None
        for part in cookie.split(";"):
            name, _sep, value = part.strip().partition("=")
            if name == "access_token":
                token = value
        with self._lock:
            expiry = self.tokens.get(token or "")
        return expiry is not None and expiry > time.time()

    @staticmethod
    def _expired() -> Response:
        # SInvoice's error table: an expired token is HTTP 500 "GENERAL"
        return Response(
            500,
            {
                "timestamp": int(time.time() * 1000),
                "status": 500,
                "error": "Internal Server Error",
                "message": "GENERAL",
            },
        )

    @staticmethod
    def _params(request: Request) -> dict[str, str]:
        """Query parameters, and form fields of the body (either is accepted)."""
        params = {k: v[0] for k, v in request.query.items() if v}
        if request.body and "json" not in request.headers.get("content-type", ""):
            form = parse_qs(request.body.decode("utf-8", "replace"))
            params.update({k: v[0] for k, v in form.items() if v})
        return params

    def _find(self, number: str) -> dict[str, Any] | None:
        with self._lock:
            for inv in self.invoices:
                if inv["invoiceNo"] == number:
                    return inv
        return None

    # ------------------------------------------------------------- routes

    def login(self, request: Request) -> Response:
        try:
            body = request.json() or {}
        except ValueError:
            body = {}
        if (
            body.get("username") != self.username
            or body.get("password") != self.password
        ):
            # the emulator's choice (the documentation shows no failed login)
            return Response(
                401,
                {"error": "invalid_grant", "error_description": "Bad credentials"},
            )
        token = secrets.token_urlsafe(24)
        with self._lock:
            self.tokens[token] = time.time() + self.token_ttl
            self.logins += 1
        return Response(
            200,
            {
                "access_token": token,
                "token_type": "bearer",
                "refresh_token": secrets.token_urlsafe(24),
                "expires_in": self.token_ttl,
                "scope": "openid",
                "iat": int(time.time()),
                "invoice_cluster": "cluster1",
                "type": 1,
                "jti": secrets.token_hex(8),
            },
        )

    def _check_invoice(self, supplier: str, body: dict[str, Any]) -> Response | None:
        """The refusals SInvoice gives a malformed invoice (None: acceptable)."""
        if supplier != self.tax_code:
            return self.business_error(
                "SUPPLIER_TAX_CODE_INVALID", "Mã số thuế người bán không hợp lệ"
            )
        general = body.get("generalInvoiceInfo") or {}
        buyer = body.get("buyerInfo") or {}
        seller = body.get("sellerInfo") or {}
        template, series = general.get("templateCode"), general.get("invoiceSeries")
        if series not in self.templates.get(template, []):
            return self.business_error(
                "INVOICE_SERIAL_NOT_FOUND", "Ký hiệu hóa đơn không tồn tại"
            )
        if not general.get("transactionUuid"):
            return self.business_error(
                "TRANSACTION_UUID_INVALID", "Thiếu mã giao dịch (transactionUuid)"
            )
        if seller.get("sellerTaxCode") != self.tax_code:
            return self.business_error(
                "SELLER_TAX_CODE_INVALID", "Mã số thuế người bán không khớp tài khoản"
            )
        if not (buyer.get("buyerName") or buyer.get("buyerLegalName")):
            return self.business_error(
                "BUYER_NAME_REQUIRED", "Phải có tên người mua hoặc tên đơn vị"
            )
        tax_code = buyer.get("buyerTaxCode") or ""
        if tax_code and not TAX_CODE.match(tax_code):
            return self.business_error(
                "BUYER_TAX_CODE_INVALID", "Mã số thuế người mua không hợp lệ"
            )
        if tax_code and not buyer.get("buyerLegalName"):
            return self.business_error(
                "BUYER_LEGAL_NAME_REQUIRED",
                "Người mua có mã số thuế phải có tên đơn vị",
            )
        if not body.get("itemInfo"):
            return self.business_error("ITEM_REQUIRED", "Hóa đơn phải có hàng hóa")
        if str(general.get("adjustmentType")) in ("3", "5"):
            original = self._find(general.get("originalInvoiceId") or "")
            if original is None:
                return self.business_error(
                    "ORIGINAL_INVOICE_NOT_FOUND", "Không tìm thấy hóa đơn gốc"
                )
            if str(general.get("adjustmentType")) == "5" and not general.get(
                "adjustmentInvoiceType"
            ):
                return self.business_error(
                    "ADJUSTMENT_INVOICE_TYPE_REQUIRED",
                    "Hóa đơn điều chỉnh phải có loại điều chỉnh",
                )
        return None

    def create(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._expired()
        supplier = request.path.rsplit("/", 1)[-1]
        try:
            body = request.json() or {}
        except ValueError:
            return self.business_error("BAD_REQUEST", "Dữ liệu không đúng định dạng")
        refused = self.faults.take(request.path, kinds=(REFUSED,))
        if refused is not None:
            message, data = self.refusal or (
                "INVOICE_REJECTED",
                "Hóa đơn bị từ chối: thông tin người mua không hợp lệ",
            )
            return self.business_error(message, data)
        problem = self._check_invoice(supplier, body)
        if problem is not None:
            return problem
        general = body["generalInvoiceInfo"]
        uuid = general["transactionUuid"]
        if self.reject_reused_uuid and self.invoice(uuid) is not None:
            return self.business_error(
                "TRANSACTION_UUID_INVALID", "Mã giao dịch đã được sử dụng"
            )
        series = general["invoiceSeries"]
        with self._lock:
            self.sequences[series] += 1
            number = f"{series}{self.sequences[series]}"
            invoice = {
                "transactionUuid": uuid,
                "invoiceNo": number,
                "reservationCode": secrets.token_hex(5).upper(),
                "templateCode": general["templateCode"],
                "issueDate": general.get("invoiceIssuedDate") or 0,
                "adjustmentType": str(general.get("adjustmentType") or "1"),
                "originalInvoiceId": general.get("originalInvoiceId"),
                "paymentStatus": bool(general.get("paymentStatus")),
                "status": "issued",
                "payload": body,
            }
            self.invoices.append(invoice)
        result = {
            "errorCode": None,
            "description": None,
            "result": {
                "supplierTaxCode": self.tax_code,
                "invoiceNo": number,
                "transactionID": secrets.token_hex(8),
                "reservationCode": invoice["reservationCode"],
                "codeOfTax": None,
            },
        }
        return Response(200, result)

    def search(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._expired()
        params = self._params(request)
        if params.get("supplierTaxCode") != self.tax_code:
            return self.business_error(
                "SUPPLIER_TAX_CODE_INVALID", "Mã số thuế người bán không hợp lệ"
            )
        uuid = params.get("transactionUuid") or ""
        with self._lock:
            found = [inv for inv in self.invoices if inv["transactionUuid"] == uuid]
        if not found:
            return self.business_error("NOT_FOUND_DATA", "Không tìm thấy dữ liệu")
        return Response(
            200,
            {
                "errorCode": None,
                "description": None,
                "transactionUuid": uuid,
                "result": [
                    {
                        "supplierTaxCode": self.tax_code,
                        "invoiceNo": inv["invoiceNo"],
                        "reservationCode": inv["reservationCode"],
                        "issueDate": inv["issueDate"],
                        "status": PAID if inv["paymentStatus"] else UNPAID,
                        "exchangeStatus": "INVOICE_HAS_CODE_APPROVED",
                    }
                    for inv in found
                ],
            },
        )

    def file(self, request: Request) -> Response:
        if not self._authorized(request):
            return self._expired()
        try:
            body = request.json() or {}
        except ValueError:
            body = {}
        invoice = self._find(body.get("invoiceNo") or "")
        if invoice is None or body.get("supplierTaxCode") != self.tax_code:
            return self.business_error("NOT_FOUND_DATA", "Không tìm thấy hóa đơn")
        name = f"{self.tax_code}-{invoice['invoiceNo']}"
        if body.get("fileType") == "ZIP":
            xml = (
                f'<?xml version="1.0" encoding="UTF-8"?><HDon><SHDon>'
                f"{invoice['invoiceNo']}</SHDon></HDon>"
            ).encode()
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, "w") as zf:
                zf.writestr(f"{name}.xml", xml)
                zf.writestr(f"{name}.xsl", b"<xsl:stylesheet/>")
            outer = io.BytesIO()
            with zipfile.ZipFile(outer, "w") as zf:
                zf.writestr(f"{name}.zip", inner.getvalue())
            content, file_name = outer.getvalue(), f"{name}.zip"
        else:
            content = tiny_pdf(f"SInvoice {invoice['invoiceNo']}")
            file_name = f"{name}.pdf"
        return Response(
            200,
            {
                "errorCode": None,
                "description": None,
                "fileToBytes": base64.b64encode(content).decode(),
                "paymentStatus": invoice["paymentStatus"],
                "fileName": file_name,
            },
        )

    def _by_number(self, request: Request) -> tuple[dict | None, Response | None]:
        if not self._authorized(request):
            return None, self._expired()
        params = self._params(request)
        invoice = self._find(params.get("invoiceNo") or "")
        if invoice is None or params.get("supplierTaxCode") != self.tax_code:
            return None, self.business_error("NOT_FOUND_DATA", "Không tìm thấy hóa đơn")
        return invoice, None

    def cancel(self, request: Request) -> Response:
        invoice, error = self._by_number(request)
        if error is not None:
            return error
        invoice["status"] = "cancelled"
        return Response(200, {"errorCode": None, "description": None})

    def paid(self, request: Request) -> Response:
        invoice, error = self._by_number(request)
        if error is not None:
            return error
        if invoice["paymentStatus"]:
            return self.business_error("NOT_FOUND_DATA", "Hóa đơn đã thanh toán")
        invoice["paymentStatus"] = True
        return Response(200, {"errorCode": None, "description": None, "result": True})

    def unpaid(self, request: Request) -> Response:
        invoice, error = self._by_number(request)
        if error is not None:
            return error
        if not invoice["paymentStatus"]:
            return self.business_error("NOT_FOUND_DATA", "Hóa đơn chưa thanh toán")
        invoice["paymentStatus"] = False
        return Response(200, {"errorCode": None, "description": None, "result": True})
