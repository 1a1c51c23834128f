"""Memory: peak RSS growth of the Odoo server (and its runner) importing N orders.

A real odoo-bin with its own queue_job runner imports N Shopee orders (default
50,000) streamed in pages of 100 and jobs of 50: one job at a time in the
threaded server (default), or with --workers N in N worker processes (prefork,
N jobs at a time: the same run in about half the time on two cores). The
baseline is the server's RSS (every process of it, summed) after a warm-up import
of 200 orders (modules, registry and caches loaded in each worker); the figure is
the peak growth over it, sampled every half second, with the growth at each tenth
of the run so that a trend (a leak) shows and a smaller N can be extrapolated.
Each process's own growth is given too, and any process that was replaced
(a worker recycled by Odoo's memory limits would hide a leak).
"""

import argparse
import os
import sys
import threading
import time
from datetime import datetime

from bench.common import (
    Server,
    add_shopee_orders,
    create_shop,
    environment,
    loadavg,
    run_import,
    setup_odoo,
    shopee_products,
    write_result,
)
from tests.emulators.shopee import ShopeeEmulator, generate_catalogue

WARM_UP = 200


def rss_by_pid(server):
    """{pid: (role, RSS)} of the server's processes: the main one, then its
    children (prefork: the workers and queue_job's runner)."""
    import psutil

    found = {}
    for index, process in enumerate(server.pids()):
        try:
            found[process.pid] = (
                "main" if index == 0 else "child",
                process.memory_info().rss,
            )
        except psutil.NoSuchProcess:  # a process that just exited
            pass
    return found


def rss(server):
    return sum(r for _n, r in rss_by_pid(server).values())


def _job_seconds(rows):
    """How long the (last) order sync job ran: listing the window, queueing jobs."""
    if not rows or not rows[0]["date_started"] or not rows[0]["date_done"]:
        return None
    fmt = "%Y-%m-%d %H:%M:%S"
    started = datetime.strptime(rows[0]["date_started"], fmt)
    done = datetime.strptime(rows[0]["date_done"], fmt)
    return (done - started).total_seconds()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="bench/run.sh memory")
    parser.add_argument("--orders", type=int, default=50000)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument(
        "--minutes",
        type=float,
        default=0,
        help="stop after this long and report what was imported (0: no limit)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="0: the threaded server, one job at a time; N: N worker processes",
    )
    args = parser.parse_args(argv)
    db = os.environ["ENTRO_BENCH_DB"]
    registry = setup_odoo(db)
    catalogue = generate_catalogue(40, 3, seed=args.seed)
    mb = 1024 * 1024
    with (
        ShopeeEmulator(shop_id=620001) as warm,
        ShopeeEmulator(shop_id=620002) as emulator,
    ):
        for emu, n in ((warm, WARM_UP), (emulator, args.orders)):
            emu.add_catalogue(catalogue)
            add_shopee_orders(emu, catalogue, n, args.seed)
        with registry.cursor() as cr:
            env = environment(cr)
            shopee_products(env, catalogue)
            warm_id = create_shop(env, "shopee", warm, name="Warm-up").id
            shop_id = create_shop(env, "shopee", emulator, name="Memory").id
        with Server(
            db,
            channels=f"root:{max(1, args.workers)}",
            workers=args.workers,
            logname="bench-memory",
        ) as server:
            start_rss = rss(server)
            run_import(server, warm_id, WARM_UP)
            first = rss_by_pid(server)
            baseline = sum(r for _n, r in first.values())
            samples = []  # (orders imported, rss), every half second
            peaks = dict(first)  # pid: (role, peak rss)
            progress = {"done": 0, "stop": threading.Event()}
            started = time.monotonic()

            def sampler():
                # its own thread: a poll of the server may wait for a busy worker
                while not progress["stop"].wait(0.5):
                    now = rss_by_pid(server)
                    samples.append((progress["done"], sum(r for _n, r in now.values())))
                    for pid, (role, value) in now.items():
                        if value > peaks.get(pid, (role, 0))[1]:
                            peaks[pid] = (role, value)
                    if len(samples) % 120 == 0:  # a line a minute
                        print(
                            f"{time.monotonic() - started:7.0f} s  "
                            f"{progress['done']:6d} orders  growth "
                            f"{(samples[-1][1] - baseline) / mb:6.1f} MB",
                            flush=True,
                        )

            watcher = threading.Thread(target=sampler, daemon=True)
            watcher.start()
            try:
                elapsed, done, failed = run_import(
                    server,
                    shop_id,
                    args.orders,
                    lambda count: progress.update(done=count),
                    timeout=args.minutes * 60 if args.minutes else 4 * 3600,
                )
            finally:
                progress["stop"].set()
                watcher.join()
            last_pids = set(rss_by_pid(server))
            sync_jobs = server.rpc(
                "queue.job",
                "search_read",
                [("method_name", "=", "_job_sync_orders"), ("state", "=", "done")],
                ["date_started", "date_done"],
                order="id desc",
                limit=1,
            )
    peak = max(r for _d, r in samples)
    reached = max(1, min(done, args.orders))  # a run stopped by --minutes: so far
    checkpoints = {}
    for tenth in range(1, 11):
        target = reached * tenth // 10
        row = next(((d, r) for d, r in samples if d >= target), samples[-1])
        checkpoints[str(row[0])] = round((row[1] - baseline) / mb, 1)
    first_half = [r for d, r in samples if d <= reached // 2]
    second_half = [r for d, r in samples if d > reached // 2]
    slope = None
    if first_half and second_half:
        # MB per 10,000 orders between the peaks of the two halves
        slope = round(
            (max(second_half) - max(first_half)) / mb / (reached / 2) * 10000, 2
        )
    result = {
        "orders": args.orders,
        "imported": done,
        "complete": done >= args.orders,
        "failed_jobs": failed,
        "seconds": round(elapsed, 1),
        "rss_at_start_mb": round(start_rss / mb, 1),
        "rss_baseline_after_warm_up_mb": round(baseline / mb, 1),
        "rss_peak_mb": round(peak / mb, 1),
        "peak_growth_mb": round((peak - baseline) / mb, 1),
        "growth_mb_at_orders": checkpoints,
        "growth_mb_per_10000_orders_second_half": slope,
        "extrapolated_growth_at_50000_mb": (
            round((peak - baseline) / mb + max(0, slope) * (50000 - reached) / 10000, 1)
            if slope is not None and reached < 50000
            else None
        ),
        "workers": args.workers or "threaded, 1 job at a time",
        "processes": {
            str(pid): {
                "process": name,
                "rss_after_warm_up_mb": (
                    round(first[pid][1] / mb, 1) if pid in first else None
                ),
                "rss_peak_mb": round(value / mb, 1),
            }
            for pid, (name, value) in sorted(peaks.items())
        },
        "processes_replaced": sorted(set(first) - last_pids),
        "sync_job_s": _job_seconds(sync_jobs),
        "goal_mb": 150,
        "loadavg": loadavg(),
    }
    write_result("memory", result)
    return 0 if failed == 0 and done >= args.orders else 1


if __name__ == "__main__":
    sys.exit(main())
