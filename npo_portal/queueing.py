"""Handing a task to the broker after the commit, and what happens when the broker is down.

Every place that starts background work goes through `enqueue` (or `enqueue_each` for
many jobs at once). A record that waits for a task (a report, an import) is saved first;
the task is sent by name when that commit is done, so a worker never looks for a record
that is not there yet, and services need not import their tasks (tasks import services).

When the broker does not take the task, whatever the reason (refused connection, a
timeout, Redis going away in the middle of the request), the record is marked failed at
once (no row waits "in the queue" with no task behind it) and the user reads a Dutch
message instead of a server error. The result backend is not touched on the way: jobs
record their progress in the database, so their tasks are sent with `ignore_result`, and a
result store that does not answer (Celery's "Retry limit exceeded while trying to
reconnect to the Celery result store") cannot hold up or break a page.
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Callable, Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from npo_portal.queues import ENQUEUED_AT_HEADER

logger = logging.getLogger(__name__)

try:  # the Redis client raises its own errors where the broker is Redis
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    BROKER_ERRORS: tuple[type[BaseException], ...] = (
        OperationalError,
        RedisConnectionError,
        RedisTimeoutError,
        ConnectionError,
        TimeoutError,
        OSError,
        # Celery's Redis result store gives up with a RuntimeError.
        RuntimeError,
    )
except ImportError:  # pragma: no cover - redis is a dependency of celery[redis]
    BROKER_ERRORS = (OperationalError, ConnectionError, TimeoutError, OSError, RuntimeError)

QUEUE_DOWN_MESSAGE = _(
    "The queue for background work does not answer, so nothing has been started. Try again "
    "in a few minutes; if it keeps happening, tell the functional administrator."
)


class QueueUnavailable(Exception):
    """The broker did not take the task (or does not answer); whatever was to wait for the
    task has not been saved, or has been marked failed."""

    def __init__(self):
        super().__init__(str(QUEUE_DOWN_MESSAGE))


def _app():
    from npo_portal.celery import app

    return app


def require_broker() -> None:
    """Raise QueueUnavailable unless the broker answers now: asked before saving what a
    task would complete (an invited user without an invitation), so a broker that is down
    leaves nothing behind. Opening a channel makes a round trip (Redis: PING), so a broker
    that accepts the connection and then says nothing counts as down too; all within the
    connection and socket timeouts of the settings."""
    from django.conf import settings

    app = _app()
    if app.conf.task_always_eager:
        return
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(
                max_retries=1,
                interval_start=0,
                interval_step=0,
                timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            )
            connection.default_channel  # noqa: B018 - the round trip is the point
    except Exception as error:  # any failure means: nothing can be queued now
        logger.error("The broker does not answer: %s", error)
        raise QueueUnavailable() from error


Args = Sequence[object]


def enqueue(
    task_name: str,
    *args: object,
    on_failure: Callable[[], None] | None = None,
    on_queued: Callable[[str], None] | None = None,
) -> None:
    """After the current transaction commits, send the task `task_name` with `args` to its
    queue. When the broker refuses, run `on_failure` (mark the record failed, delete what
    waited for the task) and raise QueueUnavailable; when it takes the task, `on_queued`
    receives the task id (to store on the record)."""
    enqueue_each(
        task_name,
        [args],
        on_failure=(lambda _unsent: on_failure()) if on_failure else None,
        on_queued=(lambda _args, task_id: on_queued(task_id)) if on_queued else None,
    )


def enqueue_each(
    task_name: str,
    calls: Sequence[Args],
    *,
    on_failure: Callable[[list[Args]], None] | None = None,
    on_queued: Callable[[Args, str], None] | None = None,
) -> None:
    """Like `enqueue`, for one task per entry of `calls` (a batch of reports), sent over
    one broker connection. When the broker fails halfway, `on_failure` receives the calls
    that were not sent; those that were sent run as usual."""
    calls = [tuple(args) for args in calls]
    if not calls:
        return

    def run() -> None:
        _send(task_name, calls, on_failure=on_failure, on_queued=on_queued)

    transaction.on_commit(run)


def _send(
    task_name: str,
    calls: list[tuple],
    *,
    on_failure: Callable[[list[Args]], None] | None,
    on_queued: Callable[[Args, str], None] | None,
) -> None:
    app = _app()
    sent: list[tuple[tuple, str]] = []
    if app.conf.task_always_eager:
        # Unit tests and a portal without a broker: the task runs here and now. The tasks
        # modules are found lazily (a worker imports them at start); a web process that
        # has not imported this one yet does so now.
        if task_name not in app.tasks:
            app.loader.import_default_modules()
        task = app.tasks[task_name]
        for args in calls:
            result = task.apply_async(args=args)
            if on_queued:
                on_queued(args, result.id)
        return
    try:
        with app.producer_or_acquire() as producer:
            for args in calls:
                task_id = str(uuid.uuid4())
                app.send_task(
                    task_name,
                    args=args,
                    task_id=task_id,
                    ignore_result=True,
                    producer=producer,
                    # How long the oldest job has waited (npo_portal.queues).
                    headers={ENQUEUED_AT_HEADER: time.time()},
                )
                sent.append((args, task_id))
    except Exception as error:  # whatever stopped it, the rest of the jobs will not run
        unsent = calls[len(sent) :]
        logger.error(
            "The broker did not take %s of %s tasks %s: %r",
            len(unsent),
            len(calls),
            task_name,
            error,
        )
        _forget_broken_connections(app)
        if on_failure:
            on_failure(unsent)
        raise QueueUnavailable() from error
    finally:
        if on_queued:
            for args, task_id in sent:
                on_queued(args, task_id)


def _forget_broken_connections(app) -> None:
    """Drop the pooled broker connections after a failure, so that the next request
    connects afresh instead of writing to a socket the broker has closed."""
    with contextlib.suppress(Exception):  # closing what is already broken may fail too
        app.pool.force_close_all()
    app._pool = None
    app.amqp._producer_pool = None
