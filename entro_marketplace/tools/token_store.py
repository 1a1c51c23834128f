"""A shop's tokens as the platform client's token store (platforms.base.TokenStore).

Refresh tokens are single-use: a refresh locks the shop's credential row in a
transaction of its own, reads the tokens another worker may have stored
meanwhile, and commits the new ones at once, whatever becomes of the job's own
transaction.
"""

from contextlib import contextmanager

from ..platforms.records import TokenSet
from . import crypto
from .dates import to_aware


class ShopTokenStore:
    """The credentials of ``shop`` (those it shares, for a cross-border shop)."""

    def __init__(self, shop):
        shop.ensure_one()
        self.shop = shop
        self._locked = None

    @contextmanager
    def lock(self):
        """The credential row locked in a transaction of its own, committed
        (with what :meth:`save` wrote) when the block ends."""
        with self.shop._own_transaction() as shop:
            cr = shop.env.cr
            # never wait forever (for a lock our own transaction may hold)
            cr.execute("SET LOCAL lock_timeout = '15s'")
            cred = shop._credential()
            cr.execute(
                "SELECT id FROM entro_marketplace_credential WHERE id = %s FOR UPDATE",
                [cred.id],
            )
            cred.invalidate_recordset()
            self._locked = shop
            try:
                yield shop
            finally:
                self._locked = None
        # what the block committed is read afresh by the caller's transaction
        self.shop.env["entro.marketplace.credential"].invalidate_model()
        self.shop.invalidate_recordset()

    def _held(self):
        if self._locked is None:
            raise RuntimeError("the token store is used outside its lock")
        return self._locked

    def reload(self):
        """The tokens stored now (their values empty when the shop has none)."""
        shop = self._held()
        cred = shop._credential()
        return TokenSet(
            access_token=crypto.decrypt(cred.access_token_enc),
            refresh_token=crypto.decrypt(cred.refresh_token_enc),
            access_expires_at=to_aware(cred.access_expires_at),
            refresh_expires_at=to_aware(cred.refresh_expires_at),
        )

    def save(self, tokens):
        """Store new tokens, encrypted (committed when the lock is released)."""
        self._held()._write_tokens(tokens)
