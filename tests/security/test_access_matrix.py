"""The access matrix of the Entro addons: for every model they define and every
role, what a user of company A may do with a record of A, and with one of B.

The table below is the policy. Each (model, role) pair is a test of its own that
checks, for a user of A only and for a user of A and B working in A:

- the access rights (ir.model.access) of the role, with ``has_access``;
- each operation really performed (read, write, create, unlink) on a record of
  A and on one of B, under the record rules.

A model added to an addon without a row in the table fails
``test_every_model_has_a_row``: deciding who may do what is part of adding it.
"""

import functools

from .common import (
    ADDONS,
    REFUSALS,
    ROLES,
    TwoCompaniesCase,
    addon_models,
    attempt,
)

OPERATIONS = {"r": "read", "w": "write", "c": "create", "u": "unlink"}

# What each role may do with its own company's records: r read, w write, c create,
# u unlink. Columns, in the order of ROLES: employee (internal user, no Entro group),
# mp_user, mp_manager, billing_manager, privacy_officer, portal, public.
# fmt: off
OWN_COMPANY = {
    "entro.marketplace.shop":            ("",  "r",   "rwcu", "",     "",     "",  ""),
    "entro.marketplace.order":           ("",  "r",   "rwc",  "",     "",     "",  ""),
    "entro.marketplace.listing":         ("",  "r",   "rwcu", "",     "",     "",  ""),
    "entro.marketplace.order.staging":   ("",  "",    "r",    "",     "",     "",  ""),
    "entro.marketplace.log":             ("",  "r",   "ru",   "",     "",     "",  ""),
    "entro.marketplace.event":           ("",  "r",   "ru",   "",     "",     "",  ""),
    "entro.marketplace.credential":      ("",  "",    "",     "",     "",     "",  ""),
    "entro.marketplace.return":          ("",  "r",   "rwc",  "",     "",     "",  ""),
    "entro.marketplace.settlement":      ("",  "r",   "rwc",  "",     "",     "",  ""),
    "entro.marketplace.settlement.line": ("",  "r",   "rwcu", "",     "",     "",  ""),
    "entro.marketplace.payout.report":   ("",  "r",   "r",    "",     "",     "",  ""),
    "entro.marketplace.shop.connect":    ("",  "",    "rwcu", "",     "",     "",  ""),
    "entro.marketplace.app":             ("",  "r",   "rwcu", "",     "",     "",  ""),
    "entro.marketplace.cancel":          ("",  "rwc", "rwc",  "",     "",     "",  ""),
    "entro.marketplace.tiki.statement":  ("",  "",    "rwcu", "",     "",     "",  ""),
    "entro.marketplace.withholding.rate":   ("", "r", "rw", "", "", "", ""),
    "entro.marketplace.withholding.report": ("", "r", "r",  "", "", "", ""),
    "entro.billing.plan":                ("r", "r",   "r",    "rwcu", "r",    "r", ""),
    "entro.billing.subscription":        ("r", "r",   "r",    "rwc",  "r",    "r", ""),
    "entro.billing.period":              ("",  "",    "",     "r",    "",     "r", ""),
    "entro.billing.change.plan":         ("",  "",    "",     "rwcu", "",     "",  ""),
    "entro.privacy.request":             ("",  "",    "",     "",     "rwc",  "",  ""),
    "entro.privacy.audit":               ("",  "",    "",     "",     "r",    "",  ""),
    "entro.privacy.breach":              ("",  "",    "",     "",     "rwc",  "",  ""),
    "entro.privacy.export":              ("",  "",    "",     "",     "rwcu", "",  ""),
    "entro.privacy.erase":               ("",  "",    "",     "",     "rwcu", "",  ""),
    "entro.privacy.buyer.retention":     ("",  "",    "",     "",     "rw",   "",  ""),
    "entro.support.contact":             ("",  "rwc", "rwc",  "",     "",     "",  ""),
}
# fmt: on

