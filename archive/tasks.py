import logging

from celery import shared_task
from django.utils import timezone

from archive import anonymise, destruction, services
from npo_portal import jobs

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(Exception,), max_retries=2, default_retry_delay=3)
def build_archive_package(self, package_id: int) -> str | None:
    """Build a queued archive package; one that is done is not rebuilt. After the last failed
    try the package records why and keeps no file."""
    # Held while building, and until the outcome is recorded: a package "in progress" whose
    # lock nobody holds has lost its worker (npo_portal.jobs.sweep).
    with jobs.working_on("archive-package", package_id):
        try:
            package = services.build_package(package_id=package_id)
        except Exception as error:
            logger.exception("Archive package %s failed (try %s)", package_id, self.request.retries)
            if self.request.retries >= self.max_retries:
                services.record_package_failure(
                    package_id=package_id, reason=f"{error.__class__.__name__}: {error}"
                )
            else:
                services.requeue_for_retry(package_id=package_id)
            raise
    if package is None:
        logger.info("Archive package %s skipped: gone or already done", package_id)
        return None
    logger.info("Archive package %s done: manifest %s", package_id, package.manifest_sha256)
    return package.manifest_sha256


@shared_task
def propose_destruction_lists() -> int:
    """Daily (Celery beat): propose the destruction lists that came due, queue again any
    approved list whose destruction did not start, and anonymise the accounts of people who
    left, on the same schedule. Safe to re-run."""
    proposed = destruction.propose_lists(today=timezone.localdate())
    for waiting in destruction.approved_waiting():
        destruction.requeue(waiting)
    anonymised = anonymise.anonymise_departed_users()
    logger.info(
        "Destruction lists proposed: %d; accounts anonymised: %d", len(proposed), anonymised
    )
    return len(proposed)


@shared_task(bind=True, autoretry_for=(Exception,), max_retries=2, default_retry_delay=3)
def carry_out_destruction(self, destruction_list_id: int) -> int | None:
    """Destroy an approved list's records; a list not approved (or done) is left alone."""
    try:
        done = destruction.carry_out(destruction_list_id=destruction_list_id)
    except Exception as error:
        logger.exception(
            "Destruction list %s failed (try %s)", destruction_list_id, self.request.retries
        )
        if self.request.retries >= self.max_retries:
            destruction.record_failure(
                destruction_list_id=destruction_list_id,
                reason=f"{error.__class__.__name__}: {error}",
            )
        raise
    return None if done is None else done.pk
