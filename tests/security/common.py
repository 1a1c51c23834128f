"""What the security tests share: two companies, a user of each role in them, and
a factory that makes a record of every model of the Entro addons for a company.

Records are made as superuser (what the system or an administrator would have
made), except wizards, which a person makes: those are made by a user of the
role when the role may (see :meth:`RecordFactory.make`).
"""

import base64
import itertools
from datetime import date, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user

from ..odoo_case import CrossAddonHttpCase

ADDONS = (
    "entro_marketplace",
    "entro_billing",
    "entro_privacy",
    "entro_support",
    "entro_marketplace_vn_einvoice",
)

#: Each role the tests act as, and the groups that make it (xmlids from
#: entro_*/security/*_groups.xml; portal and public are Odoo's own).
ROLES = {
    "employee": "base.group_user",
    "mp_user": "base.group_user,entro_marketplace.group_marketplace_user",
    "mp_manager": "base.group_user,entro_marketplace.group_marketplace_manager",
    "billing_manager": "base.group_user,entro_billing.group_billing_manager",
    "privacy_officer": "base.group_user,entro_privacy.group_privacy_officer",
    "portal": "base.group_portal",
    "public": "base.group_public",
}
INTERNAL_ROLES = ("mp_user", "mp_manager", "billing_manager", "privacy_officer")

#: What a refusal may look like when the data itself is refused (a record of
#: another company given to a create), rather than the access: Odoo's
#: check_company and constraints raise these.
REFUSALS = (AccessError, UserError, ValidationError)

_seq = itertools.count(1)


def addon_models(env):
    """(concrete, abstract): the models the Entro addons define, by name.

    Models they only extend (res.partner, sale.order, ...) are not theirs.
    """
    data = (
        env["ir.model.data"]
        .sudo()
        .search([("model", "=", "ir.model"), ("module", "in", ADDONS)])
    )
    names = set(env["ir.model"].sudo().browse(data.mapped("res_id")).mapped("model"))
    ours = {n for n in names if n in env and env[n]._original_module in ADDONS}
    abstract = {n for n in ours if env[n]._abstract}
    return ours - abstract, abstract


def attempt(env, operation):
    """Run ``operation()`` in a savepoint: (outcome, exception).

    outcome is "allowed" (it ran), "denied" (AccessError) or "error" (another
    exception); what it did is rolled back either way. It starts with an empty
    cache, as an RPC request does: Odoo checks the record rules when it reads
    from the database, and values cached by the set-up would skip that check.
    """
    env.invalidate_all()
    try:
        with env.cr.savepoint():
            operation()
            env.flush_all()
            raise _Rollback()
    except _Rollback:
        return "allowed", None
    except AccessError as exc:
        return "denied", exc
    except Exception as exc:  # noqa: BLE001 -- reported by the caller
        return "error", exc
    finally:
        env.invalidate_all(flush=False)


class _Rollback(Exception):
    """Undo what an allowed operation did (each check starts from the same data)."""


