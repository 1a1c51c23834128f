"""Two companies trading side by side: each has a shop on each of the four
platforms, fed by an emulator of its own over loopback HTTP, with orders and
listings imported the way a seller imports them, webhooks received, payouts,
returns, a subscription and privacy requests.
"""

from datetime import datetime, timedelta, timezone

from odoo import fields
from odoo.tests import new_test_user

from odoo.addons.entro_marketplace.platforms import tiktok as tiktok_platform
from odoo.addons.entro_marketplace.platforms.records import TokenSet
from odoo.addons.entro_marketplace.platforms.tiki import TikiPlatform
from odoo.addons.entro_marketplace.platforms.transport import RateLimiter
from odoo.addons.entro_marketplace.tests.jobs import run_jobs

from tests.emulators import lazada, shopee, tiki, tiktok

from .common import TwoCompaniesCase

PLATFORMS = ("shopee", "lazada", "tiktok", "tiki")

#: the models whose records a company owns, checked for isolation (the buyers,
#: sale orders and pickings that imports make included)
OWNED_MODELS = (
    "entro.marketplace.shop",
    "entro.marketplace.order",
    "entro.marketplace.listing",
    "entro.marketplace.log",
    "entro.marketplace.event",
    "entro.marketplace.return",
    "entro.marketplace.settlement",
    "entro.marketplace.settlement.line",
    "entro.marketplace.payout.report",
    "entro.billing.plan",
    "entro.billing.subscription",
    "entro.billing.period",
    "entro.privacy.request",
    "entro.privacy.audit",
    "entro.privacy.breach",
    "entro.privacy.buyer.retention",
    "res.partner",
    "sale.order",
    "stock.picking",
)


#: Catalogues: every reader sees every company's records (the invoicing company's
#: plans, offered to all), but only their own company changes them.
CATALOGUE_MODELS = ("entro.billing.plan",)


def _window():
    now = datetime.now(timezone.utc)
    return {"start": now - timedelta(days=5), "span": timedelta(days=5, minutes=-5)}


def _shopee(label, index):
    shop_id = 610000 + index
    emulator = shopee.ShopeeEmulator(
        partner_id=2100000 + index,
        partner_key=f"sec-shopee-key-{label}",
        shop_id=shop_id,
    )
    catalogue = shopee.generate_catalogue(3, 2, seed=40 + index)
    skus = [m["model_sku"] for item in catalogue for m in item["models"]] + [
        item["item_sku"] for item in catalogue if not item["models"]
    ]
    orders = shopee.generate_orders(
        2,
        seed=50 + index,
        catalogue=catalogue,
        shop_id=shop_id,
        statuses=["READY_TO_SHIP"],
        **_window(),
    )
    values = {
        "app_key": str(emulator.partner_id),
        "app_secret": emulator.partner_key,
        "external_id": str(shop_id),
    }
    return emulator, catalogue, skus, orders, values, ""


def _lazada(label, index):
    seller = str(210000 + index)
    emulator = lazada.LazadaEmulator(
        app_key=str(130000 + index),
        app_secret=f"sec-lazada-secret-{label}",
        sellers={"vn": seller},
    )
    catalogue = lazada.generate_catalogue(3, 2, seed=40 + index)
    skus = [sku["SellerSku"] for p in catalogue for sku in p["skus"]]
    orders = lazada.generate_orders(
        2,
        seed=50 + index,
        catalogue=catalogue,
        seller_id=seller,
        statuses=[["pending"]],
        **_window(),
    )
    values = {
        "app_key": emulator.app_key,
        "app_secret": emulator.app_secret,
        "external_id": seller,
        "country_code": "vn",
    }
    return emulator, catalogue, skus, orders, values, "/rest"


def _tiktok(label, index):
    shop_id = str(7494726673780140000 + index)
    app_key = f"sec_tt_app_{label}"
    emulator = tiktok.TikTokEmulator(
        app_key=app_key, app_secret=f"sec-tiktok-secret-{label}", shops={shop_id: "VN"}
    )
    catalogue = tiktok.generate_catalogue(3, 2, seed=40 + index)
    skus = [sku["seller_sku"] for p in catalogue for sku in p["skus"]]
    orders = tiktok.generate_orders(
        2,
        seed=50 + index,
        catalogue=catalogue,
        shop_id=shop_id,
        statuses=["AWAITING_SHIPMENT"],
        **_window(),
    )
    values = {
        "app_key": app_key,
        "app_secret": emulator.app_secret,
        "service_id": app_key,
        "external_id": shop_id,
        "country_code": "vn",
    }
    return emulator, catalogue, skus, orders, values, ""


