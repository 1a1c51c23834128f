"""Company isolation over XML-RPC, against a real Odoo server process.

Two companies are set up in the server's database by its administrator: shops
on the four platforms, buyers, orders, listings, payouts, returns, events (pushed
to the server's webhook, signed as Shopee signs them), plans, subscriptions,
breaches and privacy requests. Each company's Marketplace User and Manager,
Billing Manager and Privacy Officer, logged in over XML-RPC, find and touch
only their own company's records; so does a user of both companies who works
in A (``allowed_company_ids``).
"""

import json
import time
import xmlrpc.client

import pytest
import requests

from tests.emulators.shopee import shopee_push_sign

from .world import CATALOGUE_MODELS

ACCESS_ERROR = 4  # XML-RPC fault code of an AccessError (/xmlrpc/2)
PLATFORMS = ("shopee", "lazada", "tiktok", "tiki")

#: role: (groups, the models it reads, whose isolation is checked)
ROLES = {
    "mp_user": (
        ["base.group_user", "entro_marketplace.group_marketplace_user"],
        (
            "entro.marketplace.shop",
            "entro.marketplace.order",
            "entro.marketplace.listing",
            "entro.marketplace.event",
            "entro.marketplace.return",
            "entro.marketplace.settlement",
            "entro.marketplace.settlement.line",
            "res.partner",
        ),
    ),
    "mp_manager": (
        ["base.group_user", "entro_marketplace.group_marketplace_manager"],
        (
            "entro.marketplace.shop",
            "entro.marketplace.order",
            "entro.marketplace.listing",
            "entro.marketplace.event",
            "entro.marketplace.return",
            "entro.marketplace.settlement",
            "entro.marketplace.settlement.line",
            "res.partner",
        ),
    ),
    "billing_manager": (
        ["base.group_user", "entro_billing.group_billing_manager"],
        ("entro.billing.plan", "entro.billing.subscription", "res.partner"),
    ),
    "privacy_officer": (
        ["base.group_user", "entro_privacy.group_privacy_officer"],
        (
            "entro.privacy.request",
            "entro.privacy.audit",
            "entro.privacy.breach",
            "entro.privacy.buyer.retention",
            "res.partner",
        ),
    ),
}

#: a harmless change per model, for the write attempts
WRITES = {
    "entro.marketplace.shop": {"stock_buffer": 3},
    "entro.marketplace.order": {"payment_method": "security"},
    "entro.marketplace.listing": {"name": "security"},
    "entro.marketplace.event": {"result": "security"},
    "entro.marketplace.return": {"reason": "security"},
    "entro.marketplace.settlement": {"error": "security"},
    "entro.marketplace.settlement.line": {"label": "security"},
    "entro.billing.plan": {"description": "security"},
    "entro.billing.subscription": {"trial_reminder_sent": True},
    "entro.privacy.request": {"identity_check": "passport"},
    "entro.privacy.audit": {"detail": "security"},
    "entro.privacy.breach": {"measures": "security"},
    "entro.privacy.buyer.retention": {"days": 5},
    "res.partner": {"comment": "security"},
}

SHOP_ACTIONS = (
    "action_sync_orders",
    "action_import_listings",
    "action_push_stock",
    "action_sync_returns",
    "action_authorize",
    "action_disconnect",
)


class InCompanies:
    """An RPC client whose calls carry ``allowed_company_ids`` (the companies
    the user works in, as the web client sends them)."""

    def __init__(self, client, company_ids):
        self.client = client
        self.uid = client.uid
        self.company_ids = list(company_ids)

    def __call__(self, model, method, *args, **kwargs):
        context = dict(kwargs.pop("context", {}), allowed_company_ids=self.company_ids)
        return self.client(model, method, *args, context=context, **kwargs)


def _ref(admin, xmlid):
    module, name = xmlid.split(".")
    return admin("ir.model.data", "check_object_reference", module, name)[1]


def _push(server, key, message):
    """POST a push to the server's Shopee webhook, signed with ``key``."""
    url = f"{server.url}/entro/webhook/shopee"
    body = json.dumps(message, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "Authorization": shopee_push_sign(key, url, body),
    }
    return requests.post(url, data=body, headers=headers, timeout=30).status_code


