from . import test_subscription
from . import test_portal
from . import test_security
from . import test_payment_method
from . import test_portal_plan_change
from . import test_my_plan
from . import test_migration
