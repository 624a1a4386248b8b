"""The golden thread of a municipality: from the needs its schools reported, through its plan's
interventions and their reach, to what was spent on them."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.utils import timezone

from accounts.models import Municipality
from accounts.selectors import grant_members
from finance.selectors import (
    FinanceTotals,
    InterventionTotals,
    finance_programme,
)
from insight.figures import cached_finance_totals, changes_key, grant_and_changes
from insight.models import MoneyChange
from insight.shares import largest_remainder
from plans.models import (
    Intervention,
    SchoolReach,
    SpendingGoal,
)
from schools.models import (
    AnswerStatus,
    DelayAssessment,
    NeedRequest,
    NeedsAnswer,
    NeedsChange,
    NeedsRound,
    School,
)

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


@dataclass
class NeedLine:
    need: NeedRequest
    goals: list[SpendingGoal]
    # The goals no intervention reaching the school addresses.
    unmet_goals: list[SpendingGoal] = field(default_factory=list)


@dataclass
class SchoolShare:
    intervention: Intervention
    amount: Decimal


@dataclass
class SchoolThread:
    school: School
    answer: NeedsAnswer | None
    delays: list[DelayAssessment]
    needs: list[NeedLine]
    interventions: list[SchoolShare]

    @property
    def spent(self) -> Decimal:
        return sum((share.amount for share in self.interventions), ZERO)


@dataclass
class InterventionThread:
    intervention: Intervention
    schools: list[School]
    planned_reach: int | None
    reported_reach: int | None
    budget: Decimal
    spent: Decimal
    shared_by_reach: bool
    answers_a_need: bool

    @property
    def cost_per_pupil(self) -> Decimal | None:
        """Spent per child reached, where the reported reach is known."""
        if not self.reported_reach:
            return None
        return (self.spent / self.reported_reach).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class UnmetNeed:
    school: School
    need: NeedRequest
    goal: SpendingGoal


class SchoolRows(Sequence):
    """The thread's schools in their order, each row built when it is read: a slice of them
    (a page) costs the rows of the slice; iterating builds them all, once."""

    def __init__(self, schools: QuerySet, build: Callable[[list[School]], list[SchoolThread]]):
        self._schools, self._build = schools, build
        self._count: int | None = None
        self._all: list[SchoolThread] | None = None

    def __len__(self) -> int:
        if self._all is not None:
            return len(self._all)
        if self._count is None:
            self._count = self._schools.count()
        return self._count

    def __getitem__(self, index):
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return self._build(list(self._schools[index]))
        if index < 0:
            index += len(self)
        found = self[index : index + 1] if index >= 0 else []
        if not found:
            raise IndexError("school row index out of range")
        return found[0]

    def __iter__(self):
        if self._all is None:
            self._all = self._build(list(self._schools))
        return iter(self._all)


@dataclass
class GoldenThread:
    municipality: Municipality
    reference_date: datetime.date
    schools: Sequence[SchoolThread]
    interventions: list[InterventionThread]
    unmet_needs: list[UnmetNeed]
    spent: Decimal
    spent_on_schools: Decimal
    spent_on_interventions_without_school: Decimal
    not_on_intervention: Decimal
    # Per school with needs in its latest submitted answer, the goals of those needs.
    need_goals: dict[int, list[SpendingGoal]] = field(default_factory=dict)

    @property
    def interventions_without_need(self) -> list[InterventionThread]:
        """Interventions that reach no school that reported a need in their goal."""
        return [i for i in self.interventions if not i.answers_a_need]


@dataclass
class GoalSummary:
    # None for the row of all goals together.
    goal: SpendingGoal | None
    schools_with_need: int = 0
    unmet_needs: int = 0
    interventions: int = 0
    budget: Decimal = ZERO
    spent: Decimal = ZERO

    def add(self, row: InterventionThread) -> None:
        self.interventions += 1
        self.budget += row.budget
        self.spent += row.spent


def goal_summary(thread: GoldenThread) -> tuple[list[GoalSummary], GoalSummary]:
    """Per spending goal, in the goals' order: the schools that reported a need in it, its
    needs no intervention answers, and its interventions with their budget and spending;
    and all goals together (a school with needs in two goals counts once there). Read from
    the thread, so the sums are those of the detail and of the XLSX."""
    summaries: dict[int, GoalSummary] = {}
    total = GoalSummary(goal=None, unmet_needs=len(thread.unmet_needs))

    def of(goal: SpendingGoal) -> GoalSummary:
        return summaries.setdefault(goal.pk, GoalSummary(goal=goal))

    for goals in thread.need_goals.values():
        for goal in goals:
            of(goal).schools_with_need += 1
        total.schools_with_need += bool(goals)
    for unmet in thread.unmet_needs:
        of(unmet.goal).unmet_needs += 1
    for row in thread.interventions:
        of(row.intervention.goal).add(row)
        total.add(row)
    return sorted(summaries.values(), key=lambda s: (s.goal.order, s.goal.pk)), total


@dataclass(frozen=True)
class ThreadCounts:
    """The golden thread's three counts of coverage, without its rows or money."""

    schools: int
    unmet_needs: int
    interventions_without_need: int


