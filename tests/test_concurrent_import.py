"""Import under the shipped defaults: two jobs per platform channel, two workers.

A new seller's first sync, as the product ships: a prefork server with
``--workers=2`` whose queue_job runner runs two jobs of each platform at a time
(the channels of setup/bootstrap.sh's odoo.conf), the shop's default rate limit
and stock push delay, products in stock, and a few hundred orders sharing a
dozen products and some buyers. The import jobs run side by side with each
other and with the stock pushes their reservations schedule.

Each import job must run exactly once: no deadlock, no serialization failure,
no job postponed and run again.
"""

import re
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

import odoo.sql_db

from tests.conftest import PREFORK_WORKERS
from tests.emulators import lazada as lz
from tests.emulators import shopee as sp
from tests.test_fault_suite import (
    LazadaSide,
    ShopeeSide,
    _window,
    assert_each_imported_once,
    assert_no_failed_job,
    connect_shop,
    request_key,
    wait_idle,
)

WORKERS = PREFORK_WORKERS
ORDERS = 300
#: orders 0..BUYERS-1 have their own buyer; later ones are repeat customers
BUYERS = 60
STOCK = 50  # units of each product, as the sandbox counts them

CONFLICTS = re.compile(r"deadlock detected|could not serialize access")


class _EmulatorOrders:
    """The orders the emulator holds, as they are now."""

    def orders(self):
        with self.emulator.store.lock:
            return list(self.emulator.store["orders"].values())


class ConcurrentShopee(_EmulatorOrders, ShopeeSide):
    def __init__(self, shop_id=700500, prefix="KS"):
        super().__init__(shop_id=shop_id, prefix=prefix)

    def generate(self, n, seed):
        orders = sp.generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            shop_id=self.emulator.shop_id,
            statuses=[self.confirmed],
            **_window(),
        )
        for index, order in enumerate(orders[BUYERS:], BUYERS):
            first = orders[index % BUYERS]
            for key in ("buyer_user_id", "buyer_username", "recipient_address"):
                order[key] = (
                    dict(first[key]) if isinstance(first[key], dict) else (first[key])
                )
        self.emulator.add_orders(orders)
        return [o["order_sn"] for o in orders]

    @staticmethod
    def buyer_data(order):
        address = order["recipient_address"]
        return [address["name"], address["phone"]]


class ConcurrentLazada(_EmulatorOrders, LazadaSide):
    def __init__(self):
        # (LazadaSide's catalogue and seller are the fault suite's: own ones here)
        self.emulator = lz.LazadaEmulator(
            app_key="654500", app_secret="conc_app_secret", sellers={"vn": "200500"}
        )
        self.catalogue = lz.generate_catalogue(6, 2, seed=32)
        for product in self.catalogue:
            for sku in product["skus"]:
                sku["SellerSku"] = "KL" + sku["SellerSku"]
        self.emulator.add_catalogue(self.catalogue)
        self.skus = [s["SellerSku"] for p in self.catalogue for s in p["skus"]]
        self.app_key = self.emulator.app_key
        self.app_secret = self.emulator.app_secret

    def generate(self, n, seed):
        orders = lz.generate_orders(
            n,
            seed=seed,
            catalogue=self.catalogue,
            seller_id=self.emulator.seller_id,
            statuses=[[self.confirmed] * units for units in (1, 2, 3)],
            **_window(),
        )
        for index, order in enumerate(orders[BUYERS:], BUYERS):
            first = orders[index % BUYERS]
            order["customer_first_name"] = first["customer_first_name"]
            order["address_shipping"] = dict(first["address_shipping"])
            for item in order["_items"]:
                item["buyer_id"] = first["_items"][0]["buyer_id"]
        self.emulator.add_orders(orders)
        return [str(o["order_id"]) for o in orders]

    @staticmethod
    def buyer_data(order):
        address = order["address_shipping"]
        return [order["customer_first_name"], address["phone"]]


SIDES = {"shopee": ConcurrentShopee, "lazada": ConcurrentLazada}


