"""Two companies trading on the four platforms: each company's people see and
change their own records only.

For every model a company owns records of (the buyers, sale orders and pickings
its imports made included) and every role that may read the model, a user of A
finds none of B's records by search, search_count, read_group or name_search,
and reading, writing or deleting one of them raises AccessError; the same the
other way round, and for a user of A and B who works in A only.
"""

import json

from odoo.exceptions import AccessError

from .common import INTERNAL_ROLES, REFUSALS, attempt
from .world import CATALOGUE_MODELS, OWNED_MODELS, TwoTradingCompaniesCase

#: a harmless change per model, for the write attempts
WRITES = {
    "res.partner": {"comment": "security"},
    "sale.order": {"note": "security"},
    "stock.picking": {"note": "security"},
}

SHOP_ACTIONS = (
    "action_sync_orders",
    "action_import_listings",
    "action_push_stock",
    "action_push_prices",
    "action_sync_returns",
    "action_import_payouts",
    "action_authorize",
    "action_disconnect",
)


class TestCompanyIsolation(TwoTradingCompaniesCase):
    # ----------------------------------------------------------------- helpers

    def _roles(self):
        """(label, env, their company, the other company) for every internal
        role: A's user, B's user, and A+B's user working in A."""
        a, b = self.company_a, self.company_b
        for role in INTERNAL_ROLES:
            yield f"{role} of A", self.env_of(self.users[role]), a, b
            yield f"{role} of B", self.env_of(self.twins[role]), b, a
            yield f"{role} of A+B in A", self.env_of(self.multi[role]), a, b
        # who imports: Marketplace Manager, Sales and Inventory Manager
        yield "importer of A", self.env_of(self.fx_a.importer), a, b
        yield "importer of B", self.env_of(self.fx_b.importer), b, a

    def check_isolation(self, model):
        problems, checked = [], 0
        for label, env, mine, other in self._roles():
            Model = env[model].with_context(active_test=False)
            if not Model.browse().has_access("read"):
                continue
            checked += 1
            own = self.owned[mine][model]
            foreign = self.owned[other][model]
            catalogue = model in CATALOGUE_MODELS
            found = [] if catalogue else self._check_finds(Model, own, foreign)
            found += self._check_touch(env, foreign, model, read=not catalogue)
            if found:
                problems.append(f"{label}: " + "; ".join(found))
        self.assertTrue(checked, f"no role reads {model}: nothing was checked")
        self.assertFalse(problems, f"{model}:\n" + "\n".join(problems))

    def _check_finds(self, Model, own, foreign):
        problems = []
        found = Model.search([])
        if found & foreign.with_env(Model.env):
            problems.append(f"search([]) finds {foreign & found}")
        if not set(own.ids) <= set(found.ids):
            problems.append("search([]) misses some of its own company's records")
        if Model.search_count([("id", "in", foreign.ids)]):
            problems.append("search_count counts them")
        groups = Model.read_group([("id", "in", foreign.ids)], [], [])
        if groups and groups[0].get("__count"):
            problems.append("read_group counts them")
        if "company_id" in Model._fields:
            companies = {
                g["company_id"][0]
                for g in Model.read_group([], ["company_id"], ["company_id"])
                if g["company_id"]
            }
            if foreign.company_id.id in companies:
                problems.append("read_group by company shows the other")
        for record in foreign.sudo()[:3]:
            name = record.display_name
            if not name or "," in name:  # no name to search by
                continue
            hits = {i for i, _n in Model.name_search(name, limit=1000)}
            if hits & set(foreign.ids):
                problems.append(f"name_search({name!r}) lists it")
        return problems

    def _check_touch(self, env, foreign, model, read=True):
        problems = []
        record = foreign.sudo()[:1].with_env(env)
        values = WRITES.get(model) or self.factory.WRITES[model]
        operations = [
            ("read", lambda: record.read(["display_name"])),
            ("write", lambda: record.write(values)),
            ("unlink", record.unlink),
        ]
        for name, operation in operations[0 if read else 1 :]:
            outcome, exc = attempt(self.env, operation)
            if outcome == "denied" or (
                # a model that refuses the change for everyone, to a user who
                # has no right to it anyway
                outcome == "error" and not record.has_access(name)
            ):
                continue
            problems.append(
                f"{name} of {record} "
                f"{'ALLOWED' if outcome == 'allowed' else repr(exc)[:200]}"
            )
        return problems

    # ------------------------------------------------------------ the specifics

    def test_a_manager_cannot_read_the_others_shop_secrets(self):
        env = self.env_of(self.users["mp_manager"])
        for platform, shop in self.fx_b.shops.items():
            mine = shop.with_env(env)
            for names in (
                ["app_key"],
                ["app_secret"],
                ["has_tokens"],
                ["api_base_url"],
            ):
                with self.assertRaises(AccessError, msg=f"{platform}: {names}"):
                    mine.read(names)
            with self.assertRaises(AccessError, msg=platform):
                mine.read(["credential_ids"])
        Credential = env["entro.marketplace.credential"]
        with self.assertRaises(AccessError):
            Credential.search([("shop_id", "in", self.fx_b.shop.ids)])
        cred = self.fx_b.shops["shopee"]._credential()
        with self.assertRaises(AccessError):
            cred.with_env(env).read(["access_token_enc", "app_secret_enc"])

    def test_no_field_of_a_shop_shows_its_secrets_even_to_its_own_manager(self):
        env = self.env_of(self.users["mp_manager"])
        for platform, shop in self.fx_a.shops.items():
            secrets = [s for s in shop.sudo()._secrets().values() if s]
            self.assertEqual(len(secrets), 3, platform)  # app secret and tokens
            readable = [
                n for n, f in shop._fields.items() if not f.groups and n != "id"
            ]
            shown = json.dumps(shop.with_env(env).read(readable), default=str)
            for secret in secrets:
                self.assertNotIn(secret, shown, f"{platform}: a secret is readable")

    def test_a_manager_cannot_run_the_others_shop_actions(self):
        env = self.env_of(self.users["mp_manager"])
        problems = []
        for platform, shop in self.fx_b.shops.items():
            actions = SHOP_ACTIONS + (
                ("action_tiki_setup_queue",) if platform == "tiki" else ()
            )
            for action in actions:
                outcome, exc = attempt(self.env, getattr(shop.with_env(env), action))
                if outcome != "denied":
                    problems.append(f"{action} on B's {platform}: {exc or 'ran'}")
        self.assertFalse(problems, "\n".join(problems))

    def test_a_marketplace_user_cannot_see_the_others_events(self):
        env = self.env_of(self.users["mp_user"])
        events_b = self.owned[self.company_b]["entro.marketplace.event"]
        Event = env["entro.marketplace.event"]
        seen = Event.search([])
        self.assertFalse(seen & events_b.with_env(env))
        # (B's app pushed for a shop nobody connected: if it was kept at all)
        self.assertFalse(
            seen & self.stray_events.with_env(env),
            "an event of B's app, stored without a shop, is shown to A's users",
        )
        shown = json.dumps(Event.search_read([], ["payload"]), default=str)
        for buyer in self.fx_b.buyers:
            self.assertNotIn(buyer.name, shown)
        for event in (events_b | self.stray_events)[:5]:
            with self.assertRaises(AccessError, msg=event.dedup_key):
                event.with_env(env).read(["payload"])
        for order in self.fx_b.orders[:2]:
            with self.assertRaises(AccessError):
                order.with_env(env).read(["payload_text"])

    def test_buyers_of_the_others_imports_are_invisible(self):
        buyers = self.fx_b.buyers
        self.assertTrue(buyers)
        self.assertEqual(buyers.company_id, self.company_b)
        keys = buyers.mapped("entro_buyer_key")
        for label, env, mine, _other in self._roles():
            if mine != self.company_a:
                continue
            Partner = env["res.partner"].with_context(active_test=False)
            self.assertFalse(Partner.search([("id", "in", buyers.ids)]), label)
            self.assertFalse(Partner.search([("entro_buyer_key", "in", keys)]), label)
            for buyer in buyers[:2]:
                hits = {i for i, _n in Partner.name_search(buyer.name)}
                self.assertFalse(hits & set(buyers.ids), label)
                with self.assertRaises(AccessError, msg=label):
                    buyer.with_env(env).read(["name", "phone", "email"])
        for role in ("portal", "public"):
            env = self.env_of(self.users[role])
            with self.assertRaises(AccessError, msg=role):
                buyers[:1].with_env(env).read(["name"])

    # ------------------------------------------------------------- privacy

    def test_an_officer_cannot_request_on_the_others_partner_or_shop(self):
        env = self.env_of(self.users["privacy_officer"])
        Request = env["entro.privacy.request"]
        before = Request.sudo().search_count([])
        buyer_b = self.fx_b.buyers[:1]
        for values in (
            {"request_type": "export", "partner_id": buyer_b.id},
            {"request_type": "correct", "partner_id": buyer_b.id},
            {"request_type": "revoke", "shop_ids": [(6, 0, self.fx_b.shop.ids)]},
            {
                "request_type": "revoke",
                "shop_ids": [(6, 0, [self.fx_b.shops["tiktok"].id])],
            },
        ):
            outcome, exc = attempt(
                self.env,
                lambda v=values: Request.create(
                    dict(v, company_id=self.company_a.id, identity_check="ID")
                ),
            )
            self.assertTrue(
                outcome == "denied" or isinstance(exc, REFUSALS),
                f"a request of A on B's data was accepted: {values}",
            )
        self.assertEqual(Request.sudo().search_count([]), before)

    def test_an_officer_cannot_process_the_others_requests(self):
        env = self.env_of(self.users["privacy_officer"])
        request_b = self.fx_b.buyer_request.with_env(env)
        for action in (
            "action_start",
            "action_process",
            "action_open_wizard",
            "action_reject",
            "get_export",
            "action_download_export",
        ):
            outcome, exc = attempt(self.env, getattr(request_b, action))
            self.assertEqual(outcome, "denied", f"{action}: {exc or 'ran'}")
        for model in ("entro.privacy.export", "entro.privacy.erase"):
            outcome, exc = attempt(
                self.env,
                lambda m=model: (
                    env[m]
                    .create({"request_id": self.fx_b.buyer_request.id})
                    .read(["preview_html"])
                ),
            )
            self.assertTrue(
                outcome == "denied" or isinstance(exc, REFUSALS),
                f"{model} on B's request: {exc or 'previewed'}",
            )

    def test_a_request_that_reaches_the_others_data_changes_nothing_there(self):
        """Should a request of A name B's contact or shop (made before the
        checks, or by an administrator), processing it leaves B alone."""
        env = self.env_of(self.users["privacy_officer"])
        buyer_b = self.fx_b.buyers[:1]
        shop_b = self.fx_b.shops["lazada"]
        name, phone = buyer_b.name, buyer_b.phone
        Request = self.env["entro.privacy.request"]
        requests = [
            _made(Request, values)
            for values in (
                {
                    "company_id": self.company_a.id,
                    "request_type": "correct",
                    "partner_id": buyer_b.id,
                    "correction_name": "Overwritten by A",
                    "correction_phone": "0000",
                    "identity_check": "ID",
                },
                {
                    "company_id": self.company_a.id,
                    "request_type": "revoke",
                    "shop_ids": [(6, 0, shop_b.ids)],
                    "identity_check": "ID",
                },
            )
        ]
        for request in filter(None, requests):  # (None: such data is refused)
            try:
                with self.env.cr.savepoint():
                    request.with_env(env).action_process()
            except REFUSALS:
                pass
            self.env.invalidate_all()
        self.assertEqual((buyer_b.name, buyer_b.phone), (name, phone))
        self.assertEqual(shop_b.state, "connected")
        self.assertTrue(shop_b.has_tokens and shop_b.has_app_secret)

    def test_an_export_of_a_shared_email_holds_nothing_of_the_other(self):
        """A's export for B's buyer's exact email finds nothing of B's."""
        buyer_b = self.fx_b.buyers.filtered("email")[:1] or self.fx_b.buyers[:1]
        if not buyer_b.email:
            buyer_b.email = "shared.buyer@example.com"
        env = self.env_of(self.users["privacy_officer"])
        request = env["entro.privacy.request"].create(
            {
                "company_id": self.company_a.id,
                "request_type": "export",
                "email": buyer_b.email,
                "identity_check": "ID",
            }
        )
        found = self.env["entro.privacy.engine"]._find(request.sudo()._subject())
        leaked = {
            model: records
            for model, records in found.items()
            if records
            and "company_id" in records._fields
            and self.company_b in records.sudo().company_id
        }
        self.assertFalse(leaked, f"A's export would hold B's {leaked}")

    def test_wildcards_in_a_request_match_nobody(self):
        """The email and phone of a request are matched exactly: a pattern
        ('%', '_') would export or erase everyone it matches."""
        env = self.env_of(self.users["privacy_officer"])
        for values in ({"email": "%"}, {"email": "%@%"}, {"email": "_%"}):
            request = _made(
                env["entro.privacy.request"],
                dict(
                    values,
                    company_id=self.company_a.id,
                    request_type="erase",
                    identity_check="ID",
                ),
            )
            if not request:
                continue  # refused as a pattern: fine
            subject = request.sudo()._subject()
            self.assertFalse(subject.partners, f"{values} matched {subject.partners}")


def _made(Model, values):
    """The record made of ``values``, or None when they are refused."""
    try:
        with Model.env.cr.savepoint():
            return Model.create(values)
    except REFUSALS:
        return None


def _make_isolation_test(model):
    def test(self):
        self.check_isolation(model)

    test.__doc__ = f"{model}: each company's people find and touch only their own"
    return test


for _model in OWNED_MODELS:
    setattr(
        TestCompanyIsolation,
        f"test_isolation__{_model.replace('.', '_')}",
        _make_isolation_test(_model),
    )
