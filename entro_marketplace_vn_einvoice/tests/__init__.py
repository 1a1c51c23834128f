from . import test_einvoice
from . import test_einvoice_flow
from . import test_einvoice_storm
from . import test_einvoice_tour
