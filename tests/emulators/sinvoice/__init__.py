"""A loopback emulator of Viettel's SInvoice (see ``server``)."""

from .server import (
    API,
    LOGIN,
    REFUSED,
    SERVICE_DOWN,
    TIMEOUT_AFTER_CREATE,
    SInvoiceEmulator,
)

__all__ = [
    "API",
    "LOGIN",
    "REFUSED",
    "SERVICE_DOWN",
    "TIMEOUT_AFTER_CREATE",
    "SInvoiceEmulator",
]
