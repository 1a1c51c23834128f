"""TikTok Shop finance: settlements, statements, transactions, payouts."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
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

    #: Decree 117/2025 (from 1 July 2025): what a marketplace withholds from a
    #: household or individual seller per successful order, per cent of its
    #: revenue: (VAT, PIT) by kind of sale; an unknown kind takes the highest
    WITHHOLDING_RATES: dict[str, tuple[Decimal, Decimal]] = {
        "goods": (Decimal(1), Decimal("0.5")),
        "services": (Decimal(5), Decimal(2)),
        "transport": (Decimal(3), Decimal("1.5")),
    }

    def _finance_setup(self) -> None:
        self.store["finance"] = []
        self.store["statements"] = []
        #: shop id -> kind of sale of a household seller TikTok withholds from
        self.store["withholding"] = {}
        #: order id -> (VAT, PIT, fees) of its settlement, until refunded
        self.store["settled"] = {}
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
        self.pattern_routes.append(
            (
                "GET",
                re.compile(r"^/finance/202501/orders/(\w+)/statement_transactions$"),
                self._order_transactions_get,
            )
        )

    def set_household(self, kind: str | None = "goods", shop_id: str | None = None):
        """Make a shop's seller a household TikTok withholds VAT and PIT from
        (``kind``: goods, services, transport, anything else the highest rates;
        None: a company, nothing withheld)."""
        shop = str(shop_id or self.shop_id)
        with self.store.lock:
            if kind is None:
                self.store["withholding"].pop(shop, None)
            else:
                self.store["withholding"][shop] = kind

    @classmethod
    def withholding(cls, revenue: int, kind: str = "goods") -> tuple[int, int]:
        """(VAT, PIT) withheld on ``revenue`` đồng, each rounded half up to the
        đồng on its own (per order; our assumption, TikTok does not say)."""
        vat, pit = cls.WITHHOLDING_RATES.get(kind, max(cls.WITHHOLDING_RATES.values()))
        return tuple(
            int((revenue * rate / 100).quantize(Decimal(1), ROUND_HALF_UP))
            for rate in (vat, pit)
        )

    def withheld_totals(self, shop_id: str | None = None) -> tuple[int, int]:
        """(VAT, PIT) withheld from a shop so far, net of offsets (positive)."""
        shop = str(shop_id or self.shop_id)
        vat = pit = 0
        with self.store.lock:
            for row in self.store["finance"]:
                tax = (row.get("fee_tax_breakdown") or {}).get("tax") or {}
                if row["_shop_id"] == shop:
                    vat -= int(tax.get("local_vat_amount") or 0)
                    pit -= int(tax.get("pit_amount") or 0)
        return vat, pit

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

        From a household seller (:meth:`set_household`) TikTok withholds VAT
        and PIT on the credited product price (the goods revenue; not the
        shipping), in ``fee_tax_breakdown.tax`` (``local_vat_amount``,
        ``pit_amount``, negative); nothing on an order refunded before it is
        settled (not a successful order).
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
            kind = self.store["withholding"].get(order["_shop_id"])
            vat = pit = 0
            if kind and not refund:
                vat, pit = self.withholding(credited, kind)
            if not refund:
                self.store["settled"][str(order["id"])] = (vat, pit, fee)
            tax = {"vat_amount": 0}
            if kind:
                tax.update(local_vat_amount=-vat, pit_amount=-pit)
            parts = [
                sum(revenue.values()),
                sum(shipping.values()),
                sum(fee.values()) + sum(tax.values()),
            ]
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
                    "fee_tax_breakdown": {"fee": text(fee), "tax": text(tax)},
                    "adjustment_amount": "0",
                    "settlement_amount": str(net),
                },
                order["_shop_id"],
                when,
            )
            return net

    def refund_order(self, order_id: Any, when: float) -> int:
        """Book the refund of an order already settled (returned, or cancelled
        after delivery); return its settlement amount (negative).

        TikTok takes back the price it credited and charges the return
        shipping; it gives back its commission and the tax it withheld on the
        order (``local_vat_amount``/``pit_amount`` positive: the offset).
        """
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            pay = {k: int(v) for k, v in order["payment"].items() if k != "currency"}
            price = pay["original_total_product_price"]
            vat, pit, charged = self.store["settled"].pop(str(order["id"]), (0, 0, {}))
            revenue = {
                "refund_subtotal_before_discount_amount": -price,
                "seller_discount_refund_amount": pay["seller_discount"],
            }
            shipping = {"return_shipping_fee_amount": -pay["original_shipping_fee"]}
            fee = {
                "platform_commission_amount": -charged.get(
                    "platform_commission_amount", 0
                ),
                "affiliate_commission_amount": -charged.get(
                    "affiliate_commission_amount", 0
                ),
            }
            tax = {"vat_amount": 0}
            if self.store["withholding"].get(order["_shop_id"]) or vat or pit:
                tax.update(local_vat_amount=vat, pit_amount=pit)
            parts = [
                sum(revenue.values()),
                sum(shipping.values()),
                sum(fee.values()) + sum(tax.values()),
            ]
            net = sum(parts)

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
                    "shipping_cost_breakdown": text(shipping),
                    "fee_tax_amount": str(parts[2]),
                    "fee_tax_breakdown": {"fee": text(fee), "tax": text(tax)},
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

    def _order_transactions_get(self, req: Request) -> Response:
        """Get Transactions by Order 202501: the order's transactions in the
        statements closed so far, each as one SKU transaction (the emulator
        does not split an order's amounts by SKU)."""
        shop, error = self._check(req)
        if error:
            return error
        order_id = req.path_id
        with self.store.lock:
            order = self.store["orders"].get(order_id)
            rows = [
                {**self._public(r), "statement_id": r["_statement"]}
                for r in self.store["finance"]
                if r.get("order_id") == order_id
                and r["_shop_id"] == shop
                and r["_statement"]
            ]
        if order is None or order["_shop_id"] != shop:
            return self._error(CODE_PARAM, f"order {order_id} not found")

        def total(key: str) -> str:
            return str(sum(int(r.get(key) or 0) for r in rows))

        skus = [
            {
                "sku_id": str(order["line_items"][0]["sku_id"]),
                "statement_id": row["statement_id"],
                "quantity": str(len(order["line_items"])),
                **{
                    k: row[k]
                    for k in (
                        "settlement_amount",
                        "revenue_amount",
                        "revenue_breakdown",
                        "shipping_cost_amount",
                        "shipping_cost_breakdown",
                        "fee_tax_amount",
                        "fee_tax_breakdown",
                    )
                    if k in row
                },
            }
            for row in rows
        ]
        return self._ok(
            {
                "order_id": order_id,
                "order_create_time": order["create_time"],
                "currency": "VND",
                "revenue_amount": total("revenue_amount"),
                "fee_and_tax_amount": total("fee_tax_amount"),
                "shipping_cost_amount": total("shipping_cost_amount"),
                "settlement_amount": total("settlement_amount"),
                "sku_transactions": skus,
            }
        )
