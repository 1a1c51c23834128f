"""Tiki's Odoo side: the shop's Tiki fields and event queue pull, the statement
upload wizard, the connect wizard's app type (and, listed in the manifest, their
views, data and access rights).

Only the addon imports this package (``entro_marketplace/__init__.py`` imports
each registered platform's ``odoo`` subpackage); Tiki's pure modules around it
never do, so ``platforms`` still loads without Odoo.
"""

from . import models
from . import wizards
