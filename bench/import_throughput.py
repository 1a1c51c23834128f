"""Import throughput: orders/s through the real flow, against the ORM floor.

The flow: a real odoo-bin server whose own queue_job runner (one job at a time)
imports N orders of one platform (--platform: Shopee by default, or Lazada,
TikTok Shop, Tiki, or all four in turn) from its emulator after one
action_sync_orders over XML-RPC. The floor: the same sale orders (same partners,
lines, shipping and voucher lines) created and confirmed directly with the ORM, in
the same database, one at a time; and the batched ORM floor: the same, 50 at a
time (one create of 50 value dicts, one action_confirm of the 50), as the import
job does with a detail batch of new orders.
Also: the API calls made, against the fewest the platform's batch sizes allow
(bench/platforms.py). Results: bench/results/import_throughput.json (Shopee),
import_throughput_<platform>.json (the others).
"""

import argparse
import contextlib
import itertools
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from odoo import api

from bench import defaults
from bench.common import (
    ROOT,
    Server,
    create_shop,
    environment,
    loadavg,
    products,
    run_import,
    setup_odoo,
    write_result,
)
from bench.platforms import PLATFORMS

#: orders per create and confirmation of the batched ORM floor (a detail batch)
BATCHED_FLOOR = 50


def spread(seconds):
    """The median, fastest and slowest of per-batch seconds, and each."""
    return {
        "median": round(statistics.median(seconds), 3),
        "min": round(min(seconds), 3),
        "max": round(max(seconds), 3),
        "each": [round(s, 2) for s in seconds],
    }


def n_per_s(ids, seconds):
    return f"{len(ids) / seconds:.2f}"


def prepare(registry, platform, emulator, catalogue, name="Bench"):
    with registry.cursor() as cr:
        env = environment(cr)
        products(env, platform.skus(catalogue))
        shop = create_shop(env, platform.name, emulator, name=name)
        return shop.id


def profiled(label, enabled):
    """A pyinstrument profiler written to bench/results/<label>_profile.txt."""
    if not enabled:
        return contextlib.nullcontext()
    from pyinstrument import Profiler

    @contextlib.contextmanager
    def run():
        profiler = Profiler()
        profiler.start()
        try:
            yield
        finally:
            profiler.stop()
            out = ROOT / "bench" / "results" / f"{label}_profile.txt"
            out.write_text(profiler.output_text(color=False, show_all=False))
            print(f"profile written to {out.relative_to(ROOT)}")

    return run()


def sale_values(env, shop, orders):
    """The sale orders of these platform orders, as the floors create them: their
    buyers and products found as the import job finds those of a detail batch,
    their values those the import job gives (the binding's own method, on a
    record in memory)."""
    Binding = env["entro.marketplace.order"]
    lines = [line for order in orders for line in order.lines]
    products = env["entro.marketplace.listing"]._products_for_lines(shop, lines)
    partners = env["res.partner"]._entro_buyer_partners_many(shop, orders)
    values, start = [], 0
    for order, buyer in zip(orders, partners, strict=True):
        found = products[start : start + len(order.lines)]
        start += len(order.lines)
        binding = Binding.new({"shop_id": shop.id, "external_id": order.external_id})
        values.append(
            binding._sale_order_values(
                order, binding._prepare_lines(order, found), buyer
            )
        )
    return values


def create_and_confirm(env, shop, values):
    """The floors' sale orders created and confirmed as the import job does: in
    the shop's company, the creator not subscribed to each (since the evening
    of 2026-12-05; before, the floors subscribed their creator to every order,
    work the import does not do, which slowed the floors)."""
    env["sale.order"].with_company(shop.company_id).with_context(
        mail_create_nosubscribe=True
    ).create(values).with_company(shop.company_id).action_confirm()


