import importlib
import importlib.util

from . import controllers
from . import models
from . import wizards
from .platforms import PLATFORMS
from .tools import log_privacy


def _import_platforms_odoo_side():
    """Import the Odoo side of each registered platform that has one: the
    subpackage ``platforms/<code>/odoo/`` (its models and wizards), after the
    addon's own models and wizards, which it extends. A new platform adds no
    import line here; its XML and CSV files are listed in the manifest.
    ``platforms`` itself never imports these subpackages (it loads without Odoo).
    """
    for code in PLATFORMS:
        package = f"{__name__}.platforms.{code}"
        if importlib.util.find_spec(package) is None:
            continue  # registered from elsewhere: no folder of its own here
        if importlib.util.find_spec(f"{package}.odoo") is not None:
            importlib.import_module(f"{package}.odoo")


_import_platforms_odoo_side()

# failed SQL statements are logged without their values (buyers' data)
log_privacy.install()
