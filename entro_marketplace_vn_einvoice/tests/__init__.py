from . import test_einvoice
from . import test_einvoice_storm