class World:
    """What the fixture made: ids by company label ("A", "B")."""

    def __init__(self):
        self.company = {}
        self.shops = {}  # label -> {platform: id}
        self.buyers = {}
        self.requests = {}
        self.owned = {}  # label -> {model: ids}
        self.users = {}  # (label, role) -> client
        self.multi = {}  # role -> client of A+B working in A
        self.stray_events = []  # pushed by B's app for a shop nobody connected
        self.secrets = {}  # label -> {platform: app secret}


def _trade(admin, server, world, label, index):
    """Shops, buyers, orders and the rest of one company (as administrator)."""
    company = world.company[label]
    ctx = {"allowed_company_ids": list(world.company.values())}

    def create(model, values):
        return admin(model, "create", values, context=ctx)

    world.shops[label], world.secrets[label] = {}, {}
    for platform in PLATFORMS:
        secret = f"rpc-sec-{platform}-secret-{label}"
        external = str(620000 + 10 * index + PLATFORMS.index(platform))
        world.shops[label][platform] = create(
            "entro.marketplace.shop",
            {
                "name": f"RPC {platform} of {label}",
                "platform": platform,
                "company_id": company,
                "app_key": str(2200000 + index),
                "app_secret": secret,
                "external_id": external,
                "state": "connected",
                # pushes are stored and acknowledged, no import is queued
                "sync_orders": False,
            },
        )
        world.secrets[label][platform] = secret
    buyers, orders = [], []
    for n, platform in enumerate(PLATFORMS):
        buyer = create(
            "res.partner",
            {
                "name": f"Buyer {n} of {label} Nguyễn",
                "company_id": company,
                "entro_buyer_key": f"{platform}:rpc-{label}-{n}",
                "phone": f"+84 91{index} 00{n} 111",
                "email": f"buyer{n}.{label.lower()}@example.com",
            },
        )
        shop = world.shops[label][platform]
        order = create(
            "entro.marketplace.order",
            {
                "shop_id": shop,
                "external_id": f"RPC{label}{n}",
                "payload": {"buyer": f"Buyer {n} of {label}", "phone": "0912"},
            },
        )
        create(
            "entro.marketplace.listing",
            {"shop_id": shop, "item_id": f"RPC{label}{n}", "sku": f"SKU{n}"},
        )
        create(
            "entro.marketplace.return",
            {
                "shop_id": shop,
                "external_id": f"RET{label}{n}",
                "order_external_id": f"RPC{label}{n}",
                "order_id": order,
            },
        )
        settlement = create(
            "entro.marketplace.settlement",
            {
                "shop_id": shop,
                "external_id": f"PAY{label}{n}",
                "payout_date": "2026-11-01 00:00:00",
                "currency_id": admin("res.company", "read", [company], ["currency_id"])[
                    0
                ]["currency_id"][0],
            },
        )
        create(
            "entro.marketplace.settlement.line",
            {
                "settlement_id": settlement,
                "fee_type": "commission",
                "amount": -1000,
                "order_external_id": f"RPC{label}{n}",
            },
        )
        buyers.append(buyer)
        orders.append(order)
    world.buyers[label] = buyers
    plan = create(
        "entro.billing.plan",
        {
            "name": f"RPC plan of {label}",
            "code": f"rpc-sec-{label}",
            "company_id": company,
        },
    )
    create(
        "entro.billing.subscription",
        {"partner_id": buyers[0], "plan_id": plan, "company_id": company},
    )
    create(
        "entro.privacy.breach", {"name": f"Breach of {label}", "company_id": company}
    )
    # the company's pushes: a genuine one, and one for a shop nobody connected
    key = world.secrets[label]["shopee"]
    now = int(time.time())
    shopee = int(620000 + 10 * index)
    for shop_id, ordersn in [(shopee, f"RPC{label}{n}") for n in range(4)] + [
        (990000 + index, f"STRAY{label}")
    ]:
        message = {
            "code": 3,
            "shop_id": shop_id,
            "timestamp": now,
            "data": {"ordersn": ordersn, "status": "READY_TO_SHIP", "update_time": now},
        }
        status = _push(server, key, message)
        # (the stray one may be refused: then there is nothing to leak)
        assert status == 200 or shop_id != shopee, f"{label}'s push: {status}"


