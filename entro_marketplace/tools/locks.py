"""Locks across workers: transaction-scoped advisory locks keyed by text, and
transactions that run one at a time per key."""

import zlib
from contextlib import contextmanager

from odoo.tools import config


def _keys(namespace, key):
    return [zlib.crc32(namespace.encode()) - 2**31, zlib.crc32(key.encode()) - 2**31]


def advisory_xact_lock(cr, namespace, key):
    """Wait for, then hold until the transaction ends, the lock (namespace, key)."""
    cr.execute("SELECT pg_advisory_xact_lock(%s, %s)", _keys(namespace, key))


def advisory_xact_locks(cr, namespace, keys):
    """:func:`advisory_xact_lock` for each of ``keys``, in one query, taken in
    their sorted order (two transactions taking overlapping sets never wait for
    each other in a circle)."""
    pairs = sorted({tuple(_keys(namespace, key)) for key in keys})
    if not pairs:
        return
    cr.execute(
        "SELECT pg_advisory_xact_lock(a, b) FROM unnest(%s::int[], %s::int[])"
        " WITH ORDINALITY AS k(a, b, n) ORDER BY n",
        [[a for a, _b in pairs], [b for _a, b in pairs]],
    )


@contextmanager
def serialized_transaction(env, namespace, key):
    """An environment on a transaction of its own, which starts once no other
    block of the same (namespace, key) runs, and is committed when the block ends
    (rolled back if it raises).

    For work that concurrent jobs would otherwise conflict on, e.g. a company's
    stock and its marketplace listings. A lock taken inside the job's transaction
    would come too late: under PostgreSQL's repeatable read, that transaction's
    snapshot dates from its first statement, so it still would not see what the
    lock's previous holder committed, and writing the same rows would fail to
    serialize (or deadlock, in another order). Here the lock is held by a cursor
    of its own, and the work's transaction takes its snapshot after the lock is
    granted, so it sees everything the previous holder committed.

    The caller's transaction must hold no row lock that the block needs (it would
    wait for itself): do the block's writes inside it only.

    Under tests (``test_enable``: nothing may be committed) the block runs in the
    caller's transaction, with the same lock.
    """
    if config["test_enable"]:
        advisory_xact_lock(env.cr, namespace, key)
        yield env
        return
    with env.registry.cursor() as lock_cr:
        advisory_xact_lock(lock_cr, namespace, key)
        with env.registry.cursor() as cr:
            yield env(cr=cr)


def stock_transaction(shop):
    """:func:`serialized_transaction` for the stock of ``shop``'s company: what
    order imports (their reservations), listing imports and stock and price pushes
    (the listings) of all its shops write, one at a time."""
    return serialized_transaction(shop.env, "entro.stock", str(shop.company_id.id))
