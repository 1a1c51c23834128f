"""Small pure helpers of the Lazada package: times, envelopes, flags, amounts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from ..errors import PermanentError
from ..payload import text as _text
from ..records import to_money
from .const import UTC_OFFSETS

_TZ_COMPACT = re.compile(r"\s*([+-])(\d{2}):?(\d{2})$")


def epoch_time(value: Any) -> datetime | None:
    """Seconds or milliseconds since the epoch (Lazada uses both)."""
    if value in (None, "", 0, "0", "null"):
        return None
    number = int(str(value))
    if number > 10**11:
        return datetime.fromtimestamp(number / 1000, tz=timezone.utc)
    return datetime.fromtimestamp(number, tz=timezone.utc)


def iso(moment: datetime) -> str:
    """ISO 8601 in UTC with an explicit offset, as the list filters expect."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def parse_time(value: Any, country: str) -> datetime | None:
    """Parse Lazada's ISO (``T`` or space, ``+08:00`` or ``+0800``) or epoch."""
    text = _text(value)
    if text is None or text.lower() == "null":
        return None
    if text.isdigit():
        return epoch_time(text)
    text = text.replace("Z", "+00:00")
    match = _TZ_COMPACT.search(text)
    if match:
        sign_, hours, minutes = match.groups()
        text = text[: match.start()] + f"{sign_}{hours}:{minutes}"
    moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    if moment.tzinfo is None:
        offset = timedelta(hours=UTC_OFFSETS.get(country, 7))
        moment = moment.replace(tzinfo=timezone(offset))
    return moment.astimezone(timezone.utc)


def local_date(moment: datetime, country: str) -> str:
    """The date of ``moment`` in the venture's time (the finance APIs' filters)."""
    offset = timedelta(hours=UTC_OFFSETS.get(country, 7))
    return (moment + offset).strftime("%Y-%m-%d")


def is_true(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1")


def data_of(payload: Mapping[str, Any], what: str, kind: type = dict) -> Any:
    """The envelope's ``data`` (a ``kind``), else a PermanentError."""
    body = payload.get("data")
    if not isinstance(body, kind):
        raise PermanentError(
            f"malformed Lazada {what}: no 'data' {kind.__name__}",
            code="bad_response",
            request_id=_text(payload.get("request_id")),
        )
    return body


def decimal_text(amount: Decimal) -> str:
    value = to_money(amount)
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")
