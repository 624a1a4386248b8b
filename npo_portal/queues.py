"""What waits on each queue, and for how long: the one place that answers "is any worker
taking the work?" for /health/, the admin's index and the /metrics endpoint.

Depth is the length of the queue's Redis list. The age of the oldest waiting job comes from
the time `npo_portal.queueing.enqueue` wrote in each message's headers: the oldest message
is at the end of the list that a worker takes from. A queue with work that waits longer
than QUEUE_STALLED_SECONDS has no worker taking it.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from django.conf import settings

logger = logging.getLogger(__name__)

# Written by npo_portal.queueing into each message it sends (seconds since the epoch).
ENQUEUED_AT_HEADER = "npo_enqueued_at"


@dataclass(frozen=True)
class QueueState:
    name: str
    waiting: int
    oldest_waiting_seconds: float | None  # None: empty, or the oldest was not timed

    @property
    def stalled(self) -> bool:
        """Work has waited longer than any worker that runs would let it."""
        return (
            self.oldest_waiting_seconds is not None
            and self.oldest_waiting_seconds > settings.QUEUE_STALLED_SECONDS
        )

    def as_dict(self) -> dict:
        return {
            "waiting": self.waiting,
            "oldest_waiting_seconds": (
                None
                if self.oldest_waiting_seconds is None
                else round(self.oldest_waiting_seconds, 1)
            ),
            "stalled": self.stalled,
        }


def _enqueued_at(raw: bytes | None) -> float | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)["headers"][ENQUEUED_AT_HEADER]
        return float(value)
    except (ValueError, KeyError, TypeError):
        return None


def queue_states(*, now: float | None = None) -> list[QueueState] | None:
    """Each of the portal's queues with its depth and the age of its oldest job; None when
    tasks run in-process (no broker) or the broker is not Redis. Raises when the broker
    does not answer (the caller says "error")."""
    from npo_portal.celery import app, queue_names

    if app.conf.task_always_eager:
        return None
    now = time.time() if now is None else now
    with app.connection_for_write() as connection:
        if connection.transport.driver_type != "redis":
            return None
        client = connection.default_channel.client
        names = queue_names()
        pipe = client.pipeline()
        for name in names:
            pipe.llen(name)
            pipe.lindex(name, -1)
        answers = pipe.execute()
    states = []
    for index, name in enumerate(names):
        depth, oldest = answers[2 * index], answers[2 * index + 1]
        enqueued = _enqueued_at(oldest)
        states.append(
            QueueState(
                name=name,
                waiting=int(depth),
                oldest_waiting_seconds=None if enqueued is None else max(0.0, now - enqueued),
            )
        )
    return states
