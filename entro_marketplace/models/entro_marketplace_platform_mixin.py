from odoo import api, fields, models

from ..platforms import CAPABILITIES, PLATFORMS, get_info, registry


def platform_label(platform):
    """The registry's label of a platform code (the code itself when unknown)."""
    cls = PLATFORMS.get(platform)
    return cls.info.label if cls else platform


def platform_hosts(platform):
    """The platform's own API, token and consent hosts (docs:
    marketplace_apis.md). A shop's API host is one of its platform's, over
    https. Any other host (an emulator on loopback, a test gateway) only where a
    system administrator set CUSTOM_API_HOSTS_PARAM: test and sandbox databases,
    never a production one."""
    cls = PLATFORMS.get(platform)
    return cls.info.api_hosts if cls else frozenset()


class EntroMarketplacePlatformMixin(models.AbstractModel):
    """A record's platform, as the platforms' registry describes it.

    The platform selection is built from the registry, and the capability flags
    (``platform_<flag>``, computed, not stored) are what views switch on: no view
    or model tests a platform's name.
    """

    _name = "entro.marketplace.platform.mixin"
    _description = "Marketplace Platform Capabilities"

    platform = fields.Selection(selection="_selection_platform")
    platform_payouts_api = fields.Boolean(
        "Payouts through the API",
        compute="_compute_platform_capabilities",
        help="The platform's payouts are imported through its API.",
    )
    platform_statement_upload = fields.Boolean(
        "Payout Statements Uploaded",
        compute="_compute_platform_capabilities",
        help="The platform's payouts come from a statement file uploaded by hand.",
    )
    platform_webhooks = fields.Boolean(
        "Pushes Events",
        compute="_compute_platform_capabilities",
        help="The platform pushes its events to the shop's webhook URL.",
    )
    platform_pull_queue = fields.Boolean(
        "Event Queue Pulled",
        compute="_compute_platform_capabilities",
        help="The platform keeps the shop's events in a queue that Odoo pulls.",
    )
    platform_shipping = fields.Boolean(
        "Ships through Entro",
        compute="_compute_platform_capabilities",
        help="Validating a delivery arranges its shipment on the platform and "
        "fetches its shipping label. Otherwise the seller arranges it in the "
        "platform's seller center, and Odoo only records the delivery.",
    )
    platform_shipping_methods = fields.Boolean(
        "Chooses Pickup or Drop-off",
        compute="_compute_platform_capabilities",
        help="Each shipment is handed over by carrier pickup or drop-off, as the "
        "shop chooses.",
    )
    platform_region = fields.Boolean(
        "Connects per Market",
        compute="_compute_platform_capabilities",
        help="A shop is connected in one market (country) of the platform.",
    )
    platform_service_id = fields.Boolean(
        "Has a Service ID",
        compute="_compute_platform_capabilities",
        help="The platform's apps have a service id besides their key.",
    )
    platform_app_type = fields.Boolean(
        "Has App Types",
        compute="_compute_platform_capabilities",
        help="The platform's apps are public or in-house, which changes how a "
        "shop is authorized.",
    )

    @api.model
    def _selection_platform(self):
        return registry.selection()

    @api.depends("platform")
    def _compute_platform_capabilities(self):
        for record in self:
            cls = PLATFORMS.get(record.platform)
            info = cls.info if cls else None
            for flag in CAPABILITIES:
                record[f"platform_{flag}"] = bool(info and getattr(info, flag))

    def _platform_info(self):
        """The registry's :class:`PlatformInfo` of this record's platform."""
        self.ensure_one()
        return get_info(self.platform)

    @api.model
    def _sync_queue_channels(self):
        """Create or update the queue_job channel of each registered platform,
        under ``root.marketplace`` (XML id ``channel_marketplace_<platform>``).

        Called by the addon's data at every install and upgrade, like the XML
        records it replaces: a channel whose platform is no longer registered is
        removed by the upgrade. Capacities are odoo.conf's ([queue_job] channels).
        """
        parent = self.env.ref("entro_marketplace.channel_marketplace")
        data = [
            {
                "xml_id": f"entro_marketplace.channel_marketplace_{code}",
                "values": {"name": cls.info.channel, "parent_id": parent.id},
            }
            for code, cls in PLATFORMS.items()
        ]
        # sudo: technical records of queue_job, set up by the addon itself
        return self.env["queue.job.channel"].sudo()._load_records(data, update=True)
