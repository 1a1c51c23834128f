import logging
from contextlib import contextmanager
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models, modules
from odoo.exceptions import AccessError, UserError, ValidationError

_logger = logging.getLogger(__name__)

STATES = [
    ("trial", "Trial"),
    ("active", "Active"),
    ("grace", "Awaiting Transfer"),
    ("past_due", "Past Due"),
    ("suspended", "Suspended"),
    ("cancelled", "Cancelled"),
    ("expired", "Expired"),
]
# States in which the service runs (a cancelled one runs until its period ends).
SERVING_STATES = ("trial", "active", "grace", "past_due", "cancelled")
DEFAULT_RETRY_DAYS = "1,3,7"
DEFAULT_TRANSFER_DUE_DAYS = 7
TRIAL_REMINDER_DAYS = 3
MY_PLAN_VIEW = "entro_billing.entro_billing_my_plan_view_form"
# the shop states that count against the plan's stores
LIVE_STATES = ("connected", "error")
# the models whose queue jobs call the platforms (postponed while suspended)
SUSPENDABLE_JOB_MODELS = (
    "entro.marketplace.shop",
    "entro.marketplace.order",
    "entro.marketplace.listing",
    "entro.marketplace.return",
    "stock.picking",
)


class EntroBillingSubscription(models.Model):
    """A subscriber's subscription to an Entro plan, renewed by a cron."""

    _name = "entro.billing.subscription"
    _description = "Entro Subscription"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"

    name = fields.Char(
        required=True, copy=False, readonly=True, default=lambda self: _("New")
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Subscriber",
        required=True,
        index=True,
        tracking=True,
        help="The customer; a company whose partner this is gets this plan's limits.",
    )
    company_id = fields.Many2one(
        "res.company",
        string="Invoicing Company",
        required=True,
        default=lambda self: self.env.company,
    )
    plan_id = fields.Many2one("entro.billing.plan", required=True, tracking=True)
    next_plan_id = fields.Many2one(
        "entro.billing.plan",
        string="Plan from Next Period",
        tracking=True,
        help="A downgrade waits for the next period (no refund).",
    )
    period = fields.Selection(
        [("monthly", "Monthly"), ("annual", "Annual")],
        default="monthly",
        required=True,
        tracking=True,
    )
    state = fields.Selection(
        STATES, default="trial", required=True, readonly=True, tracking=True, index=True
    )
    state_before_cancel = fields.Selection(STATES, readonly=True, copy=False)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    start_date = fields.Date(default=fields.Date.today, required=True)
    trial_end = fields.Date(readonly=True, copy=False)
    current_period_start = fields.Date(readonly=True, copy=False)
    current_period_end = fields.Date(
        readonly=True,
        copy=False,
        help="The first day after the paid period: the next renewal date.",
    )
    payment_token_id = fields.Many2one(
        "payment.token",
        string="Payment Method",
        domain="[('partner_id', 'child_of', partner_id)]",
        tracking=True,
        help="Charged at each renewal. Needed before the trial ends.",
    )
    payment_mode = fields.Selection(
        [("token", "Card (saved payment method)"), ("transfer", "Bank Transfer")],
        default="token",
        required=True,
        tracking=True,
        help="Card: each renewal invoice is charged to the payment method. Bank "
        "transfer: the invoice carries the bank account and a payment reference; "
        "the service runs while it is within its due date.",
    )
    # The billing history and its invoices: Billing Managers (and the portal, whose
    # pages read them as superuser); a seller's users see the plan, not the books.
    period_ids = fields.One2many(
        "entro.billing.period",
        "subscription_id",
        string="Billing Periods",
        groups="entro_billing.group_billing_manager,base.group_portal",
    )
    invoice_ids = fields.Many2many(
        "account.move",
        compute="_compute_invoice_ids",
        groups="entro_billing.group_billing_manager,base.group_portal",
    )
    invoice_count = fields.Integer(
        compute="_compute_invoice_ids",
        groups="entro_billing.group_billing_manager,base.group_portal",
    )
    next_invoice_date = fields.Date(compute="_compute_next_invoice")
    next_invoice_amount = fields.Monetary(
        "Next Invoice (excl. VAT)", compute="_compute_next_invoice"
    )
    # --- "My Entro plan": what the subscribing company uses of its plan ----------
    shops_max = fields.Integer(related="plan_id.max_shops", string="Stores Allowed")
    shops_used = fields.Integer("Stores Connected", compute="_compute_usage")
    shops_left = fields.Integer("Stores Left", compute="_compute_usage")
    orders_month_max = fields.Integer(
        related="plan_id.max_orders_month", string="Orders per Month Allowed"
    )
    orders_month_used = fields.Integer("Orders This Month", compute="_compute_usage")
    orders_month_left = fields.Integer(
        "Orders Left This Month", compute="_compute_usage"
    )
    trial_reminder_sent = fields.Boolean(readonly=True, copy=False)
    service_active = fields.Boolean(compute="_compute_service_active")

    # ------------------------------------------------------------------ computes

    def _compute_invoice_ids(self):
        for sub in self:
            sub.invoice_ids = sub.period_ids.invoice_id
            sub.invoice_count = len(sub.invoice_ids)

    @api.depends("state", "trial_end", "current_period_end", "plan_id", "period")
    def _compute_next_invoice(self):
        for sub in self:
            if sub.state in ("expired", "suspended", "cancelled"):
                sub.next_invoice_date = False
                sub.next_invoice_amount = 0.0
                continue
            plan = sub.next_plan_id or sub.plan_id
            sub.next_invoice_date = (
                sub.trial_end if sub.state == "trial" else sub.current_period_end
            )
            sub.next_invoice_amount = plan._price(sub.period) if plan else 0.0

    def _compute_usage(self):
        # sudo: the counts cover all the subscribing company's shops and orders
        Shop = self.env["entro.marketplace.shop"].sudo()
        Order = self.env["entro.marketplace.order"].sudo()
        month_start = fields.Datetime.now().replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        for sub in self:
            companies = sub._subscribing_companies()
            shops = Shop.search_count(
                [("company_id", "in", companies.ids), ("state", "in", LIVE_STATES)]
            )
            orders = Order.search_count(
                [
                    ("company_id", "in", companies.ids),
                    ("create_date", ">=", month_start),
                ]
            )
            plan = sub.plan_id
            sub.shops_used = shops
            sub.shops_left = max(plan.max_shops - shops, 0) if plan.max_shops else 0
            sub.orders_month_used = orders
            sub.orders_month_left = (
                max(plan.max_orders_month - orders, 0) if plan.max_orders_month else 0
            )

    @api.depends("state")
    def _compute_service_active(self):
        for sub in self:
            sub.service_active = sub.state in SERVING_STATES

    def _compute_access_url(self):
        super()._compute_access_url()
        for sub in self:
            sub.access_url = f"/my/entro/{sub.id}"

    @api.constrains("payment_token_id", "partner_id")
    def _check_token_partner(self):
        for sub in self:
            token = sub.payment_token_id
            if token and token.partner_id.commercial_partner_id != (
                sub.partner_id.commercial_partner_id
            ):
                raise ValidationError(
                    _("The payment method must belong to the subscriber.")
                )

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", _("New")) == _("New"):
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "entro.billing.subscription"
                ) or _("New")
        subs = super().create(vals_list)
        for sub in subs:
            if sub.state == "trial" and not sub.trial_end:
                # without trial days on the plan, the first period starts at once
                sub.trial_end = sub.start_date + timedelta(days=sub.plan_id.trial_days)
            sub.message_subscribe(partner_ids=sub.partner_id.ids)
            sub._enable_limits_for_company()
        return subs

    def _enable_limits_for_company(self):
        """A subscriber that is one of our companies gets its plan's limits."""
        # sudo: a manager may subscribe a company they are not a member of
        companies = (
            self.env["res.company"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids)])
        )
        companies.filtered(lambda c: not c.entro_billing_limits).write(
            {"entro_billing_limits": True}
        )

    # ------------------------------------------------------------------ actions

    def action_cancel(self):
        """Cancel at the end of the paid period (or of the trial): no refund."""
        for sub in self:
            if sub.state not in ("trial", "active", "grace", "past_due"):
                raise UserError(
                    _("The subscription %s cannot be cancelled now.", sub.name)
                )
            sub.write({"state_before_cancel": sub.state, "state": "cancelled"})
            sub._notify("entro_billing.mail_template_cancelled")
        return True

    def action_resume(self):
        """Undo a cancellation before the end of the period."""
        for sub in self:
            if sub.state != "cancelled":
                raise UserError(_("The subscription %s is not cancelled.", sub.name))
            if sub._service_end() and sub._service_end() <= fields.Date.today():
                raise UserError(
                    _("The subscription %s has ended: subscribe again.", sub.name)
                )
            sub.write(
                {
                    "state": sub.state_before_cancel or "active",
                    "state_before_cancel": False,
                }
            )
            # sudo: a system note; subscribers resume from the portal
            sub.sudo().message_post(
                body=_("Cancellation withdrawn: the subscription goes on.")
            )
        return True

    def action_change_plan(self, plan_id):
        """Move to another plan: an upgrade at once (prorated charge for the rest
        of the period), a downgrade at the next period (no refund)."""
        self.ensure_one()
        plan = self.env["entro.billing.plan"].browse(int(plan_id)).exists()
        if not plan or plan == self.plan_id:
            raise UserError(_("Choose another plan."))
        if self.state not in ("trial", "active"):
            raise UserError(
                _("Only a subscription in trial or active can change plans.")
            )
        if self._is_upgrade(plan):
            self._upgrade(plan)
        else:
            self.next_plan_id = plan
            self.sudo().message_post(
                body=_(
                    "Downgrade to %(plan)s from the next period, on %(date)s.",
                    plan=plan.name,
                    date=self.next_invoice_date,
                )
            )
        return True

    def action_renew_now(self):
        """Run the renewal of these subscriptions now (as the cron would): for
        Billing Managers only (it charges payment methods), over RPC too."""
        if not (
            self.env.su
            or self.env.user.has_group("entro_billing.group_billing_manager")
        ):
            raise AccessError(_("Only Billing Managers renew subscriptions by hand."))
        self._renew(fields.Date.today())
        return True

    @api.model
    def action_open_my_plan(self):
        """My Entro plan: the subscription of the current company, read-only."""
        # a button's record comes from the client: only one the user may read
        self.check_access("read")
        sub = self._for_company(self.env.company)
        action = {
            "type": "ir.actions.act_window",
            "name": _("My Entro Plan"),
            "res_model": "entro.billing.subscription",
            "view_mode": "form",
            "views": [(self.env.ref(MY_PLAN_VIEW).id, "form")],
            "target": "current",
            "context": {"create": False, "edit": False, "delete": False},
        }
        if sub:
            action["res_id"] = sub.id
            return action
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": _("My Entro Plan"),
                "message": _(
                    "%s has no Entro subscription: subscribe from your Entro "
                    "account page.",
                    self.env.company.name,
                ),
                "type": "warning",
            },
        }

    def action_open_portal(self):
        self.ensure_one()
        self.check_access("read")
        return {"type": "ir.actions.act_url", "url": self.access_url, "target": "new"}

    def action_view_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        action["domain"] = [("id", "in", self.invoice_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------ entitlements

    @api.model
    def _for_company(self, company):
        """The subscription whose subscriber is this company's partner."""
        # sudo: entitlements are read for any user of the company
        return (
            self.sudo()
            .search(
                [("partner_id", "=", company.partner_id.id)],
                order="id desc",
            )
            .sorted(lambda s: s.state not in SERVING_STATES)[:1]
        )

    # --------------------------------------------------------------- business

    def _service_end(self):
        self.ensure_one()
        if (self.state_before_cancel or self.state) == "trial":
            return self.trial_end
        return self.current_period_end

    def _period_end(self, start):
        self.ensure_one()
        step = (
            relativedelta(years=1)
            if self.period == "annual"
            else relativedelta(months=1)
        )
        return start + step

    def _is_upgrade(self, plan):
        self.ensure_one()
        current = self.plan_id
        return (plan.sequence, plan._price(self.period)) > (
            current.sequence,
            current._price(self.period),
        )

    def _upgrade(self, plan):
        self.ensure_one()
        old = self.plan_id
        quote = self._change_plan_quote(plan)
        self.write({"plan_id": plan.id, "next_plan_id": False})
        if self.state == "trial":
            self.sudo().message_post(
                body=_("Plan changed to %s during the trial.", plan.name)
            )
            return
        amount, remaining, total = quote["amount_now"], quote["days"], quote["total"]
        today, end = fields.Date.today(), self.current_period_end
        self.sudo().message_post(
            body=_(
                "Upgraded from %(old)s to %(new)s; prorated charge %(amount)s for "
                "%(days)s of %(total)s days.",
                old=old.name,
                new=plan.name,
                amount=amount,
                days=remaining,
                total=total,
            )
        )
        if amount > 0:
            # the ledger is written by the system, never by hand
            Period = self.env["entro.billing.period"].sudo()
            line = Period._issue(self, "upgrade", today, end, plan, amount)
            if self.payment_mode == "transfer":
                # due by transfer: the service runs within the invoice's due date
                self.write({"state": "grace"})
            else:
                line._charge()

    def _change_plan_quote(self, plan):
        """What moving to ``plan`` costs, shown before the seller confirms:
        ``kind`` (upgrade, downgrade), ``amount_now`` (the prorated charge of an
        upgrade for the rest of the period, excl. VAT), ``new_price`` (the plan's
        price per period) and ``effective`` (the date it applies)."""
        self.ensure_one()
        old = self.plan_id
        today = fields.Date.today()
        new_price = plan._price(self.period)
        quote = {
            "plan": plan,
            "kind": "upgrade" if self._is_upgrade(plan) else "downgrade",
            "old_price": old._price(self.period),
            "new_price": new_price,
            "amount_now": 0.0,
            "days": 0,
            "total": 0,
            "effective": today,
            "currency": plan.currency_id,
        }
        if self.state == "trial":
            return quote
        start, end = self.current_period_start, self.current_period_end
        if quote["kind"] == "downgrade":
            quote["effective"] = end or today
            return quote
        if start and end:
            total = (end - start).days or 1
            remaining = max((end - today).days, 0)
            amount = (new_price - old._price(self.period)) * remaining / total
            quote.update(
                amount_now=plan.currency_id.round(max(amount, 0.0)),
                days=remaining,
                total=total,
            )
        return quote

    # ---------------------------------------------------------- payment method

    def _set_payment_token(self, token):
        """The seller's card becomes the method charged at each renewal; an
        invoice left open (past due, suspended, by transfer) is charged to it now."""
        for sub in self:
            sub.write({"payment_token_id": token.id, "payment_mode": "token"})
            sub.sudo().message_post(
                body=_(
                    "Payment method set to %s: renewals are charged to it.",
                    token.display_name,
                )
            )
            if sub.state in ("grace", "past_due", "suspended"):
                # sudo: the system charges the subscriber's own new card
                for line in sub.period_ids.sudo().filtered(lambda p: p.state != "paid"):
                    line._charge()

    def action_pay_by_transfer(self):
        """Pay the renewal invoices by bank transfer: each invoice carries the
        invoicing company's bank account and a payment reference, and the
        service runs while it is within its due date."""
        for sub in self:
            if sub.state not in ("trial", "active", "past_due", "grace"):
                raise UserError(
                    _("The subscription %s cannot change its payment now.", sub.name)
                )
            if not sub._transfer_bank_account():
                raise UserError(
                    _(
                        "%s has no bank account to receive transfers yet: "
                        "please pay by card.",
                        sub.company_id.name,
                    )
                )
            values = {"payment_mode": "transfer"}
            if sub.state == "past_due":
                # the failed card charges stop; the open invoice is due by transfer
                values["state"] = "grace"
            sub.write(values)
            sub.sudo().message_post(
                body=_("Renewal invoices are paid by bank transfer from now on.")
            )
        return True

    def _transfer_bank_account(self):
        self.ensure_one()
        # sudo: the invoicing company's account, shown on its invoices anyway
        company = self.company_id.sudo()
        return company.partner_id.bank_ids.filtered(
            lambda b: not b.company_id or b.company_id == company
        )[:1]

    @api.model
    def _transfer_due_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("entro_billing.transfer_due_days", DEFAULT_TRANSFER_DUE_DAYS)
        )
        try:
            return max(int(value), 0)
        except ValueError:
            return DEFAULT_TRANSFER_DUE_DAYS

    def _open_invoices(self):
        self.ensure_one()
        return self.period_ids.filtered(lambda p: p.state != "paid").invoice_id

    def _overdue_invoices(self, today):
        self.ensure_one()
        return self._open_invoices().filtered(
            lambda m: (
                m.payment_state not in ("paid", "in_payment", "reversed")
                and m.invoice_date_due
                and m.invoice_date_due < today
            )
        )

    def _notify(self, template_xmlid):
        template = self.env.ref(template_xmlid, raise_if_not_found=False)
        if not template:
            return
        # sudo: customer notices are posted by the system, whoever triggered them
        for sub in self:
            sub.sudo().message_post_with_source(
                template, subtype_xmlid="mail.mt_comment", **sub._notify_author()
            )

    def _notify_author(self):
        """Customer notices come from the invoicing company, not from whoever
        clicked (who may have no email address)."""
        company = self.company_id
        author = (
            company.partner_id if company.email else self.env.ref("base.partner_root")
        )
        return {"author_id": author.id, "email_from": author.email_formatted}

    def _notify_invoice(self, invoice):
        self.ensure_one()
        template = self.env.ref(
            "entro_billing.mail_template_invoice_issued", raise_if_not_found=False
        )
        if template:
            self.sudo().message_post_with_source(
                template,
                render_values={"invoice": invoice},
                subtype_xmlid="mail.mt_comment",
                **self._notify_author(),
            )

    @api.model
    def _retry_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("entro_billing.retry_days", DEFAULT_RETRY_DAYS)
        )
        try:
            days = [int(d) for d in value.split(",") if d.strip()]
        except ValueError:
            _logger.warning("entro_billing.retry_days is not a list of days: %s", value)
            days = [int(d) for d in DEFAULT_RETRY_DAYS.split(",")]
        return days

    @contextmanager
    def _step(self):
        """One crash-safe step of a renewal: committed when it ends in the cron's
        run (which asks for it in its context), a savepoint otherwise (a button,
        a test: one transaction, never committed half-way)."""
        if not self.env.context.get("entro_billing_commit") or (
            modules.module.current_test
        ):
            with self.env.cr.savepoint():
                yield
        else:
            yield
            # a renewal step is complete (ledger row + invoice, or a charge):
            # commit it so that a later failure cannot undo or repeat it
            self.env.cr.commit()

    def _lock(self):
        """Take this subscription for the renewal, or False if another worker has."""
        self.ensure_one()
        self.env.cr.execute(
            "SELECT id FROM entro_billing_subscription WHERE id = %s "
            "FOR UPDATE SKIP LOCKED",
            [self.id],
        )
        return bool(self.env.cr.fetchone())

    @api.model
    def _cron_renew(self):
        """Renew what is due, retry failed charges, remind and end trials."""
        today = fields.Date.today()
        subs = self.search([("state", "in", SERVING_STATES)])
        subs._remind_trials(today)
        for sub in subs:
            try:
                sub._renew(today)
            except Exception:
                # one subscription's failure must not stop the others' renewals
                _logger.exception("renewal of %s failed", sub.name)
                if self.env.context.get("entro_billing_commit"):
                    self.env.cr.rollback()

    def _remind_trials(self, today):
        for sub in self.filtered(lambda s: s.state == "trial" and s.trial_end):
            if not sub.trial_reminder_sent and (
                (sub.trial_end - today).days <= TRIAL_REMINDER_DAYS
            ):
                sub._notify("entro_billing.mail_template_trial_ending")
                sub.trial_reminder_sent = True

    def _renew(self, today):
        """Bring each subscription up to ``today``; each step is crash-safe."""
        for sub in self:
            # Another worker renewing it skips it; the ledger's unique key is
            # the guarantee that a period is never invoiced twice regardless.
            if not sub._lock():
                continue
            # charges of periods invoiced before a crash, and retries due
            # sudo: after the manager check (action_renew_now) or in the cron
            for line in sub.period_ids.sudo().filtered(lambda p: p._charge_due(today)):
                with sub._step():
                    line._charge()
            sub._renew_periods(today)

    def _renew_periods(self, today):
        self.ensure_one()
        while True:
            if self.state == "trial":
                if self.trial_end and self.trial_end > today:
                    return
                if not self.payment_token_id and self.payment_mode != "transfer":
                    self._expire(_("The trial ended without a payment method."))
                    return
                start = self.trial_end or today
            elif self.state == "cancelled":
                end = self._service_end()
                if end and end <= today:
                    self._expire(_("Cancelled: the subscription ended."))
                return
            elif self.state == "active":
                if not self.current_period_end or self.current_period_end > today:
                    return
                start = self.current_period_end
            elif self.state == "grace":
                # awaiting a transfer: suspended once an invoice is past its due date
                overdue = self._overdue_invoices(today)
                if overdue:
                    self.write({"state": "suspended"})
                    self._notify("entro_billing.mail_template_suspended")
                    self.sudo().message_post(
                        body=_(
                            "Suspended: %s is past its due date. Syncing resumes "
                            "when it is paid.",
                            ", ".join(overdue.mapped("name")),
                        )
                    )
                return
            else:
                # past due: no new period until the open one is paid
                return
            # sudo: the ledger is written by the system, never by hand
            Period = self.env["entro.billing.period"].sudo()
            with self._step():
                plan = self.next_plan_id or self.plan_id
                end = self._period_end(start)
                line = Period._issue(self, "renewal", start, end, plan)
                self.write(
                    {
                        # by transfer: running within the invoice's due date
                        "state": (
                            "grace" if self.payment_mode == "transfer" else "active"
                        ),
                        "plan_id": plan.id,
                        "next_plan_id": False,
                        "current_period_start": start,
                        "current_period_end": end,
                    }
                )
            if self.payment_mode == "transfer":
                continue
            with self._step():
                line._charge()

    def _expire(self, reason):
        self.write({"state": "expired", "state_before_cancel": False})
        self.sudo().message_post(body=reason)

    def _on_charge_failed(self, line):
        """A charge failed: past due, retried on schedule, then suspended."""
        self.ensure_one()
        if line.attempt_count > len(self._retry_days()):
            if self.state != "suspended":
                self.write({"state": "suspended"})
                self._notify("entro_billing.mail_template_suspended")
            return
        if self.state in ("active", "trial"):
            self.write({"state": "past_due"})
        self._notify("entro_billing.mail_template_payment_failed")

    def _on_period_paid(self):
        """An invoice was paid: restore the service once nothing is overdue."""
        today = fields.Date.today()
        for sub in self:
            if sub.state not in ("grace", "past_due", "suspended"):
                continue
            if sub.period_ids.filtered(lambda p: p.state != "paid"):
                continue
            values = {"state": "active"}
            if sub.state == "suspended" and (
                not sub.current_period_end or sub.current_period_end <= today
            ):
                # the months under suspension are not billed: a new period starts
                values["current_period_end"] = today
            sub.write(values)
            sub.sudo().message_post(
                body=_("Payment received: the service is restored.")
            )
            sub._resume_platform_jobs()

    def _subscribing_companies(self):
        # sudo: the companies whose partner subscribes, whoever paid
        return (
            self.env["res.company"]
            .sudo()
            .search([("partner_id", "in", self.partner_id.ids)])
        )

    def _resume_platform_jobs(self):
        """Run now the platform jobs postponed while the service was suspended."""
        companies = self._subscribing_companies()
        if not companies:
            return
        # sudo: the queue is the system's; jobs of the subscribing companies only
        jobs = (
            self.env["queue.job"]
            .sudo()
            .search(
                [
                    ("state", "=", "pending"),
                    ("company_id", "in", companies.ids),
                    ("eta", ">", fields.Datetime.now()),
                    ("model_name", "in", list(SUSPENDABLE_JOB_MODELS)),
                ]
            )
        )
        jobs.write({"eta": False})
