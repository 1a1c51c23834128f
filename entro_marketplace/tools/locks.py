"""Transaction-scoped advisory locks keyed by text (serialise work on one record)."""

import zlib


def advisory_xact_lock(cr, namespace, key):
    """Wait for, then hold until the transaction ends, the lock (namespace, key)."""
    cr.execute(
        "SELECT pg_advisory_xact_lock(%s, %s)",
        [zlib.crc32(namespace.encode()) - 2**31, zlib.crc32(key.encode()) - 2**31],
    )
