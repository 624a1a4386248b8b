"""Background jobs (reports, expenditure imports, archive packages): their one set of
statuses, and the one sweeper that ends the jobs no worker will finish.

Whether a job is really being worked on: the worker holds a PostgreSQL advisory lock on the
job for as long as its task runs. A worker that dies (SIGKILL, out of memory, a machine that
goes away) loses its database connection, and PostgreSQL releases its locks with it. So a job
marked "running" whose lock nobody holds was left by a dead worker, and can be ended at once,
by the beat sweeper and by every worker that starts; no timeout has to guess how long a job
may take.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
from collections.abc import Callable, Iterator
from typing import ClassVar

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import pgettext_lazy

logger = logging.getLogger(__name__)


class JobStatus(models.TextChoices):
    """Where a background job is. The values are stored: never change one."""

    QUEUED = "wachtrij", pgettext_lazy("job status", "Queued")
    RUNNING = "bezig", pgettext_lazy("job status", "In progress")
    DONE = "klaar", pgettext_lazy("job status", "Done")
    FAILED = "mislukt", pgettext_lazy("job status", "Failed")


def job_status(name: str, module: str, **own: tuple[str, str]) -> type[models.TextChoices]:
    """JobStatus with a kind's own outcomes added (an import may also be refused):
    `job_status("ImportStatus", __name__, REJECTED=("geweigerd", _("Rejected")))`."""
    members = [(member.name, (member.value, member.label)) for member in JobStatus]
    return models.TextChoices(name, [*members, *own.items()], module=module)


# Each kind of job: the first key of its two-key advisory lock, and its model.
KINDS = {
    "report": 29_001,
    "expenditure-import": 29_002,
    "archive-package": 29_003,
}
MODELS = {
    "report": "reporting.AccountabilityReport",
    "expenditure-import": "finance.ExpenditureImport",
    "archive-package": "archive.ArchivePackage",
}


class Job:
    """What the sweeper needs of a job model (a mixin; the model has `status` with the
    JobStatus values, `created_at` and `finished_at`).

    orphaned_message: why a running job whose worker died failed (`%(time)s`).
    waited_message, queue_timeout_setting: why a job that waited longer than the setting's
    minutes for a worker failed (`%(time)s`, `%(minutes)s`); None where the kind has its own
    timeout rule (`register_sweep`).
    """

    job_kind: ClassVar[str]
    orphaned_message: ClassVar[str]
    waited_message: ClassVar[str | None] = None
    queue_timeout_setting: ClassVar[str | None] = None

    @property
    def waits_too_long(self) -> bool:
        """Still waiting for a worker after JOB_EXPECTED_WAIT_SECONDS: probably none runs."""
        return self.status == JobStatus.QUEUED and self.created_at < timezone.now() - (
            datetime.timedelta(seconds=settings.JOB_EXPECTED_WAIT_SECONDS)
        )

    def end_as_failed(self, reason: str, now: datetime.datetime) -> None:
        """Record the failure and its reason (the row is locked by the caller)."""
        self.status = JobStatus.FAILED
        self.failure_reason = reason[:2000]
        self.finished_at = now
        self.save(update_fields=["status", "failure_reason", "finished_at"])


# A kind's own sweeping rules, run after the shared ones: each takes `now` and returns the
# ids of the jobs it ended. Registered by the kind's app when it is ready (its services
# import its models, so a model cannot call them without a circle).
_OWN_SWEEPS: dict[str, list[Callable[..., list[int]]]] = {}


def register_sweep(kind: str, function: Callable[..., list[int]]) -> None:
    """Run `function(now=...)` in every sweep of `kind`'s jobs, after the shared rules (a
    kind's own timeout, e.g. finance's for imports). Call it from the app's `ready()`; a
    function registered twice runs once."""
    functions = _OWN_SWEEPS.setdefault(kind, [])
    if function not in functions:
        functions.append(function)


def _postgresql() -> bool:
    return connection.vendor == "postgresql"


@contextlib.contextmanager
def working_on(kind: str, job_id: int) -> Iterator[None]:
    """Hold the job's lock while the block runs (a second delivery of the same job waits
    for the first to end)."""
    if not _postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [KINDS[kind], job_id])
    try:
        yield
    finally:
        # A connection that broke took the lock with it.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [KINDS[kind], job_id])


def worked_on(kind: str) -> set[int] | None:
    """The ids of the jobs of `kind` that a living worker holds now; None where that
    cannot be known (not PostgreSQL), so that nothing is ended on a guess."""
    if not _postgresql():
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND classid = %s AND objsubid = 2"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [KINDS[kind]],
        )
        return {int(objid) for (objid,) in cursor.fetchall()}


def sweep(kind: str, *, now: datetime.datetime | None = None) -> list[int]:
    """End the jobs of `kind` no worker will finish, each with its reason on its page: one
    running whose worker died (no living worker holds its lock), and one still waiting after
    the kind's queue timeout (no worker took it). Rows another transaction holds (a worker
    recording its outcome) are left to it. Returns the ids ended."""
    model = apps.get_model(MODELS[kind])
    now = now or timezone.now()
    when = date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT")
    ended: list[int] = []
    held = worked_on(kind)
    with transaction.atomic():
        if held is not None:
            running = list(
                model.objects.select_for_update(skip_locked=True)
                .filter(status=JobStatus.RUNNING)
                .exclude(pk__in=held)
                .order_by("pk")
            )
            # Read again now the rows are locked: one that started meanwhile is held now.
            held = worked_on(kind) or set()
            for job in running:
                if job.pk not in held:
                    job.end_as_failed(str(model.orphaned_message % {"time": when}), now)
                    ended.append(job.pk)
        if model.queue_timeout_setting:
            minutes = getattr(settings, model.queue_timeout_setting)
            waited = model.objects.select_for_update(skip_locked=True).filter(
                status=JobStatus.QUEUED,
                created_at__lte=now - datetime.timedelta(minutes=minutes),
            )
            for job in waited.order_by("pk"):
                job.end_as_failed(
                    str(model.waited_message % {"time": when, "minutes": minutes}), now
                )
                ended.append(job.pk)
    for function in _OWN_SWEEPS.get(kind, []):
        ended += function(now=now)
    if ended:
        logger.warning("Jobs of kind %s marked failed (no worker): %s", kind, ended)
    return ended


def sweep_all(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Every kind's sweep (Celery beat every minute, and every worker as it starts); a
    kind whose sweep fails is logged and does not keep the others from theirs."""
    ended: dict[str, list[int]] = {}
    for kind in KINDS:
        try:
            ended[kind] = sweep(kind, now=now)
        except Exception:
            logger.exception("The sweep of the %s jobs failed", kind)
    return ended
