"""Import throughput, "defaults" configuration: the import as the product ships.

The same import as the one-job configuration (bench/import_throughput.py), through
a real odoo-bin started with the channel capacities setup/bootstrap.sh writes to
odoo.conf (``[queue_job] channels``: two jobs at once on each platform's channel)
and ``--workers=2`` (prefork). Two jobs at once is what shows the concurrency
problems one job at a time cannot have, so besides orders/s and the API calls
against the design minimum this counts, for the run:

- deadlocks ("deadlock detected") and serialisation failures ("could not serialize
  access"): the records of the server's log of that run that mention them (Odoo
  logs each failed query, once), and the deadlocks PostgreSQL counted in the bench
  database (``pg_stat_database.deadlocks``, which also sees those a savepoint
  caught without logging);
- job retries: the sum of ``queue_job.retry`` over the run's jobs (queue_job
  counts each run in it, the first included, except a run that raised a
  RetryableJobError with ``ignore_retry``), the runs of a job after its first and
  the jobs that ran more than once (each run of a job is a "<Job uuid> started"
  record of queue_job's controller, logged at DEBUG for this server only; or a
  ``retry`` above 1), and the failed jobs;
- the API calls against the fewest the platform's batches allow.

The run uses a shop of its own (the emulator's second shop) and orders generated
with another seed than the one-job run's, so that its buyers are new to the
database too: a run after the one-job run does the same work, not less. Unlike the
one-job run, its products have stock on hand (--stock, 10,000 units of each SKU
by default), as a seller's have: confirming an order reserves it, and two jobs
reserving the same products is where they meet (stock_quant rows). With
--stock 0 it does the one-job run's work, and its orders/s are compared with it.
The figures go under the key "defaults" of the platform's results file, beside the
one-job figures.
"""

import configparser
import json
import os
import re
import time
from collections import Counter
from pathlib import Path

from bench.common import (
    ROOT,
    Server,
    create_shop,
    environment,
    loadavg,
    machine,
    products,
    run_import,
    write_result,
)

CONFIGS = ("one-job", "defaults", "both")
#: units of each SKU on hand in the defaults run: a seller's stock, which the
#: confirmed orders reserve (the one-job run's products have none)
STOCK = 10000
WORKERS = 2
#: this seed offset gives the defaults run other orders and buyers than the one-job run
SEED_OFFSET = 1000
#: queue_job's controller logs each run of a job, and each postponement, at DEBUG
JOB_LOG = "odoo.addons.queue_job.controllers.main:DEBUG"
RECORD = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ ([A-Z]+) ", re.MULTILINE)
STARTED = re.compile(r"<Job ([0-9a-f-]{36}), priority:-?\d+> started")
POSTPONED = re.compile(r"<Job [0-9a-f-]{36}, priority:-?\d+> postponed")
#: a deadlock or serialisation failure out of a job, which queue_job retries
CONCURRENCY = re.compile(r"<Job [0-9a-f-]{36}, priority:-?\d+> OperationalError")
DEADLOCK = "deadlock detected"
SERIALIZATION = "could not serialize access"


def add_arguments(parser):
    parser.add_argument(
        "--config",
        default="both",
        choices=CONFIGS,
        help="one-job: one job at a time in the threaded server (channels root:1); "
        "defaults: the shipped channel capacities (odoo.conf) and --workers=2; "
        "both (default): one after the other",
    )
    parser.add_argument(
        "--stock",
        type=int,
        default=STOCK,
        metavar="UNITS",
        help=f"defaults: units of each SKU on hand (default {STOCK:,}): two jobs "
        "reserving the same products is where they meet; 0: none, as in the "
        "one-job run, which has no stock on hand",
    )


def shipped_channels(rc=None):
    """The channels setup/bootstrap.sh wrote to odoo.conf: the shipped capacities,
    or ENTRO_QUEUE_CHANNELS where that is set."""
    config = configparser.RawConfigParser()
    config.read(rc or os.environ["ODOO_RC"])
    return config.get("queue_job", "channels")


def log_records(text):
    """(level, text) of each record of an Odoo log (a record's continuation lines,
    a query or a traceback, belong to it)."""
    matches = list(RECORD.finditer(text))
    ends = [m.start() for m in matches[1:]] + [len(text)]
    return [
        (m.group(1), text[m.start() : end])
        for m, end in zip(matches, ends, strict=True)
    ]


def log_counts(text):
    records = log_records(text)
    return {
        "deadlocks": sum(DEADLOCK in r for _level, r in records),
        "serialization_failures": sum(SERIALIZATION in r for _level, r in records),
        "errors": sum(level in ("ERROR", "CRITICAL") for level, _r in records),
        "warnings": sum(level == "WARNING" for level, _r in records),
        "postponed": sum(bool(POSTPONED.search(r)) for _level, r in records),
        "concurrency": sum(bool(CONCURRENCY.search(r)) for _level, r in records),
        "runs": Counter(m.group(1) for m in STARTED.finditer(text)),
    }


def on_hand(env, skus, warehouse, units):
    """``units`` of each SKU in the warehouse's stock (at least: added to any)."""
    Quant = env["stock.quant"]
    for product in env["product.product"].search([("default_code", "in", skus)]):
        Quant._update_available_quantity(product, warehouse.lot_stock_id, units)


def database_state(registry):
    """The last job's id and PostgreSQL's deadlock count of this database."""
    with registry.cursor() as cr:
        cr.execute("SELECT coalesce(max(id), 0) FROM queue_job")
        last_job = cr.fetchone()[0]
        cr.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        )
        return last_job, cr.fetchone()[0]


