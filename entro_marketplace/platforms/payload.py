"""Small readers of platform payloads shared by every platform module."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from .errors import PermanentError


def text(value: Any) -> str | None:
    """The stripped text of a JSON value, None when absent or blank."""
    if value is None:
        return None
    stripped = str(value).strip()
    return stripped or None


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, whatever the case of its name."""
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


#: the years a platform's deadline may fall in: outside them it is no deadline
#: (a zero or a negative number, milliseconds read as seconds, a year 1)
DEADLINE_YEARS = (2000, 2200)


def deadline(value: Any, parse: Callable[[Any], datetime | None]) -> datetime | None:
    """A deadline the seller is only shown (the ship-by time), read by the
    platform's own ``parse``: unreadable or absurd is none, never an error
    (the order is imported all the same, with Entro's default deadline)."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        moment = parse(value)
    except (TypeError, ValueError, OverflowError, OSError, ArithmeticError):
        return None
    if not isinstance(moment, datetime):
        return None
    if not DEADLINE_YEARS[0] <= moment.year < DEADLINE_YEARS[1]:
        return None
    return moment


def earliest(moments: Iterable[datetime | None]) -> datetime | None:
    """The earliest of the given times (None when none is given)."""
    return min((m for m in moments if m is not None), default=None)


@contextlib.contextmanager
def malformed(
    platform: str, what: str, request_id: str | None = None
) -> Iterator[None]:
    """Turn lookup/convert failures on platform JSON into a clear PermanentError."""
    try:
        yield
    except KeyError as exc:
        raise PermanentError(
            f"malformed {platform} {what}: missing field {exc.args[0]!r}",
            code="bad_response",
            request_id=request_id,
        ) from exc
    except (TypeError, ValueError, AttributeError, OverflowError) as exc:
        raise PermanentError(
            f"malformed {platform} {what}: {type(exc).__name__}: {exc}",
            code="bad_response",
            request_id=request_id,
        ) from exc
