"""Loopback emulators of the marketplace APIs, for tests, benchmarks and demos.

They never import ``entro_marketplace``: signing and checks are implemented
independently, so the emulator and the client cannot share a bug.

Shared: ``harness`` (the HTTP server base, journal, faults, store, push
receiver), ``push`` (building, signing and delivering webhook pushes),
``fakedata`` (names, places, products, amounts, order times) and ``cli``
(``python -m tests.emulators <platform>``). Each platform is a package
``<code>/``: ``data`` generates its JSON shapes, ``server`` holds the emulator
class (routes, signature and token checks) built from handler mixins
(``orders``, ``fulfilment``, ``listings``, ``finance`` ...), ``signing`` its
signatures, ``cli`` its command-line part; its ``__init__`` re-exports the
names tests and benchmarks import.
"""
