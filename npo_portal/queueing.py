"""Handing a task to the broker after the commit, and what happens when the broker is down.

A record that waits for a task (a report, an import) is saved first; the task is sent when
that commit is done, so a worker never looks for a record that is not there yet. When the
broker does not answer, the record is marked failed at once (no row waits "in the queue"
with no task behind it) and the user reads a Dutch message instead of a server error.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)

try:  # the Redis client raises its own errors where the result backend is Redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS: tuple[type[BaseException], ...] = (
        OperationalError,
        RedisConnectionError,
        RedisTimeoutError,
        ConnectionError,
        TimeoutError,
    )
except ImportError:  # pragma: no cover - redis is a dependency of celery[redis]
    BROKER_ERRORS = (OperationalError, ConnectionError, TimeoutError)

QUEUE_DOWN_MESSAGE = _(
    "The queue for background work does not answer, so nothing has been started. Try again "
    "in a few minutes; if it keeps happening, tell the functional administrator."
)


class QueueUnavailable(Exception):
    """The broker did not take the task (or does not answer); whatever was to wait for the
    task has not been saved, or has been marked failed."""

    def __init__(self):
        super().__init__(str(QUEUE_DOWN_MESSAGE))


def require_broker() -> None:
    """Raise QueueUnavailable unless the broker answers now: asked before saving what a
    task would complete (an invited user without an invitation), so a broker that is down
    leaves nothing behind. Within the short connection timeout of the settings."""
    from django.conf import settings

    from npo_portal.celery import app

    if app.conf.task_always_eager:
        return
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1, timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT
            )
    except BROKER_ERRORS as error:
        logger.error("The broker does not answer: %s", error)
        raise QueueUnavailable() from error


def send_after_commit(send: Callable[[], object], *, on_failure: Callable[[], None]) -> None:
    """Run `send` (which queues a task) once the current transaction commits; when the broker
    refuses, run `on_failure` (mark the record failed) and raise QueueUnavailable."""

    def run() -> None:
        try:
            send()
        except BROKER_ERRORS as error:
            logger.error("The broker did not take a task: %s", error)
            on_failure()
            raise QueueUnavailable() from error

    transaction.on_commit(run)


# What waits on the queues --------------------------------------------------------------------

# Set on every task message when it is sent (npo_portal.celery), so that the age of the
# oldest waiting task can be read from the broker.
SENT_AT_HEADER = "npo_sent_at"


@dataclass(frozen=True)
class QueueState:
    depth: int
    oldest_age_seconds: float


def queue_depths(*, now: float | None = None) -> dict[str, QueueState] | None:
    """Per queue of the portal, the tasks waiting (not yet taken by a worker) and how long the
    oldest has waited, read from the broker's Redis; None when tasks run in-process or the
    broker is no Redis. For /metrics and the health page."""
    from django.conf import settings

    from npo_portal.celery import queue_names

    url = settings.CELERY_BROKER_URL
    if settings.CELERY_TASK_ALWAYS_EAGER or not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    client = redis.Redis.from_url(
        url, socket_connect_timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT, socket_timeout=2
    )
    now = time.time() if now is None else now
    states = {}
    try:
        for queue in queue_names():
            # kombu keeps a list per queue (and per priority, as "<queue>\x06\x16<n>"); it
            # pushes on the left and takes from the right, so the oldest is at index -1.
            keys = [
                queue,
                *(f"{queue}\x06\x16{priority}" for priority in (1, 2, 3, 4, 5, 6, 7, 8, 9)),
            ]
            depth = sum(client.llen(key) for key in keys)
            oldest = 0.0
            for key in keys:
                raw = client.lindex(key, -1)
                sent = _sent_at(raw) if raw else None
                if sent is not None:
                    oldest = max(oldest, now - sent)
            states[queue] = QueueState(depth=depth, oldest_age_seconds=round(oldest, 3))
    except redis.RedisError as error:
        logger.error("Could not read the queues from the broker: %s", error)
        return None
    finally:
        client.close()
    return states


def _sent_at(raw: bytes) -> float | None:
    try:
        return float(json.loads(raw)["headers"][SENT_AT_HEADER])
    except (ValueError, KeyError, TypeError):
        return None  # a message sent before the header existed, or not one of ours
