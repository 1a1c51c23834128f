"""A subscriber with a demo payment token, and helpers to run the renewal cron."""

from freezegun import freeze_time

from odoo.tests import TransactionCase, new_test_user


class BillingCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.Sub = cls.env["entro.billing.subscription"]
        cls.Period = cls.env["entro.billing.period"]
        cls.vnd = cls.env.ref("base.VND")
        cls.starter = cls.env.ref("entro_billing.plan_starter")
        cls.growth = cls.env.ref("entro_billing.plan_growth")
        cls.scale = cls.env.ref("entro_billing.plan_scale")
        cls.provider = cls.env.ref("payment.payment_provider_demo")
        cls.provider.state = "test"
        cls.customer = cls.env["res.partner"].create(
            {"name": "Cửa hàng Hoa Mai", "email": "hoamai@example.com"}
        )
        cls.manager = new_test_user(
            cls.env,
            login="billing_manager",
            groups="base.group_user,entro_billing.group_billing_manager",
        )

    def make_token(self, partner=None, outcome="done"):
        return self.env["payment.token"].create(
            {
                "provider_id": self.provider.id,
                "payment_method_id": self.env.ref(
                    "payment_demo.payment_method_demo"
                ).id,
                "partner_id": (partner or self.customer).id,
                "payment_details": "4242",
                "provider_ref": "demo-token",
                "demo_simulated_state": outcome,
            }
        )

    def subscribe(self, plan=None, token=True, period="monthly", **values):
        return self.Sub.create(
            {
                "partner_id": self.customer.id,
                "plan_id": (plan or self.starter).id,
                "period": period,
                "payment_token_id": self.make_token().id if token else False,
                **values,
            }
        )

    def cron(self, when):
        with freeze_time(when):
            self.Sub._cron_renew()
        self.env.invalidate_all()

    def messages(self, sub, subject_part):
        return sub.message_ids.filtered(
            lambda m: subject_part.lower() in (m.subject or "").lower()
        )
