"""Lazada orders read from the order list's headers: list pages of 100 plus item
reads by 50, ``/order/get`` only for an order without a listed header or whose
items changed after it was listed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.emulators.lazada import generate_orders

from . import lazada_fixtures as fx

lz_emulator = fx.lz_emulator
lz_rec = fx.lz_rec
lz_make_client = fx.lz_make_client
lz_client = fx.lz_client

NOW = datetime.now(timezone.utc).replace(microsecond=0)
SINCE = NOW - timedelta(days=4)


def _add(emulator, n, seed, statuses=None):
    orders = generate_orders(
        n,
        seed=seed,
        statuses=statuses,
        start=NOW - timedelta(days=3),
        span=timedelta(days=3) - timedelta(minutes=5),
    )
    emulator.add_orders(orders)
    return orders


def _calls(emulator):
    """{endpoint: count} of what the emulator received."""
    counts = {}
    for entry in emulator.journal.entries():
        path = entry.path.rsplit("/rest", 1)[-1]
        counts[path] = counts.get(path, 0) + 1
    return counts


def _listed(client):
    refs = list(client.iter_order_refs(SINCE))
    return refs, {r.external_id: r.header for r in refs}


def test_refs_carry_the_whole_header(lz_client, lz_emulator):
    orders = _add(lz_emulator, 5, seed=21)
    refs, _headers = _listed(lz_client)
    assert lz_client.refs_carry_headers
    assert len(refs) == 5
    with lz_emulator.store.lock:
        for ref in refs:
            stored = lz_emulator.store["orders"][ref.external_id]
            assert ref.header == lz_emulator.header(stored)
    # the buyer's phone, for a privacy request to find a staged header
    buyer = lz_client.header_buyer(refs[0].header)
    source = next(o for o in orders if str(o["order_id"]) == refs[0].external_id)
    assert buyer.phone == source["address_shipping"]["phone"]
    assert buyer.external_id is None  # Lazada's list gives no buyer id
    assert lz_client.header_buyer({"address_shipping": "x"}) is None


def test_1000_orders_in_list_pages_and_item_reads_by_50(lz_client, lz_emulator):
    orders = _add(lz_emulator, 1000, seed=22, statuses=[["pending"], ["pending"] * 2])
    refs, headers = _listed(lz_client)
    got = lz_client.get_orders([r.external_id for r in refs], headers=headers)
    assert len(got) == 1000
    assert {o.external_id for o in got} == {str(o["order_id"]) for o in orders}
    assert all(not o.problems and o.check_total() == 0 for o in got)
    # 10 list pages of 100 + 20 item reads of 50: 30 calls, no /order/get
    assert _calls(lz_emulator) == {"/orders/get": 10, "/orders/items/get": 20}
    sizes = [
        len(e.query["order_ids"][0].strip("[]").split(","))
        for e in lz_emulator.journal.entries("/orders/items/get")
    ]
    assert sizes == [50] * 20
    # the same 1,000 orders without headers: one /order/get each (1,030 calls)
    lz_emulator.journal.clear()
    again = lz_client.get_orders([r.external_id for r in refs])
    assert _calls(lz_emulator) == {"/order/get": 1000, "/orders/items/get": 20}
    assert again == got


def test_orders_from_headers_equal_orders_read_one_by_one(lz_client, lz_emulator):
    _add(lz_emulator, 60, seed=23)
    refs, headers = _listed(lz_client)
    ids = [r.external_id for r in refs]
    from_list = lz_client.get_orders(ids, headers=headers)
    one_by_one = lz_client.get_orders(ids)
    assert from_list == one_by_one
    assert [o.raw for o in from_list] == [o.raw for o in one_by_one]


def test_a_missing_or_unreadable_header_is_read_with_order_get(lz_client, lz_emulator):
    _add(lz_emulator, 12, seed=24, statuses=[["pending"]])
    refs, headers = _listed(lz_client)
    ids = [r.external_id for r in refs]
    del headers[ids[0]]
    headers[ids[1]] = dict(headers[ids[1]], updated_at="some day")
    headers[ids[2]] = "not a header"
    lz_emulator.journal.clear()
    got = lz_client.get_orders(ids + ["999", "abc"], headers=headers)
    assert [o.external_id for o in got] == ids
    read = [e.query["order_id"][0] for e in lz_emulator.journal.entries("/order/get")]
    assert sorted(read) == sorted([ids[0], ids[1], ids[2], "999"])
    assert lz_emulator.journal.count("/orders/items/get") == 1


def test_a_header_older_than_its_items_is_read_again(lz_client, lz_emulator):
    _add(lz_emulator, 8, seed=25, statuses=[["pending", "pending"]])
    refs, headers = _listed(lz_client)
    ids = [r.external_id for r in refs]
    stale = ids[3]
    # a unit is cancelled after the list was read: its header is behind
    lz_emulator.clock = lambda: NOW.timestamp() + 60
    with lz_emulator.store.lock:
        first = lz_emulator.store["orders"][stale]["_items"][0]["order_item_id"]
    lz_emulator.set_item_status(stale, [first], "canceled")
    lz_emulator.journal.clear()
    got = {o.external_id: o for o in lz_client.get_orders(ids, headers=headers)}
    read = [e.query["order_id"][0] for e in lz_emulator.journal.entries("/order/get")]
    assert read == [stale]
    fresh = got[stale]
    assert fresh.raw["order"]["statuses"] == ["canceled", "pending"]
    assert fresh.update_time == NOW + timedelta(seconds=60)
    assert len(fresh.lines) == 1 and len(fresh.cancelled_lines) == 1
    assert fresh.check_total() == 0


def test_headers_are_ignored_where_refs_carry_none(lz_make_client, lz_emulator):
    client = lz_make_client()
    _add(lz_emulator, 3, seed=26)
    refs, headers = _listed(client)
    client.refs_carry_headers = False  # as Shopee, TikTok Shop and Tiki say
    lz_emulator.journal.clear()
    got = client.get_orders([r.external_id for r in refs], headers=headers)
    assert len(got) == 3
    assert lz_emulator.journal.count("/order/get") == 3
