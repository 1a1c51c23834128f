"""Tickets reach Entro Support from email, and their first-response deadline is
counted in the terms' business hours (Mon-Fri 9:00-18:00 ICT), shorter for a
seller whose plan has priority support."""

from datetime import datetime
from email.message import EmailMessage

from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from ..hooks import HELPDESK_COMPANY_RULE, uninstall_hook
from .common import SupportCase

# Friday 4 December 2026, 16:00 in Ho Chi Minh City (UTC+7)
FRIDAY_16_ICT = datetime(2026, 12, 4, 9, 0)


@tagged("post_install", "-at_install")
class TestTickets(SupportCase):
    def _ticket_as(self, user, name="Không đồng bộ được đơn"):
        # the portal form and Contact Support create tickets as superuser for
        # the user's contact: the same here
        return self.Ticket.sudo().create(
            {
                "name": name,
                "description": "<p>Đơn Shopee không về Odoo</p>",
                "partner_id": user.partner_id.id,
            }
        )

    def _at(self, ticket, when):
        """Date the ticket as created at ``when`` (the database stamps its
        transaction's time, which freezegun does not move) and let
        helpdesk_mgmt_sla compute its SLAs again (its Set SLA button)."""
        self.env.cr.execute(
            "UPDATE helpdesk_ticket SET create_date = %s WHERE id = %s",
            (when, ticket.id),
        )
        ticket.invalidate_recordset(["create_date"])
        ticket.set_sla()
        return ticket

    def test_support_hours_calendar(self):
        calendar = self.team.resource_calendar_id
        self.assertEqual(calendar, self.env.ref("entro_support.calendar_support_hours"))
        self.assertEqual(calendar.tz, "Asia/Ho_Chi_Minh")
        self.assertEqual(
            sorted(calendar.attendance_ids.mapped("dayofweek")),
            ["0", "1", "2", "3", "4"],
        )
        self.assertEqual(set(calendar.attendance_ids.mapped("hour_from")), {9.0})
        self.assertEqual(set(calendar.attendance_ids.mapped("hour_to")), {18.0})
        self.assertTrue(self.team.use_sla)

    def test_standard_ticket_friday_16h_is_due_monday_11h(self):
        with freeze_time(FRIDAY_16_ICT):
            ticket = self._at(self._ticket_as(self.user_b), FRIDAY_16_ICT)
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.entro_seller_company_id, self.company_b)
        self.assertFalse(ticket.entro_priority_support)
        self.assertEqual(ticket.priority, "1")
        self.assertEqual(
            ticket.ticket_sla_ids.sla_id,
            self.env.ref("entro_support.sla_first_response"),
        )
        # 2 hours on Friday (16-18), 2 on Monday (9-11) ICT: Monday 04:00 UTC
        self.assertEqual(ticket.sla_deadline, datetime(2026, 12, 7, 4, 0))

    def test_priority_ticket_is_high_sorted_first_and_due_sooner(self):
        friday_17_ict = datetime(2026, 12, 4, 10, 0)
        with freeze_time(friday_17_ict):
            standard = self._at(self._ticket_as(self.user_b), friday_17_ict)
            priority = self._at(self._ticket_as(self.user_a), friday_17_ict)
        self.assertTrue(priority.entro_priority_support)
        self.assertEqual(priority.priority, "2")
        self.assertEqual(
            priority.ticket_sla_ids.sla_id,
            self.env.ref("entro_support.sla_first_response_priority"),
        )
        # 1 hour on Friday (17-18), 1 on Monday (9-10) ICT: Monday 03:00 UTC
        self.assertEqual(priority.sla_deadline, datetime(2026, 12, 7, 3, 0))
        self.assertEqual(standard.sla_deadline, datetime(2026, 12, 7, 5, 0))
        tickets = self.Ticket.search([("id", "in", (standard | priority).ids)])
        self.assertEqual(tickets[0], priority)

    def test_no_priority_once_the_subscription_ended(self):
        self.sub_a._expire("test")
        ticket = self._ticket_as(self.user_a)
        self.assertEqual(ticket.entro_seller_company_id, self.company_a)
        self.assertFalse(ticket.entro_priority_support)

    def test_agent_first_reply_meets_the_sla(self):
        agent = new_test_user(
            self.env,
            login="agent_lan",
            email="lan@entro.example.com",
            groups="base.group_user,helpdesk_mgmt.group_helpdesk_user",
        )
        with freeze_time(FRIDAY_16_ICT):
            ticket = self._at(self._ticket_as(self.user_b), FRIDAY_16_ICT)
        # the seller writing again does not count as an answer
        ticket.with_user(self.user_b).sudo().message_post(
            body="Còn nữa", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(
            ticket.stage_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        )
        with freeze_time(datetime(2026, 12, 7, 3, 30)):  # Monday 10:30 ICT
            ticket.with_user(agent).message_post(
                body="Chào chị, bên em đang kiểm tra.",
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.assertEqual(
            ticket.stage_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_in_progress"),
        )
        self.assertEqual(ticket.ticket_sla_ids.state, "accomplished")

    def test_email_to_the_alias_opens_a_ticket(self):
        alias = self.team.alias_id
        self.assertEqual(alias.alias_name, "support")
        self.assertEqual(alias.alias_model_id.model, "helpdesk.ticket")
        # the operator's mail domain (Settings > Emails)
        alias.alias_domain_id = self.env["mail.alias.domain"].create(
            {"name": "entro.example.com"}
        )
        message = EmailMessage()
        message["From"] = "Seller A <seller_a@seller.example.com>"
        message["To"] = "support@entro.example.com"
        message["Subject"] = "Không in được vận đơn"
        message["Message-ID"] = "<support-test-1@seller.example.com>"
        message.set_content("Em không in được vận đơn Shopee.")
        thread_id = self.env["mail.thread"].message_process(False, message.as_string())
        ticket = self.Ticket.browse(thread_id)
        self.assertEqual(ticket.name, "Không in được vận đơn")
        self.assertEqual(ticket.team_id, self.team)
        self.assertEqual(ticket.partner_id, self.user_a.partner_id)
        self.assertEqual(ticket.entro_seller_company_id, self.company_a)
        self.assertTrue(ticket.entro_priority_support)
        self.assertEqual(ticket.priority, "2")
        self.assertTrue(ticket.ticket_sla_ids)

    def test_seller_sees_own_tickets_not_the_other_company(self):
        mine = self._ticket_as(self.user_a)
        other = self._ticket_as(self.user_b)
        visible = self.Ticket.with_user(self.user_a).search([])
        self.assertIn(mine, visible)
        self.assertNotIn(other, visible)

    def test_uninstall_gives_helpdesk_its_company_rule_back(self):
        rule = self.env.ref("helpdesk_mgmt.helpdesk_ticket_comp_rule")
        self.assertIn("entro_seller_company_id", rule.domain_force)
        uninstall_hook(self.env)
        self.assertEqual(rule.domain_force, HELPDESK_COMPANY_RULE)
