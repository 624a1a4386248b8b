import logging

from celery import shared_task

from accounts.models import User
from schools import services
from schools.models import NeedsRound

logger = logging.getLogger(__name__)


@shared_task
def send_round_reminders(round_id: int, sent_by_id: int | None = None) -> list[str]:
    """Remind the boards of a round's unreported schools; returns the addresses mailed."""
    needs_round = NeedsRound.objects.select_related("municipality").filter(pk=round_id).first()
    if needs_round is None:
        logger.info("Reminders skipped: round %s is gone", round_id)
        return []
    sent_by = User.objects.filter(pk=sent_by_id).first() if sent_by_id else None
    return services.send_reminders(needs_round=needs_round, sent_by=sent_by).sent


@shared_task
def send_deadline_reminders() -> int:
    """Daily (Celery beat): remind boards of open rounds whose deadline is near."""
    outcomes = services.send_deadline_reminders()
    sent = sum(len(outcome.sent) for outcome in outcomes.values())
    logger.info("Deadline reminders: %d rounds, %d mails", len(outcomes), sent)
    return sent
