"""Finds, exports and erases a data subject's records, from the addons' declarations."""

import hashlib
import importlib
import io
import json
import re
import textwrap
import zipfile
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import escape_psql, format_amount, format_datetime, html2plaintext
from odoo.tools.translate import get_translation

ERASED = "[erased]"
PLACEHOLDER = "Erased person #%s"
HASH_PREFIX = "erased:"
FIELD_ACTIONS = {"blank", "placeholder", "hash", "scrub", "keep"}
MIN_TOKEN = 4
# retention periods by name: ir.config_parameter holding the years, default years
PERIODS = {"accounting": ("entro_privacy.accounting_retention_years", 10)}


def phone_variants(phone):
    """The exact forms a phone number is stored in: as given, digits only, and
    the Vietnamese national/international forms of the same number."""
    if not phone:
        return set()
    phone = str(phone).strip()
    digits = re.sub(r"[^0-9]", "", phone)
    variants = {phone, digits}
    national = None
    if digits.startswith("84") and len(digits) >= 11:
        national = "0" + digits[2:]
    elif digits.startswith("0"):
        national = digits
    if national:
        variants |= {national, "84" + national[1:], "+84" + national[1:]}
    return {v for v in variants if len(re.sub(r"[^0-9]", "", v)) >= 6}


def _merge(entries):
    """Declarations by model, the entries of several addons for one model merged."""
    merged = {}
    for entry in entries:
        spec = merged.setdefault(
            entry["model"],
            {
                "model": entry["model"],
                "descriptions": [],
                "find": {},
                "fields": {},
                "erase": "pseudonymise",
                "retain": None,
                "scrub_keys": set(),
                "modules": [],
            },
        )
        spec["modules"].append(entry["module"])
        if entry.get("description"):
            spec["descriptions"].append(entry["description"])
            # (addon, text): translated by the addon that declared it
            spec.setdefault("texts", []).append((entry["module"], entry["description"]))
        for how, paths in (entry.get("find") or {}).items():
            if how == "document":
                spec["find"]["document"] = tuple(paths)
            else:
                spec["find"].setdefault(how, [])
                spec["find"][how] += [
                    tuple(p) if isinstance(p, list) else p for p in paths
                ]
        spec["fields"].update(entry.get("fields") or {})
        if entry.get("erase") == "delete":
            spec["erase"] = "delete"
        if entry.get("retain"):
            spec["retain"] = dict(entry["retain"], module=entry["module"])
        keys = entry.get("scrub_keys") or ()
        spec["scrub_keys"] |= set(keys() if callable(keys) else keys)
    return merged


class Subject:
    """Who a request is about: partners, and exact emails, phones, buyer keys."""

    def __init__(self, partners, emails=(), phones=(), buyer_keys=(), company=None):
        self.partners = partners
        self.emails = {e.strip().lower() for e in emails if e and e.strip()}
        self.phones = set()
        for phone in phones:
            self.phones |= phone_variants(phone)
        self.buyer_keys = {k.strip() for k in buyer_keys if k and k.strip()}
        self.company = company

    @property
    def partner_ids(self):
        return self.partners.ids


