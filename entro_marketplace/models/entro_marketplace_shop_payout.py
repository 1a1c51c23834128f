"""Payout settings and jobs of a shop (kept apart from the shop's core file)."""

import re
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import LazyTranslate

from ..tools.dates import to_aware

_lt = LazyTranslate(__name__)

#: fee type -> (shop field of its account, default name, start code, account type);
#: the names are created in English with a translation in every installed language
PAYOUT_ACCOUNTS = {
    "clearing": (
        "payout_clearing_account_id",
        _lt("Marketplace Clearing"),
        "1290",
        "asset_current",
    ),
    "commission": (
        "commission_account_id",
        _lt("Marketplace Commissions"),
        "6210",
        "expense",
    ),
    "transaction_fee": (
        "transaction_fee_account_id",
        _lt("Marketplace Payment Fees"),
        "6210",
        "expense",
    ),
    "service_fee": (
        "service_fee_account_id",
        _lt("Marketplace Service Fees"),
        "6210",
        "expense",
    ),
    "shipping_fee": (
        "shipping_fee_account_id",
        _lt("Marketplace Shipping Costs"),
        "6210",
        "expense",
    ),
    "seller_voucher": (
        "seller_voucher_account_id",
        _lt("Marketplace Seller Vouchers"),
        "6210",
        "expense",
    ),
    "platform_subsidy": (
        "platform_subsidy_account_id",
        _lt("Marketplace Platform Subsidies"),
        "4510",
        "income_other",
    ),
    "withheld_vat": (
        "withheld_vat_account_id",
        _lt("VAT Withheld by Marketplaces"),
        "1339",
        "asset_current",
    ),
    "withheld_pit": (
        "withheld_pit_account_id",
        _lt("PIT Withheld by Marketplaces"),
        "1339",
        "asset_current",
    ),
    "adjustment": (
        "payout_adjustment_account_id",
        _lt("Marketplace Adjustments"),
        "6210",
        "expense",
    ),
}

PAYOUT_JOURNAL = _lt("Marketplace Payouts")


#: issue 22: system parameters listing more fee names (one a line, or comma
#: separated) of the tax a platform withholds, per platform and fee type, e.g.
#: ``entro_marketplace.lazada_withheld_pit_names``; for names Entro does not know
#: yet (a name not known is booked as an adjustment and shows as such)
WITHHELD_NAMES_PARAM = "entro_marketplace.%s_%s_names"


def _entro_translate_name(record, term):
    """Give ``record``'s translatable name the translation of ``term`` in every
    installed language (a Vietnamese company reads its accounts in Vietnamese)."""
    translations = {
        lang: term._translate(lang)
        for lang, _name in record.env["res.lang"].get_installed()
        if lang != "en_US"
    }
    if translations:
        record.update_field_translations("name", translations)


