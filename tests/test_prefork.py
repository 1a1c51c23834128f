"""Scale-out: a prefork server, two worker processes, runs the import jobs.

A busy seller adds Odoo workers (``--workers``): queue_job's runner then hands
the jobs to the worker processes over HTTP. The server of the XML-RPC tests is
restarted here in that mode for one Shopee import, then back as it was.
"""

import time

import psutil
import requests

from tests.conftest import PREFORK_WORKERS
from tests.test_fault_suite import (
    ShopeeSide,
    assert_each_imported_once,
    assert_no_failed_job,
    connect_shop,
    wait_idle,
)

WORKERS = PREFORK_WORKERS


def _gevent_children(server):
    """The running gevent worker (websockets) of a prefork server, by PID."""
    found = set()
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE and "gevent" in child.cmdline():
                found.add(child.pid)
        except psutil.NoSuchProcess:
            continue
    return found


def test_two_worker_processes_share_an_import(prefork):
    admin = prefork.login("admin", "admin")
    admin(
        "ir.config_parameter",
        "set_param",
        "entro_marketplace.public_base_url",
        prefork.url,
    )
    time.sleep(2)  # a gevent worker that cannot start dies within a second
    gevent = _gevent_children(prefork)
    assert len(gevent) == 1, "the prefork server has no running gevent worker"
    side = ShopeeSide(shop_id=700400, prefix="P")
    with side.emulator:
        side.shop_id = connect_shop(prefork, admin, side)
        order_ids = side.add_orders(200, seed=105, status=side.confirmed)
        assert admin("entro.marketplace.shop", "action_sync_orders", [side.shop_id])
        wait_idle(admin, timeout=300)
        assert_each_imported_once(admin, side, order_ids)
        assert_no_failed_job(admin)
        jobs = admin(
            "queue.job",
            "search_read",
            [
                ("method_name", "=", "_job_import_orders"),
                ("model_name", "=", "entro.marketplace.shop"),
                ("state", "=", "done"),
                ("func_string", "ilike", f"({side.shop_id},)"),
            ],
            fields=["worker_pid"],
        )
        admin("entro.marketplace.shop", "action_disconnect", [side.shop_id])
    assert len(jobs) == 4  # 200 orders, 50 a job
    pids = {job["worker_pid"] for job in jobs}
    # jobs ran in the worker processes, not in the main one, and in both of them
    assert prefork.process.pid not in pids
    assert len(pids) == WORKERS, pids
    # the gevent worker stayed up, and serves
    assert _gevent_children(prefork) == gevent
    port = next(a.split("=")[1] for a in prefork.cmd if a.startswith("--gevent-port="))
    assert (
        requests.get(f"http://127.0.0.1:{port}/web/login", timeout=30).status_code
        == 200
    )
