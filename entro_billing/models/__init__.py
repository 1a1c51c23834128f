from . import entro_billing_plan
from . import entro_billing_subscription
from . import entro_billing_period
from . import account_move
from . import res_company
from . import res_config_settings
from . import entro_marketplace_shop
from . import entro_marketplace_order
