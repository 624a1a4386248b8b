"""Rounds and their answers: which rounds a user sees, each school's response, the board's
open rounds, and whom to remind."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Municipality, SchoolBoard, User
from accounts.scoping import municipality_and_predecessors
from npo_portal.changelog import logged_changes_within
from npo_portal.paging import Counted
from schools.models import (
    AnswerStatus,
    Domain,
    NeedsAnswer,
    NeedsChange,
    NeedsRound,
    Reminder,
    RoundStatus,
    School,
    Severity,
)

NOT_STARTED = "not_started"
RESPONSE_LABELS = {
    AnswerStatus.SUBMITTED: _("Submitted"),
    AnswerStatus.DRAFT: _("Draft"),
    NOT_STARTED: _("Not started"),
}
SHORT_DOMAIN_LABELS = {
    Domain.LANGUAGE: _("Language/reading"),
    Domain.ARITHMETIC: _("Arithmetic"),
    Domain.SOCIAL_EMOTIONAL: _("Social-emotional"),
    Domain.EXECUTIVE: _("Executive functions"),
    Domain.MOTOR: _("Motor skills"),
    Domain.OTHER: _("Other"),
}
SERIOUS = (Severity.CONSIDERABLE, Severity.SEVERE)


def round_accepts_answers(*, needs_round: NeedsRound, today: datetime.date | None = None) -> bool:
    """Boards may save and submit while the round is open, up to and including the deadline."""
    today = today or timezone.localdate()
    return needs_round.status == RoundStatus.OPEN and today <= needs_round.deadline


def rounds_for(*, user: User) -> QuerySet[NeedsRound]:
    """The rounds `user` may see, newest first, with their number of submitted answers."""
    return (
        NeedsRound.objects.for_user(user)
        .select_related("municipality")
        .annotate(
            submitted_count=Count("answers", filter=Q(answers__status=AnswerStatus.SUBMITTED))
        )
    )


def schools_for(*, user: User, municipality: Municipality | None = None) -> QuerySet[School]:
    """The school locations `user` may see, optionally only those in `municipality`."""
    schools = School.objects.for_user(user).open().select_related("board", "municipality")
    if municipality is not None:
        schools = schools.filter(municipality=municipality)
    return schools.order_by("municipality__name", "name")


# ---------------------------------------------------------------------------------------
# Responses per school


@dataclass
class SchoolResponse:
    school: School
    status: str
    answer_id: int | None
    updated_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    reopen_requested: bool

    @property
    def status_label(self) -> str:
        return str(RESPONSE_LABELS[self.status])


def _annotated(*, needs_round: NeedsRound, schools: QuerySet[School]) -> QuerySet[School]:
    """`schools` with their board and their answer in the round (one row each: a school
    answers a round once), by one LEFT JOIN rather than a subquery per column and school."""
    return (
        schools.select_related("board")
        .alias(
            answer=FilteredRelation("needs_answers", condition=Q(needs_answers__round=needs_round))
        )
        .annotate(
            answer_id=F("answer__pk"),
            answer_status=F("answer__status"),
            answer_updated_at=F("answer__updated_at"),
            answer_submitted_at=F("answer__submitted_at"),
            answer_reopen_requested_at=F("answer__reopen_requested_at"),
        )
    )


def _response(school: School) -> SchoolResponse:
    return SchoolResponse(
        school=school,
        status=school.answer_status or NOT_STARTED,
        answer_id=school.answer_id,
        updated_at=school.answer_updated_at,
        submitted_at=school.answer_submitted_at,
        reopen_requested=school.answer_reopen_requested_at is not None,
    )


def responses(*, needs_round: NeedsRound, schools: QuerySet[School]) -> list[SchoolResponse]:
    """For each of `schools`, whether it submitted, has a draft or has not started; one query."""
    return [_response(school) for school in _annotated(needs_round=needs_round, schools=schools)]


# The round detail's filter on the response (query parameter `status`, in Dutch as the
# page's other parameters): the statuses each value shows.
STATUS_FILTERS = {
    "ingediend": (AnswerStatus.SUBMITTED,),
    "concept": (AnswerStatus.DRAFT,),
    "niet-begonnen": (NOT_STARTED,),
    "niet-gerapporteerd": (AnswerStatus.DRAFT, NOT_STARTED),
}
STATUS_FILTER_LABELS = {
    "ingediend": _("Submitted"),
    "concept": _("Draft"),
    "niet-begonnen": _("Not started"),
    "niet-gerapporteerd": _("Not reported (draft or not started)"),
}


@dataclass
class ResponsePage:
    """The schools of a round whose response a filter asks for, to be paged (`rows` is
    counted and sliced by the database), and the counts per status of all schools."""

    counts: dict[str, int]
    status_filter: str
    rows: Sequence[SchoolResponse]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def status_counts(self) -> list[tuple[str, str, int]]:
        """(filter value, label, count) per response status, over all schools."""
        return [
            (value, str(STATUS_FILTER_LABELS[value]), self._count(value))
            for value in ("ingediend", "concept", "niet-begonnen")
        ]

    @property
    def unreported(self) -> int:
        return self._count("niet-gerapporteerd")

    def _count(self, value: str) -> int:
        return sum(self.counts.get(status, 0) for status in STATUS_FILTERS[value])


def response_page(
    *,
    needs_round: NeedsRound,
    schools: QuerySet[School],
    status_filter: str = "",
    counts: dict[str, int] | None = None,
) -> ResponsePage:
    """`responses` for a page at a time: two queries (the counts per status, unless the
    caller has them, and the rows of the page when it is sliced), whatever the number of
    schools. `status_filter` is one of `STATUS_FILTERS` or empty for all schools."""
    rows = _annotated(needs_round=needs_round, schools=schools)
    if counts is None:
        counts = {}
        for row in rows.order_by().values("answer_status").annotate(n=Count("pk")):
            status = row["answer_status"] or NOT_STARTED
            counts[status] = counts.get(status, 0) + row["n"]
    if status_filter not in STATUS_FILTERS:
        status_filter = ""
    wanted = STATUS_FILTERS.get(status_filter, ())
    if wanted:
        condition = Q(answer_status__in=[s for s in wanted if s != NOT_STARTED])
        if NOT_STARTED in wanted:
            condition |= Q(answer_status__isnull=True)
        rows = rows.filter(condition)
    count = sum(counts.get(status, 0) for status in wanted) if wanted else sum(counts.values())
    return ResponsePage(
        counts=counts, status_filter=status_filter, rows=Counted(rows, count, _response)
    )


def round_responses(*, needs_round: NeedsRound, user: User) -> list[SchoolResponse]:
    """The responses `user` may see in a round: every school of the municipality for its
    officers, the board's own schools in that municipality for a board user."""
    return responses(needs_round=needs_round, schools=_round_schools(needs_round, user))