#: What a role may do with the OTHER company's records: nothing, for every model
#: and role, unless listed here as {model: {role: ops}}.
#: Plans are the catalogue of the invoicing company (Entrosoft): everyone who reads
#: plans reads all of them; only that company's Billing Managers change them.
OTHER_COMPANY = {
    "entro.billing.plan": {
        role: "r"
        for role in (
            "employee",
            "mp_user",
            "mp_manager",
            "billing_manager",
            "privacy_officer",
            "portal",
        )
    },
}

#: Abstract models (no table, no records): services that act as superuser for
#: their callers, and mixins whose methods run in the models that inherit them,
#: so none of their methods may be public (RPC-callable).
ABSTRACT_MODELS = {
    "entro.marketplace.platform.mixin",
    "entro.privacy.engine",
    "entro.privacy.retention",
    "entro.support.diagnostic",
    "entro.support.termination",
}


def expected(model, role):
    own = OWN_COMPANY[model][list(ROLES).index(role)]
    return own, OTHER_COMPANY.get(model, {}).get(role, "")


class TestAccessMatrix(TwoCompaniesCase):
    def test_every_model_has_a_row(self):
        concrete, abstract = addon_models(self.env)
        self.assertEqual(
            concrete,
            set(OWN_COMPANY),
            "models without a row in OWN_COMPANY (or rows of models that are gone)",
        )
        self.assertEqual(abstract, ABSTRACT_MODELS)
        for model, row in OWN_COMPANY.items():
            self.assertEqual(len(row), len(ROLES), model)

    def test_abstract_models_have_no_public_method(self):
        for model in sorted(ABSTRACT_MODELS):
            public = _public_methods(type(self.env[model]))
            self.assertFalse(
                public,
                f"{model}: methods callable over RPC by any user: {public}",
            )

    def test_wizards_are_their_creators_alone(self):
        """What one person typed in a wizard (an app secret, a statement file, a
        preview of someone's data) is not a colleague's to read or change, even
        in the same company with the same role."""
        problems = []
        for model, row in OWN_COMPANY.items():
            if not self.env[model]._transient:
                continue
            for role, ops in zip(ROLES, row, strict=True):
                if "c" not in ops:
                    continue
                record = self.factory.make(model, self.company_a, self.users[role])
                colleague = self.env_of(self.multi[role])
                for op in "rwu":
                    outcome, _exc = attempt(
                        self.env, _operation(colleague, record, op, self.factory)
                    )
                    if outcome == "allowed":
                        problems.append(f"{model} as {role}: {OPERATIONS[op]} ALLOWED")
                if colleague[model].search([("id", "=", record.id)]):
                    problems.append(f"{model} as {role}: search finds it")
        self.assertFalse(problems, "\n".join(problems))

    def test_every_field_is_readable_by_the_readers_of_its_model(self):
        """A form opens for whoever may read the record: no field of it, computed
        ones included, fails for a role that reads the model."""
        problems = []
        for model, row in OWN_COMPANY.items():
            for role, ops in zip(ROLES, row, strict=True):
                if "r" not in ops:
                    continue
                user = self.users[role]
                record = self.factory.make(model, self.company_a, user)
                mine = record.with_env(self.env_of(user))
                for name in _plain_fields(mine, stored=False):
                    outcome, exc = attempt(self.env, lambda r=mine, n=name: r.read([n]))
                    if outcome != "allowed":
                        problems.append(f"{model}.{name} as {role}: {_why(exc)}")
        self.assertFalse(problems, "\n".join(problems))

    # ------------------------------------------------------------------ checks

    def check_cell(self, model, role):
        own, other = expected(model, role)
        problems = []
        for label, user in (("A only", self.users[role]), ("A+B, A active", None)):
            env = self.env_of(user) if user else self.env_of(self.multi[role])
            problems += self._check_acl(env, model, own, label)
            problems += self._check_records(env, model, role, own, "own", label)
            problems += self._check_records(env, model, role, other, "other", label)
        if problems:
            self.fail(f"{model} as {role}:\n  " + "\n  ".join(problems))

    def _check_acl(self, env, model, own, label):
        problems = []
        for op, name in OPERATIONS.items():
            allowed = env[model].browse().has_access(name)
            if allowed != (op in own):
                problems.append(
                    f"[{label}] access rights: {name} "
                    f"{'granted' if allowed else 'refused'}, expected "
                    f"{'granted' if op in own else 'refused'}"
                )
        return problems

    def _check_records(self, env, model, role, ops, scope, label):
        """Perform each operation on a record of A (own) or B (other)."""
        company = self.company_a if scope == "own" else self.company_b
        creator = (self.users if scope == "own" else self.twins)[role]
        if scope == "own" and self.env[model]._transient:
            # a wizard is its creator's: checked on one the acting user opened
            # (a colleague's: test_wizards_are_their_creators_alone)
            creator = env.user
        problems = []
        for op, name in OPERATIONS.items():
            if op == "c":
                values = self.factory.values(model, company)
                record = self.factory.make(model, company, creator)
                run = functools.partial(env[model].create, values)
            else:
                record = self.factory.make(model, company, creator)
                run = _operation(env, record, op, self.factory)
            outcome, exc = attempt(self.env, run)
            refused = self._refused(env, record, op, outcome, exc)
            if (op in ops) and outcome != "allowed":
                problems.append(
                    f"[{label}] {scope} company: {name} refused ({_why(exc)}), "
                    "expected allowed"
                )
            elif op not in ops and not refused:
                problems.append(
                    f"[{label}] {scope} company: {name} "
                    f"{'ALLOWED' if outcome == 'allowed' else _why(exc)}, "
                    "expected refused"
                )
            if op == "r":
                problems += self._check_search(env, record, op in ops, scope, label)
        return problems

    def _refused(self, env, record, op, outcome, exc):
        if outcome == "denied":
            return True
        if outcome != "error":
            return False
        if op == "c":
            # a create refused for its data (another company's record in it)
            return isinstance(exc, REFUSALS)
        # another error on a record the user has no access to anyway (a model
        # that refuses to change, say): refused all the same
        return not record.with_env(env).has_access(OPERATIONS[op])

    def _check_search(self, env, record, visible, scope, label):
        if not env[record._name].browse().has_access("read"):
            return []
        found = bool(env[record._name].search([("id", "=", record.id)]))
        if found != visible:
            state = "finds" if found else "does not find"
            return [f"[{label}] {scope} company: search {state} the record"]
        return []


