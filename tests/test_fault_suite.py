"""Fault suite: storms, a killed worker, flaky platforms and expiring tokens.

Against a real Odoo server (fixture ``odoo_server``) whose own queue_job runner
performs the jobs, with a shop of each platform (Shopee, Lazada, TikTok Shop,
Tiki) connected through the OAuth flow; the emulators deliver signed pushes over
HTTP (Tiki: events in its pull queue) and inject the faults. Each scenario runs
for every platform and ends with: every platform order present once, its sale
order once, in its final state, and no job failed.
"""

import math
import re
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.emulators import lazada as lz
from tests.emulators import shopee as sp
from tests.emulators import tiki as tk
from tests.emulators import tiktok as tt
from tests.test_xmlrpc_marketplace import browser_login

# job retries after a transient failure: short here, through the job functions'
# retry pattern (the seller's setting in Queue Job > Job Functions)
RETRY_PATTERN = "{1: 1, 3: 2}"
JOB_METHODS = ("_job_sync_orders", "_job_import_orders")


class PushSide:
    """A platform that pushes signed webhooks to /entro/webhook/<platform>."""

    name = ""
    #: regexes searched in request paths: the order list, the order read, the
    #: token refresh
    list_path = detail_path = refresh_path = ""
    #: query parameter naming the page read
    page_param = ""
    first_page = "0"

    #: what tells an order read from a list page on one path (a query parameter)
    detail_param = None

    def shop_values(self):
        return {}

    def detail_fault(self):
        """Where faults on order reads are armed."""
        return {"path_pattern": self.detail_path, "with_param": self.detail_param}

    def list_fault(self):
        return {"path_pattern": self.list_path, "without_param": self.detail_param}

    def is_detail(self, entry):
        return re.search(self.detail_path, entry.path) is not None and (
            self.detail_param is None or self.detail_param in entry.query
        )

    def is_list(self, entry):
        return re.search(self.list_path, entry.path) is not None and (
            self.detail_param is None or self.detail_param not in entry.query
        )

    def is_refresh(self, entry):
        return re.search(self.refresh_path, entry.path) is not None

    def deliver(self, server, admin, messages, duplicate=1, shuffle=False, seed=None):
        """Push the webhooks; Odoo accepts every one of them."""
        statuses = self.emulator.push(
            f"{server.url}/entro/webhook/{self.name}",
            messages,
            duplicate=duplicate,
            shuffle=shuffle,
            seed=seed,
        )
        assert statuses == [200] * (max(1, duplicate) * len(messages))

    def after_connect(self, admin):
        pass


class ShopeeSide(PushSide):
    name = "shopee"
    list_path = "/api/v2/order/get_order_list$"
    detail_path = "get_order_detail"
    refresh_path = "/api/v2/auth/access_token/get"
    page_param = "cursor"
    # status after each step of the storm, per kind of order
    storm_paths = (
        ["READY_TO_SHIP", "SHIPPED"],
        ["READY_TO_SHIP"],
        ["CANCELLED"],
    )
    initial = "UNPAID"
    confirmed = "READY_TO_SHIP"
    cheap = "CANCELLED"  # cancelled before import: a binding, no sale order

    def __init__(self, shop_id=700300, prefix="F"):
        self.emulator = sp.ShopeeEmulator(
            partner_id=2001990, partner_key="fault_partner_key", shop_id=shop_id
        )
        self.catalogue = _prefixed_shopee(sp.generate_catalogue(6, 2, seed=11), prefix)
        self.emulator.add_catalogue(self.catalogue)
        self.skus = [m["model_sku"] for i in self.catalogue for m in i["models"]] + [
            i["item_sku"] for i in self.catalogue if not i["models"]
        ]
        self.app_key = str(self.emulator.partner_id)
        self.app_secret = self.emulator.partner_key

    @property
    def api_url(self):
        return self.emulator.base_url

    def add_orders(self, n, seed, status):
        orders = sp.generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            shop_id=self.emulator.shop_id,
            statuses=status if isinstance(status, list) else [status],
            **_window(),
        )
        self.emulator.add_orders(orders)
        return [o["order_sn"] for o in orders]

    def advance(self, order_id, status):
        return [self.emulator.set_status(order_id, status)]

    def message(self, order_id):
        return self.emulator.order_message(order_id)

    def expected_state(self, status):
        return {
            "READY_TO_SHIP": "to_ship",
            "SHIPPED": "shipped",
            "CANCELLED": "cancelled",
        }[status]