class RecordFactory:
    """Makes a record of any model of the addons for one company.

    ``companies`` maps a company to a namespace of the records the company owns
    already (its shops, orders, plans, ...), made by :func:`company_fixtures`.
    """

    def __init__(self, env, companies):
        self.env = env(su=True)
        self.companies = companies

    # ------------------------------------------------------------------ values

    def values(self, model, company):
        """Values of a new record of ``model`` in ``company``."""
        fx = self.companies[company]
        n = next(_seq)
        builder = getattr(self, "_values_" + model.replace(".", "_"))
        return builder(fx, company, n)

    def _values_entro_marketplace_shop(self, fx, company, n):
        return {
            "name": f"Security shop {n}",
            "platform": "shopee",
            "company_id": company.id,
            "external_id": f"sec-{n}",
            # one app per company: an app key has one secret (webhook routing)
            "app_key": f"sec-app-{company.id}",
            "warehouse_id": fx.warehouse.id,
        }

    def _values_entro_marketplace_order(self, fx, company, n):
        return {
            "shop_id": fx.shop.id,
            "external_id": f"SEC{n}",
            "payload": {"buyer": fx.customer.name},
        }

    def _values_entro_marketplace_order_staging(self, fx, company, n):
        return {
            "shop_id": fx.shop.id,
            "company_id": company.id,
            "external_id": f"STG{n}",
            "payload": {"buyer": fx.customer.name, "phone": fx.customer.phone},
        }

    def _values_entro_marketplace_listing(self, fx, company, n):
        return {"shop_id": fx.shop.id, "item_id": f"I{n}", "sku": f"SKU{n}"}

    def _values_entro_marketplace_log(self, fx, company, n):
        return {"shop_id": fx.shop.id, "platform": "shopee", "endpoint": f"/x/{n}"}

    def _values_entro_marketplace_event(self, fx, company, n):
        return {
            "shop_id": fx.shop.id,
            "platform": "shopee",
            "dedup_key": f"sec-event-{n}",
            "payload": {"buyer": fx.customer.name, "phone": fx.customer.phone},
        }

    def _values_entro_marketplace_credential(self, fx, company, n):
        shop = self.make("entro.marketplace.shop", company)
        return {"shop_id": shop.id}

    def _values_entro_marketplace_return(self, fx, company, n):
        return {
            "shop_id": fx.shop.id,
            "external_id": f"R{n}",
            "order_external_id": fx.order.external_id,
        }

    def _values_entro_marketplace_settlement(self, fx, company, n):
        return {
            "shop_id": fx.shop.id,
            "external_id": f"P{n}",
            "payout_date": fields.Datetime.now(),
            "currency_id": company.currency_id.id,
        }

    def _values_entro_marketplace_settlement_line(self, fx, company, n):
        return {
            "settlement_id": fx.settlement.id,
            "fee_type": "commission",
            "amount": -1000,
            "order_external_id": f"SEC{n}",
        }

    def _values_entro_marketplace_payout_report(self, fx, company, n):
        return {"order_external_id": f"SEC{n}"}  # an SQL view: nobody creates

    def _values_entro_marketplace_withholding_rate(self, fx, company, n):
        # a company has a rate for each kind from its creation: one is freed for
        # the new record (the kinds are fixed)
        Rate = self.env["entro.marketplace.withholding.rate"]
        rate = Rate.search([("company_id", "=", company.id)], limit=1)
        kind = rate.supply_kind or "goods"
        rate.unlink()
        return {"company_id": company.id, "supply_kind": kind, "vat_rate": 1.0}

    def _values_entro_marketplace_withholding_report(self, fx, company, n):
        return {"order_external_id": f"SEC{n}"}  # an SQL view: nobody creates

    def _values_entro_marketplace_shop_connect(self, fx, company, n):
        return {
            "name": f"Connect {n}",
            "platform": "shopee",
            "company_id": company.id,
            "warehouse_id": fx.warehouse.id,
            "app_key": f"sec-app-{company.id}",
            "app_secret": f"typed-secret-{company.id}-{n}",
        }

    def _values_entro_marketplace_app(self, fx, company, n):
        # one app per platform, company and key: a key of its own
        return {
            "platform": "lazada",
            "company_id": company.id,
            "app_key": f"sec-lazada-app-{company.id}-{n}",
            "app_secret": f"sec-lazada-secret-{n}",
        }

    def _values_entro_marketplace_cancel(self, fx, company, n):
        return {"sale_order_id": fx.sale.id, "note": "security"}

    def _values_entro_marketplace_tiki_statement(self, fx, company, n):
        return {
            "shop_id": fx.tiki_shop.id,
            "file": base64.b64encode(b"order code,amount\n"),
            "filename": "statement.csv",
        }

    def _values_entro_billing_plan(self, fx, company, n):
        return {"name": f"Plan {n}", "code": f"sec{n}", "company_id": company.id}

    def _values_entro_billing_subscription(self, fx, company, n):
        # the seller company subscribes: its users read it (My Entro Plan)
        return {
            "partner_id": company.partner_id.id,
            "plan_id": fx.plan.id,
            "company_id": company.id,
        }

    def _values_entro_billing_period(self, fx, company, n):
        start = date(2026, 1, 1) + timedelta(days=n)
        return {
            "subscription_id": fx.subscription.id,
            "kind": "upgrade",
            "period_start": start,
            "period_end": start + timedelta(days=30),
            "plan_id": fx.plan.id,
            "amount": 100000,
        }

    def _values_entro_billing_change_plan(self, fx, company, n):
        return {"subscription_id": fx.subscription.id, "plan_id": fx.plan2.id}

    def _values_entro_privacy_request(self, fx, company, n):
        return {
            "company_id": company.id,
            "request_type": "export",
            "partner_id": fx.customer.id,
            "identity_check": "ID card seen",
        }

    def _values_entro_privacy_audit(self, fx, company, n):
        return {"event": "created", "company_id": company.id, "detail": f"#{n}"}

    def _values_entro_privacy_breach(self, fx, company, n):
        return {"name": f"Breach {n}", "company_id": company.id}

    def _values_entro_privacy_export(self, fx, company, n):
        return {"request_id": fx.request.id}

    def _values_entro_privacy_erase(self, fx, company, n):
        return {"request_id": fx.request.id, "confirm": True}

    def _values_entro_support_contact(self, fx, company, n):
        return {"shop_id": fx.shop.id, "subject": f"Help {n}", "description": "?"}

    def _values_entro_privacy_buyer_retention(self, fx, company, n):
        # a company has a line for each platform from its creation: one is freed
        # for the new line (what the addon does for a platform registered later)
        Line = self.env["entro.privacy.buyer.retention"]
        line = Line.search([("company_id", "=", company.id)], limit=1)
        platform = line.platform or "shopee"
        line.unlink()
        return {"company_id": company.id, "platform": platform, "days": 30 + n}

    # ------------------------------------------------------------------ writes

    #: one harmless field per model, what a write attempt changes
    WRITES = {
        "entro.marketplace.shop": {"stock_buffer": 3},
        "entro.marketplace.order": {"payment_method": "security"},
        "entro.marketplace.listing": {"name": "security"},
        "entro.marketplace.order.staging": {"buyer_phone": "0900000000"},
        "entro.marketplace.log": {"operation": "security"},
        "entro.marketplace.event": {"result": "security"},
        "entro.marketplace.credential": {"oauth_state_expires": False},
        "entro.marketplace.return": {"reason": "security"},
        "entro.marketplace.settlement": {"error": "security"},
        "entro.marketplace.settlement.line": {"label": "security"},
        "entro.marketplace.payout.report": {"order_count": 2},
        "entro.marketplace.withholding.rate": {"pit_rate": 0.5},
        "entro.marketplace.withholding.report": {"net_withheld": 2},
        "entro.marketplace.shop.connect": {"name": "security"},
        "entro.marketplace.app": {"service_id": "security"},
        "entro.marketplace.cancel": {"note": "security"},
        "entro.marketplace.tiki.statement": {"reference": "security"},
        "entro.billing.plan": {"description": "security"},
        "entro.billing.subscription": {"trial_reminder_sent": True},
        "entro.billing.period": {"last_error": "security"},
        "entro.billing.change.plan": {},  # filled with its own plan
        "entro.privacy.request": {"identity_check": "passport seen"},
        "entro.privacy.audit": {"detail": "security"},
        "entro.privacy.breach": {"measures": "security"},
        "entro.privacy.export": {},  # filled with its own request
        "entro.privacy.erase": {"confirm": False},
        "entro.privacy.buyer.retention": {"days": 5},
        "entro.support.contact": {"subject": "security"},
    }

    def write_values(self, record):
        values = dict(self.WRITES[record._name])
        if record._name == "entro.billing.change.plan":
            values["plan_id"] = record.sudo().plan_id.id
        elif record._name == "entro.privacy.export":
            values["request_id"] = record.sudo().request_id.id
        return values

    # ------------------------------------------------------------------ records

    def make(self, model, company, creator=None):
        """A new record of ``model`` in ``company``.

        ``creator``: a user who makes it when allowed to (for wizards, which
        belong to the person who opened them); superuser otherwise.
        """
        if model == "entro.marketplace.payout.report":
            line = self.make("entro.marketplace.settlement.line", company)
            self.env.flush_all()
            return self.env[model].browse(line.id)
        if model == "entro.marketplace.withholding.report":
            line = self.make("entro.marketplace.settlement.line", company)
            line.fee_type = "withheld_vat"
            self.env.flush_all()
            return self.env[model].browse(line.id)
        values = self.values(model, company)
        if creator is not None:
            Model = self.env[model].with_user(creator).with_company(company)
            if Model.browse().has_access("create"):
                return Model.create(values).sudo()
        return self.env[model].create(values)


