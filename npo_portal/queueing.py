"""Handing a task to the broker after the commit, and what happens when the broker is down.

A record that waits for a task (a report, an import) is saved first; the task is sent when
that commit is done, so a worker never looks for a record that is not there yet. When the
broker does not answer, the record is marked failed at once (no row waits "in the queue"
with no task behind it) and the user reads a Dutch message instead of a server error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

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
