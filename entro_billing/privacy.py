"""Where entro_billing keeps personal data.

Read by entro_privacy (format documented in ``entro_marketplace/privacy.py``). Pure
data: this addon does not depend on entro_privacy.

A subscription holds no personal data of its own: it points at the subscriber's
contact (pseudonymised with the contacts, or kept with the posted renewal invoices,
which entro_privacy's core declaration retains) and at a payment token (declared by
entro_privacy too). Its fields are exported as the record of the contract.
"""


def _lt(text):
    """Marks a text for translation: it is extracted into this addon's .pot, and
    entro_privacy shows it in the reader's language (this file imports nothing)."""
    return text


PERSONAL_DATA = [
    {
        "model": "entro.billing.subscription",
        "description": _lt(
            "Entro subscriptions of the subscriber (the contract behind "
            "the renewal invoices)"
        ),
        "find": {"partner": ["partner_id"]},
        "fields": {
            "name": "keep",
            "plan_id": "keep",
            "period": "keep",
            "state": "keep",
            "start_date": "keep",
            "current_period_start": "keep",
            "current_period_end": "keep",
        },
    },
    {
        "model": "entro.billing.period",
        "description": _lt("Renewal ledger of the subscriber's subscriptions"),
        "find": {"partner": ["partner_id"]},
        "fields": {
            "period_start": "keep",
            "period_end": "keep",
            "amount": "keep",
            "state": "keep",
        },
    },
]

NOT_PERSONAL = {
    "entro.billing.plan": ["name", "code", "description"],
    "entro.billing.period": ["last_error"],
    # portal.mixin's share token of the customer's portal page
    "entro.billing.subscription": ["access_token"],
    "res.config.settings": ["entro_billing_retry_days"],
}
