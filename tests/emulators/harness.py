"""Generic loopback HTTP emulator: server, journal, faults, store, push receiver.

Standard library only (pushes are sent by ``push``). A platform emulator
subclasses :class:`EmulatorServer`, registers routes and implements the
platform-specific fault responses (e.g. what an expired token looks like).

Typical use in a test::

    with ShopeeEmulator(...) as emu:            # starts on 127.0.0.1:<ephemeral>
        emu.faults.add("http_5xx", r"/get_order_list", count=2)
        ...                                     # call emu.base_url
        assert emu.journal.count("/api/v2/order/get_order_detail") == 3
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from typing_extensions import Self

_logger = logging.getLogger(__name__)

#: Fault kinds understood by every emulator.
HTTP_5XX = "http_5xx"
HTTP_429 = "http_429"
TIMEOUT = "timeout"
TOKEN_EXPIRED = "token_expired"
MALFORMED = "malformed"  # 200 with a non-JSON body
EMPTY = "empty"  # 200 with "{}": every expected field missing
FAULT_KINDS = (HTTP_5XX, HTTP_429, TIMEOUT, TOKEN_EXPIRED, MALFORMED, EMPTY)

#: Upper bound of a simulated timeout, so a test can never hang for long.
MAX_TIMEOUT_SLEEP = 10.0


@dataclass
class Request:
    """An HTTP request as seen by an emulator route."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    def arg(self, name: str, default: str | None = None) -> str | None:
        """First value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def args(self, name: str) -> list[str]:
        """All values of a repeated query parameter."""
        return list(self.query.get(name, []))

    def json(self) -> Any:
        """The body decoded as JSON (ValueError when it is not JSON)."""
        return json.loads(self.body.decode("utf-8")) if self.body else None


@dataclass
class Response:
    """What a route answers: a dict/list is sent as JSON, bytes/str as is."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> tuple[bytes, str]:
        """Body bytes and content type."""
        if self.body is None:
            return b"", "text/plain"
        if isinstance(self.body, bytes):
            return self.body, self.headers.get("Content-Type", "text/plain")
        if isinstance(self.body, str):
            return self.body.encode(), self.headers.get("Content-Type", "text/html")
        return json.dumps(self.body, ensure_ascii=False).encode(), "application/json"


@dataclass
class JournalEntry:
    """One request handled by the emulator."""

    method: str
    path: str
    query: dict[str, list[str]]
    body: bytes
    status: int
    fault: str | None
    at: float
    #: the seconds the emulator took to answer (its route and faults)
    seconds: float = 0.0

    def json(self) -> Any:
        """The request body decoded as JSON."""
        return json.loads(self.body) if self.body else None


class Journal:
    """Thread-safe list of every request and the status answered."""

    def __init__(self) -> None:
        self._entries: list[JournalEntry] = []
        self._lock = threading.Lock()

    def append(self, entry: JournalEntry) -> None:
        """Record a request."""
        with self._lock:
            self._entries.append(entry)

    def entries(
        self, path: str | None = None, method: str | None = None
    ) -> list[JournalEntry]:
        """Recorded requests, optionally filtered by path (substring) and method."""
        with self._lock:
            rows = list(self._entries)
        return [
            e
            for e in rows
            if (path is None or path in e.path)
            and (method is None or e.method == method)
        ]

    def count(self, path: str | None = None, method: str | None = None) -> int:
        """Number of recorded requests matching the filters."""
        return len(self.entries(path, method))

    def clear(self) -> None:
        """Forget all recorded requests."""
        with self._lock:
            self._entries.clear()


@dataclass
class Fault:
    """A fault armed on the emulator (see :meth:`Faults.add`)."""

    kind: str
    path_pattern: str | None
    remaining: int | None
    probability: float | None
    rng: random.Random
    status: int
    retry_after: float | None
    delay: float
    fired: int = 0
    skip: int = 0
    with_param: str | None = None
    without_param: str | None = None

    def matches(self, path: str, query: Mapping[str, Any] | None = None) -> bool:
        """Whether the fault applies to ``path`` (and ``query``)."""
        query = query or {}
        if self.with_param is not None and self.with_param not in query:
            return False
        if self.without_param is not None and self.without_param in query:
            return False
        return (
            self.path_pattern is None or re.search(self.path_pattern, path) is not None
        )


class Faults:
    """Faults that tests arm at run time; each request consumes at most one."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(
        self,
        kind: str,
        path_pattern: str | None = None,
        count: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
        status: int | None = None,
        retry_after: float | None = 1.0,
        delay: float = 2.0,
        after: int = 0,
        with_param: str | None = None,
        without_param: str | None = None,
    ) -> Fault:
        """Arm a fault.

        :param kind: one of :data:`FAULT_KINDS`.
        :param path_pattern: regex searched in the request path (None = all).
        :param count: fire on the next N matching requests (default 1 when no
            probability is given).
        :param probability: fire on each matching request with this probability
            (combined with ``count``, fire at most N times).
        :param seed: seed of the fault's random source (reproducible runs).
        :param status: HTTP status for http_5xx (default 500) or http_429 (429).
        :param retry_after: Retry-After seconds sent with 429 (None = no header).
        :param delay: seconds slept by a timeout fault (capped).
        :param after: let this many matching requests through first (e.g. a
            token that expires in the middle of a paged read).
        :param with_param, without_param: only requests whose query carries (or
            lacks) this parameter (one path serving two reads).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}")
        if count is None and probability is None:
            count = 1
        default_status = {HTTP_5XX: 500, HTTP_429: 429, TIMEOUT: 504}.get(kind, 200)
        fault = Fault(
            kind=kind,
            path_pattern=path_pattern,
            remaining=count,
            probability=probability,
            rng=random.Random(seed),
            status=status or default_status,
            retry_after=retry_after,
            delay=min(delay, MAX_TIMEOUT_SLEEP),
            skip=after,
            with_param=with_param,
            without_param=without_param,
        )
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(
        self,
        path: str,
        kinds: Iterable[str] | None = None,
        query: Mapping[str, Any] | None = None,
    ) -> Fault | None:
        """Return (and consume) the first armed fault firing for ``path``."""
        wanted = set(kinds) if kinds is not None else None
        with self._lock:
            for fault in self._faults:
                if wanted is not None and fault.kind not in wanted:
                    continue
                if not fault.matches(path, query) or fault.remaining == 0:
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                if (
                    fault.probability is not None
                    and fault.rng.random() >= fault.probability
                ):
                    continue
                if fault.remaining is not None:
                    fault.remaining -= 1
                fault.fired += 1
                return fault
        return None

    def clear(self) -> None:
        """Disarm every fault."""
        with self._lock:
            self._faults.clear()


