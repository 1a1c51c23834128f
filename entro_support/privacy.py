"""Where entro_support keeps personal data (format: ``entro_marketplace/privacy.py``).

Support tickets name their requester (contact, name, email) and carry what they
wrote. The Contact Support diagnostic attached to a ticket holds no buyer data
(it is redacted before it is written).
"""

PERSONAL_DATA = [
    {
        "model": "helpdesk.ticket",
        "description": "Support tickets: the requester and what they wrote",
        "find": {"partner": ["partner_id"], "email": ["partner_email"]},
        "fields": {
            "number": "keep",
            "name": "keep",
            "partner_name": "placeholder",
            "partner_email": "blank",
            "description": "scrub",
        },
    },
]

NOT_PERSONAL = {
    # the wizard's subject is the ticket's title, its text the seller's
    # question; both go to the ticket, which is declared above
    "entro.support.contact": ["subject", "description", "diagnostic"],
}
