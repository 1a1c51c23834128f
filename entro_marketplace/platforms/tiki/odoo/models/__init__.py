from . import entro_marketplace_shop_tiki
from . import entro_marketplace_settlement_tiki
from . import entro_marketplace_app_tiki
