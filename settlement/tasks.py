import logging

from celery import shared_task

from settlement import services

logger = logging.getLogger(__name__)


@shared_task
def queue_objection_reminders() -> int:
    """Daily (Celery beat): queue a reminder for each decision whose objection deadline is
    near."""
    due = services.queue_objection_reminders()
    logger.info("Objection reminders queued: %d", len(due))
    return len(due)


@shared_task
def send_objection_reminder(settlement_id: int) -> list[str]:
    """Remind one decision's finance officers; idempotent (sent once per decision)."""
    return services.send_objection_reminder(settlement_id=settlement_id)
