"""TikTok Shop finance: statements and their transactions as Settlements.

A payout is a statement (Get Statements, /finance/202309/statements): TikTok
settles an order some days after delivery into the day's statement and pays the
statement out (payment_status PAID, PROCESSING or FAILED). Get Payments is not
offered in South-East Asia, so the statement is the unit. Its transactions (one
per order settled, or adjustment) come from Get Transactions by Statement 202501
(the 202309 version serves the US and UK only) with TikTok's breakdown of
revenue, shipping costs, fees and taxes, signed as TikTok signs them. TikTok
credits the product price after the seller's discounts (its own discounts are
paid back inside that credit): the order tells what the buyer paid, and the rest
is TikTok's subsidy. Whatever a transaction's breakdown does not explain is an
``unexplained`` adjustment, so the lines add up to the statement's
settlement_amount.

A mixin of :class:`~.client.TikTokPlatform` (it uses the client's ``_request``,
``_call``, ``_get_orders_batch`` and ``config``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from ..base import chunked, split_windows
from ..errors import PermanentError
from ..payload import malformed
from ..payload import text as _text
from ..records import (
    WITHHELD_TAX_TYPES,
    Order,
    Settlement,
    SettlementLine,
    merge_lines,
)
from .const import (
    BREAKDOWN_GROUPS,
    STATEMENT_FEES,
    STATEMENT_TRANSACTIONS_VERSION,
    VERSION,
)
from .mappers import (
    add_subsidies,
    response_data,
    seconds,
    settled_orders,
    to_settlement,
    transaction_lines,
)


class TikTokFinance:
    """Settlements of a TikTok Shop shop, one per statement."""

    statement_page_size = 100
    #: breakdown field -> fee type (the field's name is kept as raw_code); a
    #: field not listed takes its group's type (:attr:`BREAKDOWN_GROUPS`)
    STATEMENT_FEES: dict[str, str] = STATEMENT_FEES
    #: (path in the transaction, type of the fields not in STATEMENT_FEES)
    BREAKDOWN_GROUPS: tuple[tuple[tuple[str, ...], str], ...] = BREAKDOWN_GROUPS

    def iter_settlements(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Settlement]:
        """Yield one Settlement per statement dated in ``[since, until]``."""
        until = until or self.now()
        statements: dict[str, Mapping[str, Any]] = {}
        for start, end in split_windows(since, until, self.max_window):
            for row in self._statements(start, end):
                statements[str(row["id"])] = row
        ordered = sorted(
            statements.values(),
            key=lambda r: (int(r.get("statement_time") or 0), str(r["id"])),
        )
        for row in ordered:
            yield self._statement_settlement(row)

    def _statements(self, since: datetime, until: datetime) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        token = None
        while True:
            data = self._call(
                self._request,
                "GET",
                f"/finance/{VERSION}/statements",
                params={
                    "statement_time_ge": seconds(since),
                    "statement_time_lt": seconds(until) + 1,
                    "page_size": self.statement_page_size,
                    "page_token": token,
                    "sort_field": "statement_time",
                    "sort_order": "ASC",
                },
            )
            body = response_data(data, "statements")
            with malformed("TikTok Shop", "statements", _text(data.get("request_id"))):
                for row in body.get("statements") or []:
                    if isinstance(row, Mapping) and _text(row["id"]):
                        rows.append(row)
            token = _text(body.get("next_page_token"))
            if not token:
                return rows

    def _statement_transactions(self, statement_id: str) -> list[Mapping[str, Any]]:
        rows: list[Mapping[str, Any]] = []
        token = None
        while True:
            data = self._call(
                self._request,
                "GET",
                f"/finance/{STATEMENT_TRANSACTIONS_VERSION}/statements/{statement_id}"
                "/statement_transactions",
                params={
                    "page_size": self.statement_page_size,
                    "page_token": token,
                    "sort_field": "order_create_time",
                    "sort_order": "ASC",
                },
            )
            body = response_data(data, "statement transactions")
            found = body.get("transactions") or []
            if not isinstance(found, list):
                raise PermanentError(
                    "malformed TikTok Shop statement transactions: not a list",
                    code="bad_response",
                    request_id=_text(data.get("request_id")),
                )
            rows.extend(r for r in found if isinstance(r, Mapping))
            token = _text(body.get("next_page_token"))
            if not token or not found:
                return rows

    def _statement_settlement(self, statement: Mapping[str, Any]) -> Settlement:
        with malformed("TikTok Shop", "statement"):
            settlement = to_settlement(statement, self.config.country)
        statement_id, moment = settlement.external_id, settlement.payout_time
        rows = self._statement_transactions(statement_id)
        settlement.raw["transactions"] = len(rows)
        lines: list[SettlementLine] = []
        with malformed("TikTok Shop", "statement transaction"):
            for row in rows:
                lines.extend(self._transaction_lines(row, moment))
        lines = merge_lines(lines)
        orders = settled_orders(lines)
        known: dict[str, Order] = {}
        for chunk in chunked(orders, self.max_detail_batch):
            for order in self._call(self._get_orders_batch, chunk):
                if not order.problems and order.amounts_complete:
                    known[order.external_id] = order
        add_subsidies(settlement, lines, orders, known)
        settlement.lines = merge_lines(lines)
        settlement.balance()
        return settlement

    def _statement_fees(self) -> Mapping[str, str]:
        """:attr:`STATEMENT_FEES`, with the withheld-tax field names the shop's
        configuration adds (``extra["withheld_fee_names"]``: {name: withheld_vat
        | withheld_pit}), for names TikTok may give that Entro does not know."""
        names = self.config.extra.get("withheld_fee_names")
        if not isinstance(names, Mapping) or not names:
            return self.STATEMENT_FEES
        added = {str(k): v for k, v in names.items() if v in WITHHELD_TAX_TYPES}
        return {**self.STATEMENT_FEES, **added}

    def _transaction_lines(
        self, row: Mapping[str, Any], moment: datetime | None
    ) -> list[SettlementLine]:
        """The fee lines of one statement transaction; they add up to its amount."""
        return transaction_lines(
            row, moment, self._statement_fees(), self.BREAKDOWN_GROUPS
        )

    def order_transaction_lines(self, order_id: str) -> list[SettlementLine]:
        """An order's settled amounts by fee type, from Get Transactions by Order
        202501 (``/finance/202501/orders/{order_id}/statement_transactions``: its
        SKU transactions in every statement so far, with the same breakdowns as
        a statement's, among them the withheld VAT and PIT). One line per fee
        type (``transaction_id``: the statement), the SKUs added up; an order
        not settled yet has none."""
        data = self._call(
            self._request,
            "GET",
            f"/finance/{STATEMENT_TRANSACTIONS_VERSION}/orders/{order_id}"
            "/statement_transactions",
        )
        body = response_data(data, "order transactions")
        lines: list[SettlementLine] = []
        with malformed(
            "TikTok Shop", "order transactions", _text(data.get("request_id"))
        ):
            skus = body.get("sku_transactions") or []
            if not isinstance(skus, list):
                raise PermanentError(
                    "malformed TikTok Shop order transactions: not a list",
                    code="bad_response",
                    request_id=_text(data.get("request_id")),
                )
            for sku in skus:
                if not isinstance(sku, Mapping):
                    continue
                row = {
                    **sku,
                    "id": sku.get("statement_id"),
                    "order_id": _text(body.get("order_id")) or str(order_id),
                    "order_create_time": body.get("order_create_time"),
                }
                lines.extend(self._transaction_lines(row, None))
        return merge_lines(lines)
