"""What changes the end of a grant: recording the Minister's decision and its repayment,
closing and reopening a municipality's programme, and the objection reminder."""

from __future__ import annotations

import datetime
import hashlib
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Municipality, Role, User
from accounts.themes import theme_of
from finance.selectors import final_position, finance_programme
from npo_portal.mail import send_portal_mail
from npo_portal.queueing import enqueue_each
from settlement import permissions
from settlement.deadlines import objection_deadline
from settlement.models import Closure, Repayment, Settlement
from settlement.selectors import components, expected_figures, is_paid, settlement_for

logger = logging.getLogger(__name__)
PDF_MAGIC = b"%PDF-"


def _checked_letter(letter: UploadedFile) -> tuple[str, int]:
    """The letter's SHA-256 and size, once it is what it claims: a PDF (by its first bytes,
    not its name) within the size limit."""
    limit = settings.SETTLEMENT_LETTER_MAX_MB * 1024 * 1024
    if letter.size > limit:
        raise ValidationError(
            {
                "letter": _("The letter is larger than %(size)s MB.")
                % {"size": settings.SETTLEMENT_LETTER_MAX_MB}
            }
        )
    letter.seek(0)
    if letter.read(len(PDF_MAGIC)) != PDF_MAGIC:
        raise ValidationError(
            {"letter": _("The letter is not a PDF file. Upload the decision as PDF.")}
        )
    digest = hashlib.sha256()
    letter.seek(0)
    for chunk in letter.chunks():
        digest.update(chunk)
    letter.seek(0)
    return digest.hexdigest(), letter.size


@transaction.atomic
def record_settlement(
    *,
    municipality: Municipality,
    user: User,
    decided_on: datetime.date,
    sent_on: datetime.date,
    reference: str,
    allocation: Decimal,
    received: Decimal,
    amount_set: Decimal,
    amount_to_repay: Decimal,
    explanation: str = "",
    letter: UploadedFile | None = None,
) -> Settlement:
    """Record (or correct) the Minister's settlement decision beside the portal's expected
    figures of today; where a figure differs, the explanation is required. The objection
    deadline follows from the day it was sent. Refused once a repayment is recorded."""
    if not permissions.can_record_settlement(user, municipality):
        raise PermissionDenied
    if sent_on < decided_on:
        raise ValidationError({"sent_on": _("A decision cannot be sent before its date.")})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("The date of the decision lies in the future.")})
    settlement = settlement_for(municipality=municipality) or Settlement(
        programme=finance_programme(), municipality=municipality
    )
    if settlement.pk and Repayment.objects.filter(settlement=settlement).exists():
        raise ValidationError(
            _("The repayment of this decision is recorded; the decision can no longer change.")
        )
    expected = expected_figures(position=final_position(municipality=municipality))
    settlement.decided_on, settlement.sent_on, settlement.reference = decided_on, sent_on, reference
    settlement.allocation, settlement.received = allocation, received
    settlement.amount_set, settlement.amount_to_repay = amount_set, amount_to_repay
    for name, amount in expected.items():
        setattr(settlement, f"expected_{name}", amount)
    settlement.explanation = explanation.strip()
    if any(c.differs for c in components(settlement=settlement)) and not settlement.explanation:
        raise ValidationError(
            {
                "explanation": _(
                    "The decision differs from the portal's expected figures: explain each "
                    "difference."
                )
            }
        )
    settlement.objection_deadline = objection_deadline(sent_on=sent_on)
    settlement.recorded_by, settlement.recorded_at = user, timezone.now()
    settlement._history_user = user
    if letter is not None:
        settlement.letter_sha256, settlement.letter_size = _checked_letter(letter)
        settlement.letter_name = letter.name[:255]
        old_name = settlement.letter.name
        # Through the storage API under a random name (models.letter_path).
        settlement.letter.save("brief.pdf", letter, save=False)
        if old_name:
            transaction.on_commit(lambda: settlement.letter.storage.delete(old_name))
    elif not settlement.letter:
        raise ValidationError({"letter": _("Upload the decision letter (PDF).")})
    settlement.save()
    return settlement


