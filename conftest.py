"""Root pytest configuration.

pytest-odoo imports Odoo's test framework before any test mode is configured, and
Odoo then logs an error ("Importing test framework ... not in test mode"). We are the
test runner, so import it here, flagged as test mode for the import only: turning
``--test-enable`` on for the whole run would make loading the registry run the
at_install tests of every installed Odoo module.

The platform layer's tests (``entro_marketplace/tests/platforms``) are plain pytest
in the addon's folder. pytest-odoo imports them under ``odoo.addons.``; plain pytest
(``-p no:odoo``) imports them by their path, ``entro_marketplace.tests.platforms.*``,
and so does pytest-odoo for that folder's conftest when a path in it is given on the
command line (initial conftests load before pytest-odoo renames modules). Under that
name the addon's own ``__init__`` must not run (Odoo models import only as
``odoo.addons.*``): ``entro_marketplace`` and its ``tests`` are bare packages here.
"""

import sys
from pathlib import Path
from types import ModuleType

for _name in ("entro_marketplace", "entro_marketplace.tests"):
    if _name not in sys.modules:
        _package = ModuleType(_name)
        _package.__path__ = [str(Path(__file__).parent.joinpath(*_name.split(".")))]
        sys.modules[_name] = _package

try:
    from odoo.tools import config as _odoo_config
except ImportError:  # the pure-Python tests can run without Odoo
    _odoo_config = None

if _odoo_config is not None:
    _odoo_config["test_enable"] = True
    try:
        import odoo.tests  # noqa: F401
    finally:
        _odoo_config["test_enable"] = False


def pytest_sessionfinish(session, exitstatus):
    """A skipped test makes the run red: a test that could not run proved nothing.

    A browser tour skips when Chromium or websocket-client is missing, an Odoo test
    when a module is not installed: each is a set-up fault to fix, never a green run.
    ``ENTRO_ALLOW_SKIPS=1`` lets a developer run a subset anyway.
    """
    import os

    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and not os.environ.get("ENTRO_ALLOW_SKIPS"):
        reporter.write_line(
            f"{len(skipped)} test(s) skipped: the run is red (a skipped test proves "
            "nothing; fix the set-up, or set ENTRO_ALLOW_SKIPS=1 for a local subset)",
            red=True,
            bold=True,
        )
        for report in skipped:
            reporter.write_line(f"  skipped: {report.nodeid}: {report.longrepr}")
        session.exitstatus = 1
