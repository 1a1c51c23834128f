"""Connect a sandbox shop of the demo to a platform emulator, as a seller would.

Run by setup/run.sh once Odoo answers (Odoo's Python, repository root as the
working directory). Idempotent: products, the platform's app (Configuration >
Platform Apps) and the shop are created once, the shop through the connect
wizard and the emulator's consent page; it is authorized again at each run,
because the emulator starts afresh.

    python setup/sandbox.py ODOO_URL DB PLATFORM EMULATOR_URL \
        APP_KEY APP_SECRET ITEMS SEED

PLATFORM is shopee, lazada, tiktok or tiki.
"""

import sys
import xmlrpc.client
from datetime import datetime, timezone
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.emulators import lazada as lazada_emulator
from tests.emulators import shopee as shopee_emulator
from tests.emulators import tiki as tiki_emulator
from tests.emulators import tiktok as tiktok_emulator

#: the platforms whose emulator pays orders out in the sandbox (--settle-every)
PAYOUT_PLATFORMS = ("shopee", "lazada")
#: how often the sandbox imports payouts (the product's default: daily)
PAYOUT_CRON_MINUTES = 2


def catalogue_variants(platform, items, seed):
    """(sku, name, price) of every variant the emulator's catalogue lists."""
    if platform == "shopee":
        for item in shopee_emulator.generate_catalogue(items, 3, seed=seed):
            for model in item["models"] or [
                {
                    "model_sku": item["item_sku"],
                    "model_name": "",
                    "price": item["price"],
                }
            ]:
                name = f"{item['item_name']} {model['model_name']}".strip()
                yield model["model_sku"], name, model["price"]
    elif platform == "tiktok":
        for product in tiktok_emulator.generate_catalogue(items, 2, seed=seed):
            for sku in product["skus"]:
                name = f"{product['title']} {sku['_name']}".strip()
                yield sku["seller_sku"], name, int(sku["price"]["sale_price"])
    elif platform == "tiki":
        for product in tiki_emulator.generate_catalogue(items, seed=seed):
            yield product["original_sku"], product["name"], product["price"]
    else:
        for product in lazada_emulator.generate_catalogue(items, 2, seed=seed):
            for sku in product["skus"]:
                name = f"{product['attributes']['name']} {sku['_variation']}".strip()
                yield sku["SellerSku"], name, sku["price"]