@transaction.atomic
def record_repayment(
    *,
    settlement: Settlement,
    user: User,
    date: datetime.date,
    amount: Decimal,
    reference: str = "",
) -> Repayment:
    """Record the payment that settles the decision: the whole amount of the decision (paid
    back, or when negative received), on or after the day it was sent."""
    if not permissions.can_record_settlement(user, settlement.municipality):
        raise PermissionDenied
    if Repayment.objects.filter(settlement=settlement).exists():
        raise ValidationError(_("The repayment of this decision is already recorded."))
    if settlement.amount_to_repay == 0:
        raise ValidationError(_("The decision leaves nothing to repay or to receive."))
    if date < settlement.decided_on:
        raise ValidationError({"date": _("The payment cannot precede the decision.")})
    if date > timezone.localdate():
        raise ValidationError({"date": _("The date lies in the future.")})
    if amount != settlement.amount_to_repay:
        raise ValidationError(
            {
                "amount": _(
                    "The amount differs from the decision's %(amount)s. The portal records "
                    "the payment that settles the decision in full."
                )
                % {"amount": _euro(settlement.amount_to_repay)}
            }
        )
    repayment = Repayment(
        settlement=settlement, date=date, amount=amount, reference=reference, recorded_by=user
    )
    repayment._history_user = user
    repayment.save()
    return repayment


def _euro(amount: Decimal) -> str:
    from npo_portal.formatting import format_euro

    return format_euro(amount)


@transaction.atomic
def close_programme(*, municipality: Municipality, user: User) -> Closure:
    """Close the municipality's programme once its settlement is recorded and paid: from
    then on plans, needs, expenditures, payments and reports are read-only."""
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    if not permissions.can_close_programme(user, municipality):
        raise PermissionDenied
    settlement = settlement_for(municipality=municipality)
    if settlement is None:
        raise ValidationError(_("Record the settlement decision before closing."))
    if not is_paid(settlement=settlement):
        raise ValidationError(_("Record the repayment before closing."))
    closure = Closure(municipality=municipality, settlement=settlement, closed_by=user)
    closure._history_user = user  # the audit trail names who, also outside a request
    closure.save()
    return closure


@transaction.atomic
def reopen_programme(*, municipality: Municipality, user: User, reason: str) -> Closure:
    """Reopen a closed programme: only the functional administrator, with the reason, which
    stays in the log of closings (and the closing's history)."""
    if not permissions.can_reopen_programme(user, municipality):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening the programme.")})
    closure = Closure.objects.select_for_update().get(
        municipality=municipality, reopened_at__isnull=True
    )
    closure.reopened_at, closure.reopened_by = timezone.now(), user
    closure.reopen_reason = reason.strip()
    closure._change_reason = reason.strip()
    closure._history_user = user
    closure.save()
    logger.info("Programme of %s reopened by %s: %s", municipality, user, reason)
    return closure


# The objection reminder --------------------------------------------------------------------


def settlements_due_for_reminder(*, today: datetime.date) -> list[Settlement]:
    """Decisions whose objection deadline is today or within the configured number of days,
    and whose finance officers were not reminded yet."""
    until = today + datetime.timedelta(days=settings.OBJECTION_REMINDER_DAYS_BEFORE_DEADLINE)
    return list(
        Settlement.objects.filter(
            reminder_sent_at__isnull=True,
            objection_deadline__gte=today,
            objection_deadline__lte=until,
        ).select_related("municipality")
    )


def queue_objection_reminders(*, today: datetime.date | None = None) -> list[int]:
    """Queue one reminder task per decision due (after the commit, the house way); returns
    their ids. A refusing broker leaves nothing to undo: the next run queues them again."""
    due = [s.pk for s in settlements_due_for_reminder(today=today or timezone.localdate())]
    enqueue_each("settlement.tasks.send_objection_reminder", [(pk,) for pk in due])
    return due


def send_objection_reminder(*, settlement_id: int) -> list[str]:
    """E-mail the municipality's active finance officers that the objection period of its
    decision ends soon, once: the decision remembers when. Returns the addresses."""
    with transaction.atomic():
        settlement = (
            Settlement.objects.select_for_update()
            .select_related("municipality")
            .filter(pk=settlement_id, reminder_sent_at__isnull=True)
            .first()
        )
        if settlement is None:
            return []
        recipients = list(
            User.objects.filter(
                municipality=settlement.municipality,
                role=Role.FINANCE_OFFICER,
                is_active=True,
            )
            .exclude(email="")
            .values_list("email", flat=True)
        )
        link = settings.PORTAL_BASE_URL + reverse(
            "settlement:detail", args=[settlement.municipality.code]
        )
        with translation.override(settings.LANGUAGE_CODE):
            context = {"settlement": settlement, "link": link}
            subject = render_to_string("settlement/email/reminder_subject.txt", context).strip()
            body = render_to_string("settlement/email/reminder_email.txt", context)
        if recipients:
            # Inside the transaction: a mail that fails leaves the decision unreminded, so the
            # next run tries again.
            theme = theme_of(settlement.municipality, with_logo=True)
            send_portal_mail(subject=subject, body=body, recipients=recipients, theme=theme)
        settlement.reminder_sent_at = timezone.now()
        settlement.save(update_fields=["reminder_sent_at"])
    logger.info("Objection reminder for %s sent to %d people", settlement, len(recipients))
    return recipients