def floor(registry, shop_id, ids, profile=False, batch=1, user=None):
    """The same sale orders, straight through the ORM, ``batch`` at a time: one
    create of their values, one action_confirm; as the superuser, or as
    ``user`` (its access rights and record rules applied, as in the import job
    of the user who queued it until 9cbd7e5; since, the job checks that user's
    right to import, then creates as the superuser, whose floor is now its
    counterpart: the user's is kept for comparison with earlier runs). Each
    detail batch of orders (one import job's) runs in a transaction of its
    own, as the job's does, ended as its commit
    would begin (``cr.flush()``: the writes and the precommit hooks, e.g. the
    sale orders' tracking messages) and rolled back, so that every batch starts
    from the same database. Returns the seconds of each batch's work.

    Until the evening of 2026-12-05 all the batches ran in one transaction: past
    a few hundred orders it slowed (14.7 orders/s for Shopee at 1,000 and 2,000
    orders, against 18.1 at 200), which the import's transactions of 50 orders
    do not (16 to 17 orders/s at any size), so that the import "beat" its floor.
    """
    label = "import_floor" if batch == 1 else "import_floor_batched"
    with registry.cursor() as cr:
        env = as_user(cr, user)
        client = env["entro.marketplace.shop"].browse(shop_id)._platform_client()
        fetched = client.get_orders(ids)
    seconds = []
    with profiled(label, profile):
        for first in range(0, len(fetched), BATCHED_FLOOR):
            with registry.cursor() as cr:
                env = as_user(cr, user)
                shop = env["entro.marketplace.shop"].browse(shop_id)
                job = fetched[first : first + BATCHED_FLOOR]
                started = time.perf_counter()
                for start in range(0, len(job), batch):
                    values = sale_values(env, shop, job[start : start + batch])
                    create_and_confirm(env, shop, values)
                cr.flush()
                seconds.append(time.perf_counter() - started)
                cr.rollback()
    vacuum(registry)
    return seconds


def vacuum(registry):
    """VACUUM ANALYZE the database: what a rolled-back floor left (dead rows of
    thousands of sale orders, moves, messages) would otherwise slow whatever
    runs next, until autovacuum passes."""
    with registry.cursor() as cr:
        cr.rollback()
        cr._cnx.autocommit = True
        try:
            cr.execute("VACUUM ANALYZE")
        finally:
            cr._cnx.autocommit = False


def flow_in_process(registry, shop_id, ids, profile=False):
    """The import job's own work, run in this process (rolled back after): where
    the flow's time goes, beside the floor's."""
    with registry.cursor() as cr:
        env = environment(cr)
        shop = env["entro.marketplace.shop"].browse(shop_id)
        started = time.perf_counter()
        with profiled("import_flow", profile):
            for start in range(0, len(ids), 50):
                shop._job_import_orders(ids[start : start + 50])
            cr.flush()
        elapsed = time.perf_counter() - started
        cr.rollback()
    return elapsed


@contextlib.contextmanager
def in_caller_transaction():
    """The import's serialised transactions (the company's stock) run in the
    caller's, as under the tests: what the job writes is rolled back with it,
    so the same orders can be imported again, as new, in the next round."""
    from odoo.addons.entro_marketplace.tools import locks

    original = locks.serialized_transaction

    @contextlib.contextmanager
    def same_transaction(env, namespace, key):
        locks.advisory_xact_lock(env.cr, namespace, key)
        yield env

    locks.serialized_transaction = same_transaction
    try:
        yield
    finally:
        locks.serialized_transaction = original


def as_user(cr, user):
    """An environment of ``user`` (not the superuser), as the server runs the
    import job of the user who queued it: access rights and record rules
    apply."""
    if user is None:
        return environment(cr)
    return api.Environment(cr, user, {})


def label(user):
    return "user" if user else "superuser"


def floor_round(registry, shop_id, ids, user=None, batch=BATCHED_FLOOR, profile=False):
    """:func:`floor` (batched), as ``user`` or the superuser; rolled back."""
    with registry.cursor() as cr:
        env = as_user(cr, user)
        shop = env["entro.marketplace.shop"].browse(shop_id)
        fetched = shop._platform_client().get_orders(ids)
        queries, cpu = cr.sql_log_count, time.thread_time()
        started = time.perf_counter()
        with profiled(f"import_compare_floor_{label(user)}", profile):
            for start in range(0, len(fetched), batch):
                values = sale_values(env, shop, fetched[start : start + batch])
                create_and_confirm(env, shop, values)
            cr.flush()
        elapsed = time.perf_counter() - started
        cpu = time.thread_time() - cpu
        queries = cr.sql_log_count - queries
        cr.rollback()
    return elapsed, cpu, queries


