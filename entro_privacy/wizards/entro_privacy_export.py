from markupsafe import Markup, escape

from odoo import _, api, fields, models


class EntroPrivacyExport(models.TransientModel):
    """Shows what an export gathers, then builds the archive."""

    _name = "entro.privacy.export"
    _description = "Privacy Export"

    request_id = fields.Many2one("entro.privacy.request", required=True)

    @api.constrains("request_id")
    def _check_request_access(self):
        # the preview shows the subject's data: only for a request the user may process
        self.request_id.check_access("write")

    preview_html = fields.Html(
        "What the Export Contains", compute="_compute_preview_html", sanitize=False
    )

    @api.depends("request_id")
    def _compute_preview_html(self):
        engine = self.env["entro.privacy.engine"]
        for wizard in self:
            found = engine._find(wizard.request_id._subject())
            specs = engine._declarations()
            rows = [
                Markup("<tr><td>%s</td><td>%s</td><td class='text-end'>%s</td></tr>")
                % (
                    engine._model_label(model),
                    engine._model_description(model, specs[model]),
                    len(records),
                )
                for model, records in sorted(
                    found.items(), key=lambda item: engine._model_label(item[0])
                )
                if records
            ]
            wizard.preview_html = (
                Markup(
                    "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
                    "<th class='text-end'>%s</th></tr></thead><tbody>"
                )
                % (_("Kind of Record"), _("What It Holds"), _("Records"))
                + Markup("").join(rows)
                + Markup("</tbody></table>")
                if rows
                else Markup("<p>%s</p>")
                % escape(_("No personal data was found for this subject."))
            )

    def action_generate(self):
        self.ensure_one()
        # the same checks as an erasure: officer, companies, identity verified
        self.request_id._check_ready()
        self.request_id._process_export()
        # Close the dialog: the request's form, reloaded, shows the export done and
        # its "Download Export" button (a download from inside the dialog left it
        # open over a finished request).
        return {"type": "ir.actions.act_window_close"}
