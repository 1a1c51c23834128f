"""The capability flags a platform declares match what its client does."""

from __future__ import annotations

import pytest

from .conftest import base, platforms


@pytest.mark.parametrize("code", sorted(platforms.PLATFORMS))
def test_shipping_flag_says_whether_the_client_arranges_shipments(code):
    """A platform flagged ``shipping`` arranges shipments and fetches labels; one
    that is not would only fail with "unsupported" (so nothing is queued)."""
    cls = platforms.PLATFORMS[code]
    ships = cls._ship_order is not base.Platform._ship_order
    labels = cls._get_shipping_label is not base.Platform._get_shipping_label
    assert cls.info.shipping == ships == labels


def test_tiki_ships_on_its_own():
    assert platforms.get_info("tiki").shipping is False
    assert platforms.get_info("shopee").shipping is True
