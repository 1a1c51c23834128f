"""Failed SQL statements reach the server log without their values."""

import logging

import pytest

from odoo.addons.entro_marketplace.tools import log_privacy

NAME = "Nguyễn Văn Bình"
PHONE = "0912345678"


class Capture(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def capture():
    handler = Capture()
    logger = logging.getLogger("odoo.sql_db")
    logger.addHandler(handler)
    level, logger.level = logger.level, logging.DEBUG
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _statement():
    # as psycopg2 binds it (bytes), with a JSON payload and a doubled quote
    payload = f'{{"recipient_address": {{"name": "{NAME}", "phone": "{PHONE}"}}}}'
    return (
        "UPDATE entro_marketplace_order SET payload = '"
        + payload
        + "'::jsonb, note = 'O''Brien "
        + PHONE
        + "' WHERE id IN (7)"
    ).encode()


def test_the_addon_installs_the_filter():
    for name in log_privacy.LOGGERS:
        assert any(
            isinstance(f, log_privacy.SqlValuesFilter)
            for f in logging.getLogger(name).filters
        )


def test_a_bad_query_keeps_its_shape_not_its_values(capture):
    error = (
        'duplicate key value violates unique constraint "x"\n'
        f"DETAIL:  Key (phone)=({PHONE}) already exists.\n"
    )
    logging.getLogger("odoo.sql_db").error(
        "bad query: %s\nERROR: %s", _statement(), error
    )
    (line,) = capture.lines
    assert "UPDATE entro_marketplace_order SET payload = '?'::jsonb" in line
    assert "WHERE id IN (7)" in line
    assert "duplicate key value violates unique constraint" in line
    for value in (NAME, PHONE, str(NAME.encode())[2:-1], "Brien"):
        assert value not in line


def test_debug_sql_statements_keep_no_values(capture):
    logging.getLogger("odoo.sql_db").debug("[%.3f ms] query: %s", 1.5, _statement())
    (line,) = capture.lines
    assert line.startswith("[1.500 ms] query: UPDATE entro_marketplace_order")
    assert PHONE not in line and NAME not in line
