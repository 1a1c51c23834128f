"""The platforms' registry, and what each platform tells Odoo about itself.

``PLATFORMS`` maps a platform code (``"shopee"``, ...) to its :class:`Platform`
subclass; each platform registers itself with :func:`register`. A platform class
declares ``info = PlatformInfo(...)``: the Odoo layer reads that (the shop's
selection, the views' capability flags, queue channels, buyer-data keys, default
retention) and never tests a platform's name. Pure Python: no Odoo import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Platform

#: the queue_job channel every platform's channel hangs under
CHANNEL_PARENT = "root.marketplace"


@dataclass(frozen=True)
class PlatformInfo:
    """A platform described to Odoo.

    :param label: the name a seller knows it by (the shop's platform selection).
    :param payouts_api: payouts are read through the platform's API.
    :param statement_upload: payouts come from a statement file a person uploads.
    :param webhooks: the platform pushes its events (signed webhooks).
    :param pull_queue: events are pulled from a queue the platform keeps per app.
    :param shipping: Entro arranges the shipment of a validated delivery on the
        platform and fetches its shipping label (else the seller arranges it in
        the platform's own seller center, and Odoo only records the delivery).
    :param shipping_methods: the seller chooses how parcels reach the carrier
        (pickup or drop-off) for each shipment.
    :param region: a shop is connected in a region (a country code).
    :param service_id: the app has a service id besides its key (TikTok Shop).
    :param app_type: the app has a type (public or in-house) that changes the
        authorization (Tiki).
    :param api_hosts: the platform's own API, token and consent hosts; a shop
        calls no other, over https, unless the database allows it.
    :param buyer_keys: keys of the platform's raw orders and pushes that hold a
        buyer's data (scrubbed on erasure).
    :param channel: the queue_job channel of its jobs, under ``root.marketplace``.
    :param channel_capacity: jobs run at once on that channel (shipped default).
    :param retention_days: days after an order is finished before its buyer data
        is pseudonymised (the default of the privacy setting).
    """

    label: str
    channel: str
    payouts_api: bool = True
    statement_upload: bool = False
    webhooks: bool = True
    pull_queue: bool = False
    shipping: bool = True
    shipping_methods: bool = False
    region: bool = False
    service_id: bool = False
    app_type: bool = False
    api_hosts: frozenset[str] = frozenset()
    buyer_keys: tuple[str, ...] = ()
    channel_capacity: int = 2
    retention_days: int = 90

    @property
    def channel_path(self) -> str:
        """The channel's full name, as jobs are enqueued on it."""
        return f"{CHANNEL_PARENT}.{self.channel}"


#: the capability flags of :class:`PlatformInfo` (booleans the views switch on)
CAPABILITIES = (
    "payouts_api",
    "statement_upload",
    "webhooks",
    "pull_queue",
    "shipping",
    "shipping_methods",
    "region",
    "service_id",
    "app_type",
)

PLATFORMS: dict[str, type[Platform]] = {}


def register(cls: type[Platform]) -> type[Platform]:
    """Class decorator: add a platform class to ``PLATFORMS`` under ``cls.name``."""
    if not getattr(cls, "name", ""):
        raise ValueError(f"{cls.__name__} has no platform name")
    if not isinstance(getattr(cls, "info", None), PlatformInfo):
        raise TypeError(f"{cls.__name__} declares no PlatformInfo (info = ...)")
    existing = PLATFORMS.get(cls.name)
    if existing is not None and existing is not cls:
        raise ValueError(f"platform {cls.name!r} is already registered")
    PLATFORMS[cls.name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a platform from ``PLATFORMS`` (tests that register a fake one)."""
    PLATFORMS.pop(name, None)


def get_platform_class(name: str) -> type[Platform]:
    """Return the platform class registered under ``name``.

    :raise KeyError: with the known names when ``name`` is not registered.
    """
    try:
        return PLATFORMS[name]
    except KeyError:
        known = ", ".join(PLATFORMS) or "none"  # in registration order
        raise KeyError(f"unknown platform {name!r} (known: {known})") from None


def get_info(name: str) -> PlatformInfo:
    """The :class:`PlatformInfo` of the platform registered under ``name``."""
    return get_platform_class(name).info


def selection() -> list[tuple[str, str]]:
    """``(code, label)`` of every registered platform, in registration order."""
    return [(code, cls.info.label) for code, cls in PLATFORMS.items()]


def queue_channels(root: int = 4, marketplace: int = 4) -> str:
    """The ``[queue_job] channels`` value of odoo.conf with the shipped capacities:
    ``root``, ``root.marketplace``, then each platform's channel."""
    parts = [f"root:{root}", f"{CHANNEL_PARENT}:{marketplace}"]
    parts += [
        f"{cls.info.channel_path}:{cls.info.channel_capacity}"
        for cls in PLATFORMS.values()
    ]
    return ",".join(parts)