class EntroPrivacyEngine(models.AbstractModel):
    _name = "entro.privacy.engine"
    _description = "Personal Data Engine"

    # ------------------------------------------------------------- declarations

    @api.model
    def _declaration_modules(self):
        # sudo: which addons are installed, whoever asks (no module rights needed)
        return (
            self.env["ir.module.module"]
            .sudo()
            .search([("state", "=", "installed"), ("name", "=like", "entro\\_%")])
            .mapped("name")
        )

    @api.model
    def _raw_declarations(self):
        """(PERSONAL_DATA entries, NOT_PERSONAL) of every installed Entro addon's
        ``privacy.py``, entro_privacy's own (the core models) first."""
        entries, not_personal = [], {}
        modules = sorted(
            self._declaration_modules(), key=lambda m: (m != "entro_privacy", m)
        )
        for module in modules:
            try:
                declared = importlib.import_module(f"odoo.addons.{module}.privacy")
            except ModuleNotFoundError as exc:
                if exc.name != f"odoo.addons.{module}.privacy":
                    raise
                continue
            for entry in getattr(declared, "PERSONAL_DATA", []):
                entries.append(dict(entry, module=module))
            for model, names in getattr(declared, "NOT_PERSONAL", {}).items():
                not_personal.setdefault(model, set()).update(names)
        return entries, not_personal

    @api.model
    def _declarations(self):
        """Merged declarations of the models installed in this database."""
        entries, _not_personal = self._raw_declarations()
        return {
            model: spec for model, spec in _merge(entries).items() if model in self.env
        }

    # ------------------------------------------------------------------- labels

    @api.model
    def _reader_lang(self):
        """The language of the person reading: the context's, else the user's
        (as ``_()`` does)."""
        return self.env.lang or self.env.user.lang or "en_US"

    @api.model
    def _declared_text(self, module, text):
        """A text of an addon's ``privacy.py`` in the user's language."""
        lang = self._reader_lang()
        if not text or lang == "en_US" or not module:
            return text
        try:
            return get_translation(module, lang, text, ())
        except Exception:  # noqa: BLE001 - an untranslated text is shown as is
            return text

    @api.model
    def _model_label(self, model):
        """The model's name as a person reads it (translated), not its technical
        name."""
        # sudo: the name of a model, whoever asks
        Model = self.env["ir.model"].sudo().with_context(lang=self._reader_lang())
        name = Model._get(model).name
        return name or model

    @api.model
    def _model_description(self, model, spec):
        """What the declarations say this model holds about a person."""
        texts = spec.get("texts") or [
            (None, text) for text in spec.get("descriptions", [])
        ]
        return "; ".join(self._declared_text(module, text) for module, text in texts)

    @api.model
    def _field_labels(self, model, names):
        """The fields' labels (translated), for a person to read."""
        env = self.with_context(lang=self._reader_lang()).env
        fields_ = env[model]._fields
        return [
            fields_[name]._description_string(env) if name in fields_ else name
            for name in names
        ]

    @api.model
    def _record_label(self, record):
        """One line that says which record this is: a message by its date, author
        and subject (it has no name of its own), a record by its name."""
        if record._name == "mail.message":
            what = (
                record.subject
                or textwrap.shorten(
                    html2plaintext(record.body or "", include_references=False),
                    80,
                    placeholder="…",
                )
                or record.subtype_id.name
                or record.record_name
                or ""
            )
            if record.record_name and record.record_name != what:
                what = f"{what} ({record.record_name})".strip()
            parts = [
                format_datetime(self.env, record.date, dt_format="short")
                if record.date
                else "",
                record.author_id.display_name or record.email_from or "",
                what,
            ]
            return " — ".join(p for p in parts if p)
        if record._name == "sale.order.line":
            product = record.name or record.product_id.display_name or ""
            # (an f-string inside _() stops the extraction of the file's terms)
            qty = f"{record.product_uom_qty:g}"
            return _(
                "%(order)s: %(qty)s × %(product)s, %(total)s",
                order=record.order_id.name,
                qty=qty,
                product=product.split("\n")[0],
                total=format_amount(self.env, record.price_total, record.currency_id),
            )
        return record.display_name or f"#{record.id}"

    # ------------------------------------------------------------------ finding

    @api.model
    def _subject_from_request(self, request):
        # the request's company, contact and email are checked before any sudo
        request._check_companies()
        request._check_email_address()
        # sudo: a subject's records are found whoever can read them; the
        # contact's company was checked above, the others' are filtered below
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        partners = request.partner_id.sudo()
        emails = [request.email.strip()] if request.email else []
        phones = [request.phone] if request.phone else []
        keys = (request.buyer_keys or "").replace(",", "\n").split("\n")
        partners |= self._email_matches(Partner, "email", emails)
        partners |= self._partners_by_phone(phones)
        domain = []
        keys = [k.strip() for k in keys if k.strip()]
        if keys:
            extra = [("entro_buyer_key", "in", keys)]
            domain = ["|"] + domain + extra if domain else extra
        if domain:
            partners |= Partner.search(domain)
        # their contacts (delivery addresses) are theirs too
        if partners:
            partners |= Partner.search([("id", "child_of", partners.ids)])
        partners = partners.filtered(
            lambda p: not p.company_id or p.company_id == request.company_id
        )
        buyer_keys = set(keys) | set(filter(None, partners.mapped("entro_buyer_key")))
        return Subject(
            partners,
            emails=emails + partners.mapped("email"),
            phones=phones,
            buyer_keys=buyer_keys,
            company=request.company_id,
        )

    @api.model
    def _partners_by_phone(self, phones):
        """Contacts whose phone or mobile is one of these numbers, whatever the
        spacing or punctuation it was stored with (digits compared exactly)."""
        digits = set()
        for phone in phones:
            digits |= {re.sub(r"[^0-9]", "", v) for v in phone_variants(phone)}
        # sudo: contacts are matched on exact digits of the request's checked phone
        Partner = self.env["res.partner"].sudo().with_context(active_test=False)
        if not digits:
            return Partner.browse()
        self.env["res.partner"].flush_model(["phone", "mobile"])
        self.env.cr.execute(
            """
            SELECT id FROM res_partner
             WHERE regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') = ANY(%s)
                OR regexp_replace(coalesce(mobile, ''), '[^0-9]', '', 'g') = ANY(%s)
            """,
            [sorted(digits), sorted(digits)],
        )
        return Partner.browse([row[0] for row in self.env.cr.fetchall()])

    @api.model
    def _find(self, subject):
        """{model: records} of every declared model, as superuser."""
        specs = self._declarations()
        found = {}

        def resolve(model, stack=()):
            if model not in found:
                found[model] = self._search_declared(
                    specs,
                    model,
                    subject,
                    lambda other: resolve(other, stack + (model,)),
                    stack + (model,),
                )
            return found[model]

        for model in specs:
            resolve(model)
        return found

    @api.model
    def _email_matches(self, Model, path, emails):
        """The records of ``Model`` whose ``path`` is one of these addresses,
        whole and case aside: ``_`` and ``%`` are characters, not wildcards."""
        emails = {e.strip().lower() for e in emails if e and e.strip()}
        if not emails:
            return Model.browse()
        records = Model.search(
            expression.OR(
                [[(path, "=ilike", escape_psql(email))] for email in sorted(emails)]
            )
        )
        # ILIKE may also ignore accents (unaccent): compare exactly here
        return records.filtered(
            lambda r: any(
                isinstance(v, str) and v.strip().lower() in emails
                for v in r.mapped(path)
            )
        )

    @api.model
    def _direct_conditions(self, find, subject, Model=None):
        """Domains matching the subject's own identifiers (partners, emails...)."""
        ors = []
        if subject.partner_ids:
            ors += [[(p, "in", subject.partner_ids)] for p in find.get("partner", [])]
        for path in find.get("email", []):
            if Model is None:
                ors += [
                    [(path, "=ilike", escape_psql(email))] for email in subject.emails
                ]
                continue
            matches = self._email_matches(Model, path, subject.emails)
            if matches:
                ors.append([("id", "in", matches.ids)])
        if subject.phones:
            ors += [[(p, "in", sorted(subject.phones))] for p in find.get("phone", [])]
        if subject.buyer_keys:
            keys = sorted(subject.buyer_keys)
            ors += [[(p, "in", keys)] for p in find.get("buyer_key", [])]
        return ors

    @api.model
    def _search_declared(self, specs, model, subject, resolve, stack):
        """The subject's records of one declared model."""
        spec = specs[model]
        # sudo: declared models are searched whoever can read them; the domain
        # is the subject's exact identifiers, limited to the subject's company
        Model = self.env[model].sudo().with_context(active_test=False)
        find = spec["find"]
        ors = self._direct_conditions(find, subject, Model)
        for path, other, field in find.get("related", []):
            if other in specs and other not in stack:
                values = resolve(other).mapped(field)
                values = [v.id if hasattr(v, "_name") else v for v in values]
                if values:
                    ors.append([(path, "in", values)])
        if find.get("document"):
            model_field, id_field = find["document"]
            for other, other_spec in specs.items():
                if other_spec["find"].get("document") or other in stack:
                    continue
                records = resolve(other)
                if records:
                    ors.append(
                        [(model_field, "=", other), (id_field, "in", records.ids)]
                    )
        if not ors:
            return Model.browse()
        domain = expression.OR(ors)
        field = Model._fields.get("company_id")
        if subject.company and field and field.store:
            domain = expression.AND(
                [[("company_id", "in", [subject.company.id, False])], domain]
            )
        return Model.search(domain)

    # ------------------------------------------------------------------ export

    @api.model
    def _export_value(self, record, name):
        field = record._fields[name]
        value = record[name]
        if field.type == "many2one":
            return [value.id, value.display_name] if value else None
        if field.type in ("one2many", "many2many"):
            return value.ids
        if field.type == "binary":
            return None  # files go into the archive, not the JSON
        if isinstance(value, (datetime, date)):
            return (
                fields.Datetime.to_string(value)
                if isinstance(value, datetime)
                else fields.Date.to_string(value)
            )
        if value is False and field.type not in ("boolean",):
            return None
        return value

    @api.model
    def _export_zip(self, subject, label):
        """(zip bytes, {model: count}) of everything declared about the subject."""
        specs = self._declarations()
        found = self._find(subject)
        buffer = io.BytesIO()
        counts = {}
        summary = [
            _("Personal data export: %s", label),
            _(
                "Generated on %(when)s (%(tz)s)",
                when=format_datetime(self.env, fields.Datetime.now()),
                tz=self.env.context.get("tz") or self.env.user.tz or "UTC",
            ),
            "",
        ]
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for model in sorted(found):
                records = found[model]
                if not records:
                    continue
                spec = specs[model]
                names = [n for n in spec["fields"] if n in records._fields]
                rows = []
                for record in records:
                    row = {"id": record.id, "display_name": record.display_name}
                    for name in names:
                        row[name] = self._export_value(record, name)
                    if model == "ir.attachment":
                        path = f"attachments/{record.id}-{record.name or 'file'}"
                        row["file"] = path
                        archive.writestr(path, record.raw or b"")
                    rows.append(row)
                counts[model] = len(rows)
                archive.writestr(
                    f"{model}.json",
                    json.dumps(rows, indent=2, ensure_ascii=False, default=str),
                )
                heading = self._model_label(model)
                description = self._model_description(model, spec)
                if description:
                    heading = f"{heading} ({description})"
                summary.append(f"{heading}: {len(rows)}")
                for record in records:
                    summary.append(f"  - {self._record_label(record)}")
                summary.append("")
            if not counts:
                summary.append(_("No personal data was found for this subject."))
            archive.writestr("summary.txt", "\n".join(summary) + "\n")
        return buffer.getvalue(), counts

    # ------------------------------------------------------------------- erase

    @api.model
    def _tokens(self, subject, found, specs):
        """The subject's identifiers, as they appear in free text and payloads."""
        tokens = set()
        for partner in subject.partners:
            for name in ("name", "email", "street", "street2", "vat", "mobile"):
                if partner[name]:
                    tokens.add(str(partner[name]))
            for name in ("phone", "mobile"):
                tokens |= phone_variants(partner[name])
        tokens |= subject.emails | subject.phones
        for key in subject.buyer_keys:
            tokens.add(key.split(":")[-1])
        for model, records in found.items():
            keys = specs[model]["scrub_keys"]
            if not keys:
                continue
            for record in records:
                for name, action in specs[model]["fields"].items():
                    if action == "scrub" and specs[model]["model"] in self.env:
                        value = record[name] if name in record._fields else None
                        if isinstance(value, (dict, list)):
                            self._collect(value, keys, tokens)
        placeholder = re.compile(r"^Erased person #\d+$")
        return sorted(
            {
                t.strip()
                for t in tokens
                if t
                and len(t.strip()) >= MIN_TOKEN
                and not placeholder.match(t.strip())
                and not t.startswith(HASH_PREFIX)
                and t.strip() != ERASED
            },
            key=len,
            reverse=True,
        )

    @api.model
    def _collect(self, value, keys, tokens, inside=False):
        if isinstance(value, dict):
            for key, item in value.items():
                self._collect(item, keys, tokens, inside or key in keys)
        elif isinstance(value, list):
            for item in value:
                self._collect(item, keys, tokens, inside)
        elif inside and value not in (None, "", False) and not isinstance(value, bool):
            tokens.add(str(value))

    @api.model
    def _scrub_text(self, text, tokens):
        if not text or not isinstance(text, str):
            return text
        for token in tokens:
            if token.lower() in text.lower():
                text = re.sub(re.escape(token), ERASED, text, flags=re.IGNORECASE)
        return text

    @api.model
    def _scrub_json(self, value, keys, tokens, inside=False):
        if isinstance(value, dict):
            return {
                k: self._scrub_json(v, keys, tokens, inside or k in keys)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self._scrub_json(v, keys, tokens, inside) for v in value]
        if inside and value not in (None, "", False) and not isinstance(value, bool):
            return ERASED
        if isinstance(value, str):
            return self._scrub_text(value, tokens)
        return value

    @api.model
    def _new_value(self, record, name, action, tokens, keys):
        field = record._fields[name]
        old = record[name]
        if action == "blank":
            new = False
            if field.type == "many2one":
                return (False, bool(old))
            if field.type == "boolean":
                return (False, old is not False)
            return (new, bool(old))
        if action == "placeholder":
            new = (
                f"erased-{record._name.replace('.', '-')}-{record.id}"
                if name == "login"
                else PLACEHOLDER % record.id
            )
            return (new, old != new)
        if action == "hash":
            if not old or str(old).startswith(HASH_PREFIX):
                return (old, False)
            secret = self.env["ir.config_parameter"].sudo().get_param("database.secret")
            digest = hashlib.sha256(f"{secret}:{old}".encode()).hexdigest()[:24]
            return (HASH_PREFIX + digest, True)
        if action == "scrub":
            if field.type == "json":
                new = self._scrub_json(old, keys, tokens) if old else old
            elif field.type in ("char", "text", "html"):
                new = self._scrub_text(old or "", tokens) if old else old
                if field.type == "html" and new != old:
                    new = str(new)
                    old = str(old)
            else:
                return (old, False)
            return (new, new != old)
        return (old, False)

    @api.model
    def _retention_until(self, record, retain):
        years_param, default = PERIODS.get(retain.get("period"), (None, 10))
        years = default
        if years_param:
            try:
                years = int(
                    self.env["ir.config_parameter"].sudo().get_param(years_param)
                    or default
                )
            except ValueError:
                years = default
        dates = [d for d in record.mapped(retain["date"]) if d]
        start = max(dates) if dates else fields.Date.today()
        if isinstance(start, datetime):
            start = start.date()
        return start + relativedelta(years=years)

    @api.model
    def _erase_plan(self, subject):
        """What an erasure would do, one entry per record it concerns.

        Each entry: model, id, label (shown to the officer, never stored), action
        (pseudonymise, delete, keep), changes {field: value}, reason, until.
        Records already erased appear in no entry: a second run finds nothing to do.
        """
        internal = subject.partners.user_ids.filtered(lambda u: not u.share)
        if internal:
            raise UserError(
                _(
                    "%s is a user of this database: archive the user first, then "
                    "erase the contact.",
                    ", ".join(internal.mapped("name")),
                )
            )
        shared = subject.partners.filtered(
            lambda p: ":shop:" in (p.entro_buyer_key or "")
        )
        if shared:
            raise UserError(
                _(
                    "%s stands for every buyer of a shop whose platform gave no buyer "
                    "id or phone: erase the person by their own contact, email or "
                    "phone instead.",
                    ", ".join(shared.mapped("name")),
                )
            )
        specs = self._declarations()
        found = self._find(subject)
        tokens = self._tokens(subject, found, specs)
        # the subject's earlier exports: a full copy of their data, deleted too
        exports = self._subject_exports(subject)
        if exports and "ir.attachment" in specs:
            found["ir.attachment"] = found.get("ir.attachment", exports.browse())
            found["ir.attachment"] |= exports
        plan = self._plan_for(found, specs, tokens)
        names = {a.id: a.res_name or a.name for a in exports}
        for entry in plan:
            if entry["model"] == "ir.attachment" and entry["id"] in names:
                entry["reason"] = _("earlier export of %s", names[entry["id"]])
        return plan

    @api.model
    def _subject_exports(self, subject):
        """The export archives of earlier requests about this subject (same
        company): the attachments of requests naming one of the subject's
        contacts, emails, phones or buyer keys."""
        # sudo: exports are attached to requests, read here only to match them
        Attachment = self.env["ir.attachment"].sudo()
        attachments = Attachment.search([("res_model", "=", "entro.privacy.request")])
        if not attachments:
            return Attachment
        requests = (
            self.env["entro.privacy.request"]
            .sudo()
            .browse(set(attachments.mapped("res_id")))
            .exists()
        )
        if subject.company:
            requests = requests.filtered(lambda r: r.company_id == subject.company)
        phones = set(subject.phones)
        for partner in subject.partners:
            phones |= phone_variants(partner.phone) | phone_variants(partner.mobile)

        def concerns(request):
            keys = (request.buyer_keys or "").replace(",", "\n").split("\n")
            return bool(
                (request.partner_id and request.partner_id in subject.partners)
                or (request.email and request.email.strip().lower() in subject.emails)
                or (request.phone and phone_variants(request.phone) & phones)
                or {k.strip() for k in keys if k.strip()} & subject.buyer_keys
            )

        requests = requests.filtered(concerns)
        return attachments.filtered(lambda a: a.res_id in requests.ids)

    @api.model
    def _subject_class(self):
        return Subject

    @api.model
    def _order_plan(self, orders):
        """Pseudonymise the buyer data of these marketplace orders only: their raw
        platform data and notifications, the notes of their sales orders and
        deliveries, and delivery addresses no other order uses."""
        if not orders:
            return []
        # sudo: the retention cron's own selection of due orders, not user input
        orders = orders.sudo()
        specs = self._declarations()
        sales = orders.sale_order_id
        shipping = sales.partner_shipping_id.filtered("parent_id")
        others = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_shipping_id", "in", shipping.ids),
                    ("id", "not in", sales.ids),
                ]
            )
        )
        shipping -= others.partner_shipping_id
        found = {
            "entro.marketplace.order": orders,
            "entro.marketplace.event": self.env["entro.marketplace.event"]
            .sudo()
            .search(
                [
                    ("order_external_id", "in", orders.mapped("external_id")),
                    ("shop_id", "in", orders.shop_id.ids),
                ]
            ),
            "res.partner": shipping,
            "sale.order": sales,
            "stock.picking": sales.picking_ids,
        }
        found = {m: r for m, r in found.items() if m in specs}
        tokens = self._tokens(Subject(shipping), found, specs)
        return self._plan_for(found, specs, tokens)

    @api.model
    def _plan_for(self, found, specs, tokens):
        plan = []
        for model, records in found.items():
            spec = specs[model]
            retain = spec["retain"]
            retained = (
                records.filtered_domain(retain["domain"])
                if retain
                else records.browse()
            )
            for record in records:
                if record in retained:
                    actions = retain.get("fields") or {}
                    kind = "keep"
                    reason = self._declared_text(
                        retain.get("module"), retain.get("reason")
                    )
                    until = self._retention_until(record, retain)
                elif spec["erase"] == "delete":
                    plan.append(
                        {
                            "model": model,
                            "id": record.id,
                            "label": self._record_label(record),
                            "action": "delete",
                            "changes": {},
                            "reason": False,
                            "until": False,
                        }
                    )
                    continue
                else:
                    actions = spec["fields"]
                    kind = "pseudonymise"
                    reason = False
                    until = False
                changes = {}
                for name, action in actions.items():
                    if action == "keep" or name not in record._fields:
                        continue
                    if not record._fields[name].store:
                        continue
                    new, changed = self._new_value(
                        record, name, action, tokens, spec["scrub_keys"]
                    )
                    if changed:
                        changes[name] = new
                if (
                    kind == "keep"
                    and "entro_privacy_retained_until" in record._fields
                    and record.entro_privacy_retained_until != until
                ):
                    changes["entro_privacy_retained_until"] = until
                    changes["entro_privacy_restricted"] = True
                if changes or kind == "keep":
                    plan.append(
                        {
                            "model": model,
                            "id": record.id,
                            "label": self._record_label(record),
                            "action": kind,
                            "changes": changes,
                            "reason": reason,
                            "until": until,
                        }
                    )
        order = {"res.users": 0, "res.partner": 9}
        plan.sort(key=lambda e: (e["action"] == "delete", order.get(e["model"], 5)))
        return plan

    @api.model
    def _apply_plan(self, plan):
        """Carry out an erase plan in the current transaction; the touched entries."""
        ctx = {
            "tracking_disable": True,
            "mail_notrack": True,
            "mail_create_nolog": True,
            "active_test": False,
        }
        touched = []
        for entry in plan:
            # sudo: the plan lists only records found for the checked subject
            record = (
                self.env[entry["model"]].sudo().with_context(**ctx).browse(entry["id"])
            )
            if not record.exists():
                continue
            if entry["action"] == "delete":
                record.unlink()
                touched.append(entry)
            elif entry["changes"]:
                record.write(entry["changes"])
                touched.append(entry)
        return touched
