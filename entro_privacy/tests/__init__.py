from . import test_declarations
from . import test_security
from . import test_erase
from . import test_breach
from . import test_request_checks
from . import test_buyer_retention
from . import test_vietnamese