def _user(admin, server, login, groups, companies, main):
    password = f"{login}-Pass-2026"
    admin(
        "res.users",
        "create",
        {
            "name": login,
            "login": login,
            "password": password,
            "company_id": main,
            "company_ids": [(6, 0, companies)],
            "groups_id": [(6, 0, [_ref(admin, g) for g in groups])],
        },
    )
    return server.login(login, password)


@pytest.fixture(scope="module")
def world(odoo_server):
    server = odoo_server
    admin = server.login("admin", "admin")
    admin(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        server.url,
    )
    vnd = admin(
        "res.currency",
        "search",
        [("name", "=", "VND"), ("active", "in", [True, False])],
    )[0]
    admin("res.currency", "write", [vnd], {"active": True})
    world = World()
    for label in "AB":
        world.company[label] = admin(
            "res.company",
            "create",
            {"name": f"RPC Security {label}", "currency_id": vnd},
        )
    admin(
        "res.users",
        "write",
        [admin.uid],
        {"company_ids": [(4, c) for c in world.company.values()]},
    )
    for index, label in enumerate("AB", start=1):
        _trade(admin, server, world, label, index)
    a, b = world.company["A"], world.company["B"]
    for role, (groups, _models) in ROLES.items():
        for label, company in (("A", a), ("B", b)):
            world.users[label, role] = _user(
                admin, server, f"rpc_sec_{role}_{label}", groups, [company], company
            )
        both = _user(admin, server, f"rpc_sec_{role}_ab", groups, [a, b], a)
        world.multi[role] = InCompanies(both, [a])
    for label in "AB":
        officer = world.users[label, "privacy_officer"]
        world.requests[label] = officer(
            "entro.privacy.request",
            "create",
            {
                "company_id": world.company[label],
                "request_type": "export",
                "partner_id": world.buyers[label][0],
                "identity_check": "ID card seen",
            },
        )
    ctx = {"allowed_company_ids": [a, b], "active_test": False}
    for label, company in world.company.items():
        world.owned[label] = {
            model: admin(model, "search", _owned_domain(model, company), context=ctx)
            for _role, (_g, models) in ROLES.items()
            for model in models
        }
        for model, ids in world.owned[label].items():
            assert ids, f"{label} owns no {model}"
    world.stray_events = admin(
        "entro.marketplace.event",
        "search",
        [("shop_id", "=", False), ("order_external_id", "=", "STRAYB")],
        context=ctx,
    )
    world.admin = admin
    world.ctx = ctx
    return world


def _owned_domain(model, company):
    domain = [("company_id", "=", company)]
    if model == "res.partner":
        domain.append(("entro_buyer_key", "like", "rpc-"))
    if model == "entro.marketplace.event":
        # what its shop says, not only its own company field (pushes included)
        domain = ["|", ("shop_id.company_id", "=", company)] + domain
    return domain


def _clients(world, role):
    """(label, client, own company label, other company label)."""
    yield f"{role} of A", world.users["A", role], "A", "B"
    yield f"{role} of B", world.users["B", role], "B", "A"
    yield f"{role} of A+B in A", world.multi[role], "A", "B"


def _fault(call, *args, **kwargs):
    """The Fault an RPC call raises (None if it went through)."""
    try:
        call(*args, **kwargs)
    except xmlrpc.client.Fault as fault:
        return fault
    return None


CASES = [(role, model) for role, (_g, models) in ROLES.items() for model in models]


