"""The platforms' Retry-After per shop, shared by every process of the server.

A platform that answers 429 with ``Retry-After`` means the shop (or the app), not
the one call: the transport's :class:`~..platforms.transport.RateLimiter` holds
the other calls of its process, and this store (a table of its own, a row per
limiter key) holds the calls of the other worker processes, and of other servers
on the same database. A technical table, not a model: seconds-lived data that no
user reads, written in transactions of their own so that no job's rollback
undoes it and no job's transaction conflicts with it.
"""

import psycopg2.errors

from odoo.tools import config

TABLE = "entro_marketplace_rate_hold"


def create_table(cr):
    cr.execute(
        f"""
        CREATE TABLE IF NOT EXISTS {TABLE} (
            key varchar PRIMARY KEY,
            held_until double precision NOT NULL
        )
        """
    )


class DatabaseHolds:
    """A :class:`~..platforms.transport.HoldStore` on the database of ``env``.

    Each read and write is a transaction of its own (read committed: what another
    process committed a moment ago counts). Under tests (``test_enable``, nothing
    is committed) it reads and writes in ``env``'s transaction.
    """

    def __init__(self, env):
        self.registry = env.registry
        self.test_cr = env.cr if config["test_enable"] else None

    def _run(self, query, params):
        if self.test_cr is not None:
            self.test_cr.execute(query, params)
            return self.test_cr.fetchone() if self.test_cr.description else None
        with self.registry.cursor() as cr:
            cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            try:
                with cr.savepoint(flush=False):
                    cr.execute(query, params, log_exceptions=False)
                    return cr.fetchone() if cr.description else None
            except psycopg2.errors.UndefinedTable:
                # new code on a database not updated yet (the table comes with
                # the module's update): create it now
                create_table(cr)
                cr.execute(query, params)
                return cr.fetchone() if cr.description else None

    def get(self, key):
        row = self._run(f"SELECT held_until FROM {TABLE} WHERE key = %s", [key])
        return row[0] if row else 0.0

    def put(self, key, until):
        self._run(
            f"""
            INSERT INTO {TABLE} AS h (key, held_until) VALUES (%s, %s)
            ON CONFLICT (key)
            DO UPDATE SET held_until = GREATEST(h.held_until, EXCLUDED.held_until)
            """,
            [key, until],
        )
