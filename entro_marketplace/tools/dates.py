"""Datetimes between Odoo (naive, in UTC) and the platform layer (aware, UTC)."""

from datetime import timezone


def to_aware(value):
    """An Odoo (naive UTC) datetime as an aware one, for the platform layer."""
    return value.replace(tzinfo=timezone.utc) if value else None


def to_naive(value):
    """An aware datetime as Odoo's naive UTC."""
    if not value:
        return False
    if value.tzinfo:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value
