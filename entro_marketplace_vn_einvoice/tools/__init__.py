from . import sinvoice_session
