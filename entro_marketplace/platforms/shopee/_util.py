"""Small pure helpers shared by the Shopee modules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from ..errors import PermanentError


def _ts(value: Any) -> datetime | None:
    if value in (None, "", 0, "0"):
        return None
    return datetime.fromtimestamp(int(value), tz=timezone.utc)


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _json_number(amount: Decimal) -> int | float:
    if amount == amount.to_integral_value():
        return int(amount)
    return float(amount)


def _as_int(value: Any, what: str) -> int:
    try:
        return int(str(value))
    except (TypeError, ValueError) as exc:
        raise PermanentError(f"Shopee {what} must be numeric, got {value!r}") from exc


def _response(payload: Mapping[str, Any], what: str) -> Mapping[str, Any]:
    body = payload.get("response")
    if not isinstance(body, Mapping):
        raise PermanentError(
            f"malformed Shopee {what}: no 'response' object",
            code="bad_response",
            request_id=payload.get("request_id"),
        )
    return body
