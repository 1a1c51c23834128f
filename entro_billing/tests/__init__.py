from . import test_subscription
from . import test_portal
