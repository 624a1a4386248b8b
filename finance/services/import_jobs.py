"""An uploaded expenditure file as a job: queued, run by the worker, aborted or failed
when it hangs, its file deleted once it has ended."""

from __future__ import annotations

import datetime
import hashlib
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Municipality, User
from finance.models import (
    ExpenditureImport,
    ImportStatus,
)
from finance.services.imports import import_expenditures
from finance.services.rows import ImportRejected
from npo_portal import tables
from npo_portal.queueing import QUEUE_DOWN_MESSAGE, enqueue
from npo_portal.storage import local_path
from settlement.closed import refuse_if_closed

logger = logging.getLogger(__name__)


def start_expenditure_import(
    *, municipality: Municipality, user: User | None, file_name: str, data: bytes | File
) -> ExpenditureImport:
    """Queue an uploaded expenditure file (an upload or bytes); a Celery task imports it
    after the commit. The file is copied to storage in chunks (an upload Django already
    spooled to disk is moved there), never read whole."""
    refuse_if_closed(municipality)
    upload = ContentFile(data) if isinstance(data, bytes) else data
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    job = ExpenditureImport(
        municipality=municipality,
        uploaded_by=user,
        file_name=tables.excerpt(file_name, 254),
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    upload.seek(0)
    job.upload.save("upload", upload, save=False)
    try:
        job.save()
    except BaseException:
        job.upload.delete(save=False)
        raise
    enqueue(
        "finance.tasks.run_expenditure_import",
        job.pk,
        on_failure=lambda: _record_not_queued(job.pk),
    )
    return job


def _drop_upload(job: ExpenditureImport) -> None:
    """The file is not needed once the import has ended, whatever the outcome: it is
    deleted when the outcome is committed (a rollback keeps both as they were)."""
    name, storage = job.upload.name, job.upload.storage
    job.upload = ""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _record_not_queued(import_id: int) -> None:
    """The broker refused the task: the upload ends failed, not waiting for ever, and its
    file is deleted."""
    job = ExpenditureImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).first()
    if job is None:
        return
    _drop_upload(job)
    job.status = ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.messages = [str(QUEUE_DOWN_MESSAGE)]
    job.save(update_fields=["status", "upload", "finished_at", "messages"])


def _claim_import(import_id: int) -> ExpenditureImport | None:
    """Mark a waiting upload as running, so its page says so; None when it is not waiting
    (done, aborted, gone, or claimed by another delivery of the task)."""
    with transaction.atomic():
        job = (
            ExpenditureImport.objects.select_for_update(of=("self",))
            .filter(pk=import_id, status=ImportStatus.QUEUED)
            .first()
        )
        if job is None:
            return None
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def run_expenditure_import(*, import_id: int) -> ExpenditureImport | None:
    """Import a waiting upload (all rows or none) and record the outcome on it; an upload
    that is not waiting any more, or was aborted, is left alone, so a repeated or late task
    changes nothing."""
    if _claim_import(import_id) is None:
        return None
    with transaction.atomic():
        # The row stays locked while importing: an abort waits for the outcome, and an upload
        # aborted since it was claimed imports nothing.
        job = (
            ExpenditureImport.objects.select_for_update(of=("self",))
            .select_related("municipality", "uploaded_by")
            .filter(pk=import_id, status=ImportStatus.RUNNING)
            .first()
        )
        if job is None:
            logger.warning("Expenditure import %s was aborted before it ran", import_id)
            return None
        try:
            if not job.upload:
                raise ImportRejected([_("The uploaded file is no longer there; upload it again.")])
            # The upload may be in an object store written by another machine.
            with local_path(job.upload.storage, job.upload.name) as data:
                result = import_expenditures(
                    municipality=job.municipality, data=data, user=job.uploaded_by
                )
        except ImportRejected as rejected:
            job.status = ImportStatus.REJECTED
            job.problem_count = rejected.total
            job.messages = rejected.errors
        except SoftTimeLimitExceeded:
            logger.error("Expenditure import %s stopped at the time limit", job.pk)
            job.status = ImportStatus.FAILED
            job.messages = [
                _(
                    "The import took longer than %(minutes)s minutes and was stopped; nothing "
                    "has been imported. Split the file into smaller ones."
                )
                % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60}
            ]
        except Exception:
            logger.exception("Expenditure import %s failed", job.pk)
            job.status = ImportStatus.FAILED
            job.messages = [_("The import failed unexpectedly; nothing has been imported.")]
        else:
            job.status = ImportStatus.DONE
            job.created_count = result.created
            job.outside_period_count = result.outside_period
            job.duplicate_count = len(result.duplicates)
            job.messages = result.duplicates[: settings.IMPORT_MAX_REPORTED_ERRORS]
        _drop_upload(job)
        job.finished_at = timezone.now()
        job.save()
    return job