def put_in_stock(admin, skus, quantity):
    """Count ``quantity`` of each product in the main warehouse, as a seller does."""
    products = admin("product.product", "search", [("default_code", "in", skus)])
    warehouse = admin("stock.warehouse", "search", [], limit=1)
    (row,) = admin("stock.warehouse", "read", warehouse, ["lot_stock_id"])
    quants = [
        admin(
            "stock.quant",
            "create",
            {
                "product_id": product,
                "location_id": row["lot_stock_id"][0],
                "inventory_quantity": quantity,
            },
        )
        for product in products
    ]
    # action_apply_inventory answers None, which XML-RPC cannot carry
    action = admin(
        "ir.actions.server",
        "create",
        {
            "name": "Test: apply the counted stock",
            "model_id": admin("ir.model", "search", [("model", "=", "stock.quant")])[0],
            "state": "code",
            "code": "records.action_apply_inventory()",
        },
    )
    admin(
        "ir.actions.server",
        "run",
        [action],
        context={"active_model": "stock.quant", "active_ids": quants},
    )
    admin("ir.actions.server", "unlink", [action])
    return warehouse[0]


def leaked(values, log):
    """The values found in the log, as text or as the escapes of a bytes repr."""
    return sorted(
        value for value in values if value in log or str(value.encode())[2:-1] in log
    )


def log_since(server, offset):
    with Path(server.logfile).open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace")


@pytest.mark.parametrize("platform", list(SIDES))
def test_first_sync_two_jobs_at_a_time_each_job_runs_once(prefork, platform):
    admin = prefork.login("admin", "admin")
    admin(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        prefork.url,
    )
    side = SIDES[platform]()
    with side.emulator:
        side.shop_id = connect_shop(prefork, admin, side)
        warehouse = put_in_stock(admin, side.skus, STOCK)
        # the shipped defaults (connect_shop turns the rate limit off)
        defaults = admin(
            "entro.marketplace.shop",
            "default_get",
            ["rate_limit_per_s", "push_delay", "sync_stock"],
        )
        admin(
            "entro.marketplace.shop",
            "write",
            [side.shop_id],
            dict(defaults, warehouse_id=warehouse),
        )
        assert admin("entro.marketplace.shop", "action_import_listings", [side.shop_id])
        wait_idle(admin)
        assert admin(
            "entro.marketplace.listing",
            "search_count",
            [("shop_id", "=", side.shop_id), ("match_state", "=", "matched")],
        ) == len(side.skus)
        order_ids = side.generate(ORDERS, seed=106)
        side.emulator.journal.clear()
        offset = Path(prefork.logfile).stat().st_size
        started = time.monotonic()
        assert admin("entro.marketplace.shop", "action_sync_orders", [side.shop_id])
        wait_idle(admin, timeout=400)
        elapsed = time.monotonic() - started
        log = log_since(prefork, offset)
        jobs = admin(
            "queue.job",
            "search_read",
            [
                ("method_name", "=", "_job_import_orders"),
                ("model_name", "=", "entro.marketplace.shop"),
                ("func_string", "ilike", f"({side.shop_id},)"),
            ],
            fields=["state", "retry", "worker_pid", "date_started", "date_done"],
        )
        assert_each_imported_once(admin, side, order_ids)
        assert_no_failed_job(admin)
        entries = side.emulator.journal.entries()
        buyers = {value for order in side.orders() for value in side.buyer_data(order)}
        admin("entro.marketplace.shop", "action_disconnect", [side.shop_id])

    conflicts = CONFLICTS.findall(log)
    print(
        f"\n{platform}: {ORDERS} orders in {elapsed:.1f} s, "
        f"{len(jobs)} import jobs, retries {sorted(j['retry'] for j in jobs)}, "
        f"deadlocks {conflicts.count('deadlock detected')}, serialization "
        f"failures {conflicts.count('could not serialize access')}"
    )
    assert conflicts == [], [
        line for line in log.splitlines() if CONFLICTS.search(line)
    ][:5]
    assert len(jobs) == ORDERS // 50
    # (queue_job counts the first run as a try: 1 is a job that ran once)
    assert {(j["state"], j["retry"]) for j in jobs} == {("done", 1)}
    # two at a time, in both worker processes
    assert len({j["worker_pid"] for j in jobs}) == WORKERS
    # no job ran again: each order read was asked for once
    reads = [request_key(e) for e in entries if side.is_detail(e)]
    assert reads and len(reads) == len(set(reads))
    # and nothing of the buyers reached the server log
    assert leaked(buyers, log) == []


