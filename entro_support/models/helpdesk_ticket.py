from odoo import api, fields, models

from odoo.addons.entro_billing.models.entro_billing_subscription import SERVING_STATES

# a ticket of a priority customer is at least High (helpdesk_mgmt's priorities)
PRIORITY_HIGH = "2"


class HelpdeskTicket(models.Model):
    """Entro's support tickets: routed to Entro Support, whose SLAs count the
    terms' business hours; a seller on a plan with priority support is High and
    gets the shorter first-response deadline."""

    _inherit = "helpdesk.ticket"

    entro_seller_company_id = fields.Many2one(
        "res.company",
        string="Seller Company",
        readonly=True,
        index=True,
        help="The Entro customer this ticket is about (from the contact or the "
        "Contact Support button).",
    )
    entro_priority_support = fields.Boolean(
        "Priority Support",
        readonly=True,
        help="The seller's plan includes priority support: shorter response "
        "deadline, sorted first.",
    )
    entro_shop_id = fields.Many2one(
        "entro.marketplace.shop", string="Shop", readonly=True, index=True
    )

    @api.model
    def _entro_support_team(self):
        return self.env.ref(
            "entro_support.team_entro_support", raise_if_not_found=False
        )

    @api.model
    def _entro_support_company(self):
        """The company whose desk answers: Entro's own (the main company)."""
        return self.env.ref("base.main_company", raise_if_not_found=False)

    @api.model
    def _entro_seller_company(self, partner):
        """The seller company a contact speaks for: the company of which it is
        the contact (or a contact of it), else its user's company."""
        if not partner:
            return self.env["res.company"]
        # sudo: routing reads companies and users the author may not see
        Company = self.env["res.company"].sudo()
        company = Company.search(
            [("partner_id", "=", partner.commercial_partner_id.id)], limit=1
        )
        if not company:
            company = partner.sudo().user_ids[:1].company_id
        return company

    @api.model
    def _entro_has_priority_support(self, company):
        if not company:
            return False
        sub = self.env["entro.billing.subscription"]._for_company(company)
        return bool(
            sub and sub.state in SERVING_STATES and sub.plan_id.priority_support
        )

    @api.model
    def _entro_route(self, vals):
        """Seller company, priority and company of the desk for a new ticket."""
        partner = self.env["res.partner"].browse(vals.get("partner_id") or [])
        company = self.env["res.company"].browse(
            vals.get("entro_seller_company_id") or []
        ) or self._entro_seller_company(partner)
        vals["entro_seller_company_id"] = company.id
        if self._entro_has_priority_support(company):
            vals["entro_priority_support"] = True
            vals["priority"] = max(vals.get("priority") or "1", PRIORITY_HIGH)
        desk = self._entro_support_company()
        if desk:
            vals["company_id"] = desk.id

    @api.model_create_multi
    def create(self, vals_list):
        team = self._entro_support_team()
        for vals in vals_list:
            if team and not vals.get("team_id"):
                vals["team_id"] = team.id
                if not vals.get("stage_id"):
                    vals["stage_id"] = team._get_applicable_stages()[:1].id
            if team and vals.get("team_id") == team.id:
                self._entro_route(vals)
        return super().create(vals_list)

    def message_post(self, **kwargs):
        message = super().message_post(**kwargs)
        self._entro_answered(message)
        return message

    def _entro_answered(self, message):
        """An agent's first reply to the customer is the first response: a new
        ticket moves to In Progress (which accomplishes the response SLA)."""
        if (
            len(self) != 1
            or message.message_type != "comment"
            or message.subtype_id != self.env.ref("mail.mt_comment")
            or not self.stage_id.unattended
            or not self.env.user.has_group("helpdesk_mgmt.group_helpdesk_user_own")
            or message.author_id == self.partner_id
        ):
            return
        stage = self.env.ref(
            "helpdesk_mgmt.helpdesk_ticket_stage_in_progress", raise_if_not_found=False
        )
        if stage and stage.sequence > self.stage_id.sequence:
            self.stage_id = stage