class LazadaSide(PushSide):
    name = "lazada"
    list_path = "/orders/get$"
    detail_path = "/orders/items/get"
    refresh_path = "/auth/token/refresh"
    page_param = "offset"
    storm_paths = (["pending", "ready_to_ship", "shipped"], ["pending"], ["canceled"])
    initial = "unpaid"
    confirmed = "pending"
    cheap = "canceled"

    def __init__(self):
        self.emulator = lz.LazadaEmulator(
            app_key="654321", app_secret="fault_app_secret", sellers={"vn": "200300"}
        )
        self.catalogue = lz.generate_catalogue(6, 2, seed=12)
        for product in self.catalogue:
            for sku in product["skus"]:
                sku["SellerSku"] = "F" + sku["SellerSku"]
        self.emulator.add_catalogue(self.catalogue)
        self.skus = [s["SellerSku"] for p in self.catalogue for s in p["skus"]]
        self.app_key = self.emulator.app_key
        self.app_secret = self.emulator.app_secret

    @property
    def api_url(self):
        return self.emulator.base_url + "/rest"

    def add_orders(self, n, seed, status):
        statuses = status if isinstance(status, list) else [status]
        orders = lz.generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            seller_id=self.emulator.seller_id,
            # item statuses: one or two units per order
            statuses=[[s] * units for s in statuses for units in (1, 2)],
            **_window(),
        )
        self.emulator.add_orders(orders)
        return [str(o["order_id"]) for o in orders]

    def advance(self, order_id, status):
        return self.emulator.set_item_status(order_id, None, status)

    def message(self, order_id):
        with self.emulator.store.lock:
            order = self.emulator.store["orders"][order_id]
            item = order["_items"][0]
            return self.emulator.order_message(order, item, int(order["_update_ts"]))

    def expected_state(self, status):
        return {
            "pending": "to_ship",
            "ready_to_ship": "to_ship",
            "shipped": "shipped",
            "canceled": "cancelled",
        }[status]


class TikTokSide(PushSide):
    name = "tiktok"
    list_path = f"/order/{tt.V}/orders/search$"
    detail_path = f"/order/{tt.V}/orders$"
    refresh_path = "/api/v2/token/refresh$"
    page_param = "page_token"
    first_page = ""
    storm_paths = (
        ["AWAITING_SHIPMENT", "IN_TRANSIT"],
        ["AWAITING_SHIPMENT"],
        ["CANCELLED"],
    )
    initial = "UNPAID"
    confirmed = "AWAITING_SHIPMENT"
    cheap = "CANCELLED"
    shop = "7494726673780300300"

    def __init__(self):
        self.emulator = tt.TikTokEmulator(
            app_key="fault_tiktok_app",
            app_secret="fault_tiktok_secret",
            shops={self.shop: "VN"},
        )
        self.catalogue = tt.generate_catalogue(6, 2, seed=13)
        for product in self.catalogue:
            for sku in product["skus"]:
                sku["seller_sku"] = "F" + sku["seller_sku"]
        self.emulator.add_catalogue(self.catalogue)
        self.skus = [s["seller_sku"] for p in self.catalogue for s in p["skus"]]
        self.app_key = self.emulator.app_key
        self.app_secret = self.emulator.app_secret

    @property
    def api_url(self):
        return self.emulator.base_url

    def shop_values(self):
        # the Partner Center service id of the app (the consent page's key)
        return {"service_id": self.app_key}

    def add_orders(self, n, seed, status):
        orders = tt.generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            shop_id=self.shop,
            statuses=status if isinstance(status, list) else [status],
            **_window(),
        )
        self.emulator.add_orders(orders)
        return [str(o["id"]) for o in orders]

    def advance(self, order_id, status):
        return [self.emulator.set_status(order_id, status)]

    def message(self, order_id):
        with self.emulator.store.lock:
            return self.emulator.order_message(self.emulator.store["orders"][order_id])

    def expected_state(self, status):
        return {
            "AWAITING_SHIPMENT": "to_ship",
            "IN_TRANSIT": "shipped",
            "CANCELLED": "cancelled",
        }[status]


