"""Where Odoo's core models keep a person's data: declared by entro_privacy itself.

Same format as ``entro_marketplace/privacy.py`` (documented there). Each Entro
addon keeps its own ``privacy.py``; entro_privacy reads them all and merges the
entries of one model.
"""


def _lt(text):
    """Marks a text for translation: it is extracted into this addon's .pot, and
    entro_privacy shows it in the reader's language (this file imports nothing)."""
    return text


PERSONAL_DATA = [
    {
        "model": "res.partner",
        "description": _lt("Contacts: the person and their addresses"),
        "find": {"partner": ["id"]},
        "fields": {
            "name": "placeholder",
            "email": "blank",
            "phone": "blank",
            "mobile": "blank",
            "street": "blank",
            "street2": "blank",
            "city": "blank",
            "zip": "blank",
            "state_id": "blank",
            "vat": "blank",
            "ref": "blank",
            "website": "blank",
            "function": "blank",
            "comment": "blank",
            "image_1920": "blank",
            "country_id": "keep",
            "type": "keep",
        },
        # the customer of posted invoices: name and invoice address stay on the
        # accounting documents for the period; the rest goes, the contact is
        # archived and flagged restricted
        "retain": {
            "domain": [("invoice_ids.state", "=", "posted")],
            "date": "invoice_ids.date",
            "period": "accounting",
            "reason": _lt(
                "Customer of posted invoices: the name and invoice address "
                "are kept with the accounting documents"
            ),
            "fields": {
                "email": "blank",
                "phone": "blank",
                "mobile": "blank",
                "website": "blank",
                "function": "blank",
                "comment": "blank",
                "image_1920": "blank",
                "active": "blank",
            },
        },
    },
    {
        "model": "res.users",
        "description": _lt("User accounts (portal) of the person"),
        "find": {"partner": ["partner_id"]},
        "fields": {"login": "placeholder", "active": "blank"},
    },
    {
        "model": "sale.order",
        "description": _lt("Sales orders"),
        "find": {
            "partner": ["partner_id", "partner_invoice_id", "partner_shipping_id"]
        },
        "fields": {
            "name": "keep",
            "date_order": "keep",
            "client_order_ref": "keep",
            "origin": "keep",
            "amount_total": "keep",
            "state": "keep",
            "note": "scrub",
        },
    },
    {
        # the lines of those orders: what the person bought (exported with the
        # order; nothing personal in them to erase)
        "model": "sale.order.line",
        "description": _lt("Lines of those sales orders: products, quantities, prices"),
        "find": {"related": [("order_id", "sale.order", "id")]},
        "fields": {
            "order_id": "keep",
            "product_id": "keep",
            "name": "keep",
            "product_uom_qty": "keep",
            "price_unit": "keep",
            "discount": "keep",
            "price_total": "keep",
        },
    },
    {
        "model": "stock.picking",
        "description": _lt("Deliveries and returns"),
        "find": {"partner": ["partner_id"]},
        "fields": {
            "name": "keep",
            "origin": "keep",
            "scheduled_date": "keep",
            "date_done": "keep",
            "carrier_tracking_ref": "keep",
            "note": "scrub",
        },
    },
    {
        "model": "account.move",
        "description": _lt("Invoices and credit notes"),
        "find": {
            "partner": ["partner_id", "commercial_partner_id", "partner_shipping_id"]
        },
        "fields": {
            "name": "keep",
            "move_type": "keep",
            "invoice_date": "keep",
            "date": "keep",
            "amount_total": "keep",
            "ref": "keep",
            "invoice_partner_display_name": "keep",
            "narration": "scrub",
        },
        "retain": {
            "domain": [("state", "=", "posted")],
            "date": "date",
            "period": "accounting",
            "reason": _lt("Posted accounting document"),
            "fields": {},
        },
    },
    {
        "model": "mail.message",
        "description": _lt(
            "Messages and notes (chatter) by the person or on their records"
        ),
        "find": {"partner": ["author_id"], "document": ("model", "res_id")},
        "fields": {
            "date": "keep",
            "message_type": "keep",
            "subject": "scrub",
            "body": "scrub",
            "email_from": "scrub",
            "record_name": "scrub",
        },
    },
    {
        "model": "mail.tracking.value",
        "description": _lt("Tracked changes of those records"),
        "find": {"related": [("mail_message_id", "mail.message", "id")]},
        "fields": {"old_value_char": "scrub", "new_value_char": "scrub"},
    },
    {
        "model": "mail.followers",
        "description": _lt("Subscriptions of the person to documents"),
        "find": {"partner": ["partner_id"]},
        "fields": {"res_model": "keep", "res_id": "keep"},
        "erase": "delete",
    },
    {
        "model": "mail.activity",
        "description": _lt("Planned activities on the person's records"),
        "find": {"document": ("res_model", "res_id")},
        "fields": {"summary": "scrub", "note": "scrub", "date_deadline": "keep"},
    },
    {
        "model": "mail.mail",
        "description": _lt("Outgoing emails to the person"),
        "find": {"partner": ["recipient_ids"], "email": ["email_to"]},
        "fields": {"email_to": "scrub", "subject": "scrub", "body_html": "scrub"},
        "erase": "delete",
    },
    # brought in by entro_billing (payment): copies of the payer's data on each
    # transaction, saved payment methods, bank accounts
    {
        "model": "payment.transaction",
        "description": _lt("Payment transactions: the payer's details"),
        "find": {"partner": ["partner_id"]},
        "fields": {
            "reference": "keep",
            "amount": "keep",
            "state": "keep",
            "partner_name": "placeholder",
            "partner_email": "blank",
            "partner_phone": "blank",
            "partner_address": "blank",
            "partner_zip": "blank",
            "partner_city": "blank",
            "partner_state_id": "blank",
        },
    },
    {
        "model": "payment.token",
        "description": _lt("Saved payment methods"),
        "find": {"partner": ["partner_id"]},
        "fields": {
            "payment_details": "blank",
            "provider_ref": "hash",
            "active": "blank",
        },
    },
    {
        "model": "res.partner.bank",
        "description": _lt("Bank accounts"),
        "find": {"partner": ["partner_id"]},
        "fields": {"acc_number": "hash", "acc_holder_name": "blank"},
        # on a posted payment or invoice: the account stays with the documents
        "retain": {
            "domain": [("partner_id.invoice_ids.state", "=", "posted")],
            "date": "partner_id.invoice_ids.date",
            "period": "accounting",
            "reason": _lt("Bank account of the customer of posted invoices"),
            "fields": {},
        },
    },
    {
        "model": "ir.attachment",
        "description": _lt("Files attached to the person's records"),
        "find": {"document": ("res_model", "res_id")},
        "fields": {"name": "keep", "mimetype": "keep", "datas": "keep"},
        "erase": "delete",
        "retain": {
            "domain": [("res_model", "=", "account.move")],
            "date": "create_date",
            "period": "accounting",
            "reason": _lt("Attached to an accounting document"),
            "fields": {},
        },
    },
]

# entro_privacy's own models: officers' records, not data subjects' personal data
# (the request holds the subject's identifiers so that it can be handled). A
# request's export archive (ir.attachment) is a copy of the subject's data: the
# engine deletes it with the subject's erasure, the log cron after its period.
NOT_PERSONAL = {
    "entro.privacy.request": [
        "name",
        "email",
        "phone",
        "buyer_keys",
        "identity_check",
        "result",
        "correction_name",
        "correction_email",
        "correction_phone",
        "correction_street",
        "revoke_url",
        # privacy request portal form: the requester's own words, kept as the
        # record of the request (like its email and phone above)
        "requester_name",
        "request_message",
    ],
    "entro.privacy.audit": ["detail", "event"],
    "entro.privacy.breach": ["name", "description", "data_concerned", "measures"],
    "entro.privacy.erase": ["preview_html"],
    "entro.privacy.export": ["preview_html"],
    "res.partner": ["entro_privacy_restricted"],
}
