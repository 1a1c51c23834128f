{
    "name": "Entro Marketplaces",
    "summary": "Sync Shopee, Lazada, TikTok Shop and Tiki shops with Odoo: orders, "
    "listings, stock, prices, fulfilment and payouts",
    "version": "18.0.1.0.0",
    "category": "Sales/Marketplaces",
    "author": "Entrosoft",
    "license": "LGPL-3",
    "depends": ["sale_management", "sale_stock", "account", "queue_job"],
    "external_dependencies": {"python": ["requests", "cryptography"]},
    "data": [
        "security/entro_marketplace_groups.xml",
        "security/ir.model.access.csv",
        "security/entro_marketplace_security.xml",
        "views/entro_marketplace_shop_views.xml",
        "views/entro_marketplace_menus.xml",
    ],
    "installable": True,
    "application": True,
    "development_status": "Alpha",
}
