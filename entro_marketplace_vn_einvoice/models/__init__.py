from . import account_move
from . import entro_marketplace_shop