class TikiSide(PushSide):
    """Tiki pushes nothing: its events wait in a queue that Odoo pulls."""

    name = "tiki"
    # orders are read 50 at a time from the order list filtered by code
    list_path = detail_path = "/integration/v2/orders$"
    detail_param = "code"
    refresh_path = "/sc/oauth2/token$"
    page_param = "page"
    first_page = "1"
    storm_paths = (["queueing", "packaging", "shipping"], ["queueing"], ["canceled"])
    initial = "waiting_payment"
    confirmed = "queueing"
    cheap = "canceled"

    def __init__(self):
        self.emulator = tk.TikiEmulator(
            client_id="fault-tiki-client",
            client_secret="fault_tiki_secret",
            seller_id="3300",
        )
        self.catalogue = tk.generate_catalogue(10, seed=14)
        for product in self.catalogue:
            product["original_sku"] = "F" + product["original_sku"]
        self.emulator.add_catalogue(self.catalogue)
        self.skus = [p["original_sku"] for p in self.catalogue]
        self.app_key = self.emulator.client_id
        self.app_secret = self.emulator.client_secret

    @property
    def api_url(self):
        return self.emulator.base_url

    def is_refresh(self, entry):
        # the same endpoint also grants the app's own token (client credentials)
        return super().is_refresh(entry) and b"grant_type=refresh_token" in entry.body

    def after_connect(self, admin):
        """The shop's event queue is created and subscribed by its first pull."""
        pull(admin)
        wait_idle(admin)
        (row,) = admin(
            "entro.marketplace.shop",
            "read",
            [self.shop_id],
            ["tiki_queue_code", "tiki_subscribed"],
        )
        assert row["tiki_queue_code"] and row["tiki_subscribed"], row

    def add_orders(self, n, seed, status):
        orders = tk.generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            seller_id=self.emulator.seller_id,
            statuses=status if isinstance(status, list) else [status],
            first_code=830000000 + seed * 1000,
            **_window(),
        )
        self.emulator.add_orders(orders)
        return [o["code"] for o in orders]

    def advance(self, order_id, status):
        return [self.emulator.set_status(order_id, status)]

    def message(self, order_id):
        """An ORDER_STATUS_UPDATED event, queued at once."""
        with self.emulator.store.lock:
            order = self.emulator.store["orders"][order_id]
        return self.emulator.emit(order["_seller_id"], "ORDER_STATUS_UPDATED", order)

    def deliver(self, server, admin, messages, duplicate=1, shuffle=False, seed=None):
        """Every queued event ``duplicate`` times, out of order, then the
        scheduled pull (which drains the queue, a batch per job)."""
        queued = self.emulator.redeliver(duplicate, shuffle, seed)
        # (with events of earlier pulls whose batch was not acknowledged: they
        # come again after the visibility timeout, by design)
        for message in messages:
            assert queued.count(message["id"]) == max(1, duplicate)
        pull(admin)

    def expected_state(self, status):
        return {
            "queueing": "to_ship",
            "packaging": "to_ship",
            "shipping": "shipped",
            "canceled": "cancelled",
        }[status]


SIDES = {side.name: side for side in (ShopeeSide, LazadaSide, TikTokSide, TikiSide)}


def _prefixed_shopee(catalogue, prefix="F"):
    """SKUs of their own, so that they never match another test's products."""
    for item in catalogue:
        item["item_sku"] = prefix + item["item_sku"]
        for model in item["models"]:
            model["model_sku"] = prefix + model["model_sku"]
    return catalogue


