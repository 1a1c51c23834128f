"""Every public method of the Entro models refuses a record of another company.

Any logged-in user can call a public method (one whose name does not start with
an underscore) over XML-RPC on any record id, with arguments of their choosing:
the method must check access itself before acting, or act only through reads
and writes that check it. Here the strongest user of company A (every Entro
group, sales and inventory manager) calls each of them on a record of company B,
and must get an AccessError. A method added later is checked the same way.
"""

import inspect

from odoo.tests import new_test_user

from .common import ADDONS, TwoCompaniesCase, attempt
from .test_access_matrix import OWN_COMPANY

#: positional arguments of the public methods that take some (by name), made
#: from the fixtures of company A: what an attacker in A would pass
ARGUMENTS = {
    "action_change_plan": lambda case: [case.fx_a.plan2.id],
}

#: (model, method) that need no check: they return a window action or a URL
#: built from the record's id alone and read nothing of it
HARMLESS = {
    ("entro.marketplace.shop", "action_view_orders"),
    ("entro.marketplace.shop", "action_view_listings"),
    ("entro.marketplace.shop", "action_view_settlements"),
}

#: who makes B's record of each wizard (the role that opens it in B)
WIZARD_MAKERS = {
    "entro.marketplace.shop.connect": "mp_manager",
    "entro.marketplace.cancel": "mp_user",
    "entro.marketplace.tiki.statement": "mp_manager",
    "entro.billing.change.plan": "billing_manager",
    "entro.privacy.export": "privacy_officer",
    "entro.privacy.erase": "privacy_officer",
    "entro.support.contact": "mp_user",
}


def public_methods(model_class):
    """Public methods that our addons define (not overrides of Odoo's own)."""
    ours, theirs = set(), set()
    for klass in model_class.__mro__:
        module = getattr(klass, "__module__", "") or ""
        names = {
            name
            for name, value in vars(klass).items()
            if callable(value) and not name.startswith("_")
        }
        if module.startswith(tuple(f"odoo.addons.{a}." for a in ADDONS)):
            ours |= {
                n for n in names if not getattr(vars(klass)[n], "_api_private", False)
            }
        else:
            theirs |= names
    return sorted(ours - theirs)


class TestPublicMethods(TwoCompaniesCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.boss = new_test_user(
            cls.env,
            login="sec_boss_a",
            groups="base.group_user,entro_marketplace.group_marketplace_manager,"
            "entro_billing.group_billing_manager,"
            "entro_privacy.group_privacy_officer,"
            "sales_team.group_sale_manager,stock.group_stock_manager,"
            "account.group_account_manager",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, cls.company_a.ids)],
        )

    def check_methods(self, model):
        env = self.env_of(self.boss)
        maker = WIZARD_MAKERS.get(model)
        problems = []
        for name in public_methods(type(self.env[model])):
            if (model, name) in HARMLESS:
                continue
            record = self.factory.make(
                model, self.company_b, self.twins[maker] if maker else None
            )
            method = getattr(record.with_env(env), name)
            params = [
                p
                for p in list(inspect.signature(method).parameters.values())
                if p.default is p.empty
                and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            if params and name not in ARGUMENTS:
                problems.append(f"{name}: give its arguments in ARGUMENTS")
                continue
            args = ARGUMENTS[name](self) if params else []
            outcome, exc = attempt(self.env, lambda m=method, a=args: m(*a))
            if outcome != "denied":
                problems.append(
                    f"{name} on B's record: "
                    + ("ran" if outcome == "allowed" else repr(exc)[:200])
                )
        self.assertFalse(problems, f"{model}:\n" + "\n".join(problems))


def _make_test(model):
    def test(self):
        self.check_methods(model)

    test.__doc__ = f"{model}: its public methods refuse another company's record"
    return test


for _model in OWN_COMPANY:
    setattr(
        TestPublicMethods,
        f"test_public_methods__{_model.replace('.', '_')}",
        _make_test(_model),
    )