class Store:
    """In-memory state shared by handler threads; hold ``lock`` while mutating."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.data: dict[str, Any] = {}

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        with self.lock:
            self.data[key] = value

    def setdefault(self, key: str, value: Any) -> Any:
        """dict.setdefault under the lock."""
        with self.lock:
            return self.data.setdefault(key, value)


Route = Callable[[Request], Response]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    emulator: EmulatorServer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # keep-alive + Nagle + delayed ACK = 40 ms/call
    server: _Server

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def log_message(self, format: str, *args: Any) -> None:
        _logger.debug("emulator: " + format, *args)

    def _dispatch(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        response = self.server.emulator.handle(request)
        payload, content_type = response.encode()
        try:
            self.send_response(response.status)
            headers = {"Content-Type": content_type, **response.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            _logger.debug("client went away before the answer (simulated timeout?)")


class EmulatorServer:
    """Base loopback emulator: routes, journal, faults, store, lifecycle.

    ``port=0`` picks a free ephemeral port; read :attr:`base_url` after start.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.host = host
        self.port = port
        self.routes: dict[tuple[str, str], Route] = {}
        self.journal = Journal()
        self.faults = Faults()
        self.store = Store()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            raise RuntimeError("emulator is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> EmulatorServer:
        """Start serving in a daemon thread."""
        if self._server is not None:
            return self
        server = _Server((self.host, self.port), _Handler)
        server.emulator = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (standalone mode)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- routing

    def route(self, method: str, path: str, handler: Route) -> None:
        """Register ``handler`` for ``method path``."""
        self.routes[(method.upper(), path)] = handler

    def handle(self, request: Request) -> Response:
        """Apply faults, dispatch, journal; never raises."""
        started = time.monotonic()
        fault = self.faults.take(
            request.path, kinds=self.generic_fault_kinds(), query=request.query
        )
        try:
            if fault is not None:
                response = self.fault_response(fault, request)
            else:
                handler = self.routes.get((request.method, request.path))
                response = handler(request) if handler else self.not_found(request)
        except Exception:  # an emulator bug must surface as a 500, not a hang
            _logger.exception(
                "emulator route failed: %s %s", request.method, request.path
            )
            response = self.server_error(request)
        self.journal.append(
            JournalEntry(
                method=request.method,
                path=request.path,
                query=request.query,
                body=request.body,
                status=response.status,
                fault=fault.kind if fault else None,
                at=time.time(),
                seconds=time.monotonic() - started,
            )
        )
        return response

    def generic_fault_kinds(self) -> tuple[str, ...]:
        """Fault kinds applied before routing (platforms handle the others)."""
        return (HTTP_5XX, HTTP_429, TIMEOUT, MALFORMED, EMPTY)

    def fault_response(self, fault: Fault, request: Request) -> Response:
        """The response for a generic fault."""
        if fault.kind == TIMEOUT:
            time.sleep(fault.delay)
            return Response(fault.status, {"error": "timeout", "message": "emulated"})
        if fault.kind == HTTP_429:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            return Response(
                fault.status, self.error_body("rate_limit", "emulated 429"), headers
            )
        if fault.kind == MALFORMED:
            return Response(200, "<html><body>Bad gateway</body></html>")
        if fault.kind == EMPTY:
            return Response(200, {})
        return Response(
            fault.status, self.error_body("error_server", "emulated failure")
        )

    def error_body(self, code: str, message: str) -> Any:
        """Platform error envelope (override per platform)."""
        return {"error": code, "message": message}

    def not_found(self, request: Request) -> Response:
        """Answer for an unknown route."""
        return Response(
            404, self.error_body("error_not_found", f"no route {request.path}")
        )

    def server_error(self, request: Request) -> Response:
        """Answer when a route raised."""
        return Response(500, self.error_body("error_server", "emulator error"))


class PushReceiver(EmulatorServer):
    """A loopback endpoint that records webhooks and answers 200 with no body."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, status: int = 200):
        super().__init__(host, port)
        self.status = status

    def handle(self, request: Request) -> Response:
        """Record every request; answer ``status`` with an empty body."""
        response = Response(self.status)
        self.journal.append(
            JournalEntry(
                request.method,
                request.path,
                request.query,
                request.body,
                response.status,
                None,
                time.time(),
            )
        )
        self.store.setdefault("received", []).append(request)
        return response

    @property
    def received(self) -> list[Request]:
        """Requests received so far."""
        return list(self.store.data.get("received", []))


def tiny_pdf(text: str) -> bytes:
    """A small valid one-page PDF showing ``text`` (a shipping label stand-in)."""
    safe = text.encode("latin-1", "replace").replace(b"\\", b"").replace(b"(", b"")
    safe = safe.replace(b")", b"")
    stream = b"BT /F1 12 Tf 20 100 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 298 420] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\n" % (len(objects) + 1)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return out