def job_round(registry, shop_id, ids, user=None, profile=False):
    """The import jobs of these orders (50 a job), run here as ``user`` or the
    superuser, in one transaction rolled back after; Lazada's headers staged
    first, as the order sync does (not timed)."""
    with registry.cursor() as cr, in_caller_transaction():
        env = as_user(cr, user)
        shop = env["entro.marketplace.shop"].browse(shop_id)
        client = shop._platform_client()
        if client.refs_carry_headers:
            wanted = set(ids)
            refs = [
                ref
                for ref in client.iter_order_refs(
                    datetime.now(timezone.utc) - timedelta(days=7),
                    datetime.now(timezone.utc) + timedelta(seconds=1),
                )
                if ref.external_id in wanted
            ]
            env["entro.marketplace.order.staging"].sudo()._stage(shop, client, refs)
        cr.flush()
        shop = shop.with_context(lang=shop.company_id._entro_lang())
        queries, cpu = cr.sql_log_count, time.thread_time()
        started = time.perf_counter()
        with profiled(f"import_compare_job_{label(user)}", profile):
            for start in range(0, len(ids), BATCHED_FLOOR):
                shop._job_import_orders(ids[start : start + BATCHED_FLOOR])
            cr.flush()
        elapsed = time.perf_counter() - started
        cpu = time.thread_time() - cpu
        queries = cr.sql_log_count - queries
        imported = env["entro.marketplace.order"].search_count(
            [("shop_id", "=", shop_id), ("sale_order_id", "!=", False)]
        )
        cr.rollback()
    if imported != len(ids):
        raise RuntimeError(f"the job imported {imported} of {len(ids)} orders")
    return elapsed, cpu, queries


def compare(registry, platform, args):
    """The batched floor and the import job on the same N orders, in this
    process, each as the superuser and as the user who queues the import (the
    bench's admin, as in the server), in rounds, one after the other (so that
    a changing load weighs on all four alike). Prints and returns the median
    seconds of each and their ratios."""
    user = registry_admin(registry)
    kinds = {
        "floor_superuser": (floor_round, None),
        "floor_user": (floor_round, user),
        "job_superuser": (job_round, None),
        "job_user": (job_round, user),
    }
    # a shop of its own (the database may be kept from an earlier comparison)
    with platform.emulator(100 + os.getpid() % 900) as emulator:
        catalogue = platform.catalogue(20, args.seed)
        emulator.add_catalogue(catalogue)
        orders = platform.generate(emulator, catalogue, args.compare, args.seed)
        emulator.add_orders(orders)
        ids = [platform.order_id(o) for o in orders]
        shop_id = prepare(registry, platform, emulator, catalogue)
        wall = {kind: [] for kind in kinds}
        cpu = {kind: [] for kind in kinds}
        queries = {}
        loads = [loadavg()]
        # a first round warms the caches up; --profile: a last one under
        # pyinstrument; neither is counted
        for round_ in range(args.repeat + 1 + bool(args.profile)):
            counted = 0 < round_ <= args.repeat
            for kind, (run, who) in kinds.items():
                seconds, process, queries[kind] = run(
                    registry, shop_id, ids, who, profile=round_ > args.repeat
                )
                if counted:
                    wall[kind].append(round(seconds, 3))
                    cpu[kind].append(round(process, 3))
            loads.append(loadavg())
            print(f"{platform.name} round {round_}: {wall}", flush=True)

    def ratios(figures):
        median = {kind: statistics.median(values) for kind, values in figures.items()}
        return {
            "median_seconds": median,
            # orders/s over the superuser's batched floor's (>1: faster)
            "job_user_to_floor": round(
                median["floor_superuser"] / median["job_user"], 3
            ),
            "job_superuser_to_floor": round(
                median["floor_superuser"] / median["job_superuser"], 3
            ),
            "floor_user_to_floor": round(
                median["floor_superuser"] / median["floor_user"], 3
            ),
            "job_user_to_floor_user": round(
                median["floor_user"] / median["job_user"], 3
            ),
        }

    result = {
        "platform": platform.name,
        "orders": args.compare,
        "rounds": args.repeat,
        "wall_seconds": wall,
        "wall": ratios(wall),
        # this thread's CPU: the ORM's and the client's, not the emulator's (its own
        # thread) nor PostgreSQL's
        "cpu_seconds": cpu,
        "cpu": ratios(cpu),
        "queries": queries,
        "loadavg_per_round": loads,
    }
    print(json.dumps(result, indent=2), flush=True)
    return result


def registry_admin(registry):
    with registry.cursor() as cr:
        return environment(cr).ref("base.user_admin").id


