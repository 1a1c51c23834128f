from . import entro_support_contact
