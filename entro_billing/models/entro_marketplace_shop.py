from contextlib import contextmanager
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.queue_job.exception import RetryableJobError

LIVE_SHOP_STATES = ("connected", "error")
#: while suspended, a platform job is postponed by this much (and run at once
#: when the invoice is paid), never failed
SUSPENDED_RETRY_SECONDS = 3600


class EntroMarketplaceShop(models.Model):
    """The marketplace's hooks narrowed to the plan of the shop's company."""

    _inherit = "entro.marketplace.shop"

    # --- entro_billing: suspension notice ----------------------------------------
    billing_notice = fields.Char(
        "Entro Plan Notice",
        compute="_compute_billing_notice",
        help="Why every platform job of this shop is paused (suspended service).",
    )

    def _compute_billing_notice(self):
        for shop in self:
            shop.billing_notice = shop._billing_jobs_paused() if shop.id else False

    def _billing_subscription(self):
        """(limited, subscription): limited False means no limits (self-hosted)."""
        self.ensure_one()
        # sudo: the plan's limits apply to users without company settings rights
        company = self.company_id.sudo()
        if not company.entro_billing_limits:
            return False, None
        return True, self.env["entro.billing.subscription"]._for_company(company)

    def _billing_plan(self):
        """(limited, plan of the running subscription or an empty recordset)."""
        limited, sub = self._billing_subscription()
        if not limited:
            return False, None
        if sub and sub.service_active:
            return True, sub.plan_id
        return True, self.env["entro.billing.plan"]

    def _billing_stopped_message(self):
        _limited, sub = self._billing_subscription()
        unpaid = sub and sub.sudo()._open_invoices().filtered(
            lambda m: m.payment_state not in ("paid", "in_payment", "reversed")
        )
        if unpaid and sub.state == "suspended":
            return _(
                "Suspended: pay invoice %(invoice)s to resume. Every job with the "
                "platforms is paused (the data is kept) and resumes once it is paid.",
                invoice=", ".join(unpaid.mapped("name")),
            )
        if not sub:
            return _(
                "%(company)s has no Entro subscription: syncing is paused (the data "
                "is kept). Subscribe to a plan to resume.",
                company=self.company_id.name,
            )
        return _(
            "The Entro subscription %(sub)s is %(state)s: syncing is paused (the "
            "data is kept). Pay the open invoice or subscribe again to resume.",
            sub=sub.name,
            state=dict(sub._fields["state"]._description_selection(self.env))[
                sub.state
            ],
        )

    def _orders_this_month(self, up_to=None):
        """The company's orders imported this month; ``up_to``: those imported
        before this binding, and itself (a batch's new orders are claimed
        together, their ids in their order)."""
        self.ensure_one()
        month_start = fields.Datetime.now().replace(
            day=1, hour=0, minute=0, second=0, microsecond=0
        )
        domain = [
            ("company_id", "=", self.company_id.id),
            ("create_date", ">=", month_start),
        ]
        if up_to:
            domain.append(("id", "<=", up_to.id))
        # sudo: the quota counts all the company's orders, whoever imports
        return self.env["entro.marketplace.order"].sudo().search_count(domain)

    # ------------------------------------------------------------------ hooks

    def _check_connection_allowed(self):
        super()._check_connection_allowed()
        limited, plan = self._billing_plan()
        if not limited:
            return
        if not plan:
            raise UserError(self._billing_stopped_message())
        if not plan.max_shops:
            return
        # sudo: the limit counts all the company's shops, visible or not
        connected = self.sudo().search_count(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "in", LIVE_SHOP_STATES),
                ("id", "!=", self.id),
            ]
        )
        if connected >= plan.max_shops:
            raise UserError(
                _(
                    "The %(plan)s plan allows %(max)s connected store(s), and "
                    "%(count)s are connected: disconnect one, or upgrade the plan, "
                    "to connect %(shop)s.",
                    plan=plan.name,
                    max=plan.max_shops,
                    count=connected,
                    shop=self.name,
                )
            )

    def _orders_sync_paused(self):
        paused = super()._orders_sync_paused()
        if paused:
            return paused
        limited, plan = self._billing_plan()
        if not limited:
            return False
        if not plan:
            return self._billing_stopped_message()
        if plan.max_orders_month and (
            self._orders_this_month() >= plan.max_orders_month
        ):
            return _(
                "The %(plan)s plan's %(max)s orders of this month are used up: the "
                "import of new orders is paused until next month, or until the plan "
                "is upgraded. Nothing is lost: it resumes where it stopped.",
                plan=plan.name,
                max=plan.max_orders_month,
            )
        return False

    def _on_order_created(self, binding):
        super()._on_order_created(binding)
        limited, plan = self._billing_plan()
        if not limited or not plan or not plan.max_orders_month:
            return
        if self._orders_this_month(up_to=binding) > plan.max_orders_month:
            # sudo: the import job's own order, flagged by the system
            binding.sudo().billing_over_quota = True
            binding.sudo().message_post(
                body=_(
                    "Imported past the %(max)s orders per month of the %(plan)s plan.",
                    max=plan.max_orders_month,
                    plan=plan.name,
                )
            )

    def _scheduled_sync_due(self):
        if not super()._scheduled_sync_due():
            return False
        limited, plan = self._billing_plan()
        if not limited or not plan or plan.sync_mode != "scheduled":
            return True
        return not self.last_sync_at or (
            self.last_sync_at + timedelta(minutes=plan.sync_interval)
            <= fields.Datetime.now()
        )

    def _accepts_realtime(self):
        if not super()._accepts_realtime():
            return False
        limited, plan = self._billing_plan()
        if not limited:
            return True
        # while paused (quota, suspended), the deferred event waits for the resume
        return bool(
            plan and plan.sync_mode == "realtime" and not self._orders_sync_paused()
        )

    def _has_feature(self, feature):
        if not super()._has_feature(feature):
            return False
        limited, plan = self._billing_plan()
        return not limited or bool(plan and plan._has_feature(feature))

    # ------------------------------------------- entro_billing: suspension guard

    def _billing_jobs_paused(self):
        """Why every platform job of this shop is paused, or False: without a
        running subscription (suspended, expired, none) nothing is sent to or
        read from the platforms. Quotas pause only the order import."""
        self.ensure_one()
        limited, plan = self._billing_plan()
        if not limited or plan:
            return False
        return self._billing_stopped_message()

    @contextmanager
    def _api_session(self, operation):
        """The one door of every platform call (order sync and import, stock and
        price push, listings, payouts, returns, shipping, event pulls): closed
        while the service is suspended. A job is postponed (not failed, its
        retries not counted) and run again when the invoice is paid; a person
        clicking is told why."""
        paused = self._billing_jobs_paused()
        if paused:
            if self.env.context.get("job_uuid"):
                raise RetryableJobError(
                    f"{self.name}: {paused}",
                    seconds=SUSPENDED_RETRY_SECONDS,
                    ignore_retry=True,
                )
            raise UserError(paused)
        with super()._api_session(operation) as client:
            yield client

    # ------------------------------------------------ entro_billing: features

    def _check_payouts_feature(self):
        for shop in self:
            if not shop._has_feature("payouts"):
                raise UserError(
                    _(
                        "The plan of %s does not include payouts in accounting: "
                        "upgrade the plan to import payouts.",
                        shop.name,
                    )
                )

    def action_import_payouts(self):
        self._check_payouts_feature()
        return super().action_import_payouts()

    def _job_import_payouts(self, since=None):
        self.ensure_one()
        if not self._billing_jobs_paused() and not self._has_feature("payouts"):
            # a job queued before a downgrade: done, nothing read (while
            # suspended, the platform call below postpones it instead)
            return _("Skipped: the plan does not include payouts in accounting.")
        return super()._job_import_payouts(since=since)

    @api.constrains("warehouse_id", "company_id")
    def _check_multi_warehouse_feature(self):
        for shop in self.filtered("warehouse_id"):
            if shop._has_feature("multi_warehouse"):
                continue
            # sudo: the rule counts all the company's shops, visible or not
            others = self.sudo().search(
                [
                    ("company_id", "=", shop.company_id.id),
                    ("warehouse_id", "!=", False),
                    ("warehouse_id", "!=", shop.warehouse_id.id),
                ],
                limit=1,
            )
            if others:
                raise ValidationError(
                    _(
                        "The plan of %(company)s ships from one warehouse: %(other)s "
                        "already ships from %(warehouse)s. Use that warehouse for "
                        "%(shop)s, or upgrade to a plan with multiple warehouses.",
                        company=shop.company_id.name,
                        other=others.name,
                        warehouse=others.warehouse_id.name,
                        shop=shop.name,
                    )
                )
