"""The hostile-input corpus every platform's case runs (test_hostile_*.py).

A platform case mixes :class:`HostileCorpus` into its flow case and says how its
orders break (:meth:`HostileCorpus.mutations`); the checks are the same for all:
every order is kept exactly once, a broken one is either imported with totals
that add up or held in an exception state with its reason and payload, the good
orders beside them flow, no script reaches a stored HTML field, and a second
sync changes nothing.
"""

BIG = "Đ" * 20000
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"

#: text that people type, copy or forge into names and notes
HOSTILE_TEXTS = {
    "script": SCRIPT,
    "html": IMG,
    "huge": BIG,
    "control chars": "Nguyễn\x00\x07\x1b[31m",
    "rtl override": "Trần\u202eevil",
    "emoji": "Lê 🛒🔥 Thị",
    "combining marks": "Ngu\u0303yen",
    "sql": "x'); DROP TABLE res_partner;--",
}


def _walk(order, path):
    target = order
    for key in path[:-1]:
        target = target[key]
    return target


def set_(path, value):
    """A mutation that sets the value at ``path`` (keys and list indexes)."""

    def mutate(order):
        _walk(order, path)[path[-1]] = value

    return mutate


def drop(path):
    """A mutation that removes the key at ``path``."""

    def mutate(order):
        _walk(order, path).pop(path[-1], None)

    return mutate


def texts(path, label):
    """One mutation per hostile text, at ``path``."""
    return [
        (f"{kind} in {label}", set_(path, text)) for kind, text in HOSTILE_TEXTS.items()
    ]


class HostileCorpus:
    """Mixed into a platform's flow case (``self.emulator``, ``self.shop``...)."""

    #: Odoo's runner runs only the test methods a class defines itself, unless told
    allow_inherited_tests_method = True

    #: a status whose orders import into confirmed sale orders
    good_status = None
    #: mutations whose data may never be imported as it is (the corpus's
    #: "unknown status" must be among them: see check_malformed_orders)
    must_fail = frozenset()
    #: fewest mutations the platform's corpus holds
    min_mutations = 30

    def mutations(self):
        """``[(name, function(stored order) -> None)]``."""
        raise NotImplementedError

    def external_id(self, order):
        raise NotImplementedError

    def buyer_paid(self, order):
        raise NotImplementedError

    def test_every_malformed_order_is_kept_or_imported_and_the_rest_flows(self):
        self.check_malformed_orders()

    def stored_order(self, external_id):
        """The emulator's own order (hold ``store.lock``)."""
        return self.emulator.store["orders"][external_id]

    def check_malformed_orders(self):
        mutations = self.mutations()
        self.assertGreaterEqual(len(mutations), self.min_mutations)
        names = [name for name, _mutate in mutations]
        self.assertEqual(len(set(names)), len(names), "mutation names are unique")
        self.assertLessEqual(self.must_fail, set(names))
        good = self.add_orders(10, seed=61, statuses=[self.good_status])
        templates = self.add_orders(
            len(mutations), seed=62, statuses=[self.good_status]
        )
        broken = {}
        with self.emulator.store.lock:
            for (name, mutate), template in zip(mutations, templates, strict=True):
                key = self.external_id(template)
                mutate(self.stored_order(key))
                broken[key] = name
        run = self.sync()
        self.assertFalse(run.failed, [j.exc_info for j in run.failed])
        bindings = self.bindings()
        by_id = {b.external_id: b for b in bindings}
        # nothing lost: every order has its binding, exactly one
        for order in good + templates:
            key = self.external_id(order)
            self.assertIn(key, by_id, broken.get(key))
        self.assertEqual(len(bindings), len(good) + len(templates))
        for order in good:
            binding = by_id[self.external_id(order)]
            self.assertEqual(binding.sync_state, "ok")
            self.assertEqual(binding.sale_order_id.state, "sale")
            self.assertEqual(binding.sale_order_id.amount_total, self.buyer_paid(order))
        outcomes = {}
        for key, name in broken.items():
            binding = by_id[key]
            outcomes[name] = binding.sync_state
            with self.subTest(mutation=name):
                if binding.sync_state == "exception":
                    # a person sees why, and what the platform sent
                    self.assertTrue(binding.exception_reason)
                    self.assertTrue(binding.payload)
                    self.assertFalse(binding.sale_order_id)
                else:
                    self.assertEqual(binding.sync_state, "ok")
                    # accepted as valid data: its sale order adds up
                    sale = binding.sale_order_id
                    if binding.state != "cancelled":
                        self.assertTrue(sale, name)
                        self.assertEqual(sale.amount_total, binding.amount_total, name)
        self.assertEqual(
            {name: outcomes[name] for name in self.must_fail},
            dict.fromkeys(self.must_fail, "exception"),
            outcomes,
        )
        # a status no mapping knows is held and named, never guessed
        unknown = next(
            by_id[k] for k, name in broken.items() if name == "unknown status"
        )
        self.assertIn("teleported", unknown.exception_reason.lower())
        self.assertIn("Status Mapping Overrides", unknown.exception_reason)
        # names are plain text; buyer notes are escaped text: no element of the
        # buyer's (script, image, link), no event handler, in the stored HTML
        sales = bindings.sale_order_id
        for partner in sales.partner_id | sales.partner_shipping_id:
            self.assertNotIn("\x00", partner.name or "")
        for sale in sales:
            note = str(sale.note or "")
            self.assertNotIn("<script", note)
            self.assertNotIn("<img", note)
            self.assertNotRegex(note, r"<[^>]*\son\w+\s*=")
        # a second sync changes nothing, duplicates nothing
        states = {b.external_id: (b.sync_state, b.sale_order_id.id) for b in bindings}
        self.shop.order_cursor = False
        run = self.sync()
        self.assertFalse(run.failed)
        again = self.bindings()
        self.assertEqual(
            {b.external_id: (b.sync_state, b.sale_order_id.id) for b in again}, states
        )
        return outcomes

    def check_webhook_bodies(self, sign):
        """Unsigned bodies are refused before parsing; signed garbage is refused
        as unreadable; nothing is stored; a body too large is not read."""
        bodies = [
            b"",
            b"not json",
            b"[]",
            b"null",
            b"42",
            b'{"data": "nope"}',
            b'{"shop_id": {"a": 1}, "type": [], "data": null}',
            ("{" + '"a":' * 10000).encode(),
            "Đ".encode() * 100000,
            b'{"x": "\\ud800"}',
        ]
        for body in bodies:
            with self.subTest(body=body[:40]):
                self.assertEqual(self.post_webhook({}, body).status_code, 401)
                status = self.post_webhook(sign(body), body).status_code
                self.assertIn(status, (400, 403))
        self.assertFalse(self.env["entro.marketplace.event"].sudo().search([]))
        huge = b"{" + b" " * (2 * 1024 * 1024) + b"}"
        self.assertEqual(self.post_webhook({}, huge).status_code, 413)
