from . import test_einvoice
from . import test_einvoice_flow
from . import test_einvoice_storm
