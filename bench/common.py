"""What the benchmarks share: the Odoo registry, shops on emulators, a real server.

Every benchmark runs in the database bench/run.sh prepared (ENTRO_BENCH_DB, named
after the checkout), against emulators on ephemeral loopback ports, and writes its
figures with the machine's load average to bench/results/<name>.json.
"""

import json
import os
import platform
import subprocess
import sys
import time
import xmlrpc.client
from datetime import datetime, timedelta, timezone
from pathlib import Path

import odoo
from odoo import api
from odoo.modules.registry import Registry

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent


def setup_odoo(db):
    odoo.tools.config.parse_config(["-c", os.environ["ODOO_RC"], "-d", db])
    return Registry(db)


def environment(cr):
    return api.Environment(cr, odoo.SUPERUSER_ID, {})


def vnd_pricelist(env):
    vnd = env.ref("base.VND")
    vnd.active = True
    pricelist = env["product.pricelist"].search([("name", "=", "Bench VND")], limit=1)
    return pricelist or env["product.pricelist"].create(
        {"name": "Bench VND", "currency_id": vnd.id}
    )


def create_shop(env, platform_, emulator, **values):
    """A connected shop of ``platform_`` on ``emulator``, tokens granted directly."""
    from odoo.addons.entro_marketplace.platforms.records import TokenSet

    from bench.platforms import PLATFORMS

    base = PLATFORMS[platform_].shop_values(emulator)
    warehouse = env["stock.warehouse"].search(
        [("company_id", "=", env.company.id)], limit=1
    )
    shop = env["entro.marketplace.shop"].create(
        {
            "name": f"Bench {platform_}",
            "platform": platform_,
            "pricelist_id": vnd_pricelist(env).id,
            "warehouse_id": warehouse.id,
            "rate_limit_per_s": 0,
            "state": "connected",
            **base,
            **values,
        }
    )
    tokens = emulator.issue_tokens()
    shop._write_tokens(
        TokenSet(
            tokens["access_token"],
            tokens["refresh_token"],
            datetime.now(timezone.utc) + timedelta(hours=4),
        )
    )
    env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1")
    return shop


def loadavg():
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return None


def machine():
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "date_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
        "loadavg_at_end": loadavg(),
    }


def write_result(name, result):
    result = dict(result, machine=machine())
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / f"{name}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


def percentile(values, q):
    """The q-th percentile (0-100) of ``values``, nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


class Server:
    """A real odoo-bin on the bench database, with its own queue_job runner."""

    def __init__(
        self, db, channels="root:1", workers=0, logname="bench-server", args=()
    ):
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logfile = Path(os.environ["ENTRO_STATE"]) / "log" / f"{logname}.log"
        cmd = [
            sys.executable,
            str(Path(os.environ["ODOO_TREE"]) / "odoo-bin"),
            "-c",
            os.environ["ODOO_RC"],
            "-d",
            db,
            f"--db-filter=^{db}$",
            "--http-interface=127.0.0.1",
            f"--http-port={self.port}",
            f"--gevent-port={free_port()}",
            f"--logfile={self.logfile}",
            "--max-cron-threads=0",
            "--log-level=warn",
        ]
        if workers:
            # prefork: the runner is a server-wide module, jobs run in the workers.
            # A job is one HTTP request to a worker: the time limits are raised as
            # queue_job recommends (listing a window of 50,000 orders takes minutes).
            cmd += [
                f"--workers={workers}",
                "--load=base,web,queue_job",
                "--limit-time-cpu=1800",
                "--limit-time-real=3600",
            ]
        cmd += list(args)
        env = dict(os.environ, ODOO_QUEUE_JOB_CHANNELS=channels)
        self.process = subprocess.Popen(cmd, env=env)  # our own command line
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
        for _ in range(240):
            if self.process.poll() is not None:
                raise RuntimeError(f"odoo-bin exited; see {self.logfile}")
            try:
                common.version()
                break
            except OSError:
                time.sleep(0.5)
        self.uid = common.authenticate(db, "admin", "admin", {})
        self._models = xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/object", allow_none=True
        )

    def rpc(self, model, method, *args, **kw):
        return self._models.execute_kw(
            self.db, self.uid, "admin", model, method, list(args), kw
        )

    def pids(self):
        """The server's process and its workers."""
        import psutil

        root = psutil.Process(self.process.pid)
        return [root] + root.children(recursive=True)

    def wait_idle(self, timeout=3600, step=0.5):
        """Wait until no job is pending, enqueued or started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.rpc(
                "queue.job",
                "search_count",
                [("state", "in", ("pending", "enqueued", "started"))],
            ):
                return True
            time.sleep(step)
        return False

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def products(env, skus):
    """Storable products for these SKUs (the ones not there yet)."""
    existing = set(
        env["product.product"]
        .search([("default_code", "in", skus)])
        .mapped("default_code")
    )
    env["product.product"].create(
        [
            {"name": s, "default_code": s, "is_storable": True}
            for s in skus
            if s not in existing
        ]
    )


def shopee_products(env, catalogue):
    from bench.platforms import PLATFORMS

    products(env, PLATFORMS["shopee"].skus(catalogue))


def add_shopee_orders(emulator, catalogue, n, seed, chunk=5000):
    """N ready-to-ship orders of the last three days, generated in chunks."""
    from tests.emulators.shopee import generate_orders

    now = datetime.now(timezone.utc)
    done = 0
    while done < n:
        size = min(chunk, n - done)
        emulator.add_orders(
            generate_orders(
                size,
                seed=seed + done,
                catalogue=catalogue,
                shop_id=emulator.shop_id,
                statuses=["READY_TO_SHIP"],
                start=now - timedelta(days=3),
                span=timedelta(days=3) - timedelta(minutes=5),
            )
        )
        done += size


def run_import(server, shop_id, n, sample=None, timeout=4 * 3600, step=0.5, last=0):
    """Sync the shop through the server's runner until n orders are imported.

    ``sample`` is called about every ``step`` seconds with the count imported so
    far. Each poll is two XML-RPC calls the server answers beside the jobs (in the
    threaded server, in the same Python process): a throughput measurement polls
    less often (``step`` 2), at the cost of up to that much at the end, unless
    ``last`` is given: once no more than that many orders are left (the last
    import job's), every 0.1 s.
    Returns (seconds, imported, failed jobs).
    """
    started = time.perf_counter()
    server.rpc("entro.marketplace.shop", "action_sync_orders", [shop_id])
    done = 0
    while time.perf_counter() - started < timeout:
        done = server.rpc(
            "entro.marketplace.order",
            "search_count",
            [("shop_id", "=", shop_id), ("sale_order_id", "!=", False)],
        )
        if sample:
            sample(done)
        if done >= n and not server.rpc(
            "queue.job",
            "search_count",
            [("state", "in", ("pending", "enqueued", "started"))],
        ):
            break
        time.sleep(0.1 if last and n - done <= last else step)
    elapsed = time.perf_counter() - started
    failed = server.rpc("queue.job", "search_count", [("state", "=", "failed")])
    return elapsed, done, failed
