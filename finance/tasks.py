import logging

from celery import shared_task

from finance import services

logger = logging.getLogger(__name__)


@shared_task
def run_expenditure_import(import_id: int) -> str | None:
    """Run a queued expenditure import; a second delivery of the same id does nothing."""
    job = services.run_expenditure_import(import_id=import_id)
    if job is None:
        logger.info("Expenditure import %s skipped: gone or not waiting", import_id)
        return None
    logger.info("Expenditure import %s finished: %s", import_id, job.status)
    return job.status


@shared_task
def fail_stuck_imports() -> list[int]:
    """Every few minutes (Celery beat): imports whose worker died end as failed."""
    return services.fail_stuck_imports()
