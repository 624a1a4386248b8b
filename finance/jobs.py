"""Expenditure imports whose worker died: ended at once, not after the timeout.

A worker holds the import's advisory lock while it imports (npo_portal.jobs, taken in
finance.tasks); a "running" import that nobody holds lost its worker, and its transaction
was rolled back with the worker's connection, so nothing of it was saved.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from finance.models import ExpenditureImport, ImportStatus
from npo_portal import jobs

logger = logging.getLogger(__name__)


def fail_orphaned_imports(*, now: datetime.datetime | None = None) -> list[int]:
    """Mark every running import that no living worker holds as failed, saying so on its
    page, and delete its upload."""
    held = jobs.worked_on("expenditure-import")
    if held is None:
        return []
    now = now or timezone.now()
    when = date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT")
    failed = []
    with transaction.atomic():
        running = ExpenditureImport.objects.select_for_update(skip_locked=True).filter(
            status=ImportStatus.RUNNING
        )
        candidates = [job for job in running if job.pk not in held]
        # Read again after the rows are locked: one that started meanwhile is held now.
        held = jobs.worked_on("expenditure-import") or set()
        for job in candidates:
            if job.pk in held:
                continue
            name, storage = job.upload.name, job.upload.storage
            job.status = ImportStatus.FAILED
            job.finished_at = now
            job.upload = ""
            job.messages = [
                _(
                    "Marked failed automatically on %(time)s: the worker importing this file "
                    "stopped (it was restarted or ran out of memory). Nothing of this file has "
                    "been imported; upload it again."
                )
                % {"time": when}
            ]
            job.save(update_fields=["status", "finished_at", "upload", "messages"])
            if name:
                transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
            failed.append(job.pk)
    if failed:
        logger.warning("Expenditure imports whose worker died marked failed: %s", failed)
    return failed
