"""Odoo test-case bases for the cross-addon tests of this folder.

Odoo tags a test class only when it lives in an addon's ``tests`` package; these
classes live outside one, so they declare the tags Odoo's runner expects.
"""

from odoo.tests import TransactionCase


class CrossAddonCase(TransactionCase):
    """A TransactionCase for tests that span the Entro addons."""

    test_tags = frozenset({"standard", "post_install"})
    test_module = "entro_tests"
    test_sequence = 0

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.test_class = cls.__name__
