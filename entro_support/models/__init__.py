from . import entro_billing_subscription
from . import entro_marketplace_shop
from . import entro_support_diagnostic
from . import entro_support_termination
from . import helpdesk_ticket
from . import queue_job
from . import res_company
from . import res_config_settings
