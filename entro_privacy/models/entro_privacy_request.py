import base64
import json
import re
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

REQUEST_TYPES = [
    ("export", "Access / Export"),
    ("erase", "Erasure"),
    ("restrict", "Restriction of Processing"),
    ("correct", "Correction"),
    ("revoke", "Revoke Platform Access"),
]
DEFAULT_DAYS = 10
# a whole address: no wildcard (% * ?), no space, one @, a domain with a dot
EMAIL_ADDRESS = re.compile(r"^[^@\s%*?]+@[^@\s%*?_]+\.[^@\s%*?_.]+$")


class EntroPrivacyRequest(models.Model):
    """A data subject's request (or a seller's revocation), handled by a Privacy
    Officer, with an append-only audit trail."""

    _name = "entro.privacy.request"
    _description = "Privacy Request"
    _order = "due_date, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Reference", required=True, readonly=True, copy=False, default="/"
    )
    request_type = fields.Selection(
        REQUEST_TYPES, "Type", required=True, default="export"
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda s: s.env.company, index=True
    )
    partner_id = fields.Many2one(
        "res.partner",
        "Data Subject",
        index=True,
        ondelete="set null",
        check_company=True,
        help="The person's contact. For a marketplace buyer who has none, give "
        "the exact email or phone, or the platform buyer key.",
    )
    email = fields.Char(help="Matched exactly (case aside), never by name.")
    phone = fields.Char(
        help="Matched exactly, in its national and international forms."
    )
    buyer_keys = fields.Text(
        "Platform Buyer Keys",
        help="One per line, as on the contact's Marketplace Buyer Key "
        "(e.g. shopee:123456789).",
    )
    shop_ids = fields.Many2many(
        "entro.marketplace.shop",
        string="Shops to Disconnect",
        check_company=True,
        help="For a revocation: the shops whose platform access is withdrawn.",
    )
    identity_check = fields.Text(
        "Identity Check",
        help="How the requester's identity was verified (required before processing).",
    )
    received_date = fields.Date(
        "Received On", required=True, default=fields.Date.context_today
    )
    due_date = fields.Date(
        compute="_compute_due_date",
        store=True,
        readonly=False,
        help="The legal deadline to answer (Settings: days to answer a request).",
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("in_progress", "In Progress"),
            ("done", "Done"),
            ("rejected", "Rejected"),
        ],
        default="new",
        required=True,
        readonly=True,
        index=True,
    )
    user_id = fields.Many2one(
        "res.users", "Handled By", default=lambda s: s.env.user, index=True
    )
    result = fields.Text(readonly=True)
    overdue = fields.Boolean(compute="_compute_overdue")
    correction_name = fields.Char("Corrected Name")
    correction_email = fields.Char("Corrected Email")
    correction_phone = fields.Char("Corrected Phone")
    correction_street = fields.Char("Corrected Street")
    export_attachment_id = fields.Many2one(
        "ir.attachment", "Export", readonly=True, copy=False
    )
    audit_ids = fields.One2many(
        "entro.privacy.audit", "request_id", string="Audit Trail", readonly=True
    )
    revoke_url = fields.Char(
        "Platform Revocation Link",
        readonly=True,
        help="Where the seller withdraws the app's access on the platform itself "
        "(Shopee's cancel-authorization page).",
    )

    # --- privacy request portal form: who asked, how, and in their words ---------
    channel = fields.Selection(
        [
            ("backoffice", "Recorded by Staff"),
            ("portal", "Customer Portal"),
            ("web", "Public Web Form"),
        ],
        default="backoffice",
        required=True,
        readonly=True,
        help="Requests from the forms are to verify: a person checks the "
        "requester's identity before anything is processed.",
    )
    requester_name = fields.Char(
        "Requester", help="The name the requester gave (not yet verified)."
    )
    request_message = fields.Text(
        "Requester's Message", help="What the requester wrote in the form."
    )
    to_verify = fields.Boolean(
        compute="_compute_to_verify",
        search="_search_to_verify",
        help="New, and nobody has recorded how the identity was checked.",
    )

    @api.depends("state", "identity_check")
    def _compute_to_verify(self):
        for request in self:
            request.to_verify = request.state == "new" and not request.identity_check

    def _search_to_verify(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(_("Unsupported search on To Verify."))
        domain = [("state", "=", "new"), ("identity_check", "=", False)]
        return domain if (operator == "=") == value else ["!", *domain]

    @api.depends("received_date")
    def _compute_due_date(self):
        days = self._request_days()
        for request in self:
            request.due_date = (
                request.received_date + timedelta(days=days)
                if request.received_date
                else False
            )

    def _request_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("entro_privacy.request_days")
        )
        try:
            return int(value or DEFAULT_DAYS)
        except ValueError:
            return DEFAULT_DAYS

    def _compute_overdue(self):
        today = fields.Date.context_today(self)
        for request in self:
            request.overdue = bool(
                request.state in ("new", "in_progress")
                and request.due_date
                and request.due_date < today
            )

    @api.constrains("email")
    def _check_email(self):
        for request in self:
            request._check_email_address()

    def _check_email_address(self):
        """The subject's email is matched whole: refuse what is not one address
        (a pattern such as ``%`` or ``*@example.com`` would match other people)."""
        self.ensure_one()
        email = (self.email or "").strip()
        if email and not EMAIL_ADDRESS.match(email):
            raise ValidationError(
                _(
                    "%s is not one email address: give the subject's exact address "
                    "(it is matched whole, never as a pattern).",
                    email,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "entro.privacy.request"
                ) or _("New")
        requests = super().create(vals_list)
        for request in requests:
            self.env["entro.privacy.audit"]._log(
                "created",
                _("%(type)s request received", type=request._type_label()),
                request_id=request,
            )
        return requests

    def write(self, vals):
        if "state" in vals:
            raise UserError(_("Use the request's buttons to change its state."))
        return super().write(vals)

    def unlink(self):
        raise UserError(
            _("Privacy requests are kept with their audit trail: reject it instead.")
        )

    def _type_label(self):
        return dict(REQUEST_TYPES).get(self.request_type, self.request_type)

    def _set_state(self, state, detail=None):
        for request in self:
            super(EntroPrivacyRequest, request).write({"state": state})
            self.env["entro.privacy.audit"]._log(
                "state", detail or state, request_id=request
            )

    def _finish(self, event, detail, note, **values):
        """Record the outcome on the request and in the audit trail; done."""
        super().write(dict(values, result=detail))
        self.env["entro.privacy.audit"]._log(event, detail, request_id=self)
        self._set_state("done", note)

    def _check_officer(self):
        if not self.env.user.has_group("entro_privacy.group_privacy_officer"):
            raise AccessError(_("Only Privacy Officers handle privacy requests."))

    def _check_companies(self):
        """The request is in one of the user's companies, and its contact and
        shops belong to the request's company: checked before anything on them
        runs as superuser (a shop or contact of another company is refused)."""
        allowed = self.env.user.company_ids
        for request in self:
            if request.company_id not in allowed:
                raise AccessError(
                    _("%s belongs to a company you have no access to.", request.name)
                )
            partner = request.partner_id
            if partner and not partner.filtered_domain(
                partner._check_company_domain(request.company_id)
            ):
                raise UserError(
                    _(
                        "The contact of %(request)s belongs to another company "
                        "than the request.",
                        request=request.name,
                    )
                )
            # sudo: read the shops' companies only, to check them (an officer
            # needs no marketplace rights); nothing else is done with them here
            foreign = request.sudo().shop_ids.filtered(
                lambda s, r=request: (
                    s.company_id != r.company_id or s.company_id not in allowed
                )
            )
            if foreign:
                raise AccessError(
                    _(
                        "%s names shops of another company: it cannot be processed.",
                        request.name,
                    )
                )

    def _check_ready(self):
        self._check_officer()
        self._check_companies()
        for request in self:
            request._check_email_address()
            if request.state in ("done", "rejected"):
                raise UserError(_("%s is already closed.", request.name))
            if not (request.identity_check or "").strip():
                raise UserError(
                    _(
                        "Record how the requester's identity was verified before "
                        "processing %s.",
                        request.name,
                    )
                )
            if request.request_type != "revoke" and not (
                request.partner_id
                or request.email
                or request.phone
                or request.buyer_keys
            ):
                raise UserError(
                    _("Give the data subject: a contact, an email or a phone.")
                )

    def _subject(self):
        self.ensure_one()
        return self.env["entro.privacy.engine"]._subject_from_request(self)

    # ------------------------------------------------------------- buttons

    def action_start(self):
        self._check_officer()
        self.filtered(lambda r: r.state == "new")._set_state(
            "in_progress", _("taken in hand")
        )
        return True

    def action_reject(self):
        self._check_officer()
        for request in self:
            if request.state == "done":
                raise UserError(_("%s is already done.", request.name))
        self._set_state("rejected", _("rejected"))
        return True

    def action_open_wizard(self):
        """The export or erase wizard, with its preview; other types run at once."""
        self.ensure_one()
        self._check_ready()
        if self.request_type in ("export", "erase"):
            model = f"entro.privacy.{self.request_type}"
            wizard = self.env[model].create({"request_id": self.id})
            return {
                "type": "ir.actions.act_window",
                # the dialog's title (else the browser shows "Odoo")
                "name": _("Export Personal Data")
                if self.request_type == "export"
                else _("Erase Personal Data"),
                "res_model": model,
                "res_id": wizard.id,
                "view_mode": "form",
                "target": "new",
            }
        return self.action_process()

    def action_process(self):
        """Carry the request out (for XML-RPC too); returns True."""
        for request in self:
            request._check_ready()
            getattr(request, f"_process_{request.request_type}")()
        return True

    # ------------------------------------------------------------ processing

    def _process_export(self):
        self.ensure_one()
        # the summary in the company's language and the officer's time zone
        engine = self.env["entro.privacy.engine"].with_context(
            lang=self.company_id._entro_lang(), tz=self.env.user.tz or "UTC"
        )
        data, counts = engine._export_zip(self._subject(), self.name)
        # sudo: the archive is attached to the request, which only officers read
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                {
                    "name": f"{self.name.replace('/', '-')}-export.zip",
                    "datas": base64.b64encode(data),
                    "mimetype": "application/zip",
                    "res_model": self._name,
                    "res_id": self.id,
                    "public": False,
                }
            )
        )
        total = sum(counts.values())
        result = _(
            "Export of %(total)s records in %(models)s models: %(detail)s",
            total=total,
            models=len(counts),
            detail=", ".join(f"{m} {c}" for m, c in sorted(counts.items())) or "-",
        )
        self._finish(
            "export", result, _("export delivered"), export_attachment_id=attachment.id
        )
        return attachment

    def get_export(self):
        """The export archive, base64-encoded (for XML-RPC clients)."""
        self.ensure_one()
        self._check_officer()
        if not self.export_attachment_id:
            raise UserError(
                _(
                    "%s has no export: none was made yet, or it was deleted at the "
                    "end of its retention period.",
                    self.name,
                )
            )
        self.env["entro.privacy.audit"]._log(
            "download", _("export fetched"), request_id=self
        )
        return {
            "name": self.export_attachment_id.name,
            # sudo: the file is this request's own export (set by _process_export),
            # and the officer's access to the request was checked above
            "datas": self.export_attachment_id.sudo().datas.decode(),
        }

    def action_download_export(self):
        self.ensure_one()
        self._check_officer()
        if not self.export_attachment_id:
            raise UserError(
                _(
                    "%s has no export: none was made yet, or it was deleted at the "
                    "end of its retention period.",
                    self.name,
                )
            )
        self.env["entro.privacy.audit"]._log(
            "download", _("export downloaded"), request_id=self
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.export_attachment_id.id}?download=true",
            "target": "self",
        }

    def _erase_plan(self):
        self.ensure_one()
        return self.env["entro.privacy.engine"]._erase_plan(self._subject())

    def _process_erase(self, plan=None):
        """Erase in this transaction; the result lists every record touched."""
        self.ensure_one()
        engine = self.env["entro.privacy.engine"]
        plan = self._erase_plan() if plan is None else plan
        touched = engine._apply_plan(plan)
        kept = [e for e in plan if e["action"] == "keep"]
        lines = [
            _(
                "%(count)s records touched, %(kept)s kept.",
                count=len(touched),
                kept=len(kept),
            )
        ]
        for entry in touched:
            if entry["action"] != "delete":
                what = _("pseudonymised: %s", ", ".join(sorted(entry["changes"])))
            elif entry["reason"]:
                what = _("deleted (%s)", entry["reason"])
            else:
                what = _("deleted")
            lines.append(f"{entry['model']} #{entry['id']}: {what}")
        for entry in kept:
            lines.append(
                _(
                    "%(model)s #%(id)s: kept until %(until)s (%(reason)s)",
                    model=entry["model"],
                    id=entry["id"],
                    until=entry["until"],
                    reason=entry["reason"],
                )
            )
        result = "\n".join(lines)
        super().write({"result": result})
        self.env["entro.privacy.audit"]._log(
            "erase",
            json.dumps(
                {
                    "touched": [
                        [e["model"], e["id"], e["action"], sorted(e["changes"])]
                        for e in touched
                    ],
                    "kept": [[e["model"], e["id"], str(e["until"])] for e in kept],
                    # the subject's earlier export archives, deleted with the rest
                    "exports_deleted": [
                        e["reason"]
                        for e in touched
                        if e["action"] == "delete" and e["reason"]
                    ],
                }
            ),
            request_id=self,
        )
        self._set_state("done", _("erasure carried out"))
        return touched

    def _process_restrict(self):
        self.ensure_one()
        partners = self._subject().partners
        partners.with_context(tracking_disable=True).write(
            {"entro_privacy_restricted": True}
        )
        detail = _("%s contacts restricted", len(partners))
        self._finish("restrict", detail, _("processing restricted"))

    def _process_correct(self):
        self.ensure_one()
        if not self.partner_id:
            raise UserError(_("A correction applies to a contact: choose it."))
        values = {
            name: self[f"correction_{name}"]
            for name in ("name", "email", "phone", "street")
            if self[f"correction_{name}"]
        }
        if not values:
            raise UserError(_("Enter the corrected values first."))
        partner = self.partner_id
        self._check_companies()
        if partner.with_context(active_test=False).user_ids:
            # their email receives the password reset: a correction here would
            # hand their account to whoever chose the new address
            raise UserError(
                _(
                    "%s has a user account: the person corrects their details "
                    "from their account, or an administrator does it in Settings.",
                    partner.name,
                )
            )
        if (
            self.env["res.company"]
            .sudo()
            .search_count([("partner_id", "=", partner.id)])
        ):
            raise UserError(
                _(
                    "%s is the contact of a company of this database: change it "
                    "in the company's settings.",
                    partner.name,
                )
            )
        # as the officer: Odoo's own access rights and rules apply to the write
        partner.write(values)
        detail = _("corrected on the contact: %s", ", ".join(sorted(values)))
        self._finish("correct", detail, _("data corrected"))

    def _process_revoke(self):
        self.ensure_one()
        self._check_companies()
        # sudo: disconnecting needs no marketplace rights; the shops' companies
        # were checked just above
        shops = self.sudo().shop_ids
        if not shops:
            raise UserError(_("Choose the shops to disconnect."))
        urls = [u for u in (shop._entro_revoke_url() for shop in shops) if u]
        shops.with_context(entro_privacy_request=self.id)._forget_authorization()
        detail = _(
            "Disconnected: %(shops)s. Tokens and credentials wiped, pending jobs "
            "cancelled.",
            shops=", ".join(shops.mapped("name")),
        )
        super().write({"result": detail, "revoke_url": urls[0] if urls else False})
        self._set_state("done", _("platform access revoked"))

    def action_open_revoke_url(self):
        self.ensure_one()
        if not self.revoke_url:
            raise UserError(_("This platform offers no revocation page."))
        return {"type": "ir.actions.act_url", "url": self.revoke_url, "target": "new"}
