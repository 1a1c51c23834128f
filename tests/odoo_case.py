"""Odoo test-case bases for the cross-addon tests of this folder.

Odoo tags a test class only when it lives in an addon's ``tests`` package; these
classes live outside one, so they declare the tags Odoo's runner expects.
"""

from urllib.parse import urlsplit

from odoo.tests import HttpCase, TransactionCase
from odoo.tests.common import BlockedRequest, _super_send

LOOPBACK = ("127.0.0.1", "localhost", "::1")


class _EntroTags:
    test_tags = frozenset({"standard", "post_install"})
    test_module = "entro_tests"
    test_sequence = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.test_class = cls.__name__

    @classmethod
    def _request_handler(cls, s, r, /, **kw):
        """Odoo's guard against real HTTP, keeping (connect, read) timeouts.

        Odoo's own handler compares the timeout with a number and fails on the
        tuples our transport uses; the rule is the same: loopback only.
        """
        if urlsplit(r.url).hostname in LOOPBACK:
            return _super_send(s, r, **kw)
        raise BlockedRequest(f"External requests verboten (was {r.method} {r.url})")


class CrossAddonCase(_EntroTags, TransactionCase):
    """A TransactionCase for tests that span the Entro addons."""


class CrossAddonHttpCase(_EntroTags, HttpCase):
    """An HttpCase (Odoo's HTTP server on loopback) for end-to-end tests."""
