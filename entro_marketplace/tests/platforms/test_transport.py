"""Transport: retries, backoff, Retry-After, timeouts, rate limiter, call log."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from .conftest import base, errors, transport


def test_retries_5xx_then_succeeds(client, emulator, rec):
    emulator.faults.add("http_5xx", r"get_order_list", count=2, status=502)
    refs = list(client.iter_order_refs(datetime.now(timezone.utc) - timedelta(days=1)))
    assert refs == []
    assert emulator.journal.count("get_order_list") == 3
    assert len(rec.sleeps) == 2
    assert rec.sleeps[0] <= 0.5 and 0.5 <= rec.sleeps[1] <= 1.0  # equal-jitter backoff
    statuses = [c["status_code"] for c in rec.calls]
    assert statuses == [502, 502, 200]
    assert [c["attempt"] for c in rec.calls] == [1, 2, 3]


def test_429_honours_retry_after(client, emulator, rec):
    emulator.faults.add("http_429", r"get_order_list", count=1, retry_after=7)
    list(client.iter_order_refs(datetime.now(timezone.utc) - timedelta(hours=1)))
    assert rec.sleeps == [7.0]
    assert rec.calls[0]["status_code"] == 429
    assert rec.calls[0]["error_code"] == "rate_limit"


def test_retry_after_is_capped(client, emulator, rec):
    client.transport.retry_after_cap = 3.0
    emulator.faults.add("http_429", r"get_order_list", count=1, retry_after=3600)
    list(client.iter_order_refs(datetime.now(timezone.utc) - timedelta(hours=1)))
    assert rec.sleeps == [3.0]


def test_gives_up_after_max_attempts(make_client, emulator, rec):
    client = make_client(max_attempts=3)
    emulator.faults.add("http_5xx", r"get_order_list", count=10)
    with pytest.raises(errors.TransientError) as info:
        list(client.iter_order_refs(datetime.now(timezone.utc) - timedelta(hours=1)))
    assert info.value.http_status == 500
    assert emulator.journal.count("get_order_list") == 3
    assert len(rec.sleeps) == 2


def test_timeout_is_retried(make_client, emulator, rec):
    client = make_client(timeout=(1.0, 0.2), max_attempts=2)
    emulator.faults.add("timeout", r"get_order_list", count=1, delay=0.6)
    list(client.iter_order_refs(datetime.now(timezone.utc) - timedelta(hours=1)))
    assert rec.calls[0]["error_code"] == "read_timeout"
    assert rec.calls[0]["status_code"] is None
    assert rec.calls[1]["status_code"] == 200


def test_read_timeout_not_retried_for_non_idempotent_call(make_client, emulator, rec):
    client = make_client(timeout=(1.0, 0.2))
    emulator.faults.add("timeout", r"access_token/get", count=1, delay=0.6)
    with pytest.raises(errors.TransientError) as info:
        client.refresh_tokens()
    assert info.value.code == "read_timeout"
    assert rec.sleeps == []
    assert rec.tokens == []


def test_connection_error_is_transient(rec):
    tr = transport.Transport("x", max_attempts=2, sleep=rec.sleep, on_call=rec.on_call)
    with pytest.raises(errors.TransientError) as info:
        tr.request("GET", "http://127.0.0.1:9/nothing?sign=zz", parse=lambda r: r)
    assert info.value.code == "connection_error"
    assert len(rec.calls) == 2 and len(rec.sleeps) == 1
    assert "zz" not in rec.calls[0]["url_redacted"]


def test_call_log_is_redacted(client, rec):
    list(client.iter_order_refs(datetime.now(timezone.utc) - timedelta(hours=1)))
    record = rec.calls[-1]
    assert set(record) == {
        "platform",
        "method",
        "endpoint",
        "status_code",
        "duration_ms",
        "request_id",
        "error_code",
        "error_message",
        "attempt",
        "url_redacted",
    }
    assert record["platform"] == "shopee" and record["method"] == "GET"
    assert record["endpoint"] == "/api/v2/order/get_order_list"
    assert record["request_id"]
    assert client.config.access_token not in record["url_redacted"]
    assert "sign=***" in record["url_redacted"]
    assert "access_token=***" in record["url_redacted"]


def test_failing_on_call_does_not_break_the_call(make_client):
    client = make_client()

    def boom(record):
        raise RuntimeError("log store down")

    client.transport.on_call = boom
    assert (
        list(client.iter_order_refs(datetime.now(timezone.utc) - timedelta(hours=1)))
        == []
    )


def test_parse_retry_after_forms():
    now = datetime(2024, 1, 1, tzinfo=timezone.utc)
    assert transport.parse_retry_after("5") == 5.0
    assert transport.parse_retry_after("Mon, 01 Jan 2024 00:00:30 GMT", now) == 30.0
    assert transport.parse_retry_after("soon") is None
    assert transport.parse_retry_after(None) is None


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.lock = threading.Lock()

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        with self.lock:
            self.now += seconds


def test_token_bucket_paces_calls():
    clock = FakeClock()
    limiter = transport.RateLimiter(rate=10, burst=1, clock=clock)
    waits = []
    for _ in range(5):
        waits.append(limiter.acquire(clock.sleep))
    assert waits[0] == 0
    assert clock.now == pytest.approx(0.4)


def test_token_bucket_is_shared_by_key_and_thread_safe():
    # a clock that stands still: no token comes back while the threads run, so
    # the waits depend on the bucket's bookkeeping alone, never on the machine's load
    a = transport.RateLimiter.for_key(
        "shopee:1:600000", rate=1000, burst=5, clock=lambda: 100.0
    )
    b = transport.RateLimiter.for_key("shopee:1:600000", rate=1000)
    assert a is b
    assert transport.RateLimiter.for_key("shopee:1:other", rate=1000) is not a
    waits = []
    lock = threading.Lock()

    def worker():
        for _ in range(20):
            wait = a.reserve()
            with lock:
                waits.append(wait)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 100 reservations at 1000/s with a burst of 5: the first 5 are free, then each
    # waits 1 ms more than the one before (a lost update would repeat a wait)
    assert len(waits) == 100
    expected = [max(0, i - 4) / 1000 for i in range(100)]
    assert sorted(waits) == pytest.approx(expected, abs=1e-9)


def test_platform_uses_shared_rate_limiter(make_client, rec):
    client = make_client(rate_limit_per_s=50)
    other = make_client(rate_limit_per_s=50)
    assert client.limiter is other.limiter
    assert client.limiter.rate == 50


def test_long_retry_after_is_not_slept_through(emulator, make_client, rec):
    """A Retry-After beyond max_inline_wait ends the call: the job layer reschedules."""
    client = make_client(max_inline_wait=5)
    emulator.faults.add(
        "http_429", path_pattern="get_order_list", count=3, retry_after=42
    )
    since = base.utcnow() - timedelta(days=1)
    with pytest.raises(errors.RateLimited) as caught:
        list(client.iter_order_refs(since))
    assert caught.value.retry_after == 42
    assert rec.sleeps == []
    assert emulator.journal.count("/api/v2/order/get_order_list") == 1


def test_a_retry_after_holds_every_caller_of_the_shop(emulator, make_client, rec):
    """One job told to wait: the other jobs of the shop do not call meanwhile."""
    told = make_client(max_inline_wait=5)
    emulator.faults.add("http_429", path_pattern="get_order_list", retry_after=42)
    since = base.utcnow() - timedelta(days=1)
    with pytest.raises(errors.RateLimited):
        list(told.iter_order_refs(since))
    assert emulator.journal.count("/api/v2/order/get_order_list") == 1
    # another job of the same shop: not sent, rescheduled for what is left
    other = make_client(max_inline_wait=5)
    with pytest.raises(errors.RateLimited) as caught:
        list(other.iter_order_refs(since))
    assert caught.value.code == "rate_limit_hold"
    assert 40 <= caught.value.retry_after <= 42
    assert emulator.journal.count("/api/v2/order/get_order_list") == 1
    # a shop of its own is not held
    own = make_client(max_inline_wait=5, shop_external_id="600001")
    assert own.limiter is not told.limiter
    assert own.limiter.held_for() == 0


def test_a_short_retry_after_is_waited_by_the_other_callers(emulator, make_client, rec):
    told = make_client()
    emulator.faults.add("http_429", path_pattern="get_order_list", retry_after=3)
    since = base.utcnow() - timedelta(days=1)
    list(told.iter_order_refs(since))
    assert rec.sleeps == [3.0]  # the caller told waited once, not twice
    other = make_client()
    list(other.iter_order_refs(since))
    assert len(rec.sleeps) == 2 and 2.5 < rec.sleeps[1] <= 3.0
    assert emulator.journal.count("/api/v2/order/get_order_list") == 3


class DictHolds:
    """A HoldStore in memory: the table other processes would share."""

    def __init__(self):
        self.until = {}
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            return self.until.get(key, 0.0)

    def put(self, key, until):
        with self.lock:
            self.until[key] = max(until, self.until.get(key, 0.0))


def _really_sleeping(client):
    client.transport.sleep = time.sleep
    return client


def _calls_after(emulator, throttled):
    """Requests that reached the emulator after the throttled one, but its retry."""
    return [
        e
        for e in emulator.journal.entries()
        if e.at > throttled.at and "get_order_detail" not in e.path
    ]


def test_a_retry_after_holds_the_retry_of_another_call(emulator, make_client):
    """A call of the shop failed and backs off; another is told to wait: the
    first one's retry leaves after the Retry-After, not after its backoff."""
    backing_off = _really_sleeping(make_client())
    backing_off.transport.backoff_base = 1.0  # its retry after 0.5 to 1 s
    told = _really_sleeping(make_client(max_inline_wait=5))
    assert told.limiter is backing_off.limiter
    emulator.faults.add("http_5xx", path_pattern="get_order_list", count=1)
    emulator.faults.add("http_429", path_pattern="get_order_detail", retry_after=2)
    since = base.utcnow() - timedelta(days=1)
    listing = threading.Thread(target=lambda: list(backing_off.iter_order_refs(since)))
    listing.start()
    time.sleep(0.2)
    told.get_orders(["NOPE"])  # throttled, then waits and reads again
    listing.join()
    (throttled,) = [e for e in emulator.journal.entries() if e.status == 429]
    retries = _calls_after(emulator, throttled)
    assert [e.status for e in retries] == [200]
    assert retries[0].at - throttled.at >= 2.0


