{
    "name": "Entro Support",
    "summary": "Support for Entro sellers on OCA Helpdesk: business-hours response "
    "deadlines, priority support by plan, Contact Support with a diagnostic, and "
    "the data download at termination",
    "version": "18.0.1.0.0",
    "category": "After-Sales",
    "author": "Entrosoft",
    "license": "LGPL-3",
    "depends": [
        "entro_billing",
        "helpdesk_mgmt",
        "helpdesk_mgmt_sla",
        "resource",
    ],
    "data": [
        "security/ir.model.access.csv",
        "security/entro_support_security.xml",
        "data/resource_calendar_data.xml",
        "data/helpdesk_data.xml",
        "data/ir_cron_data.xml",
        "views/helpdesk_ticket_views.xml",
        "wizards/entro_support_contact_views.xml",
        "views/entro_marketplace_shop_views.xml",
        "views/queue_job_views.xml",
        "views/res_config_settings_views.xml",
        "views/entro_support_portal_templates.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "installable": True,
    "development_status": "Alpha",
}
