import base64
import json
import logging
from contextlib import contextmanager
from urllib.parse import urlsplit

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import str2bool

from odoo.addons.queue_job.exception import RetryableJobError

from ..tools.sinvoice_session import (
    AUTH,
    NOT_FOUND,
    TOKEN,
    TRANSIENT,
    sinvoice_session,
)

_logger = logging.getLogger(__name__)

#: system parameters (test and sandbox databases): SInvoice's base URL, honoured
#: for a loopback host only and only where CUSTOM_API_HOSTS_PARAM is set, as the
#: shops' API hosts; the timeout of a call in seconds (default: l10n_vn_edi's)
BASE_URL_PARAM = "entro_marketplace_vn_einvoice.sinvoice_base_url"
TIMEOUT_PARAM = "entro_marketplace_vn_einvoice.sinvoice_timeout"
CUSTOM_API_HOSTS_PARAM = "entro_marketplace.allow_custom_api_hosts"
LOOPBACK = ("127.0.0.1", "localhost", "::1")

#: retries of a job before it fails (its pattern: queue.job.function data)
MAX_RETRIES = 12
#: seconds a credit note waits for its invoice's e-invoice, per try
ORIGIN_WAIT = 60

PROBLEM_STATES = ("exception", "failed")


class AccountMove(models.Model):
    _inherit = "account.move"

    entro_einvoice_shop_id = fields.Many2one(
        "entro.marketplace.shop",
        string="E-invoicing Shop",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The marketplace shop this invoice is issued for as an e-invoice.",
    )
    entro_einvoice_state = fields.Selection(
        [
            ("to_send", "To Send"),
            ("sent", "Sent"),
            ("exception", "Exception"),
            ("failed", "Failed"),
        ],
        string="Marketplace E-invoice",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="To Send: queued for SInvoice. Exception: SInvoice refused it, or it "
        "cannot be sent as it is (see the problem): fix it, then Send Again. "
        "Failed: SInvoice could not be reached after several tries: Send Again.",
    )
    entro_einvoice_error = fields.Text(
        string="E-invoice Problem", readonly=True, copy=False
    )

    # ------------------------------------------------------------ SInvoice routes

    def _entro_sinvoice_base_url(self):
        """SInvoice's base URL for this database: None (Viettel's own host), or an
        emulator on loopback where a test or sandbox database allows it."""
        # sudo: system parameters are read by the system, for any user
        params = self.env["ir.config_parameter"].sudo()
        url = (params.get_param(BASE_URL_PARAM) or "").strip()
        if not url:
            return None
        parts = urlsplit(url)
        allowed = str2bool(params.get_param(CUSTOM_API_HOSTS_PARAM) or "0", False)
        if parts.scheme in ("http", "https") and parts.hostname in LOOPBACK and allowed:
            return url
        _logger.warning(
            "%s is ignored: only a loopback host, on a database where %s is set",
            BASE_URL_PARAM,
            CUSTOM_API_HOSTS_PARAM,
        )
        return None

    def _entro_sinvoice_timeout(self):
        value = self.env["ir.config_parameter"].sudo().get_param(TIMEOUT_PARAM)
        try:
            return float(value) if value else None
        except ValueError:
            return None

    @contextmanager
    def _entro_sinvoice_session(self):
        """Every call to SInvoice made inside goes through the bridge's session."""
        with sinvoice_session(
            self._entro_sinvoice_base_url(), self._entro_sinvoice_timeout()
        ) as session:
            yield session

    # the methods of l10n_vn_edi_viettel that call SInvoice, in a session (the
    # buttons of the invoice too: they reach the same host as the jobs)

    def _l10n_vn_edi_get_access_token(self):
        with self._entro_sinvoice_session():
            return super()._l10n_vn_edi_get_access_token()

    def _l10n_vn_edi_lookup_invoice(self):
        with self._entro_sinvoice_session():
            return super()._l10n_vn_edi_lookup_invoice()

    def _l10n_vn_edi_send_invoice(self, invoice_json_data):
        with self._entro_sinvoice_session():
            return super()._l10n_vn_edi_send_invoice(invoice_json_data)

    def _l10n_vn_edi_try_fetch_invoice_file_data(self, file_format):
        with self._entro_sinvoice_session():
            return super()._l10n_vn_edi_try_fetch_invoice_file_data(file_format)

    def _l10n_vn_edi_cancel_invoice(
        self, reason, agreement_document_name, agreement_document_date
    ):
        with self._entro_sinvoice_session():
            return super()._l10n_vn_edi_cancel_invoice(
                reason, agreement_document_name, agreement_document_date
            )

    def action_l10n_vn_edi_update_payment_status(self):
        with self._entro_sinvoice_session():
            return super().action_l10n_vn_edi_update_payment_status()

    # ---------------------------------------------------------------- the buyer

    def _l10n_vn_edi_add_buyer_information(self, json_values):
        """A marketplace buyer as the platform gives it: a person without a tax
        code is a person (no legal name, which SInvoice reads as an organisation);
        one with a tax code (a company, a household business) is sent with its
        legal name. Masked contact details (``****``) are left out."""
        super()._l10n_vn_edi_add_buyer_information(json_values)
        if not self.entro_einvoice_shop_id:
            return
        buyer = json_values["buyerInfo"]
        commercial = self.commercial_partner_id
        if not commercial.vat:
            buyer["buyerLegalName"] = ""
            buyer["buyerTaxCode"] = ""
            buyer["buyerName"] = self.partner_id.name or commercial.name
        phone = commercial.phone or ""
        if "*" in phone:
            buyer["buyerPhoneNumber"] = ""
        email = commercial.email or ""
        if "*" in email or "@" not in email:
            buyer["buyerEmail"] = ""

    # ------------------------------------------------------------- queueing

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._entro_einvoice_queue()
        return posted

    def _entro_einvoice_find_shop(self):
        """The marketplace shop of this customer invoice or credit note: the
        shop of its sales orders, or of the invoice a credit note reverses."""
        self.ensure_one()
        # sudo: only the links of a document being posted
        move = self.sudo()
        shop = move.invoice_line_ids.sale_line_ids.order_id.entro_shop_id[:1]
        origin = move.reversed_entry_id
        if not shop and origin:
            shop = (
                origin.entro_einvoice_shop_id
                or (origin.invoice_line_ids.sale_line_ids.order_id.entro_shop_id[:1])
            )
        return shop

    def _entro_einvoice_queue(self):
        """Queue the e-invoice of the marketplace invoices of e-invoicing shops."""
        for move in self:
            if not (
                move.is_sale_document()
                and move.country_code == "VN"
                and move.l10n_vn_edi_invoice_state == "ready_to_send"
            ):
                continue
            shop = move._entro_einvoice_find_shop()
            if not (
                shop and shop.einvoice_enabled and shop.company_id == move.company_id
            ):
                continue
            # sudo: the posting user may lack write access on invoices (a
            # salesperson's flow posts them as superuser, see sale_order.py)
            move.sudo().write(
                {
                    "entro_einvoice_shop_id": shop.id,
                    "entro_einvoice_state": "to_send",
                    "entro_einvoice_error": False,
                }
            )
            move._entro_einvoice_enqueue()

    def _entro_einvoice_enqueue(self, eta=None):
        for move in self:
            lang = move.company_id._entro_lang()
            move.with_context(lang=lang).with_delay(
                identity_key=f"entro_einvoice:{move.id}",
                max_retries=MAX_RETRIES,
                eta=eta,
                description=f"SInvoice: {move.name}",
            )._entro_job_einvoice()

    # ------------------------------------------------------------- the job

    def _entro_job_einvoice(self):
        """Issue this invoice's e-invoice on SInvoice, in two steps (two runs):

        1. prepare: check it as l10n_vn_edi does, build its JSON once and keep it
           with its transaction uuid (committed before any call to SInvoice);
        2. send: look the uuid up on SInvoice first (a try that timed out may have
           issued it), send the kept JSON only when SInvoice has nothing.

        Transient failures retry (the job function's pattern); a refusal is an
        exception on the invoice, with SInvoice's message, for a person.
        """
        self.ensure_one()
        # sudo: the company's SInvoice credentials and token are system fields;
        # the job only sends the invoice its user posted
        move = self.sudo()
        if move.state != "posted" or move.entro_einvoice_state not in (
            "to_send",
            "failed",
        ):
            return "nothing to send"
        if move._l10n_vn_edi_is_sent():
            move._entro_einvoice_done()
            return "already sent"
        move._entro_einvoice_wait_for_origin()
        try:
            self.env["res.company"]._with_locked_records(move)
        except UserError:
            raise RetryableJobError(f"{move.name}: being sent by another process")
        if not (
            move.l10n_vn_edi_invoice_transaction_id and move.l10n_vn_edi_sinvoice_file
        ):
            errors = move._entro_einvoice_prepare()
            if errors:
                move._entro_einvoice_exception("\n".join(map(str, errors)))
                return "not sendable"
            # the uuid is committed before SInvoice is called: send in a new run
            move._entro_einvoice_enqueue()
            return "prepared"
        return move._entro_einvoice_send()

    def _entro_einvoice_wait_for_origin(self):
        """A credit note adjusts its invoice's e-invoice: it waits for it."""
        self.ensure_one()
        origin = self.reversed_entry_id
        if (
            self.move_type != "out_refund"
            or not origin
            or origin._l10n_vn_edi_is_sent()
        ):
            return
        if origin.entro_einvoice_state == "to_send":
            raise RetryableJobError(
                f"{self.name}: waiting for the e-invoice of {origin.name}",
                seconds=ORIGIN_WAIT,
            )
        # else its invoice is not (or cannot be) e-invoiced: l10n_vn_edi's own
        # check says so when the credit note is prepared

    def _entro_einvoice_prepare(self):
        """Check and build this invoice's SInvoice JSON; keep it, with its uuid.

        Returns l10n_vn_edi's configuration errors (nothing kept then). The uuid
        of a first preparation is kept for good: a later one (after a fix) sends
        new content under the same uuid, so that SInvoice can never hold two
        invoices for it.
        """
        self.ensure_one()
        shop = self.entro_einvoice_shop_id
        if shop.einvoice_symbol_id:
            self.l10n_vn_edi_invoice_symbol = shop.einvoice_symbol_id
        if self.move_type == "out_refund" and not self.l10n_vn_edi_adjustment_type:
            # what the reversal wizard of l10n_vn_edi gives an adjustment: money,
            # and the agreement (here the marketplace return)
            self.write(
                {
                    "l10n_vn_edi_adjustment_type": "1",
                    "l10n_vn_edi_agreement_document_name": self.ref or self.name,
                    "l10n_vn_edi_agreement_document_date": fields.Datetime.now(),
                }
            )
        errors = self._l10n_vn_edi_check_invoice_configuration()
        if errors:
            return errors
        json_data = self._l10n_vn_edi_generate_invoice_json()
        general = json_data["generalInvoiceInfo"]
        uuid = self.l10n_vn_edi_invoice_transaction_id or general["transactionUuid"]
        general["transactionUuid"] = uuid
        self.l10n_vn_edi_sinvoice_file_id.unlink()
        # as l10n_vn_edi's sending does: the JSON is the invoice's attachment
        self.env["ir.attachment"].with_user(SUPERUSER_ID).create(
            {
                "name": f"{self.name.replace('/', '_')}_sinvoice.json",
                "raw": json.dumps(json_data, ensure_ascii=False).encode(),
                "mimetype": "application/json",
                "res_model": self._name,
                "res_id": self.id,
                "res_field": "l10n_vn_edi_sinvoice_file",
            }
        )
        self.invalidate_recordset(
            ["l10n_vn_edi_sinvoice_file", "l10n_vn_edi_sinvoice_file_id"]
        )
        self.l10n_vn_edi_invoice_transaction_id = uuid
        return []

    def _entro_einvoice_send(self):
        """Look the invoice up by its uuid, send it when SInvoice has nothing."""
        self.ensure_one()
        json_data = json.loads(base64.b64decode(self.l10n_vn_edi_sinvoice_file))
        with self._entro_sinvoice_session() as session:
            lookup, error = self._entro_einvoice_call(
                session, self._l10n_vn_edi_lookup_invoice
            )
            if error and session.failure and session.failure.kind == NOT_FOUND:
                error, lookup = None, {}
            if error:
                return self._entro_einvoice_failed_call(session, error)
            found = (lookup.get("result") or [None])[0]
            if found:
                # a try that timed out issued it: take SInvoice's number
                self.write(
                    {
                        "l10n_vn_edi_reservation_code": found["reservationCode"],
                        "l10n_vn_edi_invoice_number": found["invoiceNo"],
                        "l10n_vn_edi_invoice_state": "sent",
                    }
                )
            else:
                uuid = self.l10n_vn_edi_invoice_transaction_id
                # l10n_vn_edi looks a known uuid up again before sending: done
                # just above, under the invoice's lock. It keeps the JSON's uuid.
                self.l10n_vn_edi_invoice_transaction_id = False
                errors = self._entro_einvoice_call(
                    session, lambda: self._l10n_vn_edi_send_invoice(json_data)
                )
                if errors:
                    self.l10n_vn_edi_invoice_transaction_id = uuid
                    return self._entro_einvoice_failed_call(session, errors[0])
        self._entro_einvoice_done()
        self.with_delay(
            identity_key=f"entro_einvoice_files:{self.id}",
            description=f"SInvoice files: {self.name}",
        )._entro_job_einvoice_files()
        return f"sent: {self.l10n_vn_edi_invoice_number}"

    def _entro_einvoice_call(self, session, call):
        """``call()``, once more after a fresh login when SInvoice refused the
        stored token."""
        result = call()
        if session.failure and session.failure.kind == TOKEN:
            company = self._l10n_vn_edi_get_credentials_company()
            company.write(
                {"l10n_vn_edi_token": False, "l10n_vn_edi_token_expiry": False}
            )
            result = call()
        return result

    def _entro_einvoice_failed_call(self, session, error):
        """A transient failure retries the job; anything else needs a person."""
        failure = session.failure
        if failure is None or failure.kind in (TRANSIENT, TOKEN):
            # (no secret in it: a path, a status, an exception's name)
            raise RetryableJobError(f"{self.name}: {error}")
        if failure.kind == AUTH:
            message = self.env._(
                "SInvoice refused the username or password of %(company)s "
                "(Accounting settings): %(error)s",
                company=self.company_id.display_name,
                error=failure.describe(),
            )
        else:
            message = self.env._(
                "SInvoice refused the e-invoice: %(error)s", error=failure.describe()
            )
        self._entro_einvoice_exception(message)
        return "refused"

    def _entro_einvoice_done(self):
        self.ensure_one()
        self.write({"entro_einvoice_state": "sent", "entro_einvoice_error": False})
        origin = self.reversed_entry_id
        if self.move_type == "out_refund" and origin.l10n_vn_edi_invoice_state in (
            "sent",
            "payment_state_to_update",
        ):
            # as l10n_vn_edi's reversal marks the invoice a credit note adjusts
            origin.l10n_vn_edi_invoice_state = "adjusted"
        self._entro_einvoice_activities().action_done()

    def _entro_einvoice_summary(self):
        return self.env._("E-invoice needs attention")

    def _entro_einvoice_activities(self):
        summary = self._entro_einvoice_summary()
        return self.activity_ids.filtered(lambda a: a.summary == summary)

    def _entro_einvoice_exception(self, message, state="exception"):
        """Record the problem on the invoice, and a to-do for the shop's person."""
        for move in self:
            move.write({"entro_einvoice_state": state, "entro_einvoice_error": message})
            move.entro_einvoice_shop_id._schedule_activity(
                move._entro_einvoice_summary(), message, record=move
            )

    def _entro_einvoice_on_job_failed(self, exc_name=None, exc_message=None, **_kw):
        """queue_job's on-failure hook: the tries are spent (SInvoice unreachable)."""
        for move in self.sudo():
            if move.entro_einvoice_state not in ("to_send", "failed"):
                continue
            move._entro_einvoice_exception(
                move.env._(
                    "SInvoice could not be reached after several tries (%(error)s). "
                    "Send it again when SInvoice is back.",
                    error=exc_message or exc_name or "?",
                ),
                state="failed",
            )

    def _entro_job_einvoice_files(self):
        """Attach SInvoice's PDF and XML of the issued e-invoice (as l10n_vn_edi's
        sending does)."""
        self.ensure_one()
        move = self.sudo()
        if not move._l10n_vn_edi_is_sent() or move.l10n_vn_edi_sinvoice_pdf_file:
            return "nothing to fetch"
        with move._entro_sinvoice_session():
            xml, xml_error = move._l10n_vn_edi_fetch_invoice_xml_file_data()
            pdf, pdf_error = move._l10n_vn_edi_fetch_invoice_pdf_file_data()
        if xml_error or pdf_error:
            raise RetryableJobError(f"{move.name}: {xml_error or pdf_error}")
        attachments = (
            self.env["ir.attachment"]
            .with_user(SUPERUSER_ID)
            .create(
                [
                    {
                        "name": file["name"],
                        "raw": file["raw"],
                        "mimetype": file["mimetype"],
                        "res_model": move._name,
                        "res_id": move.id,
                        "res_field": file["res_field"],
                    }
                    for file in (xml, pdf)
                ]
            )
        )
        move.invalidate_recordset(
            [
                "l10n_vn_edi_sinvoice_xml_file_id",
                "l10n_vn_edi_sinvoice_xml_file",
                "l10n_vn_edi_sinvoice_pdf_file_id",
                "l10n_vn_edi_sinvoice_pdf_file",
            ]
        )
        move.with_context(no_new_invoice=True).message_post(
            body=move.env._(
                "E-invoice %s issued on SInvoice.", move.l10n_vn_edi_invoice_number
            ),
            attachment_ids=attachments.ids + move.l10n_vn_edi_sinvoice_file_id.ids,
        )
        return "fetched"

    # ------------------------------------------------------- payment status

    @api.model
    def _cron_entro_einvoice_payment_status(self, limit=500):
        """Queue the update of SInvoice's payment status of the marketplace
        e-invoices paid (or unpaid) since (l10n_vn_edi marks them)."""
        moves = self.search(
            [
                ("entro_einvoice_shop_id", "!=", False),
                ("l10n_vn_edi_invoice_state", "=", "payment_state_to_update"),
            ],
            limit=limit,
        )
        for move in moves:
            move.with_context(lang=move.company_id._entro_lang()).with_delay(
                identity_key=f"entro_einvoice_payment:{move.id}",
                description=f"SInvoice payment status: {move.name}",
            )._entro_job_einvoice_payment_status()
        return len(moves)

    def _entro_job_einvoice_payment_status(self):
        """l10n_vn_edi's Send Payment Status, in the background."""
        self.ensure_one()
        move = self.sudo()
        if move.l10n_vn_edi_invoice_state != "payment_state_to_update":
            return "up to date"
        with move._entro_sinvoice_session() as session:
            try:
                move.action_l10n_vn_edi_update_payment_status()
            except UserError as exc:
                failure = session.failure
                if failure is None or failure.kind in (TRANSIENT, TOKEN):
                    if failure and failure.kind == TOKEN:
                        move._l10n_vn_edi_get_credentials_company().write(
                            {
                                "l10n_vn_edi_token": False,
                                "l10n_vn_edi_token_expiry": False,
                            }
                        )
                    raise RetryableJobError(f"{move.name}: {exc}")
                raise
        return move.l10n_vn_edi_invoice_state

    # ------------------------------------------------------------- actions

    def action_entro_einvoice_retry(self):
        """Send again the e-invoices in exception (after a fix: their JSON is
        built again, under the same uuid) or failed (SInvoice back)."""
        self.check_access("read")
        user = self.env.user
        if not (
            user.has_group("entro_marketplace.group_marketplace_manager")
            or user.has_group("account.group_account_invoice")
        ):
            raise AccessError(
                self.env._("Only Marketplace Managers and invoicing users send again.")
            )
        self.filtered(
            lambda m: m.entro_einvoice_state in PROBLEM_STATES
        )._entro_einvoice_requeue()
        return True

    def _entro_einvoice_requeue(self):
        moves = self.filtered(lambda m: m.entro_einvoice_state in PROBLEM_STATES)
        for move in moves.sudo():
            if move.entro_einvoice_state == "exception":
                move.l10n_vn_edi_sinvoice_file_id.unlink()
            move.write(
                {"entro_einvoice_state": "to_send", "entro_einvoice_error": False}
            )
        moves._entro_einvoice_enqueue()

    def button_draft(self):
        # a reset invoice is built again when posted again (its uuid is kept)
        unsent = self.filtered(
            lambda m: (
                m.entro_einvoice_state in ("to_send", *PROBLEM_STATES)
                and not m._l10n_vn_edi_is_sent()
            )
        )
        result = super().button_draft()
        unsent.sudo().l10n_vn_edi_sinvoice_file_id.unlink()
        unsent.sudo().write(
            {"entro_einvoice_state": False, "entro_einvoice_error": False}
        )
        return result

    @api.model
    def _entro_einvoice_problem_domain(self, shops):
        return [
            ("entro_einvoice_shop_id", "in", shops.ids),
            ("entro_einvoice_state", "in", PROBLEM_STATES),
        ]
