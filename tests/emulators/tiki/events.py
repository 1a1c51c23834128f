"""Tiki's event queue: queues, subscriptions per seller, pulls with ack ids."""

from __future__ import annotations

import random
import uuid
from typing import Any

from ..harness import Request, Response
from .data import EVENT_TYPES, vn_time


class TikiEvents:
    """Event queues, subscriptions, emission and pulls with ack ids."""

    def _queues(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        owner = grant["seller_id"] or "app"
        with self.store.lock:
            rows = [
                {k: q[k] for k in ("code", "name", "status")}
                for q in self.store["queues"].values()
                if q["owner"] == owner
            ]
        return Response(200, rows)

    def _create_queue(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        if self.app_type == "public" and grant["seller_id"] is not None:
            return self._err(403, "a public app creates queues with its own token")
        body = self._json(req)
        if not isinstance(body, dict) or not body.get("name"):
            return self._err(400, "name is required")
        code = str(uuid.uuid4())
        queue = {
            "code": code,
            "name": str(body["name"]),
            "status": "ACTIVE",
            "owner": grant["seller_id"] or "app",
            "subscriptions": [],
            "events": [],
            "batches": {},
        }
        with self.store.lock:
            self.store["queues"][code] = queue
        return Response(200, {k: queue[k] for k in ("code", "name", "status")})

    def _queue(self, req: Request, grant: dict) -> dict | None:
        (code,) = req.path_args
        queue = self.store["queues"].get(code)
        return queue

    def _subscriptions(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        with self.store.lock:
            queue = self._queue(req, grant)
            if queue is None:
                return self._err(404, "queue not found")
            rows = [
                s
                for s in queue["subscriptions"]
                if grant["seller_id"] is None or s["sid"] == grant["seller_id"]
            ]
        return Response(200, {"data": rows})

    def _subscribe(self, req: Request) -> Response:
        grant, error = self._auth(req)
        if error:
            return error
        body = self._json(req)
        event_type = body.get("event_type") if isinstance(body, dict) else None
        if event_type not in EVENT_TYPES:
            return self._err(400, "unknown event_type")
        with self.store.lock:
            queue = self._queue(req, grant)
            if queue is None:
                return self._err(404, "queue not found")
            if any(
                s["sid"] == grant["seller_id"] and s["event_type"] == event_type
                for s in queue["subscriptions"]
            ):
                return self._err(409, "subscription already exists")
            row = {
                "code": str(uuid.uuid4()),
                "active": True,
                "event_type": event_type,
                "sid": grant["seller_id"],
            }
            queue["subscriptions"].append(row)
        return Response(200, row)

    def emit(
        self,
        seller_id: str,
        event_type: str,
        order: dict[str, Any] | None = None,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Route one event to every queue subscribed to it for this seller."""
        event = {
            "id": str(uuid.uuid4()),
            "type": event_type,
            "sid": str(seller_id),
            "created_at": vn_time(self.clock()),
            "payload": payload
            or {"order_code": order["code"], "status": order["status"]},
        }
        with self.store.lock:
            for queue in self.store["queues"].values():
                if any(
                    s["active"]
                    and s["sid"] == str(seller_id)
                    and s["event_type"] == event_type
                    for s in queue["subscriptions"]
                ):
                    queue["events"].append(
                        {"event": event, "visible_at": 0.0, "acked": False}
                    )
        return event

    def redeliver(
        self, duplicate: int = 1, shuffle: bool = False, seed: int | None = None
    ) -> list[str]:
        """At-least-once delivery at its worst: every unacknowledged event queued
        ``duplicate`` times and (with ``shuffle``) out of order, visible at once.
        Returns the ids of the events now queued, in their order."""
        rng = random.Random(seed)
        queued = []
        with self.store.lock:
            for queue in self.store["queues"].values():
                entries = [
                    {"event": e["event"], "visible_at": 0.0, "acked": False}
                    for e in queue["events"]
                    if not e["acked"]
                    for _ in range(max(1, duplicate))
                ]
                if shuffle:
                    rng.shuffle(entries)
                queue["events"] = entries
                queue["batches"] = {}
                queued.extend(e["event"]["id"] for e in entries)
        return queued

    def pending_events(self, queue_code: str | None = None) -> int:
        """Events not yet acknowledged (in every queue, or in one)."""
        with self.store.lock:
            return sum(
                1
                for q in self.store["queues"].values()
                if queue_code in (None, q["code"])
                for e in q["events"]
                if not e["acked"]
            )

    def _pull(self, req: Request) -> Response:
        grant, error = self._auth(req, app_ok=True)
        if error:
            return error
        body = self._json(req)
        if not isinstance(body, dict):
            return self._err(400, "body must be a JSON object")
        now = self.clock()
        with self.store.lock:
            queue = self._queue(req, grant)
            if queue is None:
                return self._err(404, "queue not found")
            if queue["owner"] != (grant["seller_id"] or "app"):
                return self._err(403, "not your queue")
            # acknowledging a batch twice, or one already gone, is harmless
            for entry in queue["batches"].pop(body.get("ack_id") or "", []):
                entry["acked"] = True
            queue["events"] = [e for e in queue["events"] if not e["acked"]]
            batch = [e for e in queue["events"] if e["visible_at"] <= now][
                : self.batch_size
            ]
            ack_id = str(uuid.uuid4())
            for entry in batch:
                entry["visible_at"] = now + self.visibility_timeout
            queue["batches"][ack_id] = batch
            events = [dict(e["event"]) for e in batch]
        return Response(200, {"ack_id": ack_id, "events": events})
