from . import test_contact_support
from . import test_portal
from . import test_termination
from . import test_tickets
