"""Lazada finance: settlements, transaction details and payouts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from ..harness import Request, Response
from ..vn_withholding import withheld


class LazadaFinance:
    """Settlements, transaction details and payouts."""

    #: emulator's fee_type codes for the fee names it uses (Lazada's own numeric
    #: codes are not documented; the names are those of its statements)
    FEE_CODES = {
        "Item Price Credit": 3,
        "Promotional Charges Vouchers": 16,
        "Shipping Fee (Paid By Customer)": 8,
        "Commission": 13,
        "Payment Fee": 14,
        "Shipping Fee Paid by Seller": 28,
        "Shipping Fee Voucher (by Lazada)": 56,
        "Reversal Item Price": 4,
        "Reversal Promotional Charges Vouchers": 17,
        "Reversal Shipping Fee (Paid By Customer)": 9,
        "Reversal Commission": 15,
        "Adjustments Others": 103,
    }

    def _finance_row(
        self,
        seller: str,
        when: float,
        fee_name: str,
        amount: int,
        order: dict[str, Any] | None = None,
        item: dict[str, Any] | None = None,
    ) -> None:
        self.store["next_transaction"] += 1
        day = datetime.fromtimestamp(when, tz=timezone(timedelta(hours=7)))
        self.store["finance"].append(
            {
                "transaction_date": day.strftime("%d %b %Y"),
                "transaction_type": "Orders-Sales" if order else "Other Services",
                "fee_type": str(self.FEE_CODES.get(fee_name, 0)),
                "fee_name": fee_name,
                "amount": str(amount),
                "VAT_in_amount": "0",
                "WHT_amount": "0",
                "WHT_included_in_amount": "No",
                "statement": "",
                "paid_status": "Not paid",
                "order_no": str(order["order_id"]) if order else "",
                "orderItem_no": str(item["order_item_id"]) if item else "",
                "transaction_number": str(self.store["next_transaction"]),
                "details": fee_name,
                "seller_sku": item["sku"] if item else "",
                "lazada_sku": item["shop_sku"] if item else "",
                "comment": "",
                "reference": "",
                "_seller_id": seller,
                "_ts": when,
            }
        )

    def settle_order(
        self, order_id: Any, when: float, returned_at: float | None = None
    ) -> int:
        """Book the finance rows of an order's delivered and returned items, each
        once: the sale when first settled, the reversals when the item is back.

        Delivered: item price, seller voucher, shipping paid by the customer,
        commission (4 %), payment fee (2 % of what the buyer paid), the carrier's
        charge and Lazada's shipping voucher, and for a household seller
        (``withholding``) the VAT and PIT withheld on the item's revenue (its
        price less the seller's voucher). Returned: the same, then (at
        ``returned_at``, default ``when``) reversals of the item price, voucher,
        shipping and commission, and the offset of the withheld tax. Cancelled
        and not yet delivered items book nothing. Returns the net amount booked.
        """
        net = 0
        with self.store.lock:
            order = self.store["orders"][str(order_id)]
            seller = order["_seller_id"]
            for item in order["_items"]:
                status = item["status"]
                if status not in ("delivered", "returned", "shipped_back_success"):
                    continue
                price = round(float(item["item_price"]))
                voucher = round(float(item["voucher_seller"]))
                shipping = round(float(item["shipping_amount"]))
                original = round(float(item["shipping_fee_original"]))
                lazada_ship = round(float(item["shipping_fee_discount_platform"]))
                paid = round(float(item["paid_price"])) + shipping
                commission = price * 4 // 100
                vat, pit = withheld(price - voucher, self.withholding)
                names = self.withholding_fee_names
                rows = []
                key = str(item["order_item_id"])
                booked = order.setdefault("_booked", {})
                reversed_ = order.setdefault("_reversed", {})
                if key not in booked:
                    booked[key] = [vat, pit]
                    rows += [
                        (when, "Item Price Credit", price),
                        (when, "Promotional Charges Vouchers", -voucher),
                        (when, "Shipping Fee (Paid By Customer)", shipping),
                        (when, "Commission", -commission),
                        (when, "Payment Fee", -(paid * 2 // 100)),
                        (when, "Shipping Fee Paid by Seller", -original),
                        (when, "Shipping Fee Voucher (by Lazada)", lazada_ship),
                        (when, names["vat"], -vat),
                        (when, names["pit"], -pit),
                    ]
                if status != "delivered" and key not in reversed_:
                    reversed_[key] = True
                    back = returned_at if returned_at is not None else when
                    vat, pit = booked[key]
                    rows += [
                        (back, "Reversal Item Price", -price),
                        (back, "Reversal Promotional Charges Vouchers", voucher),
                        (back, "Reversal Shipping Fee (Paid By Customer)", -shipping),
                        (back, "Reversal Commission", commission),
                        (back, "Reversal " + names["vat"], vat),
                        (back, "Reversal " + names["pit"], pit),
                    ]
                for moment, name, amount in rows:
                    if amount:
                        self._finance_row(seller, moment, name, amount, order, item)
                        net += amount
        return net

    def withheld(
        self, until: float | None = None, seller_id: str | None = None
    ) -> dict[str, int]:
        """The VAT and PIT withheld, net of offsets, in the rows booked up to
        ``until``: {"vat": .., "pit": .., "vat_offset": .., "pit_offset": ..}
        (the offsets, positive, are already deducted from "vat" and "pit")."""
        seller = seller_id or self.seller_id
        names = self.withholding_fee_names
        kinds = {
            names["vat"]: "vat",
            names["pit"]: "pit",
            "Reversal " + names["vat"]: "vat",
            "Reversal " + names["pit"]: "pit",
        }
        totals = {"vat": 0, "pit": 0, "vat_offset": 0, "pit_offset": 0}
        with self.store.lock:
            for row in self.store["finance"]:
                kind = kinds.get(row["fee_name"])
                if (
                    kind is None
                    or row["_seller_id"] != seller
                    or (until is not None and row["_ts"] > until)
                ):
                    continue
                amount = int(row["amount"])
                totals[kind] -= amount
                if amount > 0:
                    totals[kind + "_offset"] += amount
        return totals

    def adjust(self, amount: int, when: float, seller_id: str | None = None) -> None:
        """An adjustment not tied to an order (a claim paid, a fine charged)."""
        with self.store.lock:
            self._finance_row(
                seller_id or self.seller_id, when, "Adjustments Others", amount
            )

    def close_statement(
        self, when: float, seller_id: str | None = None, paid: bool = True
    ) -> dict[str, Any]:
        """Put every row not yet in a statement into a new one and pay it out."""
        seller = seller_id or self.seller_id
        local = datetime.fromtimestamp(when, tz=timezone(timedelta(hours=7)))
        with self.store.lock:
            number = f"VN{seller}-{local:%Y%m%d%H%M}"
            rows = [
                r
                for r in self.store["finance"]
                if r["_seller_id"] == seller and not r["statement"] and r["_ts"] <= when
            ]
            for row in rows:
                row["statement"] = number
                row["paid_status"] = "paid" if paid else "Not paid"
            amounts = [int(r["amount"]) for r in rows]
            revenue = sum(a for a in amounts if a > 0)
            fees = sum(a for a in amounts if a < 0)
            previous = [
                s for s in self.store["statements"] if s["_seller_id"] == seller
            ]
            opening = int(previous[-1]["closing_balance"]) if previous else 0
            net = sum(amounts)
            statement = {
                "statement_number": number,
                "created_at": local.strftime("%Y-%m-%d %H:%M:%S"),
                "updated_at": local.strftime("%Y-%m-%d %H:%M:%S"),
                "opening_balance": str(opening),
                "item_revenue": str(revenue),
                "fees_total": str(fees),
                "refunds": "0",
                "subtotal1": str(net),
                "subtotal2": str(net),
                "shipment_fee": "0",
                "guarantee_deposit": "0",
                "closing_balance": str(opening + net),
                "payout": f"{net} VND",
                "paid": "1" if paid else "0",
                "_seller_id": seller,
                "_ts": when,
            }
            self.store["statements"].append(statement)
            return dict(statement)

    def settle_delivered(
        self, when: float, seller_id: str | None = None
    ) -> dict[str, Any] | None:
        """Book every order whose items are all delivered, not yet booked (one
        second before ``when``), then close a statement at ``when``: the sandbox's
        periodic payout. Returns the statement, or None when nothing was booked."""
        seller = seller_id or self.seller_id
        local = datetime.fromtimestamp(when, tz=timezone(timedelta(hours=7)))
        with self.store.lock:
            if any(
                s["statement_number"] == f"VN{seller}-{local:%Y%m%d%H%M}"
                for s in self.store["statements"]
            ):
                return None  # statements are numbered by the minute: next one
            booked = {r["order_no"] for r in self.store["finance"] if r["order_no"]}
            due = [
                order_id
                for order_id, order in self.store["orders"].items()
                if order["_seller_id"] == seller
                and (
                    (
                        str(order["order_id"]) not in booked
                        and {item["status"] for item in order["_items"]}
                        == {"delivered"}
                    )
                    # items returned since their sale was settled: the reversals
                    or any(
                        str(item["order_item_id"]) in order.get("_booked", {})
                        and str(item["order_item_id"]) not in order.get("_reversed", {})
                        and item["status"] in ("returned", "shipped_back_success")
                        for item in order["_items"]
                    )
                )
            ]
        if not due:
            return None
        for order_id in due:
            self.settle_order(order_id, when - 1)
        return self.close_statement(when, seller_id=seller)

    def payouts(self, seller_id: str | None = None) -> list[dict[str, Any]]:
        """The statements closed so far."""
        seller = seller_id or self.seller_id
        with self.store.lock:
            return [
                dict(s) for s in self.store["statements"] if s["_seller_id"] == seller
            ]

    @staticmethod
    def _public(row: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in row.items() if not k.startswith("_")}

    def _payout_status_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        after = params.get("created_after")
        if not after:
            return self._error("MissingParameter", "created_after")
        try:
            low = datetime.strptime(after, "%Y-%m-%d").replace(
                tzinfo=timezone(timedelta(hours=7))
            )
        except ValueError:
            return self._error("InvalidParameter", "created_after: yyyy-MM-dd")
        with self.store.lock:
            rows = [
                self._public(s)
                for s in self.store["statements"]
                if s["_seller_id"] == seller and s["_ts"] >= low.timestamp()
            ]
        return self._ok(rows)

    def _transaction_details_get(self, req: Request) -> Response:
        params, seller, error = self._check(req)
        if error:
            return error
        zone = timezone(timedelta(hours=7))
        try:
            start = datetime.strptime(params.get("start_time", ""), "%Y-%m-%d")
            end = datetime.strptime(params.get("end_time", ""), "%Y-%m-%d")
            limit = int(params.get("limit", "500"))
            offset = int(params.get("offset", "0"))
        except ValueError:
            return self._error("InvalidParameter", "start_time/end_time: yyyy-MM-dd")
        if end < start or (end - start).days >= 180:
            return self._error(
                "1000012", "endTime - startTime must should be less than 180 days"
            )
        if not 1 <= limit <= 500 or offset < 0:
            return self._error("InvalidParameter", "limit 1-500, offset >= 0")
        low = start.replace(tzinfo=zone).timestamp()
        high = (end + timedelta(days=1)).replace(tzinfo=zone).timestamp()
        with self.store.lock:
            rows = [
                self._public(r)
                for r in self.store["finance"]
                if r["_seller_id"] == seller and low <= r["_ts"] < high
            ]
        return self._ok(rows[offset : offset + limit])
