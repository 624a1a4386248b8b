import logging

from celery import shared_task

from npo_portal import jobs
from reporting import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, autoretry_for=(Exception,), max_retries=2, default_retry_delay=3)
def build_report(self, report_id: int) -> str | None:
    """Build a queued accountability report; a report that is already done is not rebuilt.
    After the last failed try the report records why and keeps no files."""
    # Held while building, and until the outcome (done, waiting for the next try, failed)
    # is recorded: a report "rendering" whose lock nobody holds has lost its worker
    # (npo_portal.jobs.sweep).
    with jobs.working_on("report", report_id):
        try:
            report = services.build_report(report_id=report_id)
        except Exception as error:
            logger.exception(
                "Accountability report %s failed (try %s)", report_id, self.request.retries
            )
            if self.request.retries >= self.max_retries:
                services.record_failure(
                    report_id=report_id, reason=f"{error.__class__.__name__}: {error}"
                )
            else:
                services.requeue_for_retry(report_id=report_id)
            raise
    if report is None:
        logger.info("Accountability report %s skipped: gone or already done", report_id)
        return None
    logger.info("Accountability report %s done: %s", report_id, report.pdf_sha256)
    return report.pdf_sha256
