from odoo import _, api, fields, models
from odoo.exceptions import UserError

AUDIT_EVENTS = [
    ("created", "Request Received"),
    ("state", "State Changed"),
    ("export", "Export Generated"),
    ("download", "Export Downloaded"),
    ("erase", "Erasure Carried Out"),
    ("restrict", "Processing Restricted"),
    ("correct", "Data Corrected"),
    ("revoke", "Platform Access Revoked"),
    ("retention", "Retention Run"),
    ("breach", "Breach Register"),
]


class EntroPrivacyAudit(models.Model):
    """One line of the audit trail: what was done, when, by whom.

    Append-only: no line is ever changed or deleted, not even by an administrator
    through the ORM. Lines name models, record ids and counts, never the
    subject's personal data itself.
    """

    _name = "entro.privacy.audit"
    _description = "Privacy Audit Trail"
    _order = "id desc"
    _rec_name = "event"

    request_id = fields.Many2one(
        "entro.privacy.request", index=True, ondelete="restrict", readonly=True
    )
    shop_id = fields.Many2one(
        "entro.marketplace.shop", index=True, ondelete="set null", readonly=True
    )
    breach_id = fields.Many2one(
        "entro.privacy.breach", index=True, ondelete="restrict", readonly=True
    )
    company_id = fields.Many2one(
        "res.company", index=True, readonly=True, default=lambda s: s.env.company
    )
    event = fields.Selection(AUDIT_EVENTS, required=True, readonly=True)
    detail = fields.Text(readonly=True)
    user_id = fields.Many2one(
        "res.users", default=lambda s: s.env.user, readonly=True, string="By"
    )
    create_date = fields.Datetime("At", readonly=True)

    def write(self, vals):
        raise UserError(_("The privacy audit trail cannot be changed."))

    def unlink(self):
        raise UserError(_("The privacy audit trail cannot be deleted."))

    @api.model
    def _log(self, event, detail=None, **links):
        """Append a line (as superuser: the trail records what anyone did)."""
        values = {"event": event, "detail": detail, "user_id": self.env.uid}
        for key, record in links.items():
            values[key] = record.id if record else False
            if record and "company_id" in record._fields and record.company_id:
                values["company_id"] = record.company_id.id
        return self.sudo().create(values)
