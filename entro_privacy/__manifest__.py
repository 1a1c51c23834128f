{
    "name": "Entro Privacy",
    "summary": "Data-subject rights for the Entro suite: export, erasure, revocation "
    "of platform access and retention",
    "version": "18.0.1.1.0",
    "category": "Productivity/Privacy",
    "author": "Entrosoft",
    "license": "LGPL-3",
    "depends": ["entro_marketplace", "entro_billing"],
    "data": [
        "security/entro_privacy_groups.xml",
        "security/ir.model.access.csv",
        "security/entro_privacy_security.xml",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "data/entro_privacy_buyer_retention_data.xml",
        "views/entro_privacy_request_views.xml",
        "views/entro_privacy_audit_views.xml",
        "views/entro_privacy_breach_views.xml",
        "views/res_partner_views.xml",
        "views/entro_privacy_buyer_retention_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/entro_privacy_export_views.xml",
        "wizards/entro_privacy_erase_views.xml",
        "views/entro_privacy_menus.xml",
    ],
    "assets": {
        # the browser tour of tests/test_tours.py
        "web.assets_tests": ["entro_privacy/static/tests/tours/**/*"],
    },
    "installable": True,
    "application": True,
    "development_status": "Alpha",
}
