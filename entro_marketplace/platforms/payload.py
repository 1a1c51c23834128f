"""Small readers of platform payloads shared by every platform module."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
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
