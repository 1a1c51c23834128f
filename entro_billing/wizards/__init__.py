from . import entro_billing_change_plan