def _window():
    """New orders: created and updated in the last minutes (after the cursor of
    the previous sync, less its overlap)."""
    now = datetime.now(timezone.utc)
    return {"start": now - timedelta(minutes=4), "span": timedelta(minutes=3)}


# ------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def admin(odoo_server):
    rpc = odoo_server.login("admin", "admin")
    rpc(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        odoo_server.url,
    )
    functions = rpc(
        "queue.job.function",
        "search_read",
        [("method", "in", list(JOB_METHODS))],
        fields=["edit_retry_pattern"],
    )
    for function in functions:
        rpc(
            "queue.job.function",
            "write",
            [function["id"]],
            {"edit_retry_pattern": RETRY_PATTERN},
        )
    yield rpc
    for function in functions:
        rpc(
            "queue.job.function",
            "write",
            [function["id"]],
            {"edit_retry_pattern": function["edit_retry_pattern"]},
        )


@pytest.fixture(scope="module", params=list(SIDES))
def side(request, odoo_server, admin):
    """One platform: its emulator, and a shop connected to it the seller's way."""
    side = SIDES[request.param]()
    with side.emulator:
        side.shop_id = connect_shop(odoo_server, admin, side)
        side.after_connect(admin)
        yield side
        # its emulator stops: no scheduled sync may call it any more
        wait_idle(admin)
        admin("entro.marketplace.shop", "action_disconnect", [side.shop_id])


def connect_shop(server, admin, side):
    admin(
        "product.product",
        "create",
        [
            {"name": f"Fault {sku}", "default_code": sku, "is_storable": True}
            for sku in side.skus
        ],
    )
    vnd = admin(
        "res.currency",
        "search",
        [("name", "=", "VND"), ("active", "in", [True, False])],
    )
    admin("res.currency", "write", vnd, {"active": True})
    pricelist = admin(
        "product.pricelist",
        "create",
        {"name": f"Fault suite {side.name}", "currency_id": vnd[0]},
    )
    shop = admin(
        "entro.marketplace.shop",
        "create",
        {
            "name": f"Fault suite {side.name}",
            "platform": side.name,
            "country_code": "vn",
            "app_key": side.app_key,
            "app_secret": side.app_secret,
            "api_base_url": side.api_url,
            "pricelist_id": pricelist,
            "rate_limit_per_s": 0,
            **side.shop_values(),
        },
    )
    browser = browser_login(server, "admin", "admin")
    action = admin("entro.marketplace.shop", "action_authorize", [shop])
    consent = requests.get(action["url"], allow_redirects=False, timeout=30)
    assert consent.status_code == 302, consent.text[:300]
    back = browser.get(consent.headers["Location"], allow_redirects=False, timeout=30)
    assert back.status_code in (302, 303), back.text[:300]
    (row,) = admin("entro.marketplace.shop", "read", [shop], ["state"])
    assert row["state"] == "connected"
    return shop


# -------------------------------------------------------------------- helpers