@transaction.atomic
def abandon_import(*, expenditure_import: ExpenditureImport, user: User) -> ExpenditureImport:
    """Mark an import that has waited or run past EXPENDITURE_IMPORT_TIMEOUT_MINUTES as
    failed, saying who gave up and when. Imports are all or nothing: none of its rows was
    saved, and a worker that comes late imports nothing."""
    # Waits for a worker that is importing this very file, then sees its outcome.
    job = ExpenditureImport.objects.select_for_update().get(pk=expenditure_import.pk)
    if not job.is_pending:
        raise ValidationError(_("This import has already ended; there is nothing to abort."))
    now = timezone.now()
    minutes = settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES
    if now < job.stale_at:
        raise ValidationError(
            _(
                "An import can be aborted only after %(minutes)s minutes without a result, "
                "from %(time)s."
            )
            % {"minutes": minutes, "time": _local_time(job.stale_at)}
        )
    job.status = ImportStatus.FAILED
    job.finished_at = now
    _drop_upload(job)
    job.messages = [
        _(
            "Aborted by %(user)s on %(time)s: no result after %(minutes)s minutes. Nothing "
            "of this file has been imported; upload it again."
        )
        % {
            "user": user.get_full_name() or user.username,
            "time": _local_time(now),
            "minutes": minutes,
        }
    ]
    job.save(update_fields=["status", "finished_at", "upload", "messages"])
    logger.warning("Expenditure import %s aborted by user %s", job.pk, user.pk)
    return job


def fail_stuck_imports(*, now: datetime.datetime | None = None) -> list[int]:
    """Mark every import still waiting or running past EXPENDITURE_IMPORT_TIMEOUT_MINUTES as
    failed, saying so on its page: an import's own rule, run by the job sweeper
    (npo_portal.jobs.sweep) after the shared one. An import that a worker is busy with right
    now (its row locked) is left to that worker."""
    now = now or timezone.now()
    minutes = settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES
    limit = now - datetime.timedelta(minutes=minutes)
    failed = []
    with transaction.atomic():
        stuck = (
            ExpenditureImport.objects.select_for_update(skip_locked=True)
            .filter(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING))
            .filter(Q(started_at__isnull=True, created_at__lte=limit) | Q(started_at__lte=limit))
        )
        for job in stuck:
            job.end_as_failed(
                _(
                    "Marked failed automatically on %(time)s: no result after %(minutes)s "
                    "minutes. Nothing of this file has been imported; upload it again."
                )
                % {"time": _local_time(now), "minutes": minutes},
                now,
            )
            failed.append(job.pk)
    if failed:
        logger.warning("Expenditure imports marked failed after the timeout: %s", failed)
    delete_orphaned_uploads(before=limit)
    return failed


def delete_orphaned_uploads(*, before: datetime.datetime) -> list[str]:
    """Delete files under imports/ older than `before` that no import refers to (an upload
    whose record was rolled back, or whose process died between file and record)."""
    storage = ExpenditureImport._meta.get_field("upload").storage
    try:
        _folders, names = storage.listdir("imports")
    except FileNotFoundError:
        return []
    referred = set(
        ExpenditureImport.objects.filter(upload__startswith="imports/").values_list(
            "upload", flat=True
        )
    )
    deleted = []
    for name in names:
        path = f"imports/{name}"
        if path not in referred and storage.get_modified_time(path) < before:
            storage.delete(path)
            deleted.append(path)
    if deleted:
        logger.warning("Uploads without an import deleted: %s", deleted)
    return deleted


def _local_time(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")
