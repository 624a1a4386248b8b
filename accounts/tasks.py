import logging

from celery import shared_task

from accounts import services
from accounts.models import User

logger = logging.getLogger(__name__)


@shared_task
def send_invitation(user_id: int) -> str | None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        logger.info("Invitation skipped: user %s is gone or inactive", user_id)
        return None
    recipient = services.send_invitation_mail(user=user)
    logger.info("Invitation sent to user %s", user_id)
    return recipient
