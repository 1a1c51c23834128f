from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_date


class EntroPrivacyErase(models.TransientModel):
    """Shows what an erasure will pseudonymise, delete and keep (and why), then
    does it in one transaction."""

    _name = "entro.privacy.erase"
    _description = "Privacy Erasure"

    request_id = fields.Many2one("entro.privacy.request", required=True)

    @api.constrains("request_id")
    def _check_request_access(self):
        # the preview shows the subject's data: only for a request the user may process
        self.request_id.check_access("write")

    preview_html = fields.Html(
        "What Will Happen", compute="_compute_preview_html", sanitize=False
    )
    confirm = fields.Boolean(
        "I understand that this cannot be undone",
    )

    @api.depends("request_id")
    def _compute_preview_html(self):
        # what will happen, not what happened: nothing is done before Erase
        labels = {
            "pseudonymise": _("Will be anonymised"),
            "delete": _("Will be deleted"),
            "keep": _("Will be kept"),
        }
        engine = self.env["entro.privacy.engine"]
        for wizard in self:
            plan = wizard.request_id._erase_plan()
            if not plan:
                wizard.preview_html = Markup("<p>%s</p>") % _(
                    "Nothing left to erase: this subject's data is already erased."
                )
                continue
            rows = []
            for entry in plan:
                model = entry["model"]
                changed = ", ".join(
                    sorted(engine._field_labels(model, entry["changes"]))
                )
                if entry["action"] == "keep":
                    why = _(
                        "%(reason)s: kept until %(until)s",
                        reason=entry["reason"],
                        until=format_date(self.env, entry["until"]),
                    )
                    if changed:
                        why += " — " + _("removed: %s", changed)
                elif entry["action"] == "delete":
                    why = entry["reason"] or ""
                else:
                    why = changed
                rows.append(
                    Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                    % (
                        labels[entry["action"]],
                        engine._model_label(model),
                        entry["label"] or f"#{entry['id']}",
                        why,
                    )
                )
            wizard.preview_html = (
                Markup(
                    "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
                    "<th>%s</th><th>%s</th></tr></thead><tbody>"
                )
                % (
                    _("What Will Happen"),
                    _("Kind of Record"),
                    _("Record"),
                    _("Details"),
                )
                + Markup("").join(rows)
                + Markup("</tbody></table>")
            )

    def action_erase(self):
        self.ensure_one()
        if not self.confirm:
            raise UserError(_("Tick the box to confirm: an erasure cannot be undone."))
        self.request_id._check_ready()
        self.request_id._process_erase()
        return {
            "type": "ir.actions.act_window",
            "res_model": "entro.privacy.request",
            "res_id": self.request_id.id,
            "view_mode": "form",
            "target": "current",
        }