def _round_schools(needs_round: NeedsRound, user: User) -> QuerySet[School]:
    return School.objects.for_user(user).in_round(needs_round).order_by("board__name", "name", "pk")


def round_response_page(
    *, needs_round: NeedsRound, user: User, status_filter: str = ""
) -> ResponsePage:
    """`round_responses` a page at a time, optionally only those of one status."""
    return response_page(
        needs_round=needs_round,
        schools=_round_schools(needs_round, user),
        status_filter=status_filter,
    )


@dataclass
class BoardRound:
    needs_round: NeedsRound
    responses: list[SchoolResponse]
    accepts_answers: bool

    @property
    def to_do(self) -> int:
        return sum(1 for r in self.responses if r.status != AnswerStatus.SUBMITTED)


def board_open_rounds(*, user: User) -> list[BoardRound]:
    """The open rounds a board user must answer, each with the board's schools there."""
    if not user.is_school_board_user:
        return []
    today = timezone.localdate()
    rounds = list(
        NeedsRound.objects.for_user(user).open().select_related("municipality").order_by("deadline")
    )
    # Three queries however many municipalities the board works in (a board with schools in
    # many municipalities has as many open rounds).
    schools = list(
        School.objects.for_user(user)
        .filter(municipality_id__in={r.municipality_id for r in rounds})
        .select_related("board")
        .order_by("board__name", "name")
    )
    answers = {
        (answer.round_id, answer.school_id): answer
        for answer in NeedsAnswer.objects.filter(
            round__in=rounds, school__in=[school.pk for school in schools]
        ).only(
            "round_id", "school_id", "status", "updated_at", "submitted_at", "reopen_requested_at"
        )
    }

    def response(needs_round: NeedsRound, school: School) -> SchoolResponse:
        answer = answers.get((needs_round.pk, school.pk))
        return SchoolResponse(
            school=school,
            status=answer.status if answer else NOT_STARTED,
            answer_id=answer.pk if answer else None,
            updated_at=answer.updated_at if answer else None,
            submitted_at=answer.submitted_at if answer else None,
            reopen_requested=bool(answer and answer.reopen_requested_at is not None),
        )

    return [
        BoardRound(
            needs_round=needs_round,
            responses=[
                response(needs_round, school)
                for school in schools
                if school.municipality_id == needs_round.municipality_id
            ],
            accepts_answers=round_accepts_answers(needs_round=needs_round, today=today),
        )
        for needs_round in rounds
    ]


