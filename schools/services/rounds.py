"""Needs rounds: opening, changing and closing a round, and the boards' answers in it."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.models import Municipality, User
from npo_portal.audit import Conflict, EditConflict, conflicts_between
from plans.models import MenuItem, SpendingGoal
from schools import permissions, selectors
from schools.models import (
    AnswerEvent,
    AnswerEventKind,
    AnswerStatus,
    DelayAssessment,
    Domain,
    NeedRequest,
    NeedsAnswer,
    NeedsRound,
    QuestionAnswer,
    RoundQuestion,
    RoundStatus,
    School,
    Severity,
)


def _check_school_year(school_year: str) -> None:
    first, _sep, second = school_year.partition("-")
    if not (first.isdigit() and second.isdigit() and int(second) == int(first) + 1):
        raise ValidationError(
            {"school_year": _("A school year runs over two consecutive years, e.g. 2022-2023.")}
        )


def open_round(
    *,
    municipality: Municipality,
    user: User,
    title: str,
    school_year: str,
    deadline: datetime.date,
    questions: Sequence[str] = (),
) -> NeedsRound:
    """Open a reporting round in which the municipality's schools' boards report."""
    if not permissions.can_manage_rounds(user, municipality):
        raise PermissionDenied
    _check_school_year(school_year)
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot lie in the past.")})
    with transaction.atomic():
        needs_round = NeedsRound.objects.create(
            municipality=municipality,
            title=title,
            school_year=school_year,
            deadline=deadline,
            opened_by=user,
        )
        _set_questions(needs_round, questions)
    return needs_round


def update_round(
    *,
    needs_round: NeedsRound,
    user: User,
    title: str,
    school_year: str,
    deadline: datetime.date,
    questions: Sequence[str] = (),
) -> NeedsRound:
    """Change an open round's title, year, deadline and own questions.

    Questions keep their place: the n-th text replaces the n-th question. A question that
    boards have already answered cannot be dropped.
    """
    if not permissions.can_manage_rounds(user, needs_round.municipality):
        raise PermissionDenied
    if not needs_round.is_open:
        raise ValidationError(_("A closed round can no longer be changed."))
    _check_school_year(school_year)
    with transaction.atomic():
        needs_round.title, needs_round.school_year = title, school_year
        needs_round.deadline = deadline
        needs_round.save(update_fields=["title", "school_year", "deadline"])
        _set_questions(needs_round, questions)
    return needs_round


def _set_questions(needs_round: NeedsRound, texts: Sequence[str]) -> None:
    texts = [text.strip() for text in texts if text.strip()]
    existing = list(needs_round.questions.all())
    for order, text in enumerate(texts):
        if order < len(existing):
            question = existing[order]
            if question.text != text or question.order != order:
                question.text, question.order = text, order
                question.save(update_fields=["text", "order"])
        else:
            RoundQuestion.objects.create(round=needs_round, text=text, order=order)
    surplus = existing[len(texts) :]
    if QuestionAnswer.objects.filter(question__in=surplus).exclude(text="").exists():
        raise ValidationError(
            _("A question that school boards have already answered cannot be removed.")
        )
    RoundQuestion.objects.filter(pk__in=[q.pk for q in surplus]).delete()


def close_round(*, needs_round: NeedsRound, user: User) -> NeedsRound:
    """Close a round: boards can no longer submit or change their answers."""
    if not permissions.can_manage_rounds(user, needs_round.municipality):
        raise PermissionDenied
    if needs_round.is_open:
        needs_round.status = RoundStatus.CLOSED
        needs_round.closed_at = timezone.now()
        needs_round.save(update_fields=["status", "closed_at"])
    return needs_round


# ---------------------------------------------------------------------------------------
# Answers


@dataclass
class AnswerInput:
    """What a board fills in for one school; delays map a domain to (severity, share)."""

    delays: dict[str, tuple[str, int]]
    menu_items: Iterable[MenuItem] = ()
    needs: Sequence[tuple[str, Sequence[SpendingGoal]]] = ()
    question_texts: dict[int, str] = field(default_factory=dict)
    free_text: str = ""
    version: int | None = None  # as loaded in the form; None: no check (demo data, scripts)


def _check_round_accepts(needs_round: NeedsRound) -> None:
    if not selectors.round_accepts_answers(needs_round=needs_round):
        raise ValidationError(
            _("This round is closed or its deadline has passed; answers can no longer be changed.")
        )


def save_answer(
    *, needs_round: NeedsRound, school: School, user: User, data: AnswerInput
) -> NeedsAnswer:
    """Save a board's answer for one school as a draft (created on first save); refused when
    someone saved it after the form was loaded."""
    if not permissions.can_fill_answer(user, school) or school.municipality_id != (
        needs_round.municipality_id
    ):
        raise PermissionDenied
    _check_round_accepts(needs_round)
    with transaction.atomic():
        answer, created = NeedsAnswer.objects.select_for_update().get_or_create(
            round=needs_round, school=school, defaults={"board": school.board}
        )
        if answer.is_submitted:
            raise ValidationError(
                _("This answer has been submitted; ask the municipality to reopen it first.")
            )
        if not created and data.version is not None and data.version != answer.version:
            raise EditConflict(_answer_conflicts(answer, data), current_version=answer.version)
        answer.free_text = data.free_text.strip()
        answer.updated_by = user
        answer.version = answer.version if created else answer.version + 1
        answer.save(update_fields=["free_text", "updated_by", "updated_at", "version"])
        answer.menu_items.set(list(data.menu_items))
        answer.delays.all().delete()
        bulk_create_with_history(
            [
                DelayAssessment(
                    answer=answer, domain=domain, severity=severity, share_of_pupils=share
                )
                for domain, (severity, share) in data.delays.items()
            ],
            DelayAssessment,
            default_user=user,
        )
        answer.needs.all().delete()
        for description, goals in data.needs:
            need = NeedRequest.objects.create(answer=answer, description=description.strip())
            need.goals.set(list(goals))
        valid_questions = set(needs_round.questions.values_list("pk", flat=True))
        answer.question_answers.all().delete()
        QuestionAnswer.objects.bulk_create(
            QuestionAnswer(answer=answer, question_id=question_id, text=text.strip())
            for question_id, text in data.question_texts.items()
            if question_id in valid_questions and text.strip()
        )
    return answer


def _answer_conflicts(answer: NeedsAnswer, data: AnswerInput) -> list[Conflict]:
    """What the stored answer says where the submitted one says something else."""
    submitted = copy.copy(answer)
    submitted.free_text = data.free_text.strip()
    found = conflicts_between(current=answer, submitted=submitted)
    stored = {d.domain: (d.severity, d.share_of_pupils) for d in answer.delays.all()}

    def delay_text(value: tuple[str, int] | None) -> str:
        if value is None:
            return "—"
        return f"{Severity(value[0]).label}, {value[1]}%"

    for domain in Domain.values:
        theirs, yours = stored.get(domain), data.delays.get(domain)
        if theirs != yours:
            found.append(
                Conflict(
                    label=Domain(domain).label, theirs=delay_text(theirs), yours=delay_text(yours)
                )
            )
    return found


REQUIRED_DOMAINS = [domain for domain in Domain.values if domain != Domain.OTHER]


def submit_answer(*, answer: NeedsAnswer, user: User) -> NeedsAnswer:
    """Submit a draft: it is locked until the municipality reopens it."""
    if not permissions.can_fill_answer(user, answer.school):
        raise PermissionDenied
    _check_round_accepts(answer.round)
    if answer.is_submitted:
        raise ValidationError(_("This answer has already been submitted."))
    filled = set(answer.delays.values_list("domain", flat=True))
    missing = [Domain(domain).label for domain in REQUIRED_DOMAINS if domain not in filled]
    if missing:
        raise ValidationError(
            _("Give the severity of the delay for every domain before submitting; missing: %s.")
            % ", ".join(str(label) for label in missing)
        )
    now = timezone.now()
    with transaction.atomic():
        answer.status = AnswerStatus.SUBMITTED
        answer.submitted_at, answer.submitted_by = now, user
        answer.reopen_requested_at, answer.reopen_requested_by = None, None
        answer.reopen_reason = ""
        answer.save()
        AnswerEvent.objects.create(answer=answer, kind=AnswerEventKind.SUBMITTED, at=now, by=user)
    return answer


def request_reopen(*, answer: NeedsAnswer, user: User, reason: str) -> NeedsAnswer:
    """The board asks the municipality to reopen its submitted answer, saying why."""
    if not permissions.can_request_reopen(user, answer):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the answer should be reopened.")})
    if not answer.round.is_open:
        raise ValidationError(_("This round is closed; answers can no longer be reopened."))
    now = timezone.now()
    with transaction.atomic():
        answer.reopen_requested_at, answer.reopen_requested_by = now, user
        answer.reopen_reason = reason.strip()
        answer.save(update_fields=["reopen_requested_at", "reopen_requested_by", "reopen_reason"])
        AnswerEvent.objects.create(
            answer=answer,
            kind=AnswerEventKind.REOPEN_REQUESTED,
            at=now,
            by=user,
            note=reason.strip(),
        )
    return answer


def reopen_answer(*, answer: NeedsAnswer, user: User) -> NeedsAnswer:
    """The municipality puts a submitted answer back into draft so the board can change it."""
    if not permissions.can_reopen(user, answer):
        raise PermissionDenied
    if not answer.round.is_open:
        raise ValidationError(_("This round is closed; answers can no longer be reopened."))
    now = timezone.now()
    with transaction.atomic():
        answer.status = AnswerStatus.DRAFT
        answer.reopen_requested_at, answer.reopen_requested_by = None, None
        answer.save(update_fields=["status", "reopen_requested_at", "reopen_requested_by"])
        AnswerEvent.objects.create(
            answer=answer,
            kind=AnswerEventKind.REOPENED,
            at=now,
            by=user,
            note=answer.reopen_reason,
        )
    return answer
