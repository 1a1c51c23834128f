from . import test_install
from . import test_shop_security
from . import test_platform_registry
