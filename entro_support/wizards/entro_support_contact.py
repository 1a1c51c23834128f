import base64

from markupsafe import Markup, escape

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError


class EntroSupportContact(models.TransientModel):
    """Contact Support: a ticket for Entro Support, with a diagnostic of the
    shop (and of the failed job) attached, free of secrets and buyer data."""

    _name = "entro.support.contact"
    _description = "Contact Support"

    shop_id = fields.Many2one("entro.marketplace.shop", readonly=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    job_id = fields.Many2one("queue.job", string="Failed Job", readonly=True)
    subject = fields.Char(required=True)
    description = fields.Text(
        "What Happened?", required=True, help="What you did, and what you expected."
    )
    diagnostic = fields.Text(
        compute="_compute_diagnostic",
        help="Sent with the ticket: no token, secret or buyer data.",
    )

    @api.constrains("shop_id", "company_id")
    def _check_shop_company(self):
        for wizard in self:
            # sudo: only the shop's company is read, to refuse another's
            company = wizard.shop_id.sudo().company_id
            if company and company not in self.env.companies:
                raise ValidationError(
                    _("This shop belongs to a company you are not working in.")
                )

    @api.depends("shop_id", "job_id")
    def _compute_diagnostic(self):
        Diagnostic = self.env["entro.support.diagnostic"]
        for wizard in self:
            wizard.diagnostic = Diagnostic._as_json(
                Diagnostic._build(wizard.shop_id, wizard.job_id)
            )

    @api.model
    def _open(self, shop=None, job=None):
        shop = shop or self.env["entro.marketplace.shop"]
        if shop:
            shop.check_access("read")
        subject = (
            _("%(shop)s: a job failed", shop=shop.name)
            if job and shop
            else (_("Help with %(shop)s", shop=shop.name) if shop else "")
        )
        return {
            "type": "ir.actions.act_window",
            "name": _("Contact Support"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_shop_id": shop.id,
                "default_company_id": (shop.company_id or self.env.company).id,
                "default_job_id": job.id if job else False,
                "default_subject": subject,
            },
        }

    def action_send(self):
        self.ensure_one()
        shop = self.shop_id
        if shop:
            shop.check_access("read")
        Diagnostic = self.env["entro.support.diagnostic"]
        data = Diagnostic._build(shop, self.job_id)
        summary = Diagnostic._summary(data)
        user = self.env.user
        description = Markup("<p>%s</p>") % escape(self.description).replace(
            "\n", Markup("<br/>")
        )
        if summary:
            description += Markup("<p><b>%s</b></p><ul>%s</ul>") % (
                _("Diagnostic"),
                Markup().join(Markup("<li>%s</li>") % line for line in summary),
            )
        tag = self.env.ref(
            "entro_support.tag_contact_support", raise_if_not_found=False
        )
        channel = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_channel_web", raise_if_not_found=False
        )
        # sudo: sellers' users read their tickets but do not create them in
        # Entro's desk; the ticket is theirs (partner) and they follow it
        ticket = (
            self.env["helpdesk.ticket"]
            .sudo()
            .create(
                {
                    "name": self.subject,
                    "description": description,
                    "partner_id": user.partner_id.id,
                    "partner_name": user.partner_id.name,
                    "partner_email": user.partner_id.email,
                    # an agent takes it: never the seller who asks
                    "user_id": False,
                    "entro_seller_company_id": (
                        shop.company_id.id if shop else self.env.company.id
                    ),
                    "entro_shop_id": shop.id or False,
                    "tag_ids": [fields.Command.set(tag.ids)],
                    "channel_id": channel.id if channel else False,
                }
            )
        )
        ticket.message_subscribe(partner_ids=user.partner_id.ids)
        if shop or self.job_id:
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"diagnostic-{ticket.number}.json",
                        "datas": base64.b64encode(Diagnostic._as_json(data).encode()),
                        "mimetype": "application/json",
                        "res_model": "helpdesk.ticket",
                        "res_id": ticket.id,
                    }
                )
            )
            ticket.message_post(
                body=_("Diagnostic attached by Contact Support."),
                attachment_ids=attachment.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        if not ticket.exists():
            raise UserError(_("The ticket could not be created."))
        return {
            "type": "ir.actions.act_window",
            "res_model": "helpdesk.ticket",
            "res_id": ticket.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }
