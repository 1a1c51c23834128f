"""Lazada payouts: statements and their transaction rows.

Lazada pays per statement (/finance/payout/status/get: statement_number,
payout, paid); the statement's rows come from
/finance/transaction/details/get (fee_name, amount, order_no,
orderItem_no, statement). Lazada credits the item at its price and pays
its own vouchers back inside that credit: the order items tell what the
buyer paid, and the rest is shown as the platform's subsidy.

Issue 22 (Decree 117/2025/ND-CP): since 1 July 2025 Lazada Vietnam withholds VAT
and personal income tax from household and individual sellers on each successful
order, and gives it back when the order is returned. These come as rows of their
own; their fee names are in :data:`WITHHELD_FEE_NAMES` (Vietnamese shops only),
and the shop may add names of its own (``config.extra["withheld_fee_names"]``,
from system parameters, see ``models/entro_marketplace_shop_payout.py``).

A mixin of :class:`~.client.LazadaPlatform` (it uses the client's ``_request``,
``_call``, ``_time`` and ``_order_items``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ..base import chunked, split_windows
from ..payload import malformed
from ..payload import text as _text
from ..records import (
    WITHHELD_TAX_TYPES,
    ZERO,
    Settlement,
    merge_lines,
    subsidy_split,
)
from .const import FEE_NAMES
from .helpers import data_of, local_date
from .mappers import buyer_paid, settlement_lines, statement_settlement

#: Withheld-tax fee names (lower case) -> fee type, for Vietnamese shops.
#: NOT CONFIRMED: Lazada's published fee_name/fee_type list (Open Platform guide
#: "API best practice > Financial inquiry > QueryTransactionDetails fee_type field
#: enum list"; the copy we could read predates July 2025) names no Vietnamese
#: VAT/PIT withholding, only "Reimbursements Withholding tax" (fee_type 201, 251:
#: reimbursements to the seller elsewhere, not listed here).
#: These follow the statements' own pattern ("<name>", "Reversal <name>") in
#: English and in Vietnamese; a name Lazada really uses and this table lacks
#: stays a visible adjustment until it is added by the system parameters
#: ``entro_marketplace.lazada_withheld_vat_names`` / ``..._pit_names``.
#: A single withholding total ("withholding tax") is booked as withheld VAT,
#: its name kept as the raw code. A bare "Thuế GTGT" is not taken: it could be the
#: VAT on Lazada's own fees (an expense), not tax withheld from the seller.
WITHHELD_FEE_NAMES: dict[str, str] = {
    **dict.fromkeys(
        (
            "vat withholding",
            "withholding vat",
            "withholding vat tax",
            "vat withheld",
            "withheld vat",
            "reversal vat withholding",
            "reversal withholding vat",
            "vat withholding reversal",
            "thuế gtgt khấu trừ",
            "khấu trừ thuế gtgt",
            "hoàn thuế gtgt",
            "withholding tax",
            "reversal withholding tax",
            "thuế khấu trừ",
        ),
        "withheld_vat",
    ),
    **dict.fromkeys(
        (
            "pit withholding",
            "withholding pit",
            "withholding pit tax",
            "pit withheld",
            "withheld pit",
            "reversal pit withholding",
            "reversal withholding pit",
            "pit withholding reversal",
            "thuế tncn",
            "thuế tncn khấu trừ",
            "khấu trừ thuế tncn",
            "hoàn thuế tncn",
        ),
        "withheld_pit",
    ),
}
#: countries whose sellers have VAT and PIT withheld by Lazada
WITHHOLDING_COUNTRIES = frozenset({"vn"})


class LazadaFinanceMixin:
    """Settlements from Lazada's payout statements."""

    finance_page_size = 500
    #: a statement covers the rows since the previous one (weekly or so)
    settlement_lookback = timedelta(days=45)
    #: transaction details accept ranges shorter than 180 days
    finance_window = timedelta(days=179)
    #: fee_name -> normalised fee type (names as in Lazada's statements);
    #: a name not listed here is an adjustment (its name is kept)
    FEE_NAMES: dict[str, str] = FEE_NAMES

    def iter_settlements(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Settlement]:
        """Yield one Settlement per payout statement created in ``[since, until]``."""
        until = until or self.now()
        data = self._call(
            self._request,
            "GET",
            "/finance/payout/status/get",
            params={"created_after": self._local_date(since)},
        )
        statements = []
        with malformed("Lazada", "payout statements", _text(data.get("request_id"))):
            for row in data_of(data, "payout statements", list):
                moment = self._time(row["created_at"])
                if moment is not None and since <= moment <= until:
                    statements.append((moment, row))
        if not statements:
            return
        statements.sort(key=lambda pair: (pair[0], str(pair[1]["statement_number"])))
        start = min(m for m, _row in statements) - self.settlement_lookback
        rows: dict[str, list[Mapping[str, Any]]] = {}
        for row in self._finance_rows(start, until):
            rows.setdefault(str(row.get("statement") or ""), []).append(row)
        for moment, statement in statements:
            yield self._settlement(
                statement, moment, rows.get(str(statement["statement_number"]), [])
            )

    def _local_date(self, moment: datetime) -> str:
        return local_date(moment, self.country)

    def _finance_rows(
        self, since: datetime, until: datetime
    ) -> Iterator[Mapping[str, Any]]:
        seen: set[str] = set()
        for start, end in split_windows(since, until, self.finance_window):
            offset = 0
            while True:
                data = self._call(
                    self._request,
                    "GET",
                    "/finance/transaction/details/get",
                    params={
                        "start_time": self._local_date(start),
                        "end_time": self._local_date(end),
                        "limit": self.finance_page_size,
                        "offset": offset,
                    },
                )
                page = data_of(data, "transaction details", list)
                for row in page:
                    if not isinstance(row, Mapping):
                        continue
                    key = str(row.get("transaction_number") or "") or json.dumps(
                        row, sort_keys=True
                    )
                    if key not in seen:  # window boundaries overlap by a day
                        seen.add(key)
                        yield row
                if len(page) < self.finance_page_size:
                    break
                offset += len(page)

    def _settlement(
        self,
        statement: Mapping[str, Any],
        moment: datetime,
        rows: list[Mapping[str, Any]],
    ) -> Settlement:
        with malformed("Lazada", "payout statement"):
            settlement = statement_settlement(statement, moment, rows, self.country)
        with malformed("Lazada", "transaction details"):
            lines, sold, refunded = settlement_lines(
                rows, self.country, self._fee_names()
            )
        lines = merge_lines(lines)
        orders = sorted(set(sold) | set(refunded))
        items: dict[str, list[Mapping[str, Any]]] = {}
        for chunk in chunked([o for o in orders if o.isdigit()], self.max_detail_batch):
            items.update(self._call(self._order_items, chunk))
        for order_id in orders:
            if order_id not in items:
                continue  # no order data: what Lazada credited stays the sale
            by_item = {str(i.get("order_item_id")): i for i in items[order_id]}
            with malformed("Lazada", "order items"):
                paid = sum(
                    (self._buyer_paid(by_item.get(i)) for i in sold.get(order_id, ())),
                    ZERO,
                )
                back = sum(
                    (
                        self._buyer_paid(by_item.get(i))
                        for i in refunded.get(order_id, ())
                    ),
                    ZERO,
                )
            if order_id in sold:
                settlement.buyer_paid[order_id] = paid
            lines.extend(subsidy_split(lines, order_id, "order_amount", paid))
            lines.extend(subsidy_split(lines, order_id, "refund", -back))
        settlement.lines = merge_lines(lines)
        settlement.balance()
        return settlement

    def _fee_names(self) -> dict[str, str]:
        """Fee names -> fee types: Lazada's, its withheld tax (Vietnam), and the
        names the shop adds (``extra["withheld_fee_names"]``: name -> type)."""
        names = dict(self.FEE_NAMES)
        if (self.country or "").lower() in WITHHOLDING_COUNTRIES:
            names.update(WITHHELD_FEE_NAMES)
        extra = self.config.extra.get("withheld_fee_names") or {}
        names.update(
            {
                str(name).strip().lower(): fee_type
                for name, fee_type in extra.items()
                if str(name).strip() and fee_type in WITHHELD_TAX_TYPES
            }
        )
        return names

    @staticmethod
    def _buyer_paid(item: Mapping[str, Any] | None) -> Decimal:
        return buyer_paid(item)