def thread_counts(
    *,
    municipality: Municipality,
    today: datetime.date | None = None,
    members: list[int] | None = None,
) -> ThreadCounts:
    """`len` of `golden_thread(money=False)`'s schools, unmet needs and interventions
    without a need, counted by the database: four queries however many schools, needs and
    interventions the grant has (issue 32: the plan page built the whole thread for them),
    three when the caller has the grant's `members` (their ids)."""
    if members is None:
        today = today or timezone.localdate()
        members = [m.pk for m in grant_members(municipality=municipality, on=today)]
    latest = _latest_answer_ids(members)
    # A need's goal is met when an intervention of the grant in that goal reaches the school.
    met = Intervention.schools.through.objects.filter(
        school_id=OuterRef("needrequest__answer__school_id"),
        intervention__goal_id=OuterRef("spendinggoal_id"),
        intervention__plan__municipality__in=members,
    )
    unmet = NeedRequest.goals.through.objects.filter(
        ~Exists(met), needrequest__answer_id__in=latest
    )
    # An intervention answers a need when a school it reaches reported one in its goal.
    answered = NeedRequest.goals.through.objects.filter(
        spendinggoal_id=OuterRef("goal_id"),
        needrequest__answer_id__in=latest,
        needrequest__answer__school__interventions=OuterRef("pk"),
    )
    return ThreadCounts(
        schools=School.objects.filter(municipality__in=members).count(),
        unmet_needs=unmet.count(),
        interventions_without_need=Intervention.objects.filter(
            ~Exists(answered), plan__municipality__in=members
        ).count(),
    )


def _latest_answer_ids(members: list[int]) -> QuerySet:
    """The ids of `_latest_answers`, as a subquery: per school of the grant its submitted
    answer in the latest round of the grant it answered."""
    latest = (
        NeedsAnswer.objects.filter(
            school_id=OuterRef("pk"),
            status=AnswerStatus.SUBMITTED,
            round__municipality__in=members,
        )
        .order_by("-round__opened_at", "-round_id")
        .values("pk")[:1]
    )
    return (
        School.objects.filter(municipality__in=members)
        .annotate(latest=Subquery(latest))
        .filter(latest__isnull=False)
        .values("latest")
    )


def thread_key(*, municipality: Municipality, today: datetime.date) -> tuple[list[int], str]:
    """The grant's members on `today` (their ids) and a key that changes whenever anything
    `golden_thread(municipality, today)` reads changes: the grant's money and plans
    (`figures_key`, MoneyChange) and its schools, needs, interventions' schools and reach
    (schools' NeedsChange), with the grant and the day. One query."""
    members, changes = grant_and_changes(
        municipality=municipality, on=today, logs=(MoneyChange, NeedsChange)
    )
    return members, changes_key(members=members, on=today, changes=changes)


