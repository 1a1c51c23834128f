from . import entro_marketplace_shop_connect
from . import entro_marketplace_cancel