@contextmanager
def injected_failures(db, count):
    """The first ``count`` statements that write a buyer (a new customer, an
    order's payload) fail as a serialization failure does (queue_job then runs the
    job again): Odoo logs each failed statement."""
    triggers = [
        ("res_partner", "INSERT", "NEW.entro_buyer_key IS NOT NULL"),
        ("entro_marketplace_order", "UPDATE OF payload", "NEW.payload IS NOT NULL"),
    ]
    with odoo.sql_db.db_connect(db).cursor() as cr:
        cr.execute(
            f"""
            CREATE SEQUENCE entro_test_fault_seq;
            CREATE FUNCTION entro_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF nextval('entro_test_fault_seq') <= {int(count)} THEN
                    RAISE EXCEPTION 'injected fault'
                        USING ERRCODE = 'serialization_failure';
                END IF;
                RETURN NEW;
            END $$;
            """
        )
        for table, event, condition in triggers:
            cr.execute(
                f"CREATE TRIGGER entro_test_fault BEFORE {event} ON {table} "
                f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION entro_test_fault()"
            )
        cr.commit()
    try:
        yield
    finally:
        with odoo.sql_db.db_connect(db).cursor() as cr:
            for table, _event, _condition in triggers:
                cr.execute(f"DROP TRIGGER entro_test_fault ON {table}")
            cr.execute(
                "DROP FUNCTION entro_test_fault(); DROP SEQUENCE entro_test_fault_seq"
            )
            cr.commit()


def test_failed_statements_leave_no_buyer_data_in_the_log(prefork):
    """Statements that write a buyer fail (injected): Odoo logs them, queue_job
    runs the jobs again, and the log holds no name, phone or address."""
    admin = prefork.login("admin", "admin")
    admin(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        prefork.url,
    )
    side = ConcurrentShopee(shop_id=700510, prefix="KP")
    with side.emulator:
        side.shop_id = connect_shop(prefork, admin, side)
        order_ids = side.generate(100, seed=107)
        offset = Path(prefork.logfile).stat().st_size
        with injected_failures(prefork.db, 3):
            assert admin("entro.marketplace.shop", "action_sync_orders", [side.shop_id])
            wait_idle(admin, timeout=300)
        log = log_since(prefork, offset)
        assert_each_imported_once(admin, side, order_ids)
        assert_no_failed_job(admin)
        buyers = {value for order in side.orders() for value in side.buyer_data(order)}
        streets = {o["recipient_address"]["full_address"] for o in side.orders()}
        admin("entro.marketplace.shop", "action_disconnect", [side.shop_id])
    # the failures happened, and Odoo logged the statements
    assert log.count("injected fault") >= 3
    assert "bad query" in log
    assert leaked(buyers | streets, log) == []


#: a call that had passed its check when another process was told to wait is
#: already on its way: the hold binds the calls that leave after it is known
IN_FLIGHT = 0.2


def test_a_retry_after_holds_the_calls_of_the_other_worker_process(prefork):
    """Orders pushed one by one: single-order imports, two at a time in the two
    worker processes. When the platform tells one call to wait, no call of the
    shop, from either process, leaves before the time is up."""
    admin = prefork.login("admin", "admin")
    admin(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        prefork.url,
    )
    side = ConcurrentShopee(shop_id=700520, prefix="KR")
    wait = 2
    with side.emulator:
        side.shop_id = connect_shop(prefork, admin, side)
        order_ids = side.generate(40, seed=108)
        side.emulator.journal.clear()
        side.emulator.faults.add(
            "http_429",
            probability=0.3,
            count=6,
            seed=5,
            retry_after=wait,
            **side.detail_fault(),
        )
        try:
            side.deliver(prefork, admin, [side.message(o) for o in order_ids])
            wait_idle(admin, timeout=300)
        finally:
            side.emulator.faults.clear()
        assert_each_imported_once(admin, side, order_ids)
        assert_no_failed_job(admin)
        pids = {
            job["worker_pid"]
            for job in admin(
                "queue.job",
                "search_read",
                [
                    ("method_name", "=", "_job_import_orders"),
                    ("func_string", "ilike", f"({side.shop_id},)"),
                ],
                fields=["worker_pid"],
            )
        }
        entries = side.emulator.journal.entries()
        admin("entro.marketplace.shop", "action_disconnect", [side.shop_id])
    assert len(pids) == WORKERS
    throttled = [e for e in entries if e.status == 429]
    assert len(throttled) == 6
    early = [
        (later.path, round(later.at - told.at, 2))
        for told in throttled
        for later in entries
        if told.at + IN_FLIGHT < later.at < told.at + wait
    ]
    assert early == []
