from . import entro_privacy_export
from . import entro_privacy_erase