def make_company(env, name):
    vnd = env.ref("base.VND")
    vnd.active = True
    return env["res.company"].create({"name": name, "currency_id": vnd.id})


def company_fixtures(env, company, label):
    """The records a company owns that other records hang on (as superuser)."""
    env = env(su=True)
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)])[:1]
    customer = env["res.partner"].create(
        {
            "name": f"Customer of {label}",
            "is_company": True,
            "company_id": company.id,
            "email": f"customer.{label.lower()}@example.com",
            "phone": f"+84 90{company.id:03d} 1234",
        }
    )
    product = env["product.product"].create(
        {"name": f"Product of {label}", "company_id": company.id, "type": "consu"}
    )
    shop = env["entro.marketplace.shop"].create(
        {
            "name": f"Shopee of {label}",
            "platform": "shopee",
            "company_id": company.id,
            "external_id": f"sec-shop-{label}",
            "app_key": f"sec-app-{label}",
            "app_secret": f"secret-of-{label}",
            "warehouse_id": warehouse.id,
        }
    )
    tiki_shop = env["entro.marketplace.shop"].create(
        {
            "name": f"Tiki of {label}",
            "platform": "tiki",
            "company_id": company.id,
            "external_id": f"sec-tiki-{label}",
            "app_key": f"sec-tiki-app-{label}",
            "warehouse_id": warehouse.id,
        }
    )
    order = env["entro.marketplace.order"].create(
        {"shop_id": shop.id, "external_id": f"SEC-{label}", "payload": {"x": 1}}
    )
    sale = env["sale.order"].create(
        {
            "partner_id": customer.id,
            "company_id": company.id,
            "entro_shop_id": shop.id,
            "order_line": [Command.create({"product_id": product.id})],
        }
    )
    order.sale_order_id = sale
    settlement = env["entro.marketplace.settlement"].create(
        {
            "shop_id": shop.id,
            "external_id": f"PAYOUT-{label}",
            "payout_date": fields.Datetime.now(),
            "currency_id": company.currency_id.id,
        }
    )
    plan, plan2 = env["entro.billing.plan"].create(
        [
            {"name": f"Basic of {label}", "code": f"basic-{label}", "sequence": 1},
            {"name": f"Pro of {label}", "code": f"pro-{label}", "sequence": 2},
        ]
    )
    (plan | plan2).company_id = company
    subscription = env["entro.billing.subscription"].create(
        {
            "partner_id": company.partner_id.id,
            "plan_id": plan.id,
            "company_id": company.id,
        }
    )
    request = env["entro.privacy.request"].create(
        {
            "company_id": company.id,
            "request_type": "export",
            "partner_id": customer.id,
            "identity_check": "ID card seen",
        }
    )
    return _Namespace(
        company=company,
        warehouse=warehouse,
        customer=customer,
        product=product,
        shop=shop,
        tiki_shop=tiki_shop,
        order=order,
        sale=sale,
        settlement=settlement,
        plan=plan,
        plan2=plan2,
        subscription=subscription,
        request=request,
    )


