"""What changes archive packages: requesting one, building it in the background."""

from __future__ import annotations

import hashlib
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from accounts.models import Municipality, User
from archive.models import ArchivePackage, PackageStatus
from archive.package import build_zipped_bag
from npo_portal.queueing import QUEUE_DOWN_MESSAGE, enqueue

logger = logging.getLogger(__name__)


BUILD_PACKAGE = "archive.tasks.build_archive_package"


def _enqueue(package: ArchivePackage) -> None:
    def not_queued():
        ArchivePackage.objects.filter(pk=package.pk, status=PackageStatus.QUEUED).update(
            status=PackageStatus.FAILED,
            failure_reason=str(QUEUE_DOWN_MESSAGE),
            finished_at=timezone.now(),
        )

    enqueue(
        BUILD_PACKAGE,
        package.pk,
        on_failure=not_queued,
        on_queued=lambda task_id: ArchivePackage.objects.filter(pk=package.pk).update(
            task_id=task_id
        ),
    )


@transaction.atomic
def request_package(*, municipality: Municipality, user: User | None) -> ArchivePackage:
    """Queue a new archive package of the municipality's dossier; one waiting at a time."""
    waiting = (
        ArchivePackage.objects.select_for_update()
        .filter(municipality=municipality, status__in=[PackageStatus.QUEUED, PackageStatus.RUNNING])
        .first()
    )
    if waiting is not None:
        return waiting
    package = ArchivePackage.objects.create(municipality=municipality, created_by=user)
    _enqueue(package)
    return package


def build_package(*, package_id: int) -> ArchivePackage | None:
    """Build the bag and keep it in the storage; a package that is done (or gone) is left
    alone, and so is one that failed meanwhile (a late second delivery of a task whose
    worker died changes nothing). The file becomes visible only together with the status
    "done"."""
    package = ArchivePackage.objects.select_related("municipality").filter(pk=package_id).first()
    if package is None or not package.is_pending:
        return None
    ArchivePackage.objects.filter(pk=package.pk).update(status=PackageStatus.RUNNING)
    built = build_zipped_bag(package.municipality)
    stored = ""
    try:
        with transaction.atomic():
            locked = ArchivePackage.objects.select_for_update().get(pk=package.pk)
            if locked.status != PackageStatus.RUNNING:
                return None
            locked.file.save(f"{built.name}.zip", ContentFile(built.content), save=False)
            stored = locked.file.name
            locked.sha256 = hashlib.sha256(built.content).hexdigest()
            locked.manifest_sha256 = built.manifest_sha256
            locked.files = built.files
            locked.status = PackageStatus.DONE
            locked.failure_reason = ""
            locked.finished_at = timezone.now()
            locked.save()
    except Exception:
        if stored:
            locked.file.storage.delete(stored)
        raise
    return locked


def requeue_for_retry(*, package_id: int) -> None:
    """Between two tries the package waits again (it is no longer being worked on)."""
    ArchivePackage.objects.filter(pk=package_id, status=PackageStatus.RUNNING).update(
        status=PackageStatus.QUEUED
    )


def record_package_failure(*, package_id: int, reason: str) -> None:
    ArchivePackage.objects.filter(pk=package_id).exclude(status=PackageStatus.DONE).update(
        status=PackageStatus.FAILED, failure_reason=reason[:2000], finished_at=timezone.now()
    )
