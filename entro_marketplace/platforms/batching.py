"""Cutting work to the platforms' limits: time windows, batches, items."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime, timedelta, timezone
from typing import TypeVar

from .records import PriceUpdate, StockUpdate

T = TypeVar("T")
U = TypeVar("U", StockUpdate, PriceUpdate)


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def split_windows(
    since: datetime, until: datetime, max_window: timedelta
) -> list[tuple[datetime, datetime]]:
    """Split ``[since, until]`` into consecutive windows no longer than max_window.

    Consecutive windows share their boundary instant, so nothing falls between
    them; callers de-duplicate what the boundary returns twice.
    """
    if since.tzinfo is None or until.tzinfo is None:
        raise ValueError("since and until must be timezone-aware")
    if until < since:
        raise ValueError("until is before since")
    windows = []
    start = since
    while True:
        end = min(start + max_window, until)
        windows.append((start, end))
        if end >= until:
            return windows
        start = end


def chunked(values: Sequence[T], size: int) -> Iterator[list[T]]:
    """Yield successive lists of at most ``size`` values."""
    if size < 1:
        raise ValueError("size must be >= 1")
    for index in range(0, len(values), size):
        yield list(values[index : index + size])


def group_per_item(updates: Iterable[U], size: int) -> list[tuple[str, list[U]]]:
    """Group updates by item id, then cut each group into chunks of ``size``.

    When the same item/variant appears twice, the last update wins.
    """
    groups: dict[str, dict[str, U]] = {}
    for update in updates:
        variants = groups.setdefault(str(update.item_id), {})
        variants[str(update.variant_id or "0")] = update
    return [
        (item_id, chunk)
        for item_id, variants in groups.items()
        for chunk in chunked(list(variants.values()), size)
    ]
