from datetime import timedelta

from odoo import _, api, fields, models

DEFAULT_HOURS = {"platform": 24, "authority": 72}


class EntroPrivacyBreach(models.Model):
    """A personal-data breach: what, when, whose data, and who must be told by when."""

    _name = "entro.privacy.breach"
    _description = "Personal Data Breach"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "detected_at desc, id desc"
    _check_company_auto = True

    name = fields.Char("Incident", required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company, index=True
    )
    detected_at = fields.Datetime(
        required=True, default=fields.Datetime.now, tracking=True
    )
    description = fields.Text("What Happened")
    data_concerned = fields.Text(
        "Personal Data Concerned",
        help="Which kinds of data (names, phones, addresses...) and whose.",
    )
    subject_count = fields.Integer("People Concerned (estimate)")
    shop_ids = fields.Many2many(
        "entro.marketplace.shop",
        string="Shops Concerned",
        check_company=True,
        help="Their platforms must be told within the platform deadline.",
    )
    measures = fields.Text("Measures Taken")
    user_id = fields.Many2one(
        "res.users", "Responsible", default=lambda s: s.env.user, tracking=True
    )
    platform_deadline = fields.Datetime(
        "Notify Platforms By", compute="_compute_deadlines", store=True
    )
    authority_deadline = fields.Datetime(
        "Notify the Authority By", compute="_compute_deadlines", store=True
    )
    platform_notified_at = fields.Datetime("Platforms Notified At", tracking=True)
    authority_notified_at = fields.Datetime("Authority Notified At", tracking=True)
    state = fields.Selection(
        [("open", "Open"), ("notified", "Notified"), ("closed", "Closed")],
        default="open",
        required=True,
        tracking=True,
    )

    @api.model
    def _hours(self, who):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(f"entro_privacy.breach_{who}_hours")
        )
        try:
            return int(value or DEFAULT_HOURS[who])
        except ValueError:
            return DEFAULT_HOURS[who]

    @api.depends("detected_at")
    def _compute_deadlines(self):
        platform, authority = self._hours("platform"), self._hours("authority")
        for breach in self:
            at = breach.detected_at
            breach.platform_deadline = at + timedelta(hours=platform) if at else False
            breach.authority_deadline = at + timedelta(hours=authority) if at else False

    @api.model_create_multi
    def create(self, vals_list):
        breaches = super().create(vals_list)
        for breach in breaches:
            self.env["entro.privacy.audit"]._log(
                "breach", _("breach registered"), breach_id=breach
            )
        breaches._remind()
        return breaches

    def action_platform_notified(self):
        self.write({"platform_notified_at": fields.Datetime.now()})
        self._after_notification("platform")
        return True

    def action_authority_notified(self):
        self.write({"authority_notified_at": fields.Datetime.now()})
        self._after_notification("authority")
        return True

    def _after_notification(self, who):
        for breach in self:
            self.env["entro.privacy.audit"]._log(
                "breach", _("%s notified", who), breach_id=breach
            )
            summaries = breach._reminder_summaries(who)
            breach.activity_ids.filtered(
                lambda a, s=summaries: a.summary in s
            ).action_feedback(feedback=_("Notified."))
            if breach.authority_notified_at and (
                breach.platform_notified_at or not breach.shop_ids
            ):
                breach.state = "notified"

    def action_close(self):
        self.write({"state": "closed"})
        return True

    def _reminder_summary(self, who, lang=None):
        env = self.with_context(lang=lang).env if lang else self.env
        return (
            env._("Notify the platforms of the breach")
            if who == "platform"
            else env._("Notify the authority of the breach")
        )

    def _reminder_summaries(self, who):
        """The reminder's summary in the languages it may have been written in
        (the assignee's, the current user's, English)."""
        langs = {"en_US", self.env.lang or "en_US", *self.user_id.mapped("lang")}
        return {self._reminder_summary(who, lang) for lang in langs if lang}

    def _deadline_text(self, deadline, user):
        """The note of a reminder: its deadline in the assignee's time zone and
        language (a seller in Vietnam reads 17:00 ICT, not 10:00 UTC)."""
        tz = user.tz or "UTC"
        lang = user.lang or self.env.lang or "en_US"
        env = self.with_context(lang=lang, tz=tz).env
        local = fields.Datetime.context_timestamp(self.with_env(env), deadline)
        date_format = env["res.lang"]._get_data(code=lang).date_format or "%m/%d/%Y"
        when = local.strftime(f"{date_format} %H:%M")
        if deadline < fields.Datetime.now():
            return env._("Overdue since %(when)s (%(tz)s).", when=when, tz=tz)
        return env._("Due by %(when)s (%(tz)s).", when=when, tz=tz)

    def _deadline_date(self, deadline, user):
        """The reminder's due date: the deadline's day where the assignee is."""
        record = self.with_context(tz=user.tz or "UTC")
        return fields.Datetime.context_timestamp(record, deadline).date()

    def _remind(self):
        """One activity per notification still due, for the responsible."""
        for breach in self.filtered(lambda b: b.state == "open"):
            due = [
                ("authority", breach.authority_deadline, breach.authority_notified_at)
            ]
            if breach.shop_ids:
                due.append(
                    ("platform", breach.platform_deadline, breach.platform_notified_at)
                )
            for who, deadline, done in due:
                if done or not deadline:
                    continue
                user = breach.user_id or self.env.ref("base.user_admin")
                summary = breach._reminder_summary(who, user.lang)
                note = breach._deadline_text(deadline, user)
                summaries = breach._reminder_summaries(who) | {summary}
                existing = breach.activity_ids.filtered(
                    lambda a, s=summaries: a.summary in s
                )
                if existing:
                    if existing[:1].note != note:
                        existing[:1].note = note
                    continue
                breach.activity_schedule(
                    "mail.mail_activity_data_todo",
                    date_deadline=breach._deadline_date(deadline, user),
                    summary=summary,
                    note=note,
                    user_id=user.id,
                )

    @api.model
    def _cron_remind(self):
        self.search([("state", "=", "open")])._remind()
