from . import test_subscription
from . import test_portal
from . import test_security
