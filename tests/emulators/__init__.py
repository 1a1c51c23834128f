"""Loopback emulators of the marketplace APIs, for tests, benchmarks and demos.

They never import ``entro_marketplace``: signing and checks are implemented
independently, so the emulator and the client cannot share a bug.
"""
