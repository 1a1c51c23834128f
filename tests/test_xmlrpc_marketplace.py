"""An integrator's path over XML-RPC, against a real Odoo server process whose own
queue_job runner executes the jobs, with a seller connecting the shop through the
OAuth flow in a browser session (emulated with requests)."""

import time
import xmlrpc.client

import pytest
import requests

from tests.emulators.shopee import ShopeeEmulator, generate_catalogue, generate_orders

PARTNER_ID = 2001887
PARTNER_KEY = "xmlrpc_partner_key"
SHOP_ID = 700100


@pytest.fixture(scope="module")
def emulator():
    emu = ShopeeEmulator(
        partner_id=PARTNER_ID, partner_key=PARTNER_KEY, shop_id=SHOP_ID
    )
    with emu:
        yield emu


@pytest.fixture(scope="module")
def admin(odoo_server):
    rpc = odoo_server.login("admin", "admin")
    # URLs the platform calls back (OAuth redirect, webhooks) point at this server
    rpc(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        odoo_server.url,
    )
    return rpc


def browser_login(server, login, password):
    session = requests.Session()
    response = session.post(
        f"{server.url}/web/session/authenticate",
        json={
            "jsonrpc": "2.0",
            "params": {"db": server.db, "login": login, "password": password},
        },
        timeout=30,
    )
    response.raise_for_status()
    assert response.json()["result"]["uid"]
    return session