def golden_thread(
    *,
    municipality: Municipality,
    today: datetime.date | None = None,
    money: bool = True,
    delays: bool = True,
) -> GoldenThread:
    """Per school its latest reported needs, the interventions reaching it and their money
    shared over the schools they reach (by each school's planned reach where every school
    reached has one, else evenly); per intervention its reach, budget and spending; and the
    needs no intervention answers. Money comes from `finance_totals` (through the cache of
    `insight.figures`), shares add up exactly.
    With `money=False` only the needs, reach and coverage, without the totals' queries;
    every amount is then zero. With `delays=False` the schools' delays are left empty, to be
    read for the schools shown (`with_delays`): a page shows 25 of them.

    The rows per school are built when read (`SchoolRows`): the page reads 25, the XLSX and
    the PDF all. What the thread says over all schools (the needs' goals, the unmet needs,
    what was spent at the schools) comes from the needs' goals of the latest answers and the
    interventions' reach, without a row per school (issue 32)."""
    today = today or timezone.localdate()
    members = grant_members(municipality=municipality, on=today)
    member_ids = {member.pk for member in members}
    if money:
        totals = cached_finance_totals(municipality=municipality, today=today)
    else:
        totals = FinanceTotals(
            municipality=municipality, programme=finance_programme(), reference_date=today
        )
        totals.interventions = [
            InterventionTotals(intervention=i)
            for i in Intervention.objects.filter(plan__municipality__in=members)
            .select_related("goal")
            .order_by("plan__municipality__code", "code")
        ]
    interventions = [row.intervention for row in totals.interventions]
    reached: dict[int, list[School]] = defaultdict(list)
    through = Intervention.schools.through.objects.filter(
        intervention_id__in=[i.pk for i in interventions]
    ).select_related("school")
    for link in through.order_by("school__name", "school__brin", "school__vestiging"):
        reached[link.intervention_id].append(link.school)
    reach = {
        (row.intervention_id, row.school_id): row
        for row in SchoolReach.objects.filter(intervention__in=interventions)
    }

    school_goals: dict[int, set[int]] = defaultdict(set)
    for intervention in interventions:
        for school in reached[intervention.pk]:
            school_goals[school.pk].add(intervention.goal_id)
    latest_ids = _latest_ids(member_ids)
    need_goals, unmet = _needs_and_unmet(list(latest_ids.values()), school_goals)
    need_goal_ids = {school: {g.pk for g in goals} for school, goals in need_goals.items()}

    shares: dict[int, list[SchoolShare]] = defaultdict(list)
    intervention_rows, spent_without_school, spent_on_schools = [], ZERO, ZERO
    for row in totals.interventions:
        intervention, schools_reached = row.intervention, reached[row.intervention.pk]
        planned = [reach.get((intervention.pk, s.pk)) for s in schools_reached]
        by_reach = bool(schools_reached) and all(r and r.planned for r in planned)
        weights = [
            (school.pk, r.planned if by_reach else 1)
            for school, r in zip(schools_reached, planned, strict=True)
        ]
        member_school = {s.pk for s in schools_reached if s.municipality_id in member_ids}
        for school_id, amount in largest_remainder(row.spent, weights).items():
            shares[school_id].append(SchoolShare(intervention=intervention, amount=amount))
            if school_id in member_school:
                spent_on_schools += amount
        if not schools_reached:
            spent_without_school += row.spent
        reported = [reach.get((intervention.pk, s.pk)) for s in schools_reached]
        reported_values = [r.reported for r in reported if r and r.reported is not None]
        intervention_rows.append(
            InterventionThread(
                intervention=intervention,
                schools=schools_reached,
                planned_reach=intervention.planned_reach,
                reported_reach=sum(reported_values) if reported_values else None,
                budget=row.budget,
                spent=row.spent,
                shared_by_reach=by_reach,
                answers_a_need=any(
                    intervention.goal_id in need_goal_ids.get(s.pk, ()) for s in schools_reached
                ),
            )
        )

    def rows(schools: list[School]) -> list[SchoolThread]:
        answers = _latest_answers(latest_ids, schools, delays=delays)
        threads = []
        for school in schools:
            answer = answers.get(school.pk)
            lines = []
            for need in answer.need_list if answer else []:
                goals = need.goal_list
                missing = [g for g in goals if g.pk not in school_goals[school.pk]]
                lines.append(NeedLine(need=need, goals=goals, unmet_goals=missing))
            threads.append(
                SchoolThread(
                    school=school,
                    answer=answer,
                    delays=answer.delay_list if answer else [],
                    needs=lines,
                    interventions=shares.get(school.pk, []),
                )
            )
        return threads

    schools = School.objects.filter(municipality__in=member_ids).order_by(
        "name", "brin", "vestiging"
    )
    return GoldenThread(
        municipality=municipality,
        reference_date=today,
        schools=SchoolRows(schools, rows),
        interventions=intervention_rows,
        unmet_needs=unmet,
        spent=totals.spent,
        spent_on_schools=spent_on_schools,
        spent_on_interventions_without_school=spent_without_school,
        not_on_intervention=totals.not_on_intervention,
        need_goals=need_goals,
    )


