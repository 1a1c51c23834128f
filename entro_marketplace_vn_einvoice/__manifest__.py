{
    "name": "Entro Marketplaces: Vietnamese E-invoices (SInvoice)",
    "summary": "Issue a Viettel SInvoice e-invoice (hóa đơn điện tử) for each "
    "marketplace sale and return, through Odoo's l10n_vn_edi_viettel",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "author": "Entrosoft",
    "license": "LGPL-3",
    "depends": ["entro_marketplace", "l10n_vn_edi_viettel"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "data/queue_job_data.xml",
        "data/ir_cron_data.xml",
        "views/entro_marketplace_shop_views.xml",
        "views/account_move_views.xml",
    ],
    "assets": {
        # the browser tour of tests/test_einvoice_tour.py
        "web.assets_tests": ["entro_marketplace_vn_einvoice/static/tests/tours/**/*"],
    },
    "installable": True,
    "development_status": "Alpha",
}
