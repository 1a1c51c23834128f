from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class PrivacyCase(TransactionCase):
    """A Privacy Officer, and builders for people with orders and invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.officer = new_test_user(
            cls.env,
            login="privacy_officer",
            groups="base.group_user,entro_privacy.group_privacy_officer",
        )
        cls.product = cls.env["product.product"].create(
            {"name": "Privacy test product", "list_price": 100000, "type": "consu"}
        )

    @classmethod
    def _person(cls, name, phone, email=None, street="12 Lê Lợi"):
        partner = cls.env["res.partner"].create(
            {"name": name, "phone": phone, "email": email, "street": street}
        )
        delivery = cls.env["res.partner"].create(
            {
                "name": name,
                "parent_id": partner.id,
                "type": "delivery",
                "phone": phone,
                "street": f"{street}, Phường Bến Nghé",
                "city": "Quận 1",
            }
        )
        return partner, delivery

    @classmethod
    def _order(cls, partner, delivery, note="Giao giờ hành chính"):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "partner_shipping_id": delivery.id,
                "note": f"{note} — gọi {partner.phone}",
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        return order

    @classmethod
    def _invoice(cls, order, post=True):
        invoice = order._create_invoices()
        if post:
            invoice.action_post()
        return invoice

    def _request(self, request_type="erase", **values):
        return (
            self.env["entro.privacy.request"]
            .with_user(self.officer)
            .create(
                {
                    "request_type": request_type,
                    "identity_check": "Called back on the number of the order.",
                    **values,
                }
            )
        )
