from . import entro_marketplace_shop_connect
