{
    "name": "Entro Billing",
    "summary": "Entro subscription plans: trials, renewal invoices, cancellation and "
    "the limits of each plan",
    "version": "18.0.1.0.0",
    "category": "Sales/Subscriptions",
    "author": "Entrosoft",
    "license": "LGPL-3",
    "depends": ["entro_marketplace", "account", "payment", "portal"],
    "data": [
        "security/entro_billing_groups.xml",
    ],
    "installable": True,
    "development_status": "Alpha",
}
