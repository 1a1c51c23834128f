"""TikTok Shop finance: settlements, statements, transactions, payouts."""

from __future__ import annotations

import re
from typing import Any

from ..harness import Request, Response
from .common import CODE_AUTH, CODE_PARAM, V


class TikTokFinance:
    """Settlements, statements and their transactions, payouts."""

    #
    # TikTok settles an order some days after delivery: one statement
    # transaction per order (or adjustment) with its fee amounts, signed as
    # TikTok signs them (deductions negative); the day's transactions make a
    # statement, paid out to the seller's bank (payment_status).

    #: commission, transaction (payment) fee, affiliate commission: per cent
    COMMISSION, TRANSACTION_FEE, AFFILIATE = 4, 2, 6

    def _finance_setup(self) -> None:
        self.store["finance"] = []
        self.store["statements"] = []
        self.route("GET", f"/finance/{V}/statements", self._statements_get)
        self.pattern_routes.append(
            (
                "GET",
                re.compile(
                    r"^/finance/202501/statements/(\d+)/statement_transactions$"
                ),
                self._statement_transactions_get,
            )
        )

    def settle_order(
        self, order_id: Any, when: float, refund: bool = False, unexplained: int = 0
    ) -> int:
        """Book an order's statement transaction; return its settlement amount.

        TikTok credits the product price after the seller's discount (its own
        discount is paid back inside it) and the shipping fee the buyer paid,
        charges the carrier's full fee and pays back its shipping discount, and
        takes commission (4 % of the credited price), the payment fee (2 % of
        what the buyer paid) and, on every third order, an affiliate commission
        (6 %). A refunded order gives the price and the buyer's shipping back
        (no commission then) and is charged the return shipping. ``unexplained``
        adds an amount the breakdown does not explain.
        """
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            pay = {k: int(v) for k, v in order["payment"].items() if k != "currency"}
            paid = pay["total_amount"]
            price = pay["original_total_product_price"]
            credited = price - pay["seller_discount"]
            revenue = {
                "subtotal_before_discount_amount": price,
                "seller_discount_amount": -pay["seller_discount"],
            }
            shipping = {
                "actual_shipping_fee_amount": -pay["original_shipping_fee"],
                "shipping_fee_discount_amount": pay["shipping_fee_platform_discount"],
                "customer_paid_shipping_fee_amount": pay["shipping_fee"],
                "return_shipping_fee_amount": 0,
            }
            affiliate = credited * self.AFFILIATE // 100
            fee = {
                "platform_commission_amount": -(credited * self.COMMISSION // 100),
                "transaction_fee_amount": -(paid * self.TRANSACTION_FEE // 100),
                "affiliate_commission_amount": -affiliate
                if int(order["id"]) % 3 == 0
                else 0,
            }
            if refund:
                revenue["refund_subtotal_before_discount_amount"] = -price
                revenue["seller_discount_refund_amount"] = pay["seller_discount"]
                shipping["customer_paid_shipping_fee_amount"] = 0
                shipping["return_shipping_fee_amount"] = -pay["original_shipping_fee"]
                fee["platform_commission_amount"] = 0
                fee["affiliate_commission_amount"] = 0
            parts = [sum(revenue.values()), sum(shipping.values()), sum(fee.values())]
            net = sum(parts) + unexplained

            def text(group: dict[str, int]) -> dict[str, str]:
                return {k: str(v) for k, v in group.items()}

            self._finance_row(
                {
                    "type": "ORDER",
                    "order_id": str(order["id"]),
                    "order_create_time": order["create_time"],
                    "revenue_amount": str(parts[0]),
                    "revenue_breakdown": text(revenue),
                    "shipping_cost_amount": str(parts[1]),
                    "shipping_cost_breakdown": {
                        **text(shipping),
                        "supplementary_component": {
                            "platform_shipping_fee_discount_amount": str(
                                pay["shipping_fee_platform_discount"]
                            ),
                            "seller_shipping_fee_discount_amount": str(
                                -pay["shipping_fee_seller_discount"]
                            ),
                        },
                    },
                    "fee_tax_amount": str(parts[2]),
                    "fee_tax_breakdown": {"fee": text(fee), "tax": {"vat_amount": "0"}},
                    "adjustment_amount": "0",
                    "settlement_amount": str(net),
                },
                order["_shop_id"],
                when,
            )
            return net

    def adjust(
        self, amount: int, when: float, reason: str = "Logistics reimbursement"
    ) -> None:
        """An adjustment not tied to an order (a claim paid, a penalty)."""
        with self.store.lock:
            self._finance_row(
                {
                    "type": "ADJUSTMENT",
                    "adjustment_id": str(
                        7200000000000000000 + len(self.store["finance"])
                    ),
                    "adjustment_amount": str(amount),
                    "_reason": reason,
                    "settlement_amount": str(amount),
                },
                self.shop_id,
                when,
            )

    def _finance_row(self, row: dict[str, Any], shop_id: str, when: float) -> None:
        number = len(self.store["finance"]) + 1
        row.update(
            id=str(7300000000000000000 + number),
            currency="VND",
            _shop_id=str(shop_id),
            _ts=when,
            _statement="",
        )
        self.store["finance"].append(row)

    def close_statement(
        self, when: float, shop_id: str | None = None, status: str = "PAID"
    ) -> dict[str, Any]:
        """Put every transaction not yet in a statement into a new one."""
        shop = str(shop_id or self.shop_id)
        with self.store.lock:
            number = str(7100000000000000000 + len(self.store["statements"]) + 1)
            rows = [
                r
                for r in self.store["finance"]
                if r["_shop_id"] == shop and not r["_statement"] and r["_ts"] <= when
            ]
            for row in rows:
                row["_statement"] = number

            def total(key: str) -> int:
                return sum(int(r.get(key) or 0) for r in rows)

            statement = {
                "id": number,
                "statement_time": int(when),
                "settlement_amount": str(total("settlement_amount")),
                "revenue_amount": str(total("revenue_amount")),
                "fee_amount": str(total("fee_tax_amount")),
                "shipping_cost_amount": str(total("shipping_cost_amount")),
                "adjustment_amount": str(total("adjustment_amount")),
                "currency": "VND",
                "payment_status": status,
                "payment_id": str(int(number) + 500) if status == "PAID" else "",
                "_shop_id": shop,
            }
            self.store["statements"].append(statement)
            return dict(statement)

    def payouts(self, shop_id: str | None = None) -> list[dict[str, Any]]:
        """The statements closed so far."""
        shop = str(shop_id or self.shop_id)
        with self.store.lock:
            return [dict(s) for s in self.store["statements"] if s["_shop_id"] == shop]

    @staticmethod
    def _public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not k.startswith("_")}

    def _statements_get(self, req: Request) -> Response:
        shop, error = self._check(req)
        if error:
            return error
        if req.arg("sort_field") != "statement_time":
            return self._error(CODE_PARAM, "sort_field must be statement_time")
        try:
            low = int(req.arg("statement_time_ge") or 0)
            high = int(req.arg("statement_time_lt") or 2**40)
        except ValueError:
            return self._error(CODE_PARAM, "statement_time_ge/lt: Unix seconds")
        status = req.arg("payment_status")
        with self.store.lock:
            rows = [
                self._public(s)
                for s in self.store["statements"]
                if s["_shop_id"] == shop
                and low <= s["statement_time"] < high
                and (not status or s["payment_status"] == status)
            ]
        if req.arg("sort_order") == "DESC":
            rows.reverse()
        page, token, error = self._page(req, rows)
        if error:
            return error
        return self._ok({"statements": page, "next_page_token": token})

    def _statement_transactions_get(self, req: Request) -> Response:
        shop, error = self._check(req)
        if error:
            return error
        if req.arg("sort_field") != "order_create_time":
            return self._error(CODE_AUTH, "sort_field is required: order_create_time")
        number = req.path_id
        with self.store.lock:
            statement = next(
                (
                    s
                    for s in self.store["statements"]
                    if s["id"] == number and s["_shop_id"] == shop
                ),
                None,
            )
            rows = [
                self._public(r)
                for r in self.store["finance"]
                if r["_statement"] == number
            ]
        if statement is None:
            return self._error(CODE_PARAM, f"statement {number} not found")
        page, token, error = self._page(req, rows)
        if error:
            return error
        return self._ok(
            {
                "id": number,
                "create_time": statement["statement_time"],
                "status": statement["payment_status"],
                "currency": "VND",
                "total_settlement_amount": statement["settlement_amount"],
                "transactions": page,
                "next_page_token": token,
            }
        )