class EntroMarketplaceShop(models.Model):
    _inherit = "entro.marketplace.shop"

    # --- payouts and accounting ----------------------------------------------------
    sync_payouts = fields.Boolean(
        "Import Payouts",
        default=True,
        help="Import the platform's payouts every day and post them in accounting.",
    )
    payout_cursor = fields.Datetime(readonly=True, copy=False)
    payout_overlap_days = fields.Integer(
        "Payout Import Overlap (days)",
        default=3,
        help="Each payout import re-reads this many days before the last one; "
        "payouts already imported are not posted again.",
    )
    payout_journal_id = fields.Many2one(
        "account.journal",
        string="Payout Journal",
        check_company=True,
        domain="[('type', '=', 'general')]",
        help="Miscellaneous journal of the payout entries (one entry per payout).",
    )
    payout_clearing_account_id = fields.Many2one(
        "account.account",
        string="Clearing Account",
        check_company=True,
        help="Receives the net amount of each payout; the bank statement line of "
        "the payout is matched against it. Must allow reconciliation.",
    )
    commission_account_id = fields.Many2one(
        "account.account", string="Commissions", check_company=True
    )
    transaction_fee_account_id = fields.Many2one(
        "account.account", string="Payment/Transaction Fees", check_company=True
    )
    service_fee_account_id = fields.Many2one(
        "account.account", string="Service Fees", check_company=True
    )
    shipping_fee_account_id = fields.Many2one(
        "account.account",
        string="Shipping Fees and Rebates",
        check_company=True,
        help="Shipping the platform charges the seller, less what it pays back.",
    )
    seller_voucher_account_id = fields.Many2one(
        "account.account",
        string="Seller Vouchers",
        check_company=True,
        help="Seller-funded vouchers the platform charges in a payout apart from an "
        "order (those of an order are already in its invoice).",
    )
    platform_subsidy_account_id = fields.Many2one(
        "account.account",
        string="Platform Subsidies",
        check_company=True,
        help="Vouchers, coins and discounts the platform funds and pays back.",
    )
    withheld_vat_account_id = fields.Many2one(
        "account.account",
        string="Withheld VAT",
        check_company=True,
        help="VAT the platform withholds on the seller's behalf (tax already paid, "
        "never an expense); offsets of cancelled or returned orders come back to it.",
    )
    withheld_pit_account_id = fields.Many2one(
        "account.account",
        string="Withheld PIT",
        check_company=True,
        help="Personal income tax the platform withholds on the seller's behalf "
        "(tax already paid, never an expense).",
    )
    payout_adjustment_account_id = fields.Many2one(
        "account.account",
        string="Adjustments",
        check_company=True,
        help="Adjustments, and any rest of a payout its lines do not explain.",
    )
    settlement_ids = fields.One2many("entro.marketplace.settlement", "shop_id")
    settlement_count = fields.Integer(compute="_compute_settlement_count")

    def _compute_settlement_count(self):
        counts = dict(
            self.env["entro.marketplace.settlement"]._read_group(
                [("shop_id", "in", self.ids)], ["shop_id"], ["__count"]
            )
        )
        for shop in self:
            shop.settlement_count = counts.get(shop, 0)

    @api.model_create_multi
    def create(self, vals_list):
        shops = super().create(vals_list)
        shops._ensure_payout_accounting()
        return shops

    def _ensure_payout_accounting(self):
        """Give the shop a payout journal and accounts where none is set.

        Created in the shop's company chart (codes next to free ones), once per
        company: a second shop reuses them. A company without a chart of accounts
        gets nothing (the first payout then asks for the settings).
        """
        # sudo: the chart and journals are the accountant's; a marketplace manager's
        # shop gets its own company's accounts (searched and created per company)
        Account = self.env["account.account"].sudo()
        for shop in self:
            company = shop.company_id
            accounts = Account.with_company(company)
            if not accounts.search_count([("company_ids", "in", company.id)], limit=1):
                continue
            values = {}
            for key, (field_name, name, start, kind) in PAYOUT_ACCOUNTS.items():
                if shop[field_name]:
                    continue
                account = accounts.with_context(lang="en_US").search(
                    [
                        ("company_ids", "in", company.id),
                        ("name", "=", name._translate("en_US")),
                    ],
                    limit=1,
                )
                if not account:
                    account = accounts.with_context(lang="en_US").create(
                        {
                            "name": name._translate("en_US"),
                            "code": accounts._search_new_account_code(start),
                            "account_type": kind,
                            "reconcile": key == "clearing",
                            "company_ids": [(6, 0, [company.id])],
                        }
                    )
                    _entro_translate_name(account, name)
                values[field_name] = account.id
            if not shop.payout_journal_id:
                Journal = self.env["account.journal"].sudo().with_company(company)
                journal = Journal.search(
                    [("company_id", "=", company.id), ("code", "=", "MKTP")], limit=1
                )
                if not journal:
                    journal = Journal.with_context(lang="en_US").create(
                        {
                            "name": PAYOUT_JOURNAL._translate("en_US"),
                            "code": "MKTP",
                            "type": "general",
                            "company_id": company.id,
                        }
                    )
                    _entro_translate_name(journal, PAYOUT_JOURNAL)
                values["payout_journal_id"] = journal.id
            if values:
                shop.sudo().write(values)

    def _platform_config(self):
        config = super()._platform_config()
        names = self._withheld_fee_names()
        if names:
            config.extra = {**config.extra, "withheld_fee_names": names}
        return config

    def _withheld_fee_names(self):
        """{fee name: withheld_vat | withheld_pit} from the system parameters
        of this shop's platform (see WITHHELD_NAMES_PARAM)."""
        self.ensure_one()
        # sudo: system parameters are read by the system, for any user
        ICP = self.env["ir.config_parameter"].sudo()
        names = {}
        for fee_type in ("withheld_vat", "withheld_pit"):
            value = ICP.get_param(WITHHELD_NAMES_PARAM % (self.platform, fee_type))
            for name in re.split(r"[\n,]", value or ""):
                if name.strip():
                    names[name.strip()] = fee_type
        return names

    def _payout_account(self, fee_type):
        """The account of a fee type (shipping rebates go with shipping fees)."""
        self.ensure_one()
        key = {"shipping_rebate": "shipping_fee"}.get(fee_type, fee_type)
        field_name = PAYOUT_ACCOUNTS[key][0]
        account = self[field_name]
        if not account:
            raise UserError(
                _(
                    "The shop %(shop)s has no account for %(what)s: set it in the "
                    "shop's Payouts tab.",
                    shop=self.name,
                    what=self._fields[field_name].string,
                )
            )
        return account

    def _payout_journal(self):
        self.ensure_one()
        if not self.payout_journal_id:
            raise UserError(
                _("The shop %s has no payout journal: set it in its Payouts tab.")
                % self.name
            )
        return self.payout_journal_id

    def action_import_payouts(self):
        """Import the payouts made since the last import (runs as a job)."""
        self._check_usable()
        for shop in self:
            if not shop.platform_payouts_api:
                raise UserError(
                    _(
                        "%(platform)s has no payout API: upload its statement with "
                        "Import Statement on the shop.",
                        platform=shop._platform_label(),
                    )
                )
            shop._enqueue("_job_import_payouts", identity=f"payouts-{shop.id}")
        return self._queued_notification(_("Payout import"))

    def action_view_settlements(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "entro_marketplace.entro_marketplace_settlement_action"
        )
        action["domain"] = [("shop_id", "=", self.id)]
        return action

    def _job_import_payouts(self, since=None):
        """Read the payouts since the cursor, import and post each once."""
        self.ensure_one()
        now = fields.Datetime.now()
        if since is None:
            if self.payout_cursor:
                since = self.payout_cursor - timedelta(days=self.payout_overlap_days)
            else:
                since = now - timedelta(days=max(self.initial_sync_days, 30))
        with self._api_session("payout import") as client:
            try:
                settlements = list(
                    client.iter_settlements(to_aware(since), to_aware(now))
                )
            except NotImplementedError as exc:
                raise UserError(str(exc)) from exc
        Settlement = self.env["entro.marketplace.settlement"]
        results = [Settlement._import_platform_settlement(self, s) for s in settlements]
        self.write({"payout_cursor": now})
        self._notify_user(
            _("%(count)s payouts found.", count=len(settlements)),
            level="success" if settlements else "info",
        )
        return f"{len(settlements)} payouts ({', '.join(sorted(set(results)))})"

    @api.model
    def _cron_import_payouts(self):
        shops = self.search([("state", "=", "connected"), ("sync_payouts", "=", True)])
        for shop in shops:
            if shop.platform_payouts_api:
                shop._enqueue("_job_import_payouts", identity=f"payouts-{shop.id}")
