from . import entro_marketplace_shop_connect_tiki
from . import entro_marketplace_tiki_statement
