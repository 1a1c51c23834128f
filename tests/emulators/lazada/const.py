"""Lazada emulator constants."""

from __future__ import annotations

TIMESTAMP_TOLERANCE = 7200
