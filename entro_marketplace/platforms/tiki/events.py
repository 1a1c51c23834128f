"""Tiki's event queue (a mixin of :class:`~.client.TikiPlatform`).

Tiki has no webhooks: the app owns queues (its own client-credentials token
when it is a public app), subscribes each seller to event types with that
seller's token, and pulls; the ``ack_id`` of a pull acknowledges the batch the
previous one returned (see the package docstring).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ..errors import AuthorizationError, PermanentError
from ..payload import text as _text
from ..records import Event
from . import mappers
from .const import EVENT_TYPES, PULL_PATH, QUEUES_PATH, SUBSCRIPTIONS_PATH
from .mappers import QueueBatch

_logger = logging.getLogger(__name__)


class TikiEventsMixin:
    """The pull queue of :class:`TikiPlatform`."""

    def list_queues(self) -> list[dict[str, Any]]:
        """The app's queues."""
        data = self._as_app(
            lambda token: self._request("GET", QUEUES_PATH, token=token)
        )
        return mappers.rows_of(data)

    def create_queue(self, name: str) -> str:
        """Create one of the app's queues; return its code."""
        data = self._as_app(
            lambda token: self._request(
                "POST",
                QUEUES_PATH,
                json_body={"name": name},
                token=token,
                idempotent=False,
            )
        )
        code = _text(data.get("code")) if isinstance(data, Mapping) else None
        if not code:
            raise PermanentError(
                "Tiki created a queue without code", code="bad_response"
            )
        return code

    def ensure_queue(self, name: str) -> str:
        """The code of the app's queue called ``name``, created when missing."""
        for queue in self.list_queues():
            if queue.get("name") == name and _text(queue.get("code")):
                return str(queue["code"])
        return self.create_queue(name)

    def subscribe(
        self, queue_code: str, event_types: tuple[str, ...] = EVENT_TYPES
    ) -> list[str]:
        """Subscribe this seller (its own token) to ``event_types`` in the queue.

        Subscriptions that already exist are left alone; returns the event
        types subscribed to now.
        """
        path = SUBSCRIPTIONS_PATH.format(queue=queue_code)
        try:
            data = self._call(self._request, "GET", path)
        except AuthorizationError:
            raise
        except PermanentError as exc:
            # listing them may be the app's right only: subscribe to every type
            _logger.info("Tiki subscriptions of %s not listed: %s", queue_code, exc)
            data = []
        have = {
            str(r.get("event_type"))
            for r in mappers.rows_of(data)
            if r.get("active", True)
        }
        added = []
        for event_type in event_types:
            if event_type in have:
                continue
            try:
                self._call(
                    self._request,
                    "POST",
                    path,
                    json_body={"event_type": event_type},
                    idempotent=False,
                )
            except AuthorizationError:
                raise
            except PermanentError as exc:
                if exc.http_status != 409:
                    raise
                continue  # subscribed already
            added.append(event_type)
        return added

    def pull_events(self, queue_code: str, ack_id: str | None) -> QueueBatch:
        """Pull the next batch; ``ack_id`` acknowledges the previous one.

        Send an ``ack_id`` only once the events it names are durably stored.
        """
        data = self._as_app(
            lambda token: self._request(
                "POST",
                PULL_PATH.format(queue=queue_code),
                json_body={"ack_id": ack_id},
                token=token,
            )
        )
        if not isinstance(data, Mapping):
            raise PermanentError("malformed Tiki pull answer", code="bad_response")
        raw_events = data.get("events") or []
        if not isinstance(raw_events, list):
            raise PermanentError("malformed Tiki pull answer", code="bad_response")
        events = [
            self.event_from_message(m) for m in raw_events if isinstance(m, Mapping)
        ]
        return QueueBatch(ack_id=_text(data.get("ack_id")), events=events)

    def event_from_message(self, message: Mapping[str, Any]) -> Event:
        """Normalise one queued event (:func:`.mappers.event_from_message`)."""
        return mappers.event_from_message(message, self._time, self.name)
