"""Webhook pushes: serialise, sign and deliver them over HTTP.

What the emulators that push (Shopee, Lazada, TikTok Shop) share; each supplies
its signature (``push_authorization``) and, where its timestamp differs, how a
stale message is back-dated (``backdate``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import requests


def send_webhooks(
    url: str,
    pushes: list[tuple[dict[str, str], bytes]],
    duplicate: int = 1,
    shuffle: bool = False,
    seed: int | None = None,
    timeout: float = 5.0,
) -> list[int]:
    """POST prepared ``(headers, body)`` pushes to ``url``; return the statuses.

    ``duplicate`` sends each push k times; ``shuffle`` randomises the order
    (reproducibly with ``seed``), to test idempotent, order-independent handling.
    """
    batch = [push for push in pushes for _ in range(max(1, duplicate))]
    if shuffle:
        random.Random(seed).shuffle(batch)
    statuses = []
    with requests.Session() as session:
        for headers, body in batch:
            response = session.post(url, data=body, headers=headers, timeout=timeout)
            statuses.append(response.status_code)
    return statuses


class WebhookPusher:
    """Builds signed pushes and delivers them (a mixin of an emulator server)."""

    def push_authorization(self, url: str | None, body: bytes, forge: bool) -> str:
        """The ``Authorization`` header of ``body`` (``forge``: a wrong key)."""
        raise NotImplementedError

    def backdate(self, message: dict[str, Any], seconds: int) -> None:
        """Move the message's ``timestamp`` ``seconds`` into the past."""
        message["timestamp"] = int(message["timestamp"]) - seconds

    def signed_push(
        self,
        url: str | None,
        message: dict[str, Any],
        forge: bool = False,
        stale_seconds: int = 0,
        sign: bool = True,
    ) -> tuple[dict[str, str], bytes]:
        """Serialise and sign ``message``: the ``(headers, body)`` of a push.

        ``forge`` signs with a wrong key; ``stale_seconds`` back-dates the
        message timestamp; ``sign=False`` omits the Authorization header.
        """
        message = dict(message)
        if stale_seconds:
            self.backdate(message, stale_seconds)
        body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if sign:
            headers["Authorization"] = self.push_authorization(url, body, forge)
        return headers, body

    @staticmethod
    def deliver(
        url: str,
        pushes: list[tuple[dict[str, str], bytes]],
        duplicate: int = 1,
        shuffle: bool = False,
        seed: int | None = None,
    ) -> list[int]:
        """POST ``pushes`` to ``url``; status 0 for each when it cannot be reached."""
        try:
            return send_webhooks(url, pushes, duplicate, shuffle, seed)
        except requests.RequestException:
            return [0] * len(pushes) * max(1, duplicate)

    def push(
        self,
        url: str,
        messages: list[dict[str, Any]],
        duplicate: int = 1,
        shuffle: bool = False,
        seed: int | None = None,
    ) -> list[int]:
        """Sign and POST ``messages`` to ``url``; return the HTTP statuses."""
        pushes = [self.signed_push(url, message) for message in messages]
        return self.deliver(url, pushes, duplicate, shuffle, seed)


class AppKeyPusher(WebhookPusher):
    """Pushes signed over the body with the app key and secret (Lazada, TikTok).

    The emulator has ``app_key`` and ``app_secret``; ``sign_push(app_key,
    secret, body)`` is the platform's signature. The URL is not signed.
    """

    app_key: str
    app_secret: str
    sign_push: Callable[[str, str, bytes], str]  # a staticmethod

    def push_authorization(self, url: str | None, body: bytes, forge: bool) -> str:
        secret = self.app_secret + "-forged" if forge else self.app_secret
        return self.sign_push(self.app_key, secret, body)

    def build_push(
        self,
        message: dict[str, Any],
        forge: bool = False,
        stale_seconds: int = 0,
        sign: bool = True,
    ) -> tuple[dict[str, str], bytes]:
        """Serialise and sign a push (the URL is not part of the signature)."""
        return self.signed_push(None, message, forge, stale_seconds, sign)
