from odoo import fields, http
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal


class EntroSupportPortal(CustomerPortal):
    """My data: the seller's download of all of their company's data, while the
    subscription runs and for a period after it ends."""

    def _entro_data_status(self):
        Termination = request.env["entro.support.termination"]
        company = Termination._company_of_user(request.env.user)
        return Termination._status(company)

    @http.route(["/my/entro/data"], type="http", auth="user", website=True)
    def portal_entro_data(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "status": self._entro_data_status(),
                "days": request.env["entro.support.termination"]._days(),
                "page_name": "entro_data",
            }
        )
        return request.render("entro_support.portal_entro_data", values)

    @http.route(["/my/entro/data/archive"], type="http", auth="user")
    def portal_entro_data_archive(self, **kw):
        status = self._entro_data_status()
        if not status["allowed"]:
            return request.make_response(
                status["reason"], headers=[("Content-Type", "text/plain")], status=403
            )
        company = status["company"]
        content = request.env["entro.support.termination"]._build_archive(company)
        name = f"entro-data-{company.id}-{fields.Date.today()}.zip"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/zip"),
                ("Content-Length", str(len(content))),
                ("Content-Disposition", content_disposition(name)),
            ],
        )
