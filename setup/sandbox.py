"""Connect the sandbox shop of the demo to the Shopee emulator, as a seller would.

Run by setup/run.sh once Odoo answers (Odoo's Python, repository root as the
working directory). Idempotent: products and the shop are created once; the shop
is authorized again at each run, because the emulator starts afresh.

    python setup/sandbox.py ODOO_URL DB EMULATOR_URL PARTNER_ID PARTNER_KEY ITEMS SEED
"""

import sys
import xmlrpc.client
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.emulators.shopee import generate_catalogue

SHOP_NAME = "Shopee Sandbox"


def main(odoo_url, db, emulator_url, partner_id, partner_key, items, seed):
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
    vnd = rpc(
        "res.currency",
        "search",
        [("name", "=", "VND"), ("active", "in", [True, False])],
    )
    rpc("res.currency", "write", vnd, {"active": True})
    pricelist = rpc(
        "product.pricelist", "search", [("name", "=", "Shopee Sandbox (VND)")]
    )
    if not pricelist:
        pricelist = [
            rpc(
                "product.pricelist",
                "create",
                {"name": "Shopee Sandbox (VND)", "currency_id": vnd[0]},
            )
        ]
    warehouse = rpc("stock.warehouse", "search", [], limit=1)
    stock_location = rpc("stock.warehouse", "read", warehouse, ["lot_stock_id"])[0]
    quants = []
    for item in generate_catalogue(items, 3, seed=seed):
        variants = item["models"] or [
            {"model_sku": item["item_sku"], "model_name": "", "price": item["price"]}
        ]
        for variant in variants:
            sku = variant["model_sku"]
            if rpc("product.product", "search", [("default_code", "=", sku)]):
                continue
            name = f"{item['item_name']} {variant['model_name']}".strip()
            product = rpc(
                "product.product",
                "create",
                {
                    "name": name,
                    "default_code": sku,
                    "type": "consu",
                    "is_storable": True,
                    "list_price": variant["price"],
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

    shop = rpc("entro.marketplace.shop", "search", [("name", "=", SHOP_NAME)])
    if not shop:
        shop = [
            rpc(
                "entro.marketplace.shop",
                "create",
                {
                    "name": SHOP_NAME,
                    "platform": "shopee",
                    "app_key": str(partner_id),
                    "app_secret": partner_key,
                    "api_base_url": emulator_url,
                    "warehouse_id": warehouse[0],
                    "pricelist_id": pricelist[0],
                    "push_delay": 5,
                },
            )
        ]
    rpc("entro.marketplace.shop", "write", shop, {"api_base_url": emulator_url})
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
    action = rpc("entro.marketplace.shop", "action_authorize", shop)
    consent = requests.get(action["url"], allow_redirects=False, timeout=30)
    consent.raise_for_status()
    browser.get(consent.headers["Location"], allow_redirects=False, timeout=30)
    state = rpc("entro.marketplace.shop", "read", shop, ["state"])[0]["state"]
    if state != "connected":
        raise SystemExit(f"sandbox: the shop did not connect (state {state})")
    rpc("entro.marketplace.shop", "action_import_listings", shop)
    rpc("entro.marketplace.shop", "action_sync_orders", shop)
    print(f"sandbox: '{SHOP_NAME}' connected to the Shopee emulator; orders follow")


if __name__ == "__main__":
    if len(sys.argv) != 8:
        raise SystemExit(__doc__)
    url, database, emu, pid, key, n_items, seed_ = sys.argv[1:]
    main(url, database, emu, int(pid), key, int(n_items), int(seed_))
