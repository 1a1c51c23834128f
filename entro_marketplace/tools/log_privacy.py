"""Keep the values of failed SQL statements out of the server log.

Odoo logs every statement that fails (logger ``odoo.sql_db``, "bad query: ...",
at ERROR) with its parameters bound in: an order's payload, or a buyer's name,
phone and address, whenever the statement that wrote them fails, and a deadlock
or a serialization failure is enough. PostgreSQL's message may quote values too
(its ``DETAIL: Key (...)=(...)`` lines), and queue_job logs a failed job's
traceback, which carries that message.

The filter keeps what a person needs to find the fault (the statement's shape,
the error and its code) and replaces every quoted literal by ``'?'`` and every
``DETAIL`` by a placeholder. It is installed on those loggers when the addon is
loaded, for the whole server process.
"""

import logging
import re

#: a quoted SQL literal as psycopg2 binds one ('' inside is a quote), with an
#: optional E prefix (escape string: \\' inside is a quote too)
_LITERAL = re.compile(r"\b[Ee]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'")
#: PostgreSQL's DETAIL lines, to the end of the line
_DETAIL = re.compile(r"(DETAIL:)[^\n]*")
WITHHELD = "(values withheld)"

#: loggers that write failed statements or PostgreSQL's messages
LOGGERS = ("odoo.sql_db", "odoo.addons.queue_job.controllers.main")


def scrub_statement(statement):
    """``statement`` (bytes or text) with every literal replaced by ``'?'``."""
    if isinstance(statement, bytes | bytearray | memoryview):
        statement = bytes(statement).decode("utf-8", "replace")
    return _LITERAL.sub("'?'", str(statement))


def scrub_message(text):
    """A PostgreSQL message (or a traceback) without the values of its DETAIL."""
    return _DETAIL.sub(rf"\1 {WITHHELD}", str(text))


class SqlValuesFilter(logging.Filter):
    """Rewrites the records of failed statements; lets every record through."""

    def filter(self, record):
        try:
            if isinstance(record.msg, str) and record.msg.startswith("bad query"):
                query, *rest = record.args or ("",)
                record.args = (
                    scrub_statement(query),
                    *(scrub_message(arg) for arg in rest),
                )
            elif isinstance(record.msg, str) and record.msg.endswith("query: %s"):
                # every statement, at DEBUG (--log-level=debug_sql)
                *rest, query = record.args
                record.args = (*rest, scrub_statement(query))
            elif record.levelno >= logging.ERROR and "DETAIL:" in record.getMessage():
                record.msg = scrub_message(record.getMessage())
                record.args = ()
            if record.exc_info and record.exc_info[1] is not None:
                # a logged exception's text: rendered here, without its DETAIL
                record.exc_text = scrub_message(
                    logging.Formatter().formatException(record.exc_info)
                )
                record.exc_info = None
        except (TypeError, ValueError, AttributeError):  # an odd record: withheld
            record.msg, record.args = "(a log record withheld: %s)", (record.name,)
        return True


_FILTER = SqlValuesFilter()


def install():
    """Add the filter to the loggers that need it (once per process)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, SqlValuesFilter) for f in logger.filters):
            logger.addFilter(_FILTER)
