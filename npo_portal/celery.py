import logging
import os
import time

from celery import Celery, signals
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

REQUEST_ID_HEADER = "npo_request_id"

app = Celery("npo_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def use_memory_transport_in_process(celery_app: Celery) -> None:
    """Tasks that run in-process still pass a producer (Celery serialises their arguments
    with it); without a broker URL kombu would then reach for amqp://localhost and warn "No
    hostname was supplied". The in-memory transport, named with a host, sends nothing and
    stays quiet."""
    if celery_app.conf.task_always_eager and not celery_app.conf.broker_url:
        celery_app.conf.broker_url = "memory://localhost/"


use_memory_transport_in_process(app)

# Reports and imports wait on queues of their own, so that a long import never holds up a
# report. Each is named after the default queue ("npo-reports"), so that whoever changes the
# default queue (a test session) moves all three.
QUEUE_SUFFIXES = {
    "reporting.tasks.": "reports",
    # An archive package renders documents as a report does.
    "archive.tasks.build_archive_package": "reports",
    "finance.tasks.run_expenditure_import": "imports",
}


def queue_names() -> list[str]:
    """Every queue the portal's tasks use: a worker listens on these (`-Q`)."""
    default = app.conf.task_default_queue
    suffixes = dict.fromkeys(QUEUE_SUFFIXES.values())  # several apps share the reports queue
    return [default, *(f"{default}-{suffix}" for suffix in suffixes)]


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router: the queue of a task by its name; None leaves it on the default queue."""
    for prefix, suffix in QUEUE_SUFFIXES.items():
        if name.startswith(prefix):
            return {"queue": f"{app.conf.task_default_queue}-{suffix}"}
    return None


@app.task(name="npo_portal.fail_stuck_jobs")
def fail_stuck_jobs() -> dict[str, list[int]]:
    """Every minute (Celery beat): the jobs of every kind that no worker will finish end
    failed, with their reason (npo_portal.jobs.sweep)."""
    from npo_portal import jobs

    return jobs.sweep_all()


@worker_ready.connect
def end_jobs_of_dead_workers(sender=None, **kwargs):
    """Run the sweeper in the starting worker, before it takes its first task: a worker
    starting is often the one that just died, restarted."""
    from django.db import connections

    from npo_portal import jobs

    logger = logging.getLogger(__name__)
    try:
        logger.info("Sweeper at worker start ended %s", jobs.sweep_all())
    finally:
        # The pool's processes must not share the main process's database connection.
        connections.close_all()


# The request id and the metrics of each task ------------------------------------------------
# The id of the request that enqueues a task travels in the task message's headers and is the
# request id of the task's log lines (npo_portal.logs).

_started: dict[str, tuple[float, object]] = {}


@signals.before_task_publish.connect
def _stamp_message(headers=None, **kwargs):
    from npo_portal.logs import request_id

    if headers is None:
        return
    current = request_id.get()
    if current:
        headers[REQUEST_ID_HEADER] = current


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs):
    from npo_portal.logs import accepted_request_id, request_id

    incoming = getattr(task.request, REQUEST_ID_HEADER, None) or (task.request.headers or {}).get(
        REQUEST_ID_HEADER
    )
    # In-process (eager) tasks keep the id of the request they run in.
    token = None
    if not task.request.is_eager:
        token = request_id.set(accepted_request_id(incoming) or "")
    _started[task_id] = (time.perf_counter(), token)


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs):
    from npo_portal.logs import request_id
    from npo_portal.metrics import record_task

    started, token = _started.pop(task_id, (None, None))
    if started is not None:
        record_task(
            task=task.name,
            state=state or "UNKNOWN",
            seconds=time.perf_counter() - started,
            eager=bool(task.request.is_eager),
        )
    if token is not None:
        try:
            request_id.reset(token)
        except ValueError:  # set in another context (a pool that switched threads)
            request_id.set("")
