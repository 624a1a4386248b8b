"""Reminders to the boards of schools that have not reported in a needs round."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.themes import theme_of
from npo_portal.mail import send_portal_mail
from npo_portal.queueing import enqueue
from schools import permissions, selectors
from schools.models import NeedsRound, Reminder

logger = logging.getLogger(__name__)


@dataclass
class ReminderOutcome:
    sent: list[str] = field(default_factory=list)
    already_today: list[str] = field(default_factory=list)


def queue_reminders(*, needs_round: NeedsRound, user: User) -> ReminderOutcome:
    """Queue reminder e-mails to the boards of schools that have not reported; says who will
    get one and who was already reminded today (they get nothing)."""
    if not permissions.can_send_reminders(user, needs_round):
        raise PermissionDenied
    if not needs_round.is_open:
        raise ValidationError(_("This round is closed; there is nothing to remind anyone of."))
    today = timezone.localdate()
    outcome = ReminderOutcome()
    already = selectors.reminded_on(needs_round=needs_round, day=today)
    for recipient in selectors.reminder_recipients(needs_round=needs_round):
        target = outcome.already_today if recipient.email in already else outcome.sent
        target.append(recipient.email)
    if outcome.sent:
        # Nothing is recorded before the task runs, so a refusing broker leaves nothing to undo.
        enqueue("schools.tasks.send_round_reminders", needs_round.pk, user.pk)
    return outcome


def send_reminders(
    *, needs_round: NeedsRound, sent_by: User | None = None, today: datetime.date | None = None
) -> ReminderOutcome:
    """E-mail each active user with an address of every board with unreported schools,
    recording each mail; whoever already got one today for this round is skipped."""
    today = today or timezone.localdate()
    outcome = ReminderOutcome()
    if not needs_round.is_open:
        return outcome
    for recipient in selectors.reminder_recipients(needs_round=needs_round):
        try:
            with transaction.atomic():
                _reminder, created = Reminder.objects.get_or_create(
                    round=needs_round,
                    recipient=recipient.email,
                    sent_on=today,
                    defaults={"board": recipient.board, "user": recipient.user, "sent_by": sent_by},
                )
                if created:
                    # Inside the transaction: a mail that fails leaves no record, so the
                    # next run tries again.
                    _send_reminder_mail(needs_round=needs_round, recipient=recipient)
        except IntegrityError:
            created = False
        (outcome.sent if created else outcome.already_today).append(recipient.email)
    logger.info(
        "Round %s: %d reminders sent, %d already reminded today",
        needs_round.pk,
        len(outcome.sent),
        len(outcome.already_today),
    )
    return outcome


def _send_reminder_mail(*, needs_round: NeedsRound, recipient: selectors.Recipient) -> None:
    link = settings.PORTAL_BASE_URL + reverse("schools:round-detail", args=[needs_round.pk])
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "round": needs_round,
            "municipality": needs_round.municipality,
            "user": recipient.user,
            "board": recipient.board,
            "schools": recipient.schools,
            "link": link,
        }
        subject = render_to_string("schools/email/reminder_subject.txt", context).strip()
        body = render_to_string("schools/email/reminder_email.txt", context)
    theme = theme_of(needs_round.municipality, with_logo=True)
    send_portal_mail(subject=subject, body=body, recipients=[recipient.email], theme=theme)


def send_deadline_reminders(*, today: datetime.date | None = None) -> dict[int, ReminderOutcome]:
    """Remind the boards of every open round whose deadline is within the configured number
    of days (NEEDS_REMINDER_DAYS_BEFORE_DEADLINE)."""
    today = today or timezone.localdate()
    return {
        needs_round.pk: send_reminders(needs_round=needs_round, today=today)
        for needs_round in selectors.rounds_due_for_reminders(today=today)
    }