@pytest.mark.parametrize(("role", "model"), CASES, ids=[f"{r}-{m}" for r, m in CASES])
def test_rpc_each_company_finds_and_touches_only_its_own(world, role, model):
    problems = []
    for k, (label, rpc, mine, other) in enumerate(_clients(world, role)):
        own, foreign = (
            world.admin(
                model,
                "search",
                _owned_domain(model, world.company[c]),
                context=world.ctx,
            )
            for c in (mine, other)
        )
        found = rpc(model, "search", [], context={"active_test": False})
        if model in CATALOGUE_MODELS:
            # read by all, changed only by its own company
            if not set(own) | set(foreign) <= set(found):
                problems.append(f"{label}: search misses catalogue records")
            for name, args in (
                ("write", (foreign[:1], WRITES[model])),
                ("unlink", (foreign[-1:],)),
            ):
                if _fault(rpc, model, name, *args) is None:
                    problems.append(f"{label}: {name} of the other's ALLOWED")
            continue
        if set(found) & set(foreign):
            problems.append(
                f"{label}: search finds {sorted(set(found) & set(foreign))}"
            )
        if not set(own) <= set(found):
            problems.append(f"{label}: search misses its own records")
        if rpc(model, "search_count", [("id", "in", foreign)]):
            problems.append(f"{label}: search_count counts the other's")
        groups = rpc(model, "read_group", [("id", "in", foreign)], [], [])
        if groups and groups[0].get("__count"):
            problems.append(f"{label}: read_group counts the other's")
        names = world.admin(
            model, "read", foreign[:2], ["display_name"], context=world.ctx
        )
        for row in names:
            hits = rpc(model, "name_search", row["display_name"], limit=1000)
            if {i for i, _n in hits} & set(foreign):
                problems.append(f"{label}: name_search lists {row['display_name']!r}")
        target = foreign[:1]
        # each user tries to delete another record: a hole deletes only one
        doomed = [foreign[-1 - k]] if len(foreign) > k else foreign[-1:]
        for name, args in (
            ("read", (target, ["display_name"])),
            ("write", (target, WRITES[model])),
            ("unlink", (doomed,)),
        ):
            fault = _fault(rpc, model, name, *args)
            if fault is None:
                problems.append(f"{label}: {name} of the other's {args[0]} ALLOWED")
            elif fault.faultCode != ACCESS_ERROR and rpc(model, "has_access", [], name):
                problems.append(
                    f"{label}: {name} of the other's {args[0]}: "
                    f"{fault.faultString.splitlines()[0][:150]}"
                )
    assert not problems, f"{model} as {role}:\n" + "\n".join(problems)


def test_rpc_a_manager_cannot_read_the_others_secrets_nor_run_its_shops(world):
    admin = world.admin
    rpc = world.users["A", "mp_manager"]
    shops_b = list(world.shops["B"].values())
    problems = []
    for fields in (["app_secret"], ["app_key"], ["credential_ids"], ["has_tokens"]):
        fault = _fault(rpc, "entro.marketplace.shop", "read", shops_b, fields)
        if not fault or fault.faultCode != ACCESS_ERROR:
            problems.append(f"read {fields} of B's shops: {fault or 'ALLOWED'}")
    fault = _fault(
        rpc, "entro.marketplace.credential", "search_read", [("shop_id", "in", shops_b)]
    )
    if not fault:
        problems.append("B's credentials are readable")
    for shop in shops_b + list(world.shops["A"].values())[:1]:
        if not _fault(rpc, "entro.marketplace.shop", "_secrets", [shop]):
            problems.append(f"_secrets of shop {shop} is callable over RPC")
    for platform, shop in world.shops["B"].items():
        for action in SHOP_ACTIONS:
            fault = _fault(rpc, "entro.marketplace.shop", action, [shop])
            if not fault or fault.faultCode != ACCESS_ERROR:
                problems.append(f"{action} on B's {platform}: {fault or 'ran'}")
    states = admin(
        "entro.marketplace.shop",
        "read",
        shops_b,
        ["state", "has_app_secret"],
        context=world.ctx,
    )
    for row in states:
        if row["state"] != "connected" or not row["has_app_secret"]:
            problems.append(f"B's shop {row['id']} was disconnected: {row}")
    # and its own shops show no secret in any field
    own = list(world.shops["A"].values())
    fields = [
        name
        for name, spec in rpc(
            "entro.marketplace.shop", "fields_get", [], ["type"]
        ).items()
        if spec["type"] not in ("one2many", "many2many")
    ]
    shown = json.dumps(rpc("entro.marketplace.shop", "read", own, fields))
    for secret in world.secrets["A"].values():
        if secret in shown:
            problems.append("a shop's app secret is readable by its manager")
    assert not problems, "\n".join(problems)


