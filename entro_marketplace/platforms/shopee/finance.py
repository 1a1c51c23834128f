"""Shopee finance: the payment API's escrow details and the wallet's payouts,
as a mixin of :class:`.client.ShopeePlatform`.

A local shop's money flows through its Shopee wallet: each order's escrow is
released into it (transaction 101, or 102 when negative), adjustments add or
deduct (4xx), and a withdrawal (201) pays the balance out to the seller's bank.
One payout = one withdrawal, covering the wallet transactions since the
previous one; each order's escrow is broken down into fee lines with
get_escrow_detail_batch (``order_income``).

The payment API is a permission of its own: an app without it gets ``error_auth``
"No permission to current api." (or ``error_permission``) from
``get_escrow_detail_batch``. The order import then goes on without the breakdown
(see :meth:`ShopeeFinance._escrows`); payouts need the escrow and fail loudly.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from ..base import chunked, split_windows
from ..errors import (
    AuthorizationError,
    PermanentError,
    PlatformError,
    TransientError,
)
from ..payload import malformed
from ..records import Settlement
from ._util import _epoch, _response, _ts
from .const import (
    ESCROW_TYPES,
    PERMISSION_CODES,
    WITHDRAWAL_FOLLOW_UPS,
    WITHDRAWAL_TYPES,
)
from .mappers import add_settlement_lines, to_settlement, transaction_key

_logger = logging.getLogger(__name__)


class ShopeeFinance:
    """Escrow details and settlements (uses the client's transport)."""

    wallet_page_size = 100

    # ----------------------------------------------------------- escrow detail

    def _escrows(self, order_sns: list[str]) -> dict[str, Mapping[str, Any]]:
        """Escrow detail per order, from get_escrow_detail_batch (best effort).

        Once Shopee refused the payment API to this client (the app lacks the
        permission), it is not asked again for the rest of the job.
        """
        if (
            not order_sns
            or not self.config.extra.get("fetch_escrow", True)
            or self._payment_refused
        ):
            return {}
        return self._escrow_details(order_sns, strict=False)

    @staticmethod
    def _is_permission_refusal(exc: PlatformError) -> bool:
        """Whether Shopee refused the API to the app (not the token or the shop)."""
        short = (exc.code or "").rsplit(".", 1)[-1]
        if short in PERMISSION_CODES:
            return True
        return short == "error_auth" and "permission" in exc.message.lower()

    def _escrow_details(
        self, order_sns: list[str], strict: bool = True
    ) -> dict[str, Mapping[str, Any]]:
        """``escrow_detail`` per order, in batches of ``max_escrow_batch``.

        The order import reads ``buyer_payment_info`` from it (best effort:
        ``strict=False`` goes on without the batches Shopee refuses or cannot
        answer, its orders then come with ``amounts_pending``); payouts read
        ``order_income`` and need every batch.
        """
        found: dict[str, Mapping[str, Any]] = {}
        for chunk in chunked(order_sns, self.max_escrow_batch):
            try:
                data = self._request(
                    "POST",
                    "/api/v2/payment/get_escrow_detail_batch",
                    body={"order_sn_list": chunk},
                )
            except AuthorizationError as exc:
                if strict or not self._is_permission_refusal(exc):
                    raise
                # the app lacks the payment API: the other batches would be too
                _logger.warning(
                    "Shopee refused the payment API, order amounts pending: %s", exc
                )
                self._payment_refused = True
                break
            except TransientError as exc:
                # an outage outlasting the transport's retries: the orders come
                # without their breakdown rather than not at all
                if strict:
                    raise
                _logger.warning("Shopee escrow details unavailable: %s", exc)
                break
            except PermanentError as exc:
                if strict:
                    raise
                _logger.warning("Shopee escrow details unavailable: %s", exc)
                continue
            rows = data.get("response")
            for row in rows if isinstance(rows, list) else []:
                detail = row.get("escrow_detail") if isinstance(row, Mapping) else None
                if isinstance(detail, Mapping) and detail.get("order_sn"):
                    found[str(detail["order_sn"])] = detail
        return found

    # ------------------------------------------------------------------ payouts

    def iter_settlements(
        self, since: datetime, until: datetime | None = None
    ) -> Iterator[Settlement]:
        """Yield one Settlement per wallet withdrawal made in ``[since, until]``."""
        until = until or self.now()
        start = since - self.settlement_lookback
        rows: dict[str, Mapping[str, Any]] = {}
        for window_start, window_end in split_windows(start, until, self.max_window):
            for row in self._wallet_transactions(window_start, window_end):
                rows[transaction_key(row)] = row
        ordered = sorted(
            rows.values(),
            key=lambda r: (int(r.get("create_time") or 0), transaction_key(r)),
        )
        pending: list[Mapping[str, Any]] = []
        for row in ordered:
            kind = str(row.get("transaction_type") or "")
            if kind in WITHDRAWAL_FOLLOW_UPS:
                continue
            if str(row.get("status") or "COMPLETED") == "FAILED":
                continue
            if kind not in WITHDRAWAL_TYPES:
                pending.append(row)
                continue
            covered, pending = pending, []
            with malformed("Shopee", "wallet transaction"):
                moment = _ts(row["create_time"])
            if moment is None or moment < since or moment > until:
                continue
            yield self._settlement(row, covered)

    def _wallet_transactions(
        self, since: datetime, until: datetime
    ) -> Iterator[Mapping[str, Any]]:
        page_no = 0
        while True:
            data = self._call(
                self._request,
                "GET",
                "/api/v2/payment/get_wallet_transaction_list",
                params={
                    "page_no": page_no,
                    "page_size": self.wallet_page_size,
                    "create_time_from": _epoch(since),
                    "create_time_to": _epoch(until) + (1 if until.microsecond else 0),
                },
            )
            body = _response(data, "wallet transactions")
            rows = body.get("transaction_list") or []
            if not isinstance(rows, list):
                raise PermanentError(
                    "malformed Shopee wallet transactions: no transaction_list",
                    code="bad_response",
                    request_id=data.get("request_id"),
                )
            yield from (r for r in rows if isinstance(r, Mapping))
            if not body.get("more") or not rows:
                return
            page_no += 1

    def _settlement(
        self, withdrawal: Mapping[str, Any], rows: list[Mapping[str, Any]]
    ) -> Settlement:
        settlement = to_settlement(withdrawal, rows)
        escrow_sns = list(
            dict.fromkeys(
                str(r["order_sn"])
                for r in rows
                if str(r.get("transaction_type") or "") in ESCROW_TYPES
                and r.get("order_sn")
            )
        )
        escrows = self._call(self._escrow_details, escrow_sns) if escrow_sns else {}
        add_settlement_lines(settlement, rows, escrows)
        return settlement
