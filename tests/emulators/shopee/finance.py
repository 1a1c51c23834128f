"""Shopee finance: the seller wallet, escrow releases, adjustments, withdrawals."""

from __future__ import annotations

from typing import Any

from ..harness import Request, Response
from .const import FIFTEEN_DAYS, SHOP
from .data import order_income


class ShopeeFinance:
    """The seller wallet: escrow releases, adjustments, withdrawals."""

    def _wallet_add(
        self, shop_id: int, kind: int, amount: int, when: float, **fields: Any
    ) -> dict[str, Any]:
        with self.store.lock:
            wallet = self.store["wallet"]
            balance = sum(
                t["amount"]
                for t in wallet
                if t["_shop_id"] == shop_id and t["create_time"] <= when
            )
            self.store["next_transaction_id"] += 1
            row = {
                "transaction_id": self.store["next_transaction_id"],
                "status": "COMPLETED",
                "transaction_type": kind,
                "amount": amount,
                "current_balance": balance + amount,
                "create_time": int(when),
                "order_sn": "",
                "refund_sn": "",
                "withdrawal_type": "",
                "transaction_fee": 0,
                "description": "",
                "buyer_name": "",
                "reason": "",
                "withdrawal_id": 0,
                "root_withdrawal_id": 0,
                "money_flow": "MONEY_IN" if amount >= 0 else "MONEY_OUT",
                "_shop_id": shop_id,
                **fields,
            }
            wallet.append(row)
            return row

    def release_escrow(
        self, order_sn: str, when: float, refund: int = 0
    ) -> dict[str, Any]:
        """Verify an order's escrow into the wallet (101, or 102 when negative).

        ``refund``: what went back to the buyer after a return (VND).
        """
        with self.store.lock:
            order = self.store["orders"][order_sn]
            if not order["_escrow"]:
                raise ValueError(f"{order_sn} was never paid")
            income = order_income(
                order["_amounts"], refund=refund, withholding=self.withholding
            )
            order["_escrow"]["order_income"] = income
            shop = order["_shop_id"]
            name = order["buyer_username"]
        amount = income["escrow_amount"]
        return self._wallet_add(
            shop,
            101 if amount >= 0 else 102,
            amount,
            when,
            order_sn=order_sn,
            buyer_name=name,
        )

    def adjust(
        self,
        amount: int,
        when: float,
        reason: str = "Adjustment",
        order_sn: str = "",
        shop_id: int | None = None,
    ) -> dict[str, Any]:
        """An adjustment paid to (401) or charged from (402) the seller."""
        return self._wallet_add(
            int(shop_id or self.shop_id),
            401 if amount >= 0 else 402,
            amount,
            when,
            order_sn=order_sn,
            reason=reason,
        )

    def withdraw(
        self, when: float, shop_id: int | None = None
    ) -> dict[str, Any] | None:
        """Pay the whole wallet balance out to the seller's bank (201, then 202).

        Returns the WITHDRAWAL_CREATED row (its ``-amount`` is the payout), or
        None when there is nothing to pay out.
        """
        shop = int(shop_id or self.shop_id)
        with self.store.lock:
            balance = sum(
                t["amount"]
                for t in self.store["wallet"]
                if t["_shop_id"] == shop and t["create_time"] <= when
            )
        if balance <= 0:
            return None
        withdrawal_id = int(when) * 10 + shop % 10
        created = self._wallet_add(
            shop,
            201,
            -balance,
            when,
            withdrawal_id=withdrawal_id,
            withdrawal_type="WITHDRAWAL",
        )
        self._wallet_add(
            shop, 202, 0, when + 3600, withdrawal_id=withdrawal_id, withdrawal_type=""
        )
        return created

    def settle_completed(
        self, when: float, shop_id: int | None = None
    ) -> dict[str, Any] | None:
        """Release the escrow of every completed order not yet released (one
        second before ``when``), then withdraw the wallet at ``when``: the
        sandbox's periodic payout. Returns the withdrawal row, or None."""
        shop = int(shop_id or self.shop_id)
        with self.store.lock:
            released = {
                t["order_sn"]
                for t in self.store["wallet"]
                if t["transaction_type"] in (101, 102) and t["order_sn"]
            }
            due = [
                sn
                for sn, order in self.store["orders"].items()
                if order["_shop_id"] == shop
                and order["order_status"] == "COMPLETED"
                and order["_escrow"]
                and sn not in released
            ]
        for sn in due:
            self.release_escrow(sn, when - 1)
        return self.withdraw(when, shop_id=shop)

    def withheld(
        self, until: float | None = None, shop_id: int | None = None
    ) -> dict[str, int]:
        """The VAT and PIT withheld (net of offsets) in the escrows released up
        to ``until``: {"vat": .., "pit": ..} in đồng."""
        shop = int(shop_id or self.shop_id)
        totals = {"vat": 0, "pit": 0}
        with self.store.lock:
            for row in self.store["wallet"]:
                if (
                    row["_shop_id"] != shop
                    or row["transaction_type"] not in (101, 102)
                    or (until is not None and row["create_time"] > until)
                ):
                    continue
                escrow = self.store["orders"][row["order_sn"]]["_escrow"]
                income = escrow["order_income"]
                totals["vat"] += income.get("withholding_vat_tax", 0)
                totals["pit"] += income.get("withholding_pit_tax", 0)
        return totals

    def payouts(self, shop_id: int | None = None) -> list[dict[str, Any]]:
        """The withdrawals made so far (the platform's payouts)."""
        shop = int(shop_id or self.shop_id)
        with self.store.lock:
            return [
                dict(t)
                for t in self.store["wallet"]
                if t["_shop_id"] == shop and t["transaction_type"] == 201
            ]

    def _get_wallet_transactions(self, req: Request) -> Response:
        shop, error = self._check(req, SHOP)
        if error:
            return error
        refused = self._payment_refused()
        if refused:
            return refused
        try:
            page_no = int(req.arg("page_no") or "")
            page_size = int(req.arg("page_size") or "")
            time_from = int(req.arg("create_time_from") or "")
            time_to = int(req.arg("create_time_to") or "")
        except ValueError:
            return self._error(
                400, "error_param", "Wrong parameters, detail: not a number."
            )
        if time_to < time_from:
            return self._error(
                400,
                "time_invalid",
                "The param error: create_time_from bigger than create_time_to.",
            )
        if time_to - time_from > FIFTEEN_DAYS:
            return self._error(
                400, "time_period_too_large", "The param error: time period too large."
            )
        if not 1 <= page_size <= 100 or page_no < 0:
            return self._error(400, "error_param", "parameter invalid")
        with self.store.lock:
            rows = sorted(
                (
                    t
                    for t in self.store["wallet"]
                    if t["_shop_id"] == shop
                    and time_from <= t["create_time"] <= time_to
                ),
                key=lambda t: (-t["create_time"], -t["transaction_id"]),
            )
            start = page_no * page_size
            page = [
                {k: v for k, v in t.items() if not k.startswith("_")}
                for t in rows[start : start + page_size]
            ]
        return self._ok(
            {"transaction_list": page, "more": start + page_size < len(rows)}
        )
