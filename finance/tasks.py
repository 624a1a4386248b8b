import logging

from celery import shared_task

from finance import services
from npo_portal import jobs

logger = logging.getLogger(__name__)


@shared_task
def run_expenditure_import(import_id: int) -> str | None:
    """Run a queued expenditure import; a second delivery of the same id does nothing."""
    # Held while importing: a running import that nobody holds lost its worker.
    with jobs.working_on("expenditure-import", import_id):
        job = services.run_expenditure_import(import_id=import_id)
    if job is None:
        logger.info("Expenditure import %s skipped: gone or not waiting", import_id)
        return None
    logger.info("Expenditure import %s finished: %s", import_id, job.status)
    return job.status