def wait_for(predicate, timeout=90, step=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def connected_shop(odoo_server, admin, emulator):
    """A shop connected the way a seller does it: wizard, consent page, callback."""
    catalogue = generate_catalogue(6, 2, seed=3)
    emulator.add_catalogue(catalogue)
    skus = [m["model_sku"] for i in catalogue for m in i["models"]] + [
        i["item_sku"] for i in catalogue if not i["models"]
    ]
    for sku in skus:
        admin(
            "product.product",
            "create",
            {
                "name": f"RPC {sku}",
                "default_code": sku,
                "is_storable": True,
                "type": "consu",
            },
        )
    vnd = admin(
        "res.currency",
        "search",
        [("name", "=", "VND"), ("active", "in", [True, False])],
    )
    admin("res.currency", "write", vnd, {"active": True})
    pricelist = admin(
        "product.pricelist", "create", {"name": "VND", "currency_id": vnd[0]}
    )
    wizard = admin(
        "entro.marketplace.shop.connect",
        "create",
        {
            "name": "RPC Shopee shop",
            "platform": "shopee",
            "app_key": str(PARTNER_ID),
            "app_secret": PARTNER_KEY,
            "api_base_url": emulator.base_url,
        },
    )
    action = admin("entro.marketplace.shop.connect", "action_connect", [wizard])
    assert action["type"] == "ir.actions.act_url"
    assert action["url"].startswith(emulator.base_url + "/api/v2/shop/auth_partner")
    # the seller's browser: consent page, then back to Odoo with the code
    browser = browser_login(odoo_server, "admin", "admin")
    consent = requests.get(action["url"], allow_redirects=False, timeout=30)
    assert consent.status_code == 302
    callback = consent.headers["Location"]
    assert callback.startswith(odoo_server.url + "/entro/oauth/shopee?state=")
    back = browser.get(callback, allow_redirects=False, timeout=30)
    assert back.status_code in (302, 303), back.text[:500]
    (shop_id,) = admin(
        "entro.marketplace.shop", "search", [("name", "=", "RPC Shopee shop")]
    )
    admin(
        "entro.marketplace.shop",
        "write",
        [shop_id],
        {"pricelist_id": pricelist, "rate_limit_per_s": 0},
    )
    return shop_id


def test_seller_connects_through_oauth(admin, connected_shop, emulator):
    (shop,) = admin(
        "entro.marketplace.shop",
        "read",
        [connected_shop],
        ["state", "external_id", "has_tokens", "access_expires_at"],
    )
    assert shop["state"] == "connected"
    assert shop["external_id"] == str(SHOP_ID)
    assert shop["has_tokens"] is True
    assert shop["access_expires_at"]
    assert emulator.journal.count("/api/v2/auth/token/get") == 1


def test_a_replayed_or_forged_oauth_callback_is_refused(odoo_server, connected_shop):
    browser = browser_login(odoo_server, "admin", "admin")
    response = browser.get(
        f"{odoo_server.url}/entro/oauth/shopee?state=forged&code=x&shop_id={SHOP_ID}",
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 400


def test_integrator_lists_shops_syncs_and_reads_orders(admin, connected_shop, emulator):
    shops = admin(
        "entro.marketplace.shop",
        "search_read",
        [],
        fields=["name", "platform", "state"],
    )
    assert {
        "name": "RPC Shopee shop",
        "platform": "shopee",
        "state": "connected",
    }.items() <= {
        k: v for s in shops for k, v in s.items() if s["id"] == connected_shop
    }.items()
    catalogue = list(emulator.store["items"].values())
    orders = generate_orders(
        25, seed=41, catalogue=catalogue, shop_id=SHOP_ID, statuses=["READY_TO_SHIP"]
    )
    emulator.add_orders(orders)
    # the button's answer: a notification that the sync is queued (for a person);
    # an integrator needs only that it did not fail
    queued = admin("entro.marketplace.shop", "action_sync_orders", [connected_shop])
    assert queued["tag"] == "display_notification"
    assert "RPC Shopee shop" in queued["params"]["message"]
    # the server's own queue_job runner performs the jobs
    wait_for(
        lambda: (
            admin(
                "entro.marketplace.order",
                "search_count",
                [("shop_id", "=", connected_shop)],
            )
            == len(orders)
        )
    )
    rows = admin(
        "entro.marketplace.order",
        "search_read",
        [("shop_id", "=", connected_shop)],
        fields=["external_id", "status", "sync_state", "sale_order_id", "amount_total"],
    )
    totals = {o["order_sn"]: o["total_amount"] for o in orders}
    for row in rows:
        assert row["sync_state"] == "ok"
        assert row["sale_order_id"]
        (sale,) = admin(
            "sale.order", "read", [row["sale_order_id"][0]], ["amount_total", "state"]
        )
        assert sale["amount_total"] == totals[row["external_id"]]
        assert sale["state"] == "sale"
    jobs = admin(
        "queue.job", "search_read", [("state", "=", "failed")], fields=["name"]
    )
    assert jobs == []


def test_webhook_to_the_running_server(odoo_server, admin, connected_shop, emulator):
    catalogue = list(emulator.store["items"].values())
    (order,) = generate_orders(
        1, seed=42, catalogue=catalogue, shop_id=SHOP_ID, statuses=["UNPAID"]
    )
    emulator.add_orders([order])
    message = emulator.set_status(order["order_sn"], "READY_TO_SHIP")
    statuses = emulator.push(
        f"{odoo_server.url}/entro/webhook/shopee", [message], duplicate=2
    )
    assert statuses == [200, 200]
    found = wait_for(
        lambda: admin(
            "entro.marketplace.order",
            "search_read",
            [("external_id", "=", order["order_sn"]), ("sale_order_id", "!=", False)],
            fields=["status"],
        )
    )
    assert found[0]["status"] == "READY_TO_SHIP"
    events = admin(
        "entro.marketplace.event",
        "search_count",
        [("order_external_id", "=", order["order_sn"])],
    )
    assert events == 1


def test_marketplace_user_cannot_read_credentials(odoo_server, admin, connected_shop):
    (xmlid,) = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", "entro_marketplace"), ("name", "=", "group_marketplace_user")],
        fields=["res_id"],
    )
    group = xmlid["res_id"]
    admin(
        "res.users",
        "create",
        {
            "name": "Seller Staff",
            "login": "staff",
            "password": "staff-pass-1",
            "groups_id": [(6, 0, [group])],
        },
    )
    staff = odoo_server.login("staff", "staff-pass-1")
    (shop,) = staff(
        "entro.marketplace.shop",
        "read",
        [connected_shop],
        ["name", "app_secret", "has_tokens"],
    )
    assert shop["app_secret"] is False
    assert shop["has_tokens"] is True
    fields = staff("entro.marketplace.shop", "fields_get", [], attributes=["type"])
    assert "credential_ids" not in fields
    refused = [
        (
            lambda: staff(
                "entro.marketplace.credential",
                "search_read",
                [],
                fields=["access_token_enc"],
            ),
            "not allowed",
        ),
        (
            lambda: staff(
                "entro.marketplace.shop", "read", [connected_shop], ["credential_ids"]
            ),
            "not have enough rights to access the fields",
        ),
        (
            lambda: staff(
                "entro.marketplace.shop",
                "write",
                [connected_shop],
                {"app_secret": "stolen"},
            ),
            "not allowed",
        ),
        (
            lambda: staff(
                "entro.marketplace.shop", "action_authorize", [connected_shop]
            ),
            "Only Marketplace Managers",
        ),
    ]
    for call, message in refused:
        with pytest.raises(xmlrpc.client.Fault) as fault:
            call()
        assert message in fault.value.faultString
    # the user can still follow the shop's orders
    assert (
        staff(
            "entro.marketplace.order",
            "search_count",
            [("shop_id", "=", connected_shop)],
        )
        >= 0
    )


def test_the_integrators_key_and_secret_set_up_the_platform_app(
    odoo_server, admin, connected_shop
):
    """Issue 20: the app key and secret given over XML-RPC (the old way) set up
    the company's platform app once; the shop and the app never give the secret
    back, to anyone."""
    (shop,) = admin(
        "entro.marketplace.shop",
        "read",
        [connected_shop],
        ["app_id", "app_key", "app_secret", "has_app_secret"],
    )
    assert shop["app_key"] == str(PARTNER_ID)
    assert shop["app_secret"] is False and shop["has_app_secret"] is True
    app_id = shop["app_id"][0]
    (app,) = admin(
        "entro.marketplace.app",
        "read",
        [app_id],
        ["platform", "app_key", "app_secret", "has_secret"],
    )
    assert (app["platform"], app["app_key"]) == ("shopee", str(PARTNER_ID))
    assert app["app_secret"] is False and app["has_secret"] is True
    # a second shop of the same key and secret, created directly: the same app
    second = admin(
        "entro.marketplace.shop",
        "create",
        {
            "name": "RPC second Shopee shop",
            "platform": "shopee",
            "app_key": str(PARTNER_ID),
            "app_secret": PARTNER_KEY,
        },
    )
    (row,) = admin("entro.marketplace.shop", "read", [second], ["app_id"])
    assert row["app_id"][0] == app_id
    # ... and another secret for it is refused, clearly
    with pytest.raises(xmlrpc.client.Fault) as fault:
        admin(
            "entro.marketplace.shop",
            "write",
            [second],
            {"app_secret": "not-the-apps-secret"},
        )
    assert "different app secret" in fault.value.faultString
    admin("entro.marketplace.shop", "unlink", [second])
    # a Marketplace User reads neither the secret nor its ciphertext
    users = admin("res.users", "search", [("login", "=", "staff")])
    if users:
        staff = odoo_server.login("staff", "staff-pass-1")
        (row,) = staff("entro.marketplace.app", "read", [app_id], ["app_secret"])
        assert row["app_secret"] is False
        with pytest.raises(xmlrpc.client.Fault) as fault:
            staff("entro.marketplace.app", "read", [app_id], ["app_secret_enc"])
        assert "not have enough rights" in fault.value.faultString
