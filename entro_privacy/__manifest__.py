{
    "name": "Entro Privacy",
    "summary": "Data-subject rights for the Entro suite: export, erasure, revocation "
    "of platform access and retention",
    "version": "18.0.1.0.0",
    "category": "Productivity/Privacy",
    "author": "Entrosoft",
    "license": "LGPL-3",
    "depends": ["entro_marketplace", "entro_billing"],
    "data": [
        "security/entro_privacy_groups.xml",
    ],
    "installable": True,
    "development_status": "Alpha",
}
