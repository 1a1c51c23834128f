from . import entro_marketplace_shop