def _needs_and_unmet(
    latest_ids: list[int], school_goals: dict[int, set[int]]
) -> tuple[dict[int, list[SpendingGoal]], list[UnmetNeed]]:
    """Per school, the goals of the needs in its latest submitted answer (`latest_ids`), and
    the needs whose goal no intervention reaching the school has (`school_goals`), in the
    schools' order, each school's needs in theirs and their goals in the goals' order: one
    query of the needs' goals, one of the unmet needs with their schools."""
    links = NeedRequest.goals.through.objects.filter(
        needrequest__answer_id__in=latest_ids
    ).order_by()
    goal_ids: dict[int, set[int]] = defaultdict(set)
    unmet_links = []
    for pk, school_id, goal_id in links.values_list(
        "pk", "needrequest__answer__school_id", "spendinggoal_id"
    ):
        goal_ids[school_id].add(goal_id)
        if goal_id not in school_goals[school_id]:
            unmet_links.append(pk)
    goals = SpendingGoal.objects.in_bulk({g for ids in goal_ids.values() for g in ids})
    need_goals = {school: [goals[g] for g in ids] for school, ids in goal_ids.items()}
    unmet = (
        [
            UnmetNeed(
                school=link.needrequest.answer.school, need=link.needrequest, goal=link.spendinggoal
            )
            for link in NeedRequest.goals.through.objects.filter(pk__in=unmet_links)
            .select_related("needrequest__answer__school", "spendinggoal")
            .order_by(
                "needrequest__answer__school__name",
                "needrequest__answer__school__brin",
                "needrequest__answer__school__vestiging",
                "needrequest_id",
                "spendinggoal__order",
                "spendinggoal_id",
            )
        ]
        if unmet_links
        else []
    )
    return need_goals, unmet


def with_delays(rows: list[SchoolThread]) -> list[SchoolThread]:
    """`rows` of a thread read without delays (`golden_thread(delays=False)`), each with
    its answer's delays: one query for all of them."""
    delays = _delays_of([row.answer.pk for row in rows if row.answer])
    for row in rows:
        row.delays = delays.get(row.answer.pk, []) if row.answer else []
    return rows


def _delays_of(answer_ids: list[int]) -> dict[int, list[DelayAssessment]]:
    delays: dict[int, list[DelayAssessment]] = defaultdict(list)
    # Each answer's delays in their order (by domain), without the joins that sorting the
    # answers by their round and school would cost.
    for delay in DelayAssessment.objects.filter(answer_id__in=answer_ids).order_by(
        "answer_id", "domain"
    ):
        delays[delay.answer_id].append(delay)
    return delays


def _latest_ids(member_ids: set[int]) -> dict[int, int]:
    """Per school of the grant, the id of its submitted answer in the latest round it
    answered (rounds of the municipality and of those merged into it): `_latest_answer_ids`
    as a dict, from one query of ids."""
    latest: dict[int, int] = {}
    for pk, school_id in (
        NeedsAnswer.objects.filter(
            school__municipality__in=member_ids,
            status=AnswerStatus.SUBMITTED,
            round__municipality__in=member_ids,
        )
        .order_by("school_id", "-round__opened_at", "-round_id")
        .values_list("pk", "school_id")
    ):
        latest.setdefault(school_id, pk)
    return latest


def _latest_answers(
    latest_ids: dict[int, int], schools: list[School], *, delays: bool = True
) -> dict[int, NeedsAnswer]:
    """Each of `schools`' latest submitted answer (`_latest_ids`), with its delays
    (`delay_list`), needs (`need_list`) and their goals (`need.goal_list`) in their models'
    order.

    Issue 32: the latest are chosen from their ids first, so that only they are loaded (every
    year's answers were loaded with their delays and needs, and the latest kept); and the
    delays, needs and goals come from three plain queries grouped here, not from
    prefetch_related, which filtered a queryset per answer and relation (two thirds of the
    golden thread's cold CPU for a municipality with 175 schools)."""
    ids = [latest_ids[school.pk] for school in schools if school.pk in latest_ids]
    # The answers' few rounds are read once each, not once per answer.
    answers = list(NeedsAnswer.objects.filter(pk__in=ids).order_by())
    rounds = NeedsRound.objects.in_bulk({answer.round_id for answer in answers})
    for answer in answers:
        answer.round = rounds[answer.round_id]
    delay_lists = _delays_of(ids) if delays else {}
    needs: dict[int, list[NeedRequest]] = defaultdict(list)
    for need in NeedRequest.objects.filter(answer_id__in=ids).order_by("answer_id", "pk"):
        need.goal_list = []
        needs[need.answer_id].append(need)
    by_pk = {need.pk: need for rows in needs.values() for need in rows}
    if by_pk:
        links = (
            NeedRequest.goals.through.objects.filter(needrequest_id__in=list(by_pk))
            .select_related("spendinggoal")
            .order_by("spendinggoal__order", "spendinggoal_id")
        )
        for link in links:
            by_pk[link.needrequest_id].goal_list.append(link.spendinggoal)
    for answer in answers:
        answer.delay_list = delay_lists.get(answer.pk, [])
        answer.need_list = needs.get(answer.pk, [])
    return {answer.school_id: answer for answer in answers}
