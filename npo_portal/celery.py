import logging
import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "npo_portal.settings")

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