def _tiki(label, index):
    seller = str(3100 + index)
    emulator = tiki.TikiEmulator(
        client_id=f"sec-tiki-{label}",
        client_secret=f"sec-tiki-secret-{label}",
        seller_id=seller,
    )
    catalogue = tiki.generate_catalogue(3, seed=40 + index)
    skus = [p["original_sku"] for p in catalogue]
    window = _window()
    orders = tiki.generate_orders(
        2,
        seed=50 + index,
        catalogue=catalogue,
        seller_id=seller,
        statuses=["queueing"],
        **window,
    )
    values = {
        "app_key": emulator.client_id,
        "app_secret": emulator.client_secret,
        "external_id": seller,
    }
    return emulator, catalogue, skus, orders, values, ""


SETUPS = {"shopee": _shopee, "lazada": _lazada, "tiktok": _tiktok, "tiki": _tiki}


class TwoTradingCompaniesCase(TwoCompaniesCase):
    """Companies A and B of :class:`TwoCompaniesCase`, each trading on the four
    platforms. ``cls.owned[company][model]``: the records of each company, and
    ``cls.stray_events``: events no shop was found for (pushed by B's apps)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        RateLimiter.reset_registry()
        TikiPlatform._app_tokens.clear()
        tiktok_platform.forget_ciphers()
        cls.vnd = cls.env.ref("base.VND")
        cls.stray_events = cls.env["entro.marketplace.event"]
        for index, fx in enumerate((cls.fx_a, cls.fx_b), start=1):
            cls._start_trading(fx, index)
        cls._receive_webhooks()
        cls.owned = {fx.company: cls._owned(fx.company) for fx in (cls.fx_a, cls.fx_b)}

    @classmethod
    def _start_trading(cls, fx, index):
        env = cls.env
        company = fx.company
        label = company.name[-1]
        fx.importer = new_test_user(
            env,
            login=f"sec_importer_{label.lower()}",
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "sales_team.group_sale_manager,stock.group_stock_manager",
            company_id=company.id,
            company_ids=[(6, 0, company.ids)],
        )
        fx.pricelist = env["product.pricelist"].create(
            {
                "name": f"VND {label}",
                "currency_id": cls.vnd.id,
                "company_id": company.id,
            }
        )
        fx.shops, fx.emulators = {}, {}
        for platform in PLATFORMS:
            emulator, catalogue, skus, orders, values, path = SETUPS[platform](
                label, index
            )
            emulator.start()
            cls.addClassCleanup(emulator.stop)
            emulator.add_catalogue(catalogue)
            emulator.add_orders(orders)
            env["product.product"].create(
                [
                    {
                        "name": f"{platform} {sku} of {label}",
                        "default_code": sku,
                        "type": "consu",
                        "is_storable": True,
                        "list_price": 100000,
                        "company_id": company.id,
                    }
                    for sku in skus
                ]
            )
            shop = env["entro.marketplace.shop"].create(
                dict(
                    values,
                    name=f"{platform} shop of {label}",
                    platform=platform,
                    company_id=company.id,
                    warehouse_id=fx.warehouse.id,
                    pricelist_id=fx.pricelist.id,
                    api_base_url=emulator.base_url + path,
                    rate_limit_per_s=0,
                    push_delay=0,
                    state="connected",
                )
            )
            tokens = emulator.issue_tokens()
            shop._write_tokens(
                TokenSet(
                    access_token=tokens["access_token"],
                    refresh_token=tokens.get("refresh_token"),
                    access_expires_at=datetime.now(timezone.utc) + timedelta(hours=4),
                )
            )
            fx.shops[platform] = shop
            fx.emulators[platform] = emulator
        # the seller's manager imports orders and listings, as jobs
        for shop in fx.shops.values():
            shop.with_user(fx.importer).action_sync_orders()
            shop.with_user(fx.importer).action_import_listings()
        run = run_jobs(env)
        if run.failed:
            raise AssertionError(
                f"imports of {company.name} failed: "
                + "; ".join(f"{j.func_string}: {j.exc_message}" for j in run.failed)
            )
        shops = env["entro.marketplace.shop"].browse([s.id for s in fx.shops.values()])
        orders = env["entro.marketplace.order"].search([("shop_id", "in", shops.ids)])
        if len(orders) != 2 * len(PLATFORMS) or not orders.sale_order_id:
            raise AssertionError(f"{company.name}: the imports made {orders}")
        fx.orders = orders
        fx.buyers = orders.sale_order_id.partner_id
        cls._add_documents(fx, label)

    @classmethod
    def _add_documents(cls, fx, label):
        """What a company accumulates besides imports (made as superuser)."""
        env = cls.env
        for platform, shop in fx.shops.items():
            order = fx.orders.filtered(lambda o, s=shop: o.shop_id == s)[:1]
            buyer = order.sale_order_id.partner_id
            env["entro.marketplace.event"].create(
                {
                    "shop_id": shop.id,
                    "platform": platform,
                    "dedup_key": f"sec-{label}-{platform}",
                    "kind": "order_status",
                    "order_external_id": order.external_id,
                    "payload": {"buyer": buyer.name, "phone": buyer.phone},
                    "state": "done",
                }
            )
            settlement = env["entro.marketplace.settlement"].create(
                {
                    "shop_id": shop.id,
                    "external_id": f"PAY-{label}-{platform}",
                    "payout_date": fields.Datetime.now(),
                    "currency_id": cls.vnd.id,
                    "net_amount": 90000,
                }
            )
            env["entro.marketplace.settlement.line"].create(
                {
                    "settlement_id": settlement.id,
                    "fee_type": "order_amount",
                    "amount": 90000,
                    "order_external_id": order.external_id,
                    "order_id": order.id,
                }
            )
            env["entro.marketplace.return"].create(
                {
                    "shop_id": shop.id,
                    "external_id": f"RET-{label}-{platform}",
                    "order_external_id": order.external_id,
                    "order_id": order.id,
                    "reason": f"broken, says {buyer.name}",
                }
            )
        cls.factory.make("entro.billing.period", fx.company)
        cls.factory.make("entro.privacy.breach", fx.company)
        officer = (cls.users if fx is cls.fx_a else cls.twins)["privacy_officer"]
        fx.buyer_request = (
            env["entro.privacy.request"]
            .with_user(officer)
            .create(
                {
                    "company_id": fx.company.id,
                    "request_type": "export",
                    "partner_id": fx.buyers[0].id,
                    "identity_check": "ID card seen",
                }
            )
            .sudo()
        )

    @classmethod
    def _receive_webhooks(cls):
        """Each company's Shopee app pushes a status change of one of its orders
        and one of a shop nobody connected (stored without a shop)."""
        url = f"{cls.base_url()}/entro/webhook/shopee"
        Event = cls.env["entro.marketplace.event"]
        for fx in (cls.fx_a, cls.fx_b):
            emulator = fx.emulators["shopee"]
            order = fx.orders.filtered(lambda o: o.platform == "shopee")[:1]
            known = emulator.order_message(order.external_id)
            stray = dict(known, shop_id=999000 + fx.company.id)
            stray["data"] = dict(known["data"], ordersn=f"STRAY{fx.company.id}")
            before = Event.search([]).ids
            cls.env.flush_all()
            statuses = emulator.push(url, [known, stray])
            cls.env.invalidate_all()
            if statuses[0] != 200:  # (the stray one may be refused)
                raise AssertionError(f"webhooks answered {statuses}")
            new = Event.search([("id", "not in", before)])
            if fx is cls.fx_b:
                cls.stray_events |= new.filtered(lambda e: not e.shop_id)
        run_jobs(cls.env)

    @classmethod
    def _owned(cls, company):
        env = cls.env(su=True, context=dict(cls.env.context, active_test=False))
        owned = {}
        for model in OWNED_MODELS:
            domain = [("company_id", "=", company.id)]
            if model == "res.partner":
                domain.append(("entro_buyer_key", "!=", False))
            if model == "entro.marketplace.event":
                # what its shop says, not only its own company field (pushes)
                domain = ["|", ("shop_id.company_id", "=", company.id), *domain]
            owned[model] = env[model].search(domain)
            if not owned[model]:
                raise AssertionError(f"{company.name} owns no {model}")
        return owned
