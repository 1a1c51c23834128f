"""A Privacy Officer's export in a real browser (web_tour in headless Chromium)."""

import base64
import io
import zipfile

from odoo.tests import HttpCase, tagged

from .common import PrivacyCase


@tagged("post_install", "-at_install", "is_tour")
class TestPrivacyTours(PrivacyCase, HttpCase):
    browser_size = "1440x900"

    def test_export_request(self):
        """Start, preview, generate: the archive holds the person's order."""
        partner, delivery = self._person("Trần Thị Tour", "+84 90 111 2233")
        order = self._order(partner, delivery)
        request = self._request("export", partner_id=partner.id)
        self.start_tour(
            "/odoo", "entro_privacy_export_request", login=self.officer.login
        )
        self.assertEqual(request.state, "done")
        archive = zipfile.ZipFile(
            io.BytesIO(base64.b64decode(request.export_attachment_id.datas))
        )
        content = b"".join(archive.read(name) for name in archive.namelist())
        self.assertIn(order.name.encode(), content)
        self.assertIn("Trần Thị Tour".encode(), content)