def test_a_retry_after_holds_a_call_of_another_process_waiting_for_its_slot(
    emulator, make_client
):
    """Two processes (two limiters of one key, sharing their holds): a call that
    already waits for its rate-limit slot when the other process is told to wait
    leaves after the Retry-After, not when its slot comes."""
    store = DictHolds()
    paced = _really_sleeping(make_client(rate_limit_per_s=1))
    paced.limiter.store = store
    transport.RateLimiter.reset_registry()  # another process
    told = _really_sleeping(make_client(max_inline_wait=5))
    assert told.limiter is not paced.limiter
    told.limiter.store = store
    emulator.faults.add("http_429", path_pattern="get_order_detail", retry_after=2)
    since = base.utcnow() - timedelta(days=1)
    list(paced.iter_order_refs(since))  # the bucket's token: the next call waits 1 s
    listing = threading.Thread(target=lambda: list(paced.iter_order_refs(since)))
    listing.start()
    time.sleep(0.2)
    told.get_orders(["NOPE"])
    listing.join()
    (throttled,) = [e for e in emulator.journal.entries() if e.status == 429]
    later = _calls_after(emulator, throttled)
    assert len(later) == 1
    assert later[0].at - throttled.at >= 2.0
    assert store.get(told.limiter.key) >= throttled.at + 2.0 - 0.05
