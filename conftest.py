"""Root pytest configuration.

pytest-odoo imports Odoo's test framework before any test mode is configured, and
Odoo then logs an error ("Importing test framework ... not in test mode"). We are the
test runner, so import it here, flagged as test mode for the import only: turning
``--test-enable`` on for the whole run would make loading the registry run the
at_install tests of every installed Odoo module.
"""

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