def main(odoo_url, db, platform, emulator_url, app_key, app_secret, items, seed):
    shop_name = (
        "TikTok Sandbox" if platform == "tiktok" else f"{platform.capitalize()} Sandbox"
    )
    common = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/common")
    uid = common.authenticate(db, "admin", "admin", {})
    if not uid:
        raise SystemExit("sandbox: admin/admin cannot log in; skipping the demo shop")
    models = xmlrpc.client.ServerProxy(f"{odoo_url}/xmlrpc/2/object", allow_none=True)

    def rpc(model, method, *args, **kwargs):
        return models.execute_kw(db, uid, "admin", model, method, list(args), kwargs)

    rpc(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        odoo_url,
    )
    # a sandbox database: its shops may call the emulator, not a platform's host
    rpc(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.allow_custom_api_hosts",
        "True",
    )
    vnd = rpc(
        "res.currency",
        "search",
        [("name", "=", "VND"), ("active", "in", [True, False])],
    )
    rpc("res.currency", "write", vnd, {"active": True})
    pricelist = rpc("product.pricelist", "search", [("name", "=", "Sandbox (VND)")])
    if not pricelist:
        pricelist = [
            rpc(
                "product.pricelist",
                "create",
                {"name": "Sandbox (VND)", "currency_id": vnd[0]},
            )
        ]
    warehouse = rpc("stock.warehouse", "search", [], limit=1)
    stock_location = rpc("stock.warehouse", "read", warehouse, ["lot_stock_id"])[0]
    quants = []
    for sku, name, price in catalogue_variants(platform, items, seed):
        if rpc("product.product", "search", [("default_code", "=", sku)]):
            continue
        product = rpc(
            "product.product",
            "create",
            {
                "name": name,
                "default_code": sku,
                "type": "consu",
                "is_storable": True,
                "list_price": price,
            },
        )
        quants.append(
            rpc(
                "stock.quant",
                "create",
                {
                    "product_id": product,
                    "location_id": stock_location["lot_stock_id"][0],
                    "inventory_quantity": 50,
                },
            )
        )
    if quants:
        # action_apply_inventory returns None, which XML-RPC cannot carry: run it
        # through a server action, which answers False.
        apply = rpc(
            "ir.actions.server",
            "create",
            {
                "name": "Sandbox: apply the counted stock",
                "model_id": rpc("ir.model", "search", [("model", "=", "stock.quant")])[
                    0
                ],
                "state": "code",
                "code": "records.action_apply_inventory()",
            },
        )
        models.execute_kw(
            db,
            uid,
            "admin",
            "ir.actions.server",
            "run",
            [[apply]],
            {"context": {"active_model": "stock.quant", "active_ids": quants}},
        )
        rpc("ir.actions.server", "unlink", [apply])

    # the emulator stands in for the platform's host (Lazada's API lives under /rest)
    api_url = emulator_url + ("/rest" if platform == "lazada" else "")
    # The administrator sets the platform's app up once (Configuration > Platform
    # Apps); the emulator's consent page knows the app by its key.
    company = rpc("res.users", "read", [uid], ["company_id"])[0]["company_id"][0]
    app_values = {
        "platform": platform,
        "company_id": company,
        "app_key": str(app_key),
        "app_secret": app_secret,
        "api_base_url": api_url,
        "service_id": str(app_key) if platform == "tiktok" else False,
    }
    app = rpc(
        "entro.marketplace.app",
        "search",
        [("platform", "=", platform), ("company_id", "=", company)],
    )
    if app:
        rpc("entro.marketplace.app", "write", app, app_values)
    else:
        app = [rpc("entro.marketplace.app", "create", app_values)]
    shop = rpc("entro.marketplace.shop", "search", [("name", "=", shop_name)])
    if shop:
        # the emulator starts afresh: authorize the shop again
        action = rpc("entro.marketplace.shop", "action_authorize", shop)
    else:
        # the seller's way: Connect a Shop, the platform chosen, then its consent page
        wizard = rpc(
            "entro.marketplace.shop.connect",
            "create",
            {
                "app_id": app[0],
                "name": shop_name,
                "country_code": "vn",
                "warehouse_id": warehouse[0],
            },
        )
        action = rpc("entro.marketplace.shop.connect", "action_connect", [wizard])
        shop = rpc("entro.marketplace.shop", "search", [("name", "=", shop_name)])
        values = {"pricelist_id": pricelist[0], "push_delay": 5}
        if platform in PAYOUT_PLATFORMS:
            # its emulator pays completed orders out: invoice them at confirmation
            # (nobody validates the sandbox's deliveries) so that the payouts
            # reconcile invoices
            values["invoice_policy"] = "confirm"
            # and withholds VAT and PIT as for a household seller of goods
            # (Decree 117): the shop compares it with what it expects
            values["withholding_regime"] = "household"
        rpc("entro.marketplace.shop", "write", shop, values)
    # The seller's browser: Odoo sends it to the consent page, which sends it back.
    browser = requests.Session()
    browser.post(
        f"{odoo_url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": db, "login": "admin", "password": "admin"},
        },
        timeout=30,
    ).raise_for_status()
    consent = requests.get(action["url"], allow_redirects=False, timeout=30)
    consent.raise_for_status()
    browser.get(consent.headers["Location"], allow_redirects=False, timeout=30)
    state = rpc("entro.marketplace.shop", "read", shop, ["state"])[0]["state"]
    if state != "connected":
        raise SystemExit(f"sandbox: the shop did not connect (state {state})")
    rpc("entro.marketplace.shop", "action_import_listings", shop)
    rpc("entro.marketplace.shop", "action_sync_orders", shop)
    if platform in PAYOUT_PLATFORMS:
        # the emulator pays out every minute or so: import the payouts now, then
        # every few minutes instead of daily (a sandbox database only)
        cron = rpc(
            "ir.model.data",
            "check_object_reference",
            "entro_marketplace",
            "ir_cron_import_payouts",
        )[1]
        rpc(
            "ir.cron",
            "write",
            [cron],
            {
                "interval_number": PAYOUT_CRON_MINUTES,
                "interval_type": "minutes",
                "nextcall": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
            },
        )
        rpc("entro.marketplace.shop", "action_import_payouts", shop)
    print(f"sandbox: '{shop_name}' connected to its emulator; orders follow")


if __name__ == "__main__":
    if len(sys.argv) != 9 or sys.argv[3] not in ("shopee", "lazada", "tiktok", "tiki"):
        raise SystemExit(__doc__)
    url, database, platform_, emu, key, secret, n_items, seed_ = sys.argv[1:]
    main(url, database, platform_, emu, key, secret, int(n_items), int(seed_))