def test_rpc_an_officer_cannot_reach_the_others_partners_shops_or_requests(world):
    admin = world.admin
    rpc = world.users["A", "privacy_officer"]
    before = admin("entro.privacy.request", "search_count", [], context=world.ctx)
    problems = []
    buyer_b = world.buyers["B"][0]
    for values in (
        {"request_type": "export", "partner_id": buyer_b},
        {"request_type": "correct", "partner_id": buyer_b, "correction_name": "X"},
        {"request_type": "revoke", "shop_ids": [(6, 0, [world.shops["B"]["tiki"]])]},
    ):
        values = dict(values, company_id=world.company["A"], identity_check="ID")
        if not _fault(rpc, "entro.privacy.request", "create", values):
            problems.append(f"a request of A on B's data was accepted: {values}")
    after = admin("entro.privacy.request", "search_count", [], context=world.ctx)
    if after != before:
        problems.append(f"{after - before} request(s) of A on B's data were stored")
    for action in ("action_process", "action_start", "action_reject", "get_export"):
        fault = _fault(rpc, "entro.privacy.request", action, [world.requests["B"]])
        if not fault or fault.faultCode != ACCESS_ERROR:
            problems.append(f"{action} on B's request: {fault or 'ran'}")
    tiki = admin(
        "entro.marketplace.shop",
        "read",
        [world.shops["B"]["tiki"]],
        ["state"],
        context=world.ctx,
    )[0]
    if tiki["state"] != "connected":
        problems.append("B's Tiki shop was disconnected by A's officer")
    assert not problems, "\n".join(problems)


def test_rpc_a_marketplace_user_sees_none_of_the_others_events(world):
    rpc = world.users["A", "mp_user"]
    events_b = world.owned["B"]["entro.marketplace.event"]
    rows = rpc("entro.marketplace.event", "search_read", [], ["payload", "shop_id"])
    seen = {row["id"] for row in rows}
    problems = []
    if seen & set(events_b):
        problems.append(f"B's events are listed: {sorted(seen & set(events_b))}")
    if seen & set(world.stray_events):
        problems.append("an event pushed by B's app for an unknown shop is listed")
    if "STRAYB" in json.dumps(rows) or "RPCB" in json.dumps(rows):
        problems.append("the payload of B's pushes is readable")
    for event in events_b[:1] + world.stray_events[:1]:
        if not _fault(rpc, "entro.marketplace.event", "read", [event], ["payload"]):
            problems.append(f"event {event} of B is readable with its payload")
    order_b = world.owned["B"]["entro.marketplace.order"][:1]
    if not _fault(rpc, "entro.marketplace.order", "read", order_b, ["payload"]):
        problems.append("the payload of B's order is readable")
    assert not problems, "\n".join(problems)


def test_rpc_the_others_buyers_are_invisible(world):
    buyers_b = world.buyers["B"]
    keys = [
        row["entro_buyer_key"]
        for row in world.admin(
            "res.partner", "read", buyers_b, ["entro_buyer_key"], context=world.ctx
        )
    ]
    problems = []
    for role in ROLES:
        for label, rpc, mine, _other in _clients(world, role):
            if mine != "A":
                continue
            if rpc("res.partner", "search", [("id", "in", buyers_b)]):
                problems.append(f"{label}: finds B's buyers by id")
            if rpc("res.partner", "search", [("entro_buyer_key", "in", keys)]):
                problems.append(f"{label}: finds B's buyers by buyer key")
            hits = rpc("res.partner", "name_search", "of B Nguyễn", limit=100)
            if {i for i, _n in hits} & set(buyers_b):
                problems.append(f"{label}: name_search lists B's buyers")
            fault = _fault(rpc, "res.partner", "read", buyers_b[:1], ["phone"])
            if not fault or fault.faultCode != ACCESS_ERROR:
                problems.append(f"{label}: reads B's buyer: {fault or 'ALLOWED'}")
    assert not problems, "\n".join(problems)
