"""Odoo test-case bases for the cross-addon tests of this folder.

Odoo tags a test class only when it lives in an addon's ``tests`` package; these
classes live outside one, so they declare the tags Odoo's runner expects. Requests
stay on loopback, as in the marketplace's own end-to-end cases.
"""

from odoo.tests import HttpCase, TransactionCase

from odoo.addons.entro_marketplace.tests.flow_case import LoopbackRequests


class _EntroTags(LoopbackRequests):
    test_tags = frozenset({"standard", "post_install"})
    test_module = "entro_tests"
    test_sequence = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.test_class = cls.__name__


class CrossAddonCase(_EntroTags, TransactionCase):
    """A TransactionCase for tests that span the Entro addons."""


class CrossAddonHttpCase(_EntroTags, HttpCase):
    """An HttpCase (Odoo's HTTP server on loopback) for end-to-end tests."""