@dataclass
class MunicipalRound:
    needs_round: NeedsRound
    unreported: int


def open_rounds_with_unreported(*, user: User) -> list[MunicipalRound]:
    """A municipal officer's open rounds, each with how many schools have not submitted."""
    if not user.municipality_id or user.is_school_board_user:
        return []
    # Asked on every view of the home page: the rounds and their counts are kept in the cache
    # under the needs log's count for the municipalities the user's rounds belong to, read
    # first, which every write to a round, a school or an answer there moves on (the triggers
    # of migration 0005) (issue 32).
    changes = logged_changes_within(
        NeedsChange, municipalities=municipality_and_predecessors(user.municipality_id)
    )
    key = f"open-rounds:{user.municipality_id}:{user.role}:{changes}"
    found = cache.get(key)
    if found is None:
        found = [
            MunicipalRound(needs_round=r, unreported=unreported_count(needs_round=r))
            for r in NeedsRound.objects.for_user(user).open().order_by("deadline")[:5]
        ]
        cache.set(key, found, settings.FIGURES_CACHE_SECONDS)
    return found


# ---------------------------------------------------------------------------------------
# Reminders


@dataclass
class Recipient:
    board: SchoolBoard
    user: User
    schools: list[School]

    @property
    def email(self) -> str:
        return self.user.email


def unreported(*, needs_round: NeedsRound) -> list[SchoolResponse]:
    """The schools of the round's municipality that have not submitted (draft or nothing)."""
    schools = School.objects.in_round(needs_round).order_by("board__name", "name")
    return [
        response
        for response in responses(needs_round=needs_round, schools=schools)
        if response.status != AnswerStatus.SUBMITTED
    ]


def unreported_count(*, needs_round: NeedsRound) -> int:
    """`len(unreported(...))`, counted by the database (a school answers a round once)."""
    submitted = NeedsAnswer.objects.filter(round=needs_round, status=AnswerStatus.SUBMITTED)
    return (
        School.objects.in_round(needs_round)
        .exclude(pk__in=submitted.values("school_id"))
        .order_by()
        .count()
    )


def reminder_recipients(*, needs_round: NeedsRound) -> list[Recipient]:
    """Each active user with an e-mail address of a board with unreported schools."""
    schools_per_board: dict[int, list[School]] = defaultdict(list)
    for response in unreported(needs_round=needs_round):
        schools_per_board[response.school.board_id].append(response.school)
    users = (
        User.objects.filter(school_board__in=list(schools_per_board), is_active=True)
        .exclude(email="")
        .select_related("school_board")
        .order_by("school_board__name", "email")
    )
    seen: set[str] = set()
    recipients = []
    for user in users:
        if user.email.lower() in seen:
            continue
        seen.add(user.email.lower())
        recipients.append(
            Recipient(
                board=user.school_board, user=user, schools=schools_per_board[user.school_board_id]
            )
        )
    return recipients


def reminded_on(*, needs_round: NeedsRound, day: datetime.date) -> set[str]:
    """The addresses that already got a reminder for this round on `day`."""
    return set(
        Reminder.objects.filter(round=needs_round, sent_on=day).values_list("recipient", flat=True)
    )


def reminders_sent(*, needs_round: NeedsRound) -> QuerySet[Reminder]:
    """The reminders of a round, newest first."""
    return needs_round.reminders.select_related("board", "sent_by").order_by("-sent_at")


def rounds_due_for_reminders(*, today: datetime.date) -> QuerySet[NeedsRound]:
    """Open rounds whose deadline is today or within the configured days ahead."""
    days = settings.NEEDS_REMINDER_DAYS_BEFORE_DEADLINE
    return NeedsRound.objects.open().filter(
        deadline__gte=today, deadline__lte=today + datetime.timedelta(days=days)
    )