def _operation(env, record, op, factory):
    mine = record.with_env(env)
    if op == "r":
        fields_ = _plain_fields(mine, stored=True)
        return lambda: mine.read(fields_)
    if op == "w":
        values = factory.write_values(record)
        return lambda: mine.write(values)
    return mine.unlink


def _plain_fields(record, stored):
    """The fields of ``record`` open to everyone who reads it (no ``groups``):
    stored ones, or all those our addons define."""
    return [
        name
        for name, field in record._fields.items()
        if not field.groups and (field.store if stored else field._module in ADDONS)
    ]


def _why(exc):
    if exc is None:
        return "no error"
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text[:120]}"


def _public_methods(cls):
    """Names of the methods of our addons' classes in ``cls``'s MRO that RPC
    may call (not _private, not @api.private)."""
    names = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith(tuple(f"odoo.addons.{a}." for a in ADDONS)):
            continue
        for name, value in vars(klass).items():
            if (
                callable(value)
                and not name.startswith("_")
                and not getattr(value, "_api_private", False)
            ):
                names.add(name)
    return sorted(names)


def _make_test(model, role):
    def test(self):
        self.check_cell(model, role)

    test.__doc__ = f"{model}: what a {role} of company A may do"
    return test


for _model in OWN_COMPANY:
    for _role in ROLES:
        setattr(
            TestAccessMatrix,
            f"test_{_model.replace('.', '_')}__{_role}",
            _make_test(_model, _role),
        )