def last_job_id(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT COALESCE(max(id), 0) FROM queue_job")
        return cr.fetchone()[0]


def job_times(registry, after, elapsed):
    """Where the flow's seconds went, from queue_job's own records of the jobs
    queued after job ``after``: the order sync's run, the import jobs' runs
    (queue_job's ``exec_time``: from the job's start to the end of its work and
    its flush; its commit, with the precommit hooks such as the sale orders'
    tracking messages, comes after), the gaps between one job's end and the
    next one's start (that commit, queue_job's runner noticing the job done and
    dispatching the next over HTTP, the job's acquisition and start commit), and
    the rest (the XML-RPC call before the first job, the last job's commit and
    the bench's polling after it)."""
    with registry.cursor() as cr:
        cr.execute(
            """SELECT method_name, date_started, date_done, COALESCE(exec_time, 0)
                 FROM queue_job WHERE id > %s AND date_started IS NOT NULL
                ORDER BY date_started""",
            [after],
        )
        rows = cr.fetchall()
    sync = [r for r in rows if r[0] == "_job_sync_orders"]
    imports = [r for r in rows if r[0] == "_job_import_orders"]
    gaps = [
        max((row[1] - before[2]).total_seconds(), 0.0)
        for before, row in itertools.pairwise(rows)
        if before[2]
    ]
    sync_s = sum(r[3] for r in sync)
    imports_s = sum(r[3] for r in imports)
    return {
        "sync_job_s": round(sync_s, 2),
        "import_jobs": len(imports),
        "import_jobs_s": round(imports_s, 2),
        "between_jobs_s": round(sum(gaps), 2),
        "between_jobs_median_s": round(sorted(gaps)[len(gaps) // 2], 3)
        if gaps
        else None,
        "outside_jobs_s": round(elapsed - sync_s - imports_s, 2),
        # each import job's exec_time, against the floor's batches
        "import_job_seconds": [r[3] for r in imports],
    }


def flow_round(registry, server, shop_id, imported_before, ids, since):
    """One round of the flow: the server's import of the shop's orders the
    emulator gained since the last round (``ids``, updated from ``since`` on),
    after one action_sync_orders.

    The orders of all rounds are generated together, over the same three days,
    and the rounds take them in the order of their updates: the shop's order
    cursor is first set so that the sync lists from the round's first update,
    as a scheduled sync lists what changed since the last one. Returns
    (seconds, imported, failed jobs, job times).
    """
    with registry.cursor() as cr:
        shop = environment(cr)["entro.marketplace.shop"].browse(shop_id)
        shop.order_cursor = datetime.fromtimestamp(int(since), timezone.utc).replace(
            tzinfo=None
        ) + timedelta(minutes=shop.order_overlap_minutes)
    after = last_job_id(registry)
    elapsed, imported, failed = run_import(
        server,
        shop_id,
        imported_before + len(ids),
        timeout=3600,
        step=2,
        last=BATCHED_FLOOR,
    )
    return elapsed, imported, failed, job_times(registry, after, elapsed)


def warm_up(registry, server, platform, args):
    """The server imports ``--warm-up`` orders of a shop of their own (another
    emulator, another seed), and the floors run on the same orders (not
    counted): a server at work has its caches filled and its templates
    compiled, and so has this process before its floors are timed."""
    if not args.warm_up:
        return
    with platform.emulator(2) as warm:
        catalogue = platform.catalogue(20, args.seed)
        warm.add_catalogue(catalogue)
        orders = platform.generate(warm, catalogue, args.warm_up, args.seed + 77)
        warm.add_orders(orders)
        warm_id = prepare(registry, platform, warm, catalogue, name="Bench warm-up")
        run_import(server, warm_id, args.warm_up, timeout=600)
        warm_ids = [platform.order_id(o) for o in orders]
        floor(registry, warm_id, warm_ids, batch=BATCHED_FLOOR)


def round_bounds(orders, size, update_ts):
    """[(first, last)] of the rounds of these orders (sorted by update): about
    ``size`` orders each, but never two rounds with orders of the same update
    time. A round's sync lists from its first update on (the platforms' lists
    include that second): a round that began within the updates of the one
    before would list that round's last orders again, and Shopee's list, which
    gives no update times, would have them fetched again. The generators make
    such ties: an update later than the time of generation is set to that time,
    so that a few hundred orders may share the last second."""
    bounds, first = [], 0
    while first < len(orders):
        last = min(first + size, len(orders))
        while last < len(orders) and update_ts(orders[last]) == update_ts(
            orders[last - 1]
        ):
            last += 1
        bounds.append((first, last))
        first = last
    return bounds


def sum_times(rounds):
    """The flow's job times of all rounds together."""
    total = {}
    for times in rounds:
        for key, value in times.items():
            if key == "between_jobs_median_s":
                continue
            if isinstance(value, list):
                total[key] = total.get(key, []) + value
            else:
                total[key] = round(total.get(key, 0) + value, 2)
    return total


def measure(registry, db, platform, args):
    """One platform: the floors and the flow, alternated in rounds of
    ``--round-orders`` orders, and the calls the flow made.

    Each round adds its orders to the emulator, times the three floors on
    them (in this process), then their import through the server: a machine
    whose speed drifts over minutes (this one's does: the same floor over the
    same orders, one round after the other, varies by up to 20 %) weighs on the
    floors and the flow alike, where one floor pass before the whole flow
    compared two different moments."""
    with platform.emulator() as emulator:
        catalogue = platform.catalogue(20, args.seed)
        emulator.add_catalogue(catalogue)
        orders = platform.generate(emulator, catalogue, args.orders, args.seed)
        # the rounds take the orders as the platform lists them: by update
        orders.sort(key=platform.update_ts)
        ids = [platform.order_id(o) for o in orders]
        shop_id = prepare(registry, platform, emulator, catalogue)
        if args.profile:
            emulator.add_orders(orders)
            sample = ids[: args.profile]
            floor_s = sum(floor(registry, shop_id, sample, profile=True))
            batched_s = sum(
                floor(registry, shop_id, sample, profile=True, batch=BATCHED_FLOOR)
            )
            flow_s = flow_in_process(registry, shop_id, sample, profile=True)
            print(
                f"{platform.name}, {len(sample)} orders in this process: floor "
                f"{len(sample) / floor_s:.2f} orders/s, batched floor "
                f"{len(sample) / batched_s:.2f} orders/s, import job "
                f"{len(sample) / flow_s:.2f} orders/s"
            )
            return None
        user = registry_admin(registry)
        size = args.round_orders or len(orders)
        singles, batches, batches_user, job_seconds = [], [], [], []
        rounds, times_each, calls = [], [], {}
        flow_s = imported = failed = 0
        emulator_s = 0.0
        with Server(db, channels="root:1") as server:
            warm_up(registry, server, platform, args)
            for first, last in round_bounds(orders, size, platform.update_ts):
                chunk = ids[first:last]
                emulator.add_orders(orders[first:last])
                single = floor(registry, shop_id, chunk)
                batched = floor(registry, shop_id, chunk, batch=BATCHED_FLOOR)
                batched_user = floor(
                    registry, shop_id, chunk, batch=BATCHED_FLOOR, user=user
                )
                emulator.journal.clear()  # the floors' own reads are not counted
                seconds, imported, failed_now, times = flow_round(
                    registry,
                    server,
                    shop_id,
                    imported,
                    chunk,
                    platform.update_ts(orders[first]),
                )
                for entry in emulator.journal.entries():
                    emulator_s += entry.seconds
                    # one key per endpoint: Tiki and TikTok put order ids in the path
                    path = re.sub(r"/\d{7,}", "/{id}", entry.path)
                    calls[path] = calls.get(path, 0) + 1
                failed = max(failed, failed_now)
                flow_s += seconds
                singles += single
                batches += batched
                batches_user += batched_user
                job_seconds += times.pop("import_job_seconds")
                times_each.append(times)
                rounds.append(
                    {
                        "orders": len(chunk),
                        "flow_s": round(seconds, 2),
                        "batched_floor_s": round(sum(batched), 2),
                        "batched_floor_as_user_s": round(sum(batched_user), 2),
                        "floor_s": round(sum(single), 2),
                        "ratio_to_batched_floor": round(sum(batched) / seconds, 3),
                        "loadavg": loadavg(),
                    }
                )
                print(f"{platform.name} round {len(rounds)}: {rounds[-1]}", flush=True)
        floor_s, batched_s, batched_user_s = map(sum, (singles, batches, batches_user))
        print(
            f"{platform.name}: ORM floor {n_per_s(ids, floor_s)} orders/s one at "
            f"a time, batched ORM floor {n_per_s(ids, batched_s)} orders/s "
            f"{BATCHED_FLOOR} at a time ({n_per_s(ids, batched_user_s)} as the "
            f"queuing user), the import {n_per_s(ids, flow_s)} orders/s"
        )
    times = sum_times(times_each)
    n = args.orders
    # the fewest calls: each round's own (its sync lists its orders)
    minimum, how = 0, ""
    for done in rounds:
        batch_min, how = platform.minimum_calls(done["orders"])
        minimum += batch_min
    made = sum(calls.values())
    ratios = [r["ratio_to_batched_floor"] for r in rounds]
    return {
        "platform": platform.name,
        "orders": n,
        "imported": imported,
        "failed_jobs": failed,
        "round_orders": size,
        "rounds": rounds,
        # each round's import against its own batched floor
        "round_ratios": spread(ratios),
        "floor_orders_per_s": round(n / floor_s, 2),
        "batched_floor_orders_per_s": round(n / batched_s, 2),
        "flow_orders_per_s": round(imported / flow_s, 2),
        "ratio_to_floor": round((imported / flow_s) / (n / floor_s), 3),
        "ratio_to_batched_floor": round((imported / flow_s) / (n / batched_s), 3),
        # the like-for-like figure: the floor under the same user's access rights
        # and record rules as the job (the goal is against the superuser's floor)
        "batched_floor_as_user_orders_per_s": round(n / batched_user_s, 2),
        "ratio_to_batched_floor_as_user": round(
            (imported / flow_s) / (n / batched_user_s), 3
        ),
        # the import jobs alone (queue_job's exec_time), against the same floor
        "import_jobs_ratio_to_batched_floor": round(
            batched_s / times["import_jobs_s"], 3
        )
        if times.get("import_jobs_s")
        else None,
        # one batch of 50 against one import job of the same 50: the medians,
        # which one slow batch (an autovacuum, a checkpoint) does not move
        "batch_seconds": {
            "batched_floor": spread(batches),
            "import_jobs": spread(job_seconds) if job_seconds else None,
        },
        "median_batch_ratio": round(
            statistics.median(batches) / statistics.median(job_seconds), 3
        )
        if job_seconds
        else None,
        "flow_seconds": {
            "total": round(flow_s, 2),
            **times,
            # the emulator's own time answering the flow's calls (in the jobs)
            "emulator_s": round(emulator_s, 2),
        },
        "warm_up_orders": args.warm_up,
        "api_calls": calls,
        "api_calls_per_1000_orders": round(made * 1000 / n, 1),
        "api_minimum_per_1000_orders": round(minimum * 1000 / n, 1),
        "api_ratio_to_minimum": round(made / minimum, 3),
        "note": f"minimum = {how}, for each round's orders",
        "loadavg": loadavg(),
    }


#: what bench/run.sh exports for this checkout: not for another's
CHECKOUT_VARIABLES = ("ENTRO_STATE", "ODOO_RC", "ENTRO_BENCH_DB", "ODOO_TREE", "VENV")


def against(ref, args, names):
    """The one-job import of the same orders (same generator and seed) with the
    code of git ``ref``: its own bench/run.sh, in a temporary git worktree (its
    own database, dropped by it), removed at the end. {platform: its results}."""
    sha = subprocess.run(
        ["git", "rev-parse", "--verify", f"{ref}^{{commit}}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="entro-against-"))
    checkout = tmp / "checkout"
    env = {k: v for k, v in os.environ.items() if k not in CHECKOUT_VARIABLES}
    found = {}
    subprocess.run(
        ["git", "worktree", "add", "--detach", str(checkout), sha],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    try:
        script = (checkout / "bench" / "import_throughput.py").read_text()
        command = [
            "bash",
            str(checkout / "bench" / "run.sh"),
            "import_throughput",
            f"--orders={args.orders}",
            f"--seed={args.seed}",
        ]
        if "--config" in script or "defaults.add_arguments" in script:
            command.append("--config=one-job")
        for name in names:
            print(f"{name}: the one-job import with {ref} ({sha[:10]})", flush=True)
            done = subprocess.run(
                [*command, f"--platform={name}"], check=False, env=env
            )
            out = checkout / "bench" / "results"
            out /= "import_throughput" + ("" if name == "shopee" else f"_{name}")
            out = out.with_suffix(".json")
            if done.returncode or not out.exists():
                found[name] = {"ref": ref, "commit": sha, "error": done.returncode}
                continue
            old = json.loads(out.read_text())
            found[name] = {
                "ref": ref,
                "commit": sha,
                "flow_orders_per_s": old.get("flow_orders_per_s"),
                "floor_orders_per_s": old.get("floor_orders_per_s"),
                "batched_floor_orders_per_s": old.get("batched_floor_orders_per_s"),
                "ratio_to_batched_floor": old.get("ratio_to_batched_floor"),
                "imported": old.get("imported"),
                "failed_jobs": old.get("failed_jobs"),
                "loadavg": old.get("loadavg"),
            }
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(checkout)],
            cwd=ROOT,
            check=False,
        )
        shutil.rmtree(tmp, ignore_errors=True)
    return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh import_throughput")
    defaults.add_arguments(parser)
    parser.add_argument("--orders", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument(
        "--warm-up",
        type=int,
        metavar="N",
        help="orders the server imports (of a shop of their own) before the "
        "measured import (default: one detail batch; none with --against, as the "
        "code of another ref is measured without)",
    )
    parser.add_argument(
        "--platform",
        default="shopee",
        help="the platform whose orders are imported, or several (comma-separated)"
        f" or all, each in turn: {', '.join(PLATFORMS)}",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="only profile N orders through the floor and the import job, "
        "in this process (pyinstrument; bench/results/import_*_profile.txt)",
    )
    parser.add_argument(
        "--compare",
        type=int,
        default=0,
        metavar="N",
        help="only time N orders through the batched floor and the import job "
        "in this process, each as the superuser and as the queuing user, in "
        "--repeat rounds (bench/results/import_compare_<platform>.json)",
    )
    parser.add_argument("--repeat", type=int, default=3, metavar="K")
    parser.add_argument(
        "--round-orders",
        type=int,
        default=250,
        metavar="N",
        help="the floors and the import alternate in rounds of N orders (the "
        "floors on a round's orders, then their import through the server); 0: "
        "one round of all the orders (default: 250)",
    )
    parser.add_argument(
        "--against",
        metavar="GIT_REF",
        help="then the same one-job import with the code of this git ref (its "
        "own bench, in a temporary git worktree), and this code's orders/s over "
        "that one's",
    )
    args = parser.parse_args(argv)
    if args.profile and args.config == "defaults" and not args.compare:
        parser.error("--profile profiles the one-job configuration's job")
    if args.against and (args.profile or args.config == "defaults"):
        parser.error("--against compares the one-job configuration's import")
    if args.warm_up is None:
        args.warm_up = 0 if args.against else BATCHED_FLOOR
    db = os.environ["ENTRO_BENCH_DB"]
    registry = setup_odoo(db)
    names = list(PLATFORMS) if args.platform == "all" else args.platform.split(",")
    if set(names) - set(PLATFORMS):
        parser.error(f"--platform: one or more of {', '.join(PLATFORMS)}, or all")
    ok = True
    results = {}
    if args.compare:
        for name in names:
            found = compare(registry, PLATFORMS[name], args)
            write_result(f"import_compare_{name}", found)
        return 0
    for name in names:
        result = figures = None
        if args.config != "defaults":
            result = measure(registry, db, PLATFORMS[name], args)
            if result is None:
                continue
            ok = ok and result["failed_jobs"] == 0 and result["imported"] == args.orders
            results[name] = result
        if args.config != "one-job":
            figures = defaults.measure(registry, db, PLATFORMS[name], args, result)
            ok = ok and defaults.passed(figures, args.orders)
        defaults.save(
            "import_throughput" + ("" if name == "shopee" else f"_{name}"),
            result,
            figures,
        )
    if args.against and results:
        old = against(args.against, args, list(results))
        for name, result in results.items():
            result["against"] = old[name]
            if old[name].get("flow_orders_per_s"):
                result["against"]["ratio"] = round(
                    result["flow_orders_per_s"] / old[name]["flow_orders_per_s"], 3
                )
            print(
                f"{name}: {result['flow_orders_per_s']} orders/s against "
                f"{old[name].get('flow_orders_per_s')} with {args.against}: "
                f"{result['against'].get('ratio')}x (ORM floor one at a time: "
                f"{result['floor_orders_per_s']} and "
                f"{old[name].get('floor_orders_per_s')})",
                flush=True,
            )
            defaults.save(
                "import_throughput" + ("" if name == "shopee" else f"_{name}"),
                result,
                None,
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
