"""The marketplace's Odoo tests (Odoo's runner and pytest-odoo).

The end-to-end cases talk to the platform emulators of this repository's top-level
``tests/emulators``, imported as ``tests.emulators.<code>``. pytest puts the
repository on ``sys.path``; ``odoo-bin --test-enable`` does not: when this addon sits
in the repository, the repository's folder is added to it here. ``platforms/`` holds
plain pytest tests of the platform layer, collected by pytest only (not imported
here, so Odoo's runner never sees them).
"""

import sys
from pathlib import Path

_REPOSITORY = Path(__file__).resolve().parents[2]
if (_REPOSITORY / "tests" / "emulators").is_dir() and str(_REPOSITORY) not in sys.path:
    sys.path.append(str(_REPOSITORY))

from . import test_shop_security
from . import test_fulfilment
from . import test_fulfilment_cockpit
from . import test_hostile_input
from . import test_hostile_lazada
from . import test_hostile_tiki
from . import test_hostile_tiktok
from . import test_lazada_flow
from . import test_lazada_fulfilment
from . import test_lazada_staging
from . import test_order_import
from . import test_import_rights
from . import test_payouts
from . import test_resilience
from . import test_security
from . import test_stock_push
from . import test_tiki_flow
from . import test_tiki_statement
from . import test_tiktok_flow
from . import test_tiktok_fulfilment
from . import test_tiktok_payouts
from . import test_webhooks
from . import test_platform_registry
from . import test_tours
from . import test_readable_orders
from . import test_overview
from . import test_vietnamese
from . import test_withholding_tiktok_tiki  # issue 22: TikTok Shop, Tiki withholding