class _Namespace:
    def __init__(self, **values):
        self.__dict__.update(values)


def make_user(env, login, role, company, companies=None, partner=None):
    """A user of ``role`` whose main company is ``company`` (allowed in
    ``companies``, default that one only)."""
    companies = companies or company
    values = {"company_id": company.id, "company_ids": [Command.set(companies.ids)]}
    if partner:
        values["partner_id"] = partner.id
    return new_test_user(
        env,
        login=login,
        groups=ROLES[role],
        context={"no_reset_password": True, "tracking_disable": True},
        **values,
    )


class TwoCompaniesCase(CrossAddonHttpCase):
    """Companies A and B with their fixtures, and the users of every role.

    ``cls.users[role]``: a user of company A only; ``cls.multi[role]``: a user
    allowed in A and B who works with A only active; ``cls.twins[role]``: a
    user of company B only. Portal users are contacts of the company's customer,
    so they see its subscriptions.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=True,
                mail_create_nolog=True,
                mail_notrack=True,
                no_reset_password=True,
            )
        )
        cls.company_a = make_company(cls.env, "Security Company A")
        cls.company_b = make_company(cls.env, "Security Company B")
        cls.fx_a = company_fixtures(cls.env, cls.company_a, "A")
        cls.fx_b = company_fixtures(cls.env, cls.company_b, "B")
        cls.factory = RecordFactory(
            cls.env, {cls.company_a: cls.fx_a, cls.company_b: cls.fx_b}
        )
        both = cls.company_a | cls.company_b
        cls.users, cls.multi, cls.twins = {}, {}, {}
        for role in ROLES:
            partner_a = partner_b = partner_m = None
            if role == "portal":
                partner_a, partner_m, partner_b = (
                    cls.env["res.partner"].create(
                        # a contact of the seller company, which subscribes
                        {"name": f"Portal {tag}", "parent_id": fx.company.partner_id.id}
                    )
                    for tag, fx in (("A", cls.fx_a), ("AB", cls.fx_a), ("B", cls.fx_b))
                )
            cls.users[role] = make_user(
                cls.env, f"sec_{role}_a", role, cls.company_a, partner=partner_a
            )
            cls.multi[role] = make_user(
                cls.env,
                f"sec_{role}_ab",
                role,
                cls.company_a,
                companies=both,
                partner=partner_m,
            )
            cls.twins[role] = make_user(
                cls.env, f"sec_{role}_b", role, cls.company_b, partner=partner_b
            )

    def env_of(self, user, *companies):
        """An environment of ``user`` with these companies active (default: the
        user's main company only, as the web client starts)."""
        companies = companies or (user.company_id,)
        return self.env(
            user=user,
            context=dict(
                self.env.context, allowed_company_ids=[c.id for c in companies]
            ),
        )