def run_jobs(registry, after):
    """uuid -> (state, retry) of the jobs created after the job id ``after``."""
    with registry.cursor() as cr:
        cr.execute("SELECT uuid, state, retry FROM queue_job WHERE id > %s", [after])
        return {uuid: (state, retry) for uuid, state, retry in cr.fetchall()}


def calls_by_endpoint(journal):
    calls = {}
    for entry in journal.entries():
        # one key per endpoint: Tiki and TikTok put order ids in the path
        path = re.sub(r"/\d{7,}", "/{id}", entry.path)
        calls[path] = calls.get(path, 0) + 1
    return calls


def measure(registry, db, platform, args, one_job=None):
    """The import of ``args.orders`` orders of ``platform`` with the shipped
    channels and two worker processes, and what concurrency cost it."""
    channels = shipped_channels()
    logname = f"bench-defaults-{platform.name}"
    logfile = Path(os.environ["ENTRO_STATE"]) / "log" / f"{logname}.log"
    seed = args.seed + SEED_OFFSET
    with platform.emulator(1) as emulator:
        catalogue = platform.catalogue(20, args.seed)
        emulator.add_catalogue(catalogue)
        emulator.add_orders(platform.generate(emulator, catalogue, args.orders, seed))
        with registry.cursor() as cr:
            env = environment(cr)
            products(env, platform.skus(catalogue))
            shop = create_shop(env, platform.name, emulator, name="Bench defaults")
            if args.stock:
                on_hand(env, platform.skus(catalogue), shop.warehouse_id, args.stock)
            shop_id = shop.id
        last_job, deadlocks_before = database_state(registry)
        logfile.unlink(missing_ok=True)  # this run's log only
        emulator.journal.clear()
        print(
            f"{platform.name}, defaults: channels {channels}, --workers={WORKERS}, "
            f"log {logfile}"
        )
        with Server(
            db,
            channels=channels,
            workers=WORKERS,
            logname=logname,
            args=[f"--log-handler={JOB_LOG}"],
        ) as server:
            elapsed, imported, _failed = run_import(
                server, shop_id, args.orders, timeout=3600, step=2, last=50
            )
        calls = calls_by_endpoint(emulator.journal)
    time.sleep(1)  # the server's backends have gone: their statistics are flushed
    _last, deadlocks_after = database_state(registry)
    jobs = run_jobs(registry, last_job)
    log = log_counts(logfile.read_text(errors="replace") if logfile.exists() else "")
    runs = log["runs"]
    n = args.orders
    minimum, how = platform.minimum_calls(n)
    made = sum(calls.values())
    result = {
        "configuration": "defaults",
        "platform": platform.name,
        "orders": n,
        "seed": seed,
        "channels": channels,
        "workers": WORKERS,
        "stock_on_hand_per_sku": args.stock,
        "imported": imported,
        "seconds": round(elapsed, 1),
        "orders_per_s": round(imported / elapsed, 2),
        "deadlocks_in_log": log["deadlocks"],
        "serialization_failures_in_log": log["serialization_failures"],
        "deadlocks_in_postgresql": deadlocks_after - deadlocks_before,
        "jobs": len(jobs),
        "job_runs": sum(runs[uuid] for uuid in jobs),
        # queue_job counts a job's runs in retry, the first included (not the
        # runs that raised a RetryableJobError with ignore_retry)
        "queue_job_retry_sum": sum(retry for _state, retry in jobs.values()),
        "job_retries": sum(
            max(runs[uuid], retry, 1) - 1 for uuid, (_state, retry) in jobs.items()
        ),
        "jobs_run_more_than_once": sum(
            max(runs[uuid], retry) > 1 for uuid, (_state, retry) in jobs.items()
        ),
        "job_postponements": log["postponed"],
        "concurrency_errors_retried_by_queue_job": log["concurrency"],
        "failed_jobs": sum(state == "failed" for state, _retry in jobs.values()),
        "jobs_not_done": sum(
            state not in ("done", "failed") for state, _retry in jobs.values()
        ),
        "log_errors": log["errors"],
        "log_warnings": log["warnings"],
        "api_calls": calls,
        "api_calls_per_1000_orders": round(made * 1000 / n, 1),
        "api_minimum_per_1000_orders": round(minimum * 1000 / n, 1),
        "api_ratio_to_minimum": round(made / minimum, 3),
        "note": f"minimum = {how}",
        "loadavg": loadavg(),
        "machine": machine(),
    }
    if one_job and one_job.get("flow_orders_per_s") and not args.stock:
        # the same work only without stock to reserve, as in the one-job run
        result["ratio_to_one_job"] = round(
            result["orders_per_s"] / one_job["flow_orders_per_s"], 3
        )
    return result


def passed(result, orders):
    return result["failed_jobs"] == 0 and result["imported"] == orders


def save(name, one_job=None, defaults=None):
    """bench/results/<name>.json: the one-job figures at the top (as before the
    configurations), the defaults figures under "defaults"; a configuration not
    run keeps the figures of its last run (each with its own date)."""
    path = ROOT / "bench" / "results" / f"{name}.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    if one_job is not None:
        kept = {"defaults": saved["defaults"]} if "defaults" in saved else {}
        write_result(name, {**one_job, **kept, **_defaults(defaults)})
        return
    saved.update(_defaults(defaults))
    print(json.dumps(saved.get("defaults"), indent=2))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(saved, indent=2) + "\n")
    print(f"written to {path.relative_to(ROOT)}")


def _defaults(defaults):
    return {"defaults": defaults} if defaults is not None else {}
