"""Take the README's screenshots from a running sandbox (setup/screenshots.sh runs it).

    python setup/screenshots.py ODOO_URL DB OUT_DIR

Logs in as the demo's admin (admin/admin), opens the Marketplaces app's landing page,
an imported order, its shop and, as the demo's portal user (portal/portal), the Entro
account page, in headless Chromium (Debian's chromium and chromium-driver) through
selenium, and saves one PNG per page in OUT_DIR. Fails (exit 1) when a page shows an
error dialog or never finishes loading: a screenshot of a broken page is worse
than none.
"""

import sys
import time
import xmlrpc.client
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

SIZE = (1440, 900)


def browser():
    options = webdriver.ChromeOptions()
    binaries = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
    options.binary_location = next(p for p in binaries if Path(p).exists())
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={SIZE[0]},{SIZE[1]}",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class Shooter:
    def __init__(self, url, db, out):
        self.url, self.db, self.out = url.rstrip("/"), db, Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        common = xmlrpc.client.ServerProxy(f"{self.url}/xmlrpc/2/common")
        self.uid = common.authenticate(db, "admin", "admin", {})
        if not self.uid:
            raise SystemExit("screenshots: admin/admin cannot log in")
        self.models = xmlrpc.client.ServerProxy(
            f"{self.url}/xmlrpc/2/object", allow_none=True
        )
        self.driver = browser()

    def rpc(self, model, method, *args, **kwargs):
        return self.models.execute_kw(
            self.db, self.uid, "admin", model, method, list(args), kwargs
        )

    def login(self, login, password):
        self.driver.delete_all_cookies()
        self.driver.get(f"{self.url}/web/login?db={self.db}")
        WebDriverWait(self.driver, 30).until(
            ec.presence_of_element_located((By.NAME, "password"))
        )
        # set through the page's script: the fields may be covered while it loads
        self.driver.execute_script(
            "const f = document.querySelector('form.oe_login_form');"
            "f.querySelector('[name=login]').value = arguments[0];"
            "f.querySelector('[name=password]').value = arguments[1];"
            "f.submit();",
            login,
            password,
        )
        WebDriverWait(self.driver, 30).until(ec.url_changes(f"{self.url}/web/login"))

    def shoot(self, name, path, ready):
        """Open PATH, wait for the CSS selector READY and a quiet client, save NAME."""
        self.driver.get(f"{self.url}{path}")
        try:
            WebDriverWait(self.driver, 60).until(
                ec.presence_of_element_located((By.CSS_SELECTOR, ready))
            )
        except TimeoutException as exc:
            raise SystemExit(f"screenshots: {path} never showed {ready}") from exc
        time.sleep(1.5)  # charts and images settle
        # the jobs' notifications of the sandbox's set-up (queued by admin) would
        # cover the page: closed, as a person would
        self.driver.execute_script(
            "document.querySelectorAll('.o_notification_close')"
            ".forEach((b) => b.click());"
        )
        time.sleep(0.5)
        errors = self.driver.find_elements(By.CSS_SELECTOR, ".o_error_dialog")
        if errors:
            raise SystemExit(f"screenshots: {path} shows an error: {errors[0].text}")
        target = self.out / f"{name}.png"
        self.driver.save_screenshot(str(target))
        print(f"screenshots: {target}")

    def landing_action(self):
        """The Marketplaces app's landing action (its root menu's, or first child's)."""
        menus = self.rpc(
            "ir.model.data",
            "search_read",
            [
                ("module", "=", "entro_marketplace"),
                ("name", "=", "menu_marketplace_root"),
            ],
            ["res_id"],
        )
        root = self.rpc("ir.ui.menu", "read", [menus[0]["res_id"]], ["action"])[0]
        if root["action"]:
            return root["action"].split(",")[1]
        children = self.rpc(
            "ir.ui.menu",
            "search_read",
            [("parent_id", "=", menus[0]["res_id"]), ("action", "!=", False)],
            ["action"],
            order="sequence",
            limit=1,
        )
        return children[0]["action"].split(",")[1]

    def run(self):
        self.login("admin", "admin")
        self.shoot(
            "overview",
            f"/odoo/action-{self.landing_action()}",
            ".o_action_manager .o_view_controller",
        )
        orders = self.rpc(
            "entro.marketplace.order",
            "search_read",
            [("sale_order_id", "!=", False)],
            ["id", "shop_id"],
            order="id desc",
            limit=1,
        )
        if not orders:
            raise SystemExit("screenshots: the sandbox has no imported order yet")
        self.shoot(
            "order",
            f"/odoo/entro.marketplace.order/{orders[0]['id']}",
            ".o_form_view .o_form_sheet",
        )
        self.shoot(
            "shop",
            f"/odoo/entro.marketplace.shop/{orders[0]['shop_id'][0]}",
            ".o_form_view .o_form_sheet",
        )
        self.subscribe_portal_user()
        self.login("portal", "portal")
        self.shoot("portal", "/my/entro", "#wrap")

    def subscribe_portal_user(self):
        """The demo's portal user's company is on a Growth trial (once), as a seller
        who signed up: its account page has a plan, a trial end and plans to move to."""
        users = self.rpc(
            "res.users", "search_read", [("login", "=", "portal")], ["partner_id"]
        )
        if not users:
            raise SystemExit("screenshots: the demo has no portal user")
        partner = self.rpc(
            "res.partner",
            "read",
            [users[0]["partner_id"][0]],
            ["commercial_partner_id"],
        )[0]["commercial_partner_id"][0]
        if self.rpc(
            "entro.billing.subscription", "search_count", [("partner_id", "=", partner)]
        ):
            return
        plan = self.rpc(
            "ir.model.data",
            "search_read",
            [("module", "=", "entro_billing"), ("name", "=", "plan_growth")],
            ["res_id"],
        )[0]["res_id"]
        self.rpc(
            "entro.billing.subscription",
            "create",
            {"partner_id": partner, "plan_id": plan, "period": "monthly"},
        )

    def close(self):
        self.driver.quit()


def main(url, db, out):
    shooter = Shooter(url, db, out)
    try:
        shooter.run()
    finally:
        shooter.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
