"""Two seller companies side by side: A on the Scale plan (priority support), B
on Starter; each with a Marketplace Manager, a Shopee shop holding known
credentials, and an order of a buyer whose data must never reach a ticket."""

from datetime import datetime, timedelta, timezone

from odoo import Command
from odoo.tests import TransactionCase, new_test_user

from odoo.addons.entro_marketplace.platforms.records import TokenSet

SECRETS = {
    "app_secret": "APPSECRET-9f8e7d6c5b4a",
    "access_token": "ACCESSTOKEN-1a2b3c4d5e6f",
    "refresh_token": "REFRESHTOKEN-6f5e4d3c2b1a",
}
BUYER = {"name": "Nguyễn Thị Bưởi", "phone": "0912 345 678", "email": "buoi@example.vn"}


class SupportCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Ticket = cls.env["helpdesk.ticket"]
        cls.team = cls.env.ref("entro_support.team_entro_support")
        cls.company_a = cls.env["res.company"].create({"name": "Shop Hoa Mai (A)"})
        cls.company_b = cls.env["res.company"].create({"name": "Shop Cà Phê (B)"})
        cls.sub_a = cls._subscribe(cls.company_a, "entro_billing.plan_scale")
        cls.sub_b = cls._subscribe(cls.company_b, "entro_billing.plan_starter")
        cls.user_a = cls._seller(cls.company_a, "seller_a")
        cls.user_b = cls._seller(cls.company_b, "seller_b")
        cls.shop_a = cls._shop(cls.company_a)
        cls.shop_b = cls._shop(cls.company_b)
        cls.product = cls.env["product.product"].create(
            {"name": "Cà phê rang xay 500g", "list_price": 120000, "type": "consu"}
        )

    @classmethod
    def _subscribe(cls, company, plan_xmlid):
        return cls.env["entro.billing.subscription"].create(
            {
                "partner_id": company.partner_id.id,
                "plan_id": cls.env.ref(plan_xmlid).id,
            }
        )

    @classmethod
    def _seller(cls, company, login):
        return new_test_user(
            cls.env,
            login=login,
            email=f"{login}@seller.example.com",
            groups="base.group_user,entro_marketplace.group_marketplace_manager",
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    @classmethod
    def _shop(cls, company):
        warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", company.id)], limit=1
        )
        shop = cls.env["entro.marketplace.shop"].create(
            {
                "name": f"Shopee {company.name}",
                "platform": "shopee",
                "company_id": company.id,
                "external_id": f"support-{company.id}",
                "app_key": f"support-app-{company.id}",
                "warehouse_id": warehouse.id,
            }
        )
        shop.app_secret = SECRETS["app_secret"]
        shop._write_tokens(
            TokenSet(
                access_token=SECRETS["access_token"],
                refresh_token=SECRETS["refresh_token"],
                access_expires_at=datetime.now(timezone.utc) + timedelta(days=7),
            )
        )
        return shop

    @classmethod
    def _buyer_order(cls, shop, number, buyer=None):
        buyer = buyer or BUYER
        partner = cls.env["res.partner"].create(
            {**buyer, "street": "12 Lê Lợi, Phường Bến Nghé", "company_id": False}
        )
        sale = (
            cls.env["sale.order"]
            .with_company(shop.company_id)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": shop.company_id.id,
                    "order_line": [
                        Command.create(
                            {"product_id": cls.product.id, "product_uom_qty": 1}
                        )
                    ],
                }
            )
        )
        return cls.env["entro.marketplace.order"].create(
            {
                "shop_id": shop.id,
                "external_id": number,
                "sale_order_id": sale.id,
                "state": "completed",
                "status": "COMPLETED",
                "amount_total": 120000,
                "payload": {"order_sn": number, "recipient_address": buyer},
            }
        )