def wait_idle(admin, timeout=180):
    """Until the runner has nothing pending, enqueued or started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        busy = admin(
            "queue.job",
            "search_count",
            [("state", "in", ("pending", "enqueued", "started"))],
        )
        if not busy:
            return
        time.sleep(0.3)
    jobs = admin(
        "queue.job",
        "search_read",
        [("state", "in", ("pending", "enqueued", "started"))],
        fields=["name", "state", "eta", "retry", "exc_info"],
    )
    raise AssertionError(f"jobs still busy after {timeout} s: {jobs}")


def assert_no_failed_job(admin):
    failed = admin(
        "queue.job",
        "search_read",
        [("state", "=", "failed")],
        fields=["name", "exc_info"],
    )
    assert failed == []


def bindings(admin, side, order_ids):
    return admin(
        "entro.marketplace.order",
        "search_read",
        [("shop_id", "=", side.shop_id), ("external_id", "in", order_ids)],
        fields=["external_id", "status", "state", "sync_state", "sale_order_id"],
    )


def sale_orders_by_ref(admin, order_ids):
    """{platform order id: [sale order states]} over every sale order."""
    rows = admin(
        "sale.order",
        "search_read",
        [("client_order_ref", "in", order_ids)],
        fields=["client_order_ref", "state"],
    )
    found = {}
    for row in rows:
        found.setdefault(row["client_order_ref"], []).append(row["state"])
    return found


def assert_each_imported_once(admin, side, order_ids, confirmed=True):
    rows = bindings(admin, side, order_ids)
    assert sorted(r["external_id"] for r in rows) == sorted(order_ids)
    assert {r["sync_state"] for r in rows} == {"ok"}
    sales = sale_orders_by_ref(admin, order_ids)
    if confirmed:
        assert {ref: states for ref, states in sales.items()} == {
            ref: ["sale"] for ref in order_ids
        }
    else:
        assert all(len(states) == 1 for states in sales.values())
    return rows


def request_key(entry):
    """What identifies a request across its retries (not its signature or time)."""
    volatile = {"timestamp", "sign", "access_token"}
    query = {k: v for k, v in entry.query.items() if k not in volatile}
    return entry.method, entry.path, repr(sorted(query.items())), entry.body


def sync(admin, side):
    assert admin("entro.marketplace.shop", "action_sync_orders", [side.shop_id])


def cron_id(admin, name):
    (row,) = admin(
        "ir.model.data",
        "search_read",
        [("module", "=", "entro_marketplace"), ("name", "=", name)],
        fields=["res_id"],
    )
    return row["res_id"]


def pull(admin):
    """What the scheduler does for Tiki: a pull job per shop."""
    cron = cron_id(admin, "ir_cron_tiki_pull_events")
    assert admin("ir.cron", "method_direct_trigger", [cron])


# ------------------------------------------------------------------ scenarios


def test_webhook_storm_during_the_cron_import(odoo_server, admin, side):
    """Every push three times, out of order, while the scheduled import runs."""
    order_ids = side.add_orders(18, seed=101, status=side.initial)
    messages, final = [], {}
    for index, order_id in enumerate(order_ids):
        for status in side.storm_paths[index % len(side.storm_paths)]:
            messages.extend(side.advance(order_id, status))
            final[order_id] = status
    cron = cron_id(admin, "ir_cron_sync_orders")
    ran = []
    other = odoo_server.login("admin", "admin")
    cron_run = threading.Thread(
        target=lambda: ran.append(other("ir.cron", "method_direct_trigger", [cron]))
    )
    cron_run.start()
    side.deliver(odoo_server, admin, messages, duplicate=3, shuffle=True, seed=7)
    cron_run.join()
    assert ran == [True]
    wait_idle(admin)
    # the next scheduled import finds nothing new to do twice
    sync(admin, side)
    wait_idle(admin)

    rows = bindings(admin, side, order_ids)
    assert sorted(r["external_id"] for r in rows) == sorted(order_ids)
    sales = sale_orders_by_ref(admin, order_ids)
    for row in rows:
        expected = side.expected_state(final[row["external_id"]])
        assert (row["external_id"], row["state"], row["sync_state"]) == (
            row["external_id"],
            expected,
            "ok",
        )
        states = sales.get(row["external_id"], [])
        if expected == "cancelled":
            # never confirmed: no sale order, or a cancelled quotation
            assert states in ([], ["cancel"]), (row, states)
        else:
            assert states == ["sale"], (row, states)
    # each distinct push stored once, however many times it came
    events = admin(
        "entro.marketplace.event",
        "search_count",
        [("shop_id", "=", side.shop_id), ("order_external_id", "in", order_ids)],
    )
    assert events == len(messages)
    assert_no_failed_job(admin)


def test_worker_killed_in_the_middle_of_an_import(odoo_server, admin, side):
    order_ids = side.add_orders(70, seed=102, status=side.confirmed)
    sync(admin, side)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = admin(
            "queue.job",
            "search_read",
            [("state", "=", "started"), ("method_name", "=", "_job_import_orders")],
            fields=["uuid"],
        )
        if started:
            break
        time.sleep(0.05)
    assert started, "no import job started"
    odoo_server.kill()
    odoo_server.start()
    # queue_job's runner finds the job dead (started, unlocked) and runs it again
    wait_idle(admin)
    (killed,) = admin(
        "queue.job",
        "search_read",
        [("uuid", "=", started[0]["uuid"])],
        fields=["state", "retry"],
    )
    assert killed["state"] == "done"
    assert killed["retry"] >= 1
    assert_each_imported_once(admin, side, order_ids)
    # the cursor moved past these orders and nothing was skipped: a new sync
    # imports none of them again
    sync(admin, side)
    wait_idle(admin)
    assert_each_imported_once(admin, side, order_ids)
    assert_no_failed_job(admin)


def test_flaky_platform_5xx_429_and_timeouts(odoo_server, admin, side):
    """10 % 5xx, 5 % 429 with Retry-After and timeouts: every order arrives."""
    order_ids = side.add_orders(20, seed=103, status=side.confirmed)
    faults = side.emulator.faults
    side.emulator.journal.clear()
    # the first order read: a Retry-After longer than a worker may wait inline
    # (10 s), so the job itself is postponed by that much
    faults.add("http_429", count=1, retry_after=11, **side.detail_fault())
    # more failures in a row than one call's attempts: a job retry
    faults.add("http_5xx", count=5, after=2, **side.detail_fault())
    faults.add("timeout", count=1, after=6, delay=1, **side.detail_fault())
    faults.add("http_5xx", probability=0.10, seed=1)
    faults.add("http_429", probability=0.05, seed=2, retry_after=1)
    faults.add("timeout", probability=0.02, seed=3, delay=1)
    try:
        sync(admin, side)
        # and each order pushed once: one import job (and its calls) per order
        pushes = [side.message(order_id) for order_id in order_ids]
        side.deliver(odoo_server, admin, pushes)
        wait_idle(admin, timeout=240)
    finally:
        faults.clear()

    assert_each_imported_once(admin, side, order_ids)
    assert_no_failed_job(admin)
    entries = side.emulator.journal.entries()
    statuses = [e.status for e in entries]
    assert statuses.count(500) >= 5
    assert any(e.fault == "timeout" for e in entries)
    retried = admin(
        "queue.job",
        "search_count",
        [("method_name", "=", "_job_import_orders"), ("retry", ">", 0)],
    )
    assert retried >= 1
    # each retry of a rate-limited call waited at least what Retry-After said
    first_read = next(e for e in entries if side.is_detail(e))
    assert first_read.status == 429
    for index, entry in enumerate(entries):
        if entry.status != 429:
            continue
        again = next(
            (e for e in entries[index + 1 :] if request_key(e) == request_key(entry)),
            None,
        )
        assert again is not None, entry.path
        wait = 11 if entry is first_read else 1
        assert again.at - entry.at >= wait - 0.05, (entry.path, again.at - entry.at)


def test_token_expires_in_the_middle_of_a_paged_read(odoo_server, admin, side):
    """One refresh, and the page that failed is read again: none is lost."""
    n = 230
    statuses = [side.cheap] * 9 + [side.confirmed]
    order_ids = side.add_orders(n, seed=104, status=statuses)
    side.emulator.journal.clear()
    side.emulator.faults.add("token_expired", after=1, **side.list_fault())
    sync(admin, side)
    wait_idle(admin)

    entries = side.emulator.journal.entries()
    refreshes = [i for i, e in enumerate(entries) if side.is_refresh(e)]
    assert len(refreshes) == 1
    rows = assert_each_imported_once(admin, side, order_ids, confirmed=False)
    assert len(rows) == n
    refresh = refreshes[0]
    pages = [
        (i, e.query.get(side.page_param, [side.first_page])[0])
        for i, e in enumerate(entries)
        if side.is_list(e)
    ]
    before = [page for i, page in pages if i < refresh]
    after = [page for i, page in pages if i > refresh]
    # the failed page was not the first one, and it is the next one read
    assert len(before) == 2
    assert after[0] == before[-1]
    assert len({page for _i, page in pages}) >= math.ceil(n / 100)
    assert_no_failed_job(admin)
