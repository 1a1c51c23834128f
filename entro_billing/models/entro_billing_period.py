import logging
from datetime import timedelta

from odoo import Command, _, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)


class EntroBillingPeriod(models.Model):
    """The renewal ledger: one row per subscription and invoiced period.

    A renewal row is created with its posted invoice in one committed step, under
    a unique (subscription, period start) key: a second cron run, or a run after
    a crash between the invoice and the charge, finds the row and resumes with
    the charge instead of invoicing the period again.
    """

    _name = "entro.billing.period"
    _description = "Entro Billing Period"
    _order = "period_start desc, id desc"
    _rec_name = "period_start"

    subscription_id = fields.Many2one(
        "entro.billing.subscription", required=True, index=True, ondelete="restrict"
    )
    partner_id = fields.Many2one(related="subscription_id.partner_id", store=True)
    company_id = fields.Many2one(related="subscription_id.company_id", store=True)
    kind = fields.Selection(
        [("renewal", "Renewal"), ("upgrade", "Upgrade (prorated)")],
        required=True,
        default="renewal",
    )
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True, help="First day after the period.")
    plan_id = fields.Many2one("entro.billing.plan", required=True)
    currency_id = fields.Many2one(related="plan_id.currency_id")
    amount = fields.Monetary("Amount (excl. VAT)")
    invoice_id = fields.Many2one("account.move", readonly=True, index=True)
    invoice_payment_state = fields.Selection(related="invoice_id.payment_state")
    transaction_ids = fields.Many2many("payment.transaction", readonly=True)
    state = fields.Selection(
        [
            ("invoiced", "Invoiced, Not Charged"),
            ("failed", "Charge Failed"),
            ("paid", "Paid"),
        ],
        default="invoiced",
        required=True,
        index=True,
    )
    attempt_count = fields.Integer("Charge Attempts", readonly=True)
    next_retry_date = fields.Date(readonly=True)
    last_error = fields.Char(readonly=True)

    def init(self):
        # a period is invoiced once per subscription (upgrades are extra rows)
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS entro_billing_period_renewal_uniq
            ON entro_billing_period (subscription_id, period_start)
            WHERE kind = 'renewal'
            """
        )

    @api.model
    def _issue(self, subscription, kind, start, end, plan, amount=None):
        """The ledger row of this period with its posted invoice (found again if
        it exists: a re-run resumes, never re-invoices)."""
        if kind == "renewal":
            existing = self.search(
                [
                    ("subscription_id", "=", subscription.id),
                    ("kind", "=", "renewal"),
                    ("period_start", "=", start),
                ]
            )
            if existing:
                return existing
        if amount is None:
            amount = plan._price(subscription.period)
        line = self.create(
            {
                "subscription_id": subscription.id,
                "kind": kind,
                "period_start": start,
                "period_end": end,
                "plan_id": plan.id,
                "amount": amount,
            }
        )
        line.invoice_id = line._create_invoice()
        subscription._notify_invoice(line.invoice_id)
        return line

    def _invoice_line_name(self):
        self.ensure_one()
        sub = self.subscription_id
        period = dict(sub._fields["period"]._description_selection(self.env))[
            sub.period
        ]
        last_day = self.period_end - timedelta(days=1)
        if self.kind == "upgrade":
            return _(
                "Upgrade to %(plan)s (%(period)s), prorated %(start)s - %(end)s",
                plan=self.plan_id.name,
                period=period,
                start=self.period_start,
                end=last_day,
            )
        return _(
            "Entro %(plan)s (%(period)s) %(start)s - %(end)s",
            plan=self.plan_id.name,
            period=period,
            start=self.period_start,
            end=last_day,
        )

    def _create_invoice(self):
        self.ensure_one()
        sub = self.subscription_id
        company = sub.company_id
        # sudo: the renewal issues its invoice whoever runs it (cron, manager)
        Move = self.env["account.move"].sudo().with_company(company)
        values = {}
        if sub.payment_mode == "transfer":
            # by transfer: the company's bank account, and a due date that ends
            # the subscription's grace
            invoice_date = (
                self.period_start if self.kind == "renewal" else fields.Date.today()
            )
            values = {
                "invoice_payment_term_id": False,
                "invoice_date_due": invoice_date
                + timedelta(days=sub._transfer_due_days()),
                "partner_bank_id": sub._transfer_bank_account().id,
            }
        invoice = Move.create(
            {
                **values,
                "move_type": "out_invoice",
                "partner_id": sub.partner_id.id,
                "currency_id": self.currency_id.id,
                "invoice_date": self.period_start
                if self.kind == "renewal"
                else fields.Date.today(),
                "invoice_origin": sub.name,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.plan_id.product_id.id,
                            # printed for the subscriber: in their language
                            "name": self.with_context(
                                lang=sub.partner_id.lang or self.env.lang
                            )._invoice_line_name(),
                            "quantity": 1,
                            "price_unit": self.amount,
                        }
                    )
                ],
            }
        )
        invoice.action_post()
        return invoice

    def _charge_due(self, today):
        self.ensure_one()
        if self.subscription_id.payment_mode == "transfer":
            # paid by the seller's transfer, never charged
            return False
        if self.state == "invoiced":
            return True
        return (
            self.state == "failed"
            and self.subscription_id.state == "past_due"
            and self.next_retry_date
            and self.next_retry_date <= today
        )

    def _charge(self):
        """Charge the subscriber's payment token for this row's invoice."""
        self.ensure_one()
        sub = self.subscription_id
        invoice = self.invoice_id
        if invoice.payment_state in ("paid", "in_payment"):
            self._mark_paid()
            return True
        if self.transaction_ids.filtered(
            lambda t: t.state in ("pending", "authorized", "done")
        ):
            # a charge is already under way with the provider: never charge twice
            return False
        token = sub.payment_token_id
        if not token:
            return self._charge_failed(_("No payment method."))
        # sudo: charging the subscription's own token is the system's job
        Tx = self.env["payment.transaction"].sudo()
        invoice_cmd = [Command.set(invoice.ids)]
        tx = Tx.create(
            {
                "provider_id": token.provider_id.id,
                "payment_method_id": token.payment_method_id.id,
                "reference": Tx._compute_reference(
                    token.provider_id.code, invoice_ids=invoice_cmd
                ),
                "amount": invoice.amount_residual,
                "currency_id": invoice.currency_id.id,
                "partner_id": sub.partner_id.id,
                "token_id": token.id,
                "operation": "offline",
                "invoice_ids": invoice_cmd,
            }
        )
        self.transaction_ids = [Command.link(tx.id)]
        try:
            tx._send_payment_request()
        except (UserError, ValidationError) as exc:
            _logger.info("charge of %s failed: %s", invoice.name, exc)
            tx._set_error(str(exc))
        if tx.state == "done":
            tx._post_process()
            self._mark_paid()
            return True
        if tx.state in ("pending", "authorized"):
            return False
        return self._charge_failed(tx.state_message or tx.state)

    def _charge_failed(self, reason):
        self.ensure_one()
        attempts = self.attempt_count + 1
        schedule = self.subscription_id._retry_days()
        next_retry = False
        if attempts <= len(schedule):
            next_retry = fields.Date.today() + timedelta(days=schedule[attempts - 1])
        self.write(
            {
                "state": "failed",
                "attempt_count": attempts,
                "next_retry_date": next_retry,
                "last_error": reason,
            }
        )
        self.subscription_id._on_charge_failed(self)
        return False

    def _mark_paid(self):
        to_mark = self.filtered(lambda p: p.state != "paid")
        to_mark.write({"state": "paid", "next_retry_date": False, "last_error": False})
        to_mark.subscription_id._on_period_paid()
