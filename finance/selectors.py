"""What the grant's money looks like: THE totals function and the expenditure list.

`finance_totals` is the one place that sums euros; the dashboard, the exports and the
accountability reports read it and never add up amounts themselves.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, DateField, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Cast, TruncYear
from django.utils import timezone

from accounts.models import Municipality, User
from accounts.selectors import grant_members
from finance.models import (
    ELIGIBLE,
    Eligibility,
    Expenditure,
    Payment,
    PaymentScheduleEntry,
    SpendingSummary,
    YearClosing,
)
from npo_portal.audit import AuditSource, audit_page
from npo_portal.formatting import format_euro
from plans.models import Allocation, Intervention, Plan, Programme, SpendingGoal
from plans.selectors import budget_totals

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
RECENT_MONTHS = 12


def finance_programme() -> Programme:
    """The programme whose money the portal keeps (the portal serves one programme)."""
    return Programme.objects.order_by("pk").first()


def cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], _month(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


@dataclass(frozen=True)
class ScheduledPayment:
    due_month: datetime.date
    covers_from: datetime.date
    covers_until: datetime.date
    parts: int
    total_parts: int
    expected: Decimal
    received: Decimal = ZERO


def expected_payments(
    *, allocation: Decimal, schedule: list[PaymentScheduleEntry]
) -> list[ScheduledPayment]:
    """The allocation spread over the schedule, each payment rounded to cents; the last
    payment absorbs the rounding so that the payments add up to the allocation exactly."""
    payments = []
    for entry in schedule:
        payments.append(
            ScheduledPayment(
                due_month=entry.due_month,
                covers_from=entry.covers_from,
                covers_until=entry.covers_until,
                parts=entry.parts,
                total_parts=entry.total_parts,
                expected=cents(allocation * entry.parts / entry.total_parts),
            )
        )
    if payments:
        rest = allocation - sum((p.expected for p in payments[:-1]), ZERO)
        payments[-1] = replace(payments[-1], expected=cents(rest))
    return payments


@dataclass
class YearTotals:
    year: int
    spent: Decimal = ZERO
    cumulative: Decimal = ZERO
    received: Decimal = ZERO
    expected: Decimal = ZERO
    closed: bool = False
    cumulative_received: Decimal = ZERO
    ineligible: Decimal = ZERO
    # Eligible spending of this year and up to this year, per goal id and intervention id
    # (None: not charged to an intervention); the accountability report reads these.
    per_goal: dict[int, Decimal] = field(default_factory=dict)
    per_intervention: dict[int | None, Decimal] = field(default_factory=dict)
    cumulative_per_goal: dict[int, Decimal] = field(default_factory=dict)
    cumulative_per_intervention: dict[int | None, Decimal] = field(default_factory=dict)


@dataclass
class GoalTotals:
    goal: SpendingGoal
    budget: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.budget - self.spent


@dataclass
class InterventionTotals:
    intervention: Intervention
    budget: Decimal = ZERO
    spent: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.budget - self.spent


@dataclass
class MonthTotals:
    month: datetime.date
    spent: Decimal = ZERO
    cumulative_spent: Decimal = ZERO
    received: Decimal = ZERO
    cumulative_received: Decimal = ZERO
    cumulative_expected: Decimal = ZERO


@dataclass
class FinanceTotals:
    """Every euro the finance pages and reports show for one municipality."""

    municipality: Municipality
    programme: Programme
    reference_date: datetime.date
    allocation: Decimal = ZERO
    decision_reference: str = ""
    # The municipality's own allocation, for its basis and what the formula gives for it.
    allocation_record: Allocation | None = None
    received: Decimal = ZERO
    expected_to_date: Decimal = ZERO
    spent: Decimal = ZERO
    ineligible: Decimal = ZERO
    ineligible_count: int = 0
    not_on_intervention: Decimal = ZERO
    recent_monthly_rate: Decimal = ZERO
    projected_spending: Decimal = ZERO
    at_risk: Decimal = ZERO
    years: list[YearTotals] = field(default_factory=list)
    goals: list[GoalTotals] = field(default_factory=list)
    interventions: list[InterventionTotals] = field(default_factory=list)
    months: list[MonthTotals] = field(default_factory=list)
    schedule: list[ScheduledPayment] = field(default_factory=list)
    # After a merger: the totals of the municipality itself and of each predecessor, which
    # add up to the totals above (empty for a municipality without predecessors).
    shares: list[FinanceTotals] = field(default_factory=list)

    @property
    def formula_amount(self) -> Decimal | None:
        """What the published formula gives for the allocation's basis, or None."""
        return self.allocation_record.formula_amount if self.allocation_record else None

    @property
    def formula_difference(self) -> Decimal | None:
        """The decided allocation minus the formula's, or None without a basis."""
        return self.allocation_record.formula_difference if self.allocation_record else None

    @property
    def remaining(self) -> Decimal:
        """Allocation not yet spent on eligible expenditures."""
        return self.allocation - self.spent

    @property
    def period_is_over(self) -> bool:
        return self.reference_date > self.programme.end

    @property
    def received_against_expected(self) -> Decimal:
        """Positive when more has arrived than the schedule promised by now."""
        return self.received - self.expected_to_date

    @property
    def budget(self) -> Decimal:
        return sum((g.budget for g in self.goals), ZERO)

    def year(self, year: int) -> YearTotals:
        """The totals of one calendar year (empty outside the programme's years)."""
        for totals in self.years:
            if totals.year == year:
                return totals
        previous = [t for t in self.years if t.year < year]
        last = previous[-1] if previous else None
        return YearTotals(
            year=year,
            cumulative=last.cumulative if last else ZERO,
            cumulative_received=last.cumulative_received if last else ZERO,
            cumulative_per_goal=dict(last.cumulative_per_goal) if last else {},
            cumulative_per_intervention=dict(last.cumulative_per_intervention) if last else {},
        )


def finance_totals(
    *, municipality: Municipality, today: datetime.date | None = None
) -> FinanceTotals:
    """Allocation, payments expected and received, eligible spending per year, month, goal
    and intervention against the plan's budget, and the amount at risk of being reclaimed.

    After a merger the successor holds its predecessors' grant: the totals cover every
    municipality merged into it before `today`, and `shares` gives each one's part.
    A fixed number of queries per municipality, however many expenditures there are.
    """
    programme = finance_programme()
    today = today or timezone.localdate()
    members = grant_members(municipality=municipality, on=today)
    totals = _totals(municipality, members, programme, today)
    if len(members) > 1:
        totals.shares = [_totals(member, [member], programme, today) for member in members]
        totals.years = _years_under_merger_rule(totals)
    return totals


def accounts_in_successor(*, member: Municipality, year: int) -> bool:
    """THE merger rule, for every page, report, API answer and monitor figure: a predecessor's
    books of year `year` are in its successor's figures over that year only when it had
    merged by 31 December of that year. A year it still ended as a municipality of its own
    (Weesp's 2021: merged on 24-03-2022) it accounts for in its own report, and the
    successor's figures over that year leave it out; from the year of the merger on, the
    successor's figures over a year cover the predecessor's books of that whole year, and its
    cumulative figures the predecessor's from the programme's start, since it holds the whole
    grant. The final position and the settlement cover every member's books."""
    return member.valid_until is not None and member.valid_until < datetime.date(year, 12, 31)


def _years_under_merger_rule(totals: FinanceTotals) -> list[YearTotals]:
    """The year rows of a merged grant per `accounts_in_successor`: a year's figures are the
    successor's own plus those of each predecessor that had merged by the year's end, so
    each year agrees with the successor's report over it."""
    combined = {row.year: row for row in totals.years}
    rows = []
    for year in sorted({row.year for share in totals.shares for row in share.years}):
        counted = [
            share.year(year)
            for share in totals.shares
            if share.municipality.pk == totals.municipality.pk
            or accounts_in_successor(member=share.municipality, year=year)
        ]
        row = YearTotals(year=year, closed=combined[year].closed if year in combined else False)
        for part in counted:
            row.spent += part.spent
            row.cumulative += part.cumulative
            row.received += part.received
            row.cumulative_received += part.cumulative_received
            row.expected += part.expected
            row.ineligible += part.ineligible
            for mine, theirs in (
                (row.per_goal, part.per_goal),
                (row.per_intervention, part.per_intervention),
                (row.cumulative_per_goal, part.cumulative_per_goal),
                (row.cumulative_per_intervention, part.cumulative_per_intervention),
            ):
                for key, amount in theirs.items():
                    mine[key] = mine.get(key, ZERO) + amount
        rows.append(row)
    return rows


def _totals(
    municipality: Municipality,
    members: list[Municipality],
    programme: Programme,
    today: datetime.date,
) -> FinanceTotals:
    totals = FinanceTotals(municipality=municipality, programme=programme, reference_date=today)
    allocations = list(Allocation.objects.filter(programme=programme, municipality__in=members))
    schedule = list(PaymentScheduleEntry.objects.filter(programme=programme))
    for allocation in allocations:
        totals.allocation += allocation.amount
        if allocation.municipality_id == municipality.pk:
            totals.allocation_record = allocation
            totals.decision_reference = allocation.decision_reference
    totals.schedule = _combined_schedule(
        [expected_payments(allocation=a.amount, schedule=schedule) for a in allocations]
    ) or expected_payments(allocation=ZERO, schedule=schedule)

    payments_per_month = {
        (row["date__year"], row["date__month"]): cents(row["total"])
        for row in Payment.objects.filter(municipality__in=members, programme=programme)
        .values("date__year", "date__month")
        .annotate(total=Sum("amount"))
        .order_by()
    }
    spending_rows = _spending_groups(members, programme)
    closed_years = set(
        YearClosing.objects.filter(municipality=municipality).values_list("year", flat=True)
    )
    # Budgets are summed by the plans app, the one place that adds them up.
    plans = list(
        Plan.objects.filter(municipality__in=members, programme=programme).order_by(
            "municipality__code"
        )
    )
    budgets = [budget_totals(plan=plan) for plan in plans]
    goals = budgets[0].goals if budgets else list(SpendingGoal.objects.filter(programme=programme))
    interventions = list(
        Intervention.objects.filter(plan__in=plans)
        .select_related("goal")
        .order_by("plan__municipality__code", "code")
    )

    spent_per_month: dict[datetime.date, Decimal] = defaultdict(lambda: ZERO)
    spent_per_goal: dict[int, Decimal] = defaultdict(lambda: ZERO)
    spent_per_intervention: dict[int | None, Decimal] = defaultdict(lambda: ZERO)
    per_year: dict[int, YearTotals] = {}
    for row in spending_rows:
        amount = cents(row["total"])
        year = per_year.setdefault(row["month"].year, YearTotals(year=row["month"].year))
        if row["goal_id"] is None:  # a month's total, eligible or not
            if row["is_eligible"]:
                spent_per_month[row["month"]] += amount
            else:
                totals.ineligible += amount
                totals.ineligible_count += row["count"]
                year.ineligible += amount
            continue
        # A year's eligible spending on one goal and intervention.
        spent_per_goal[row["goal_id"]] += amount
        spent_per_intervention[row["intervention_id"]] += amount
        year.per_goal[row["goal_id"]] = year.per_goal.get(row["goal_id"], ZERO) + amount
        year.per_intervention[row["intervention_id"]] = (
            year.per_intervention.get(row["intervention_id"], ZERO) + amount
        )
    totals.spent = sum(spent_per_month.values(), ZERO)
    totals.received = sum(payments_per_month.values(), ZERO)
    totals.not_on_intervention = spent_per_intervention[None]
    totals.schedule = [
        replace(p, received=payments_per_month.get((p.due_month.year, p.due_month.month), ZERO))
        for p in totals.schedule
    ]
    totals.expected_to_date = sum(
        (p.expected for p in totals.schedule if p.due_month <= today), ZERO
    )

    for intervention in interventions:
        totals.interventions.append(
            InterventionTotals(
                intervention=intervention,
                budget=sum((b.intervention(intervention.pk) for b in budgets), ZERO),
                spent=spent_per_intervention.get(intervention.pk, ZERO),
            )
        )
    totals.goals = [
        GoalTotals(
            goal=goal,
            budget=sum((b.by_goal.get(goal.pk, ZERO) for b in budgets), ZERO),
            spent=spent_per_goal[goal.pk],
        )
        for goal in goals
    ]
    if programme is None:  # no programme loaded yet: nothing to spread over months and years
        return totals

    _fill_months(totals, spent_per_month, payments_per_month)
    _fill_years(totals, spent_per_month, payments_per_month, closed_years, per_year)
    _project(totals, spent_per_month)
    return totals


def _spending_groups(
    members: list[Municipality],
    programme: Programme,
    *,
    year: int | None = None,
    narrow: Q | None = None,
    per_goal: bool = True,
) -> list[dict]:
    """The members' expenditures added up in two shapes: per month and eligibility (`goal_id`
    None), and the eligible ones per year, goal and intervention (`month` is then 1 January).

    Read from the spending summary (`finance.summary`) in one query, whose rows follow the
    months and the plan, not the number of expenditures. A month the programme's period
    starts or ends inside of is split by day, so it is added up from the expenditures.

    `year` keeps one calendar year; `narrow` is a condition on the fields the summary and
    the expenditures share (goal, intervention), for the expenditure list's total;
    `per_goal=False` leaves out the second shape."""
    if programme is None:
        return []
    narrow = narrow or Q()
    first_full = _month(programme.start)
    if programme.start.day != 1:
        first_full = _next_month(first_full)
    after_full = _month(programme.end + datetime.timedelta(days=1))
    split = {
        month
        for month in (_month(programme.start), _month(programme.end))
        if not first_full <= month < after_full
        and month <= programme.end
        and _next_month(month) > programme.start
    }
    summary = (
        SpendingSummary.objects.filter(narrow, municipality__in=members, programme=programme)
        .exclude(month__in=split)
        .order_by()
    )
    if year is not None:
        summary = summary.filter(
            month__gte=datetime.date(year, 1, 1), month__lt=datetime.date(year + 1, 1, 1)
        )
        split = {month for month in split if month.year == year}
    eligible = Q(month__gte=first_full, month__lt=after_full, goal__programme=programme)
    nothing = Value(None, output_field=IntegerField())
    per_month = (
        summary.annotate(
            is_eligible=Case(When(eligible, then=Value(True)), default=Value(False)),
            group_goal=nothing,
            group_intervention=nothing,
        )
        .values("month", "is_eligible", "group_goal", "group_intervention")
        .annotate(sum_total=Sum("total"), sum_count=Sum("count"))
        .order_by()
    )
    goal_groups = (
        summary.filter(eligible)
        .annotate(
            # DATE_TRUNC gives a timestamp on PostgreSQL; the union's column is a date.
            year=Cast(TruncYear("month"), DateField()),
            is_eligible=Value(True),
            group_goal=F("goal_id"),
            group_intervention=F("intervention_id"),
        )
        .values("year", "is_eligible", "group_goal", "group_intervention")
        .annotate(sum_total=Sum("total"), sum_count=Sum("count"))
        .order_by()
    )
    groups = per_month.union(goal_groups, all=True) if per_goal else per_month
    rows = [
        {
            "month": month,
            "is_eligible": bool(is_eligible),
            "goal_id": goal_id,
            "intervention_id": intervention_id,
            "total": total,
            "count": count,
        }
        for month, is_eligible, goal_id, intervention_id, total, count in groups.values_list(
            "month", "is_eligible", "group_goal", "group_intervention", "sum_total", "sum_count"
        )
    ]
    if split:
        in_split = Q()
        for month in split:
            in_split |= Q(date__gte=month, date__lt=_next_month(month))
        for row in (
            Expenditure.objects.filter(
                in_split, narrow, municipality__in=members, programme=programme
            )
            .annotate(is_eligible=Case(When(ELIGIBLE, then=Value(True)), default=Value(False)))
            .values("date__year", "date__month", "goal_id", "intervention_id", "is_eligible")
            .annotate(total=Sum("amount"), count=Count("pk"))
            .order_by()
        ):
            month = datetime.date(row["date__year"], row["date__month"], 1)
            shared = {"is_eligible": row["is_eligible"], "total": row["total"]}
            rows.append({**shared, "month": month, "goal_id": None, "count": row["count"]})
            if row["is_eligible"] and per_goal:
                rows.append(
                    {
                        **shared,
                        "month": month.replace(month=1),
                        "goal_id": row["goal_id"],
                        "intervention_id": row["intervention_id"],
                        "count": row["count"],
                    }
                )
    return rows


@dataclass(frozen=True)
class ListTotals:
    eligible: Decimal
    ineligible: Decimal
    # How many expenditures the list holds, counted with the same rows as the amounts.
    count: int = 0

    @property
    def total(self) -> Decimal:
        return self.eligible + self.ineligible


def expenditure_list_totals(
    *,
    municipality: Municipality,
    filters: ExpenditureFilters,
    expenditures,
    programme: Programme | None = None,
) -> ListTotals:
    """The total of a filtered expenditure list, split into what is charged to the grant and
    what is not. Without a search text the filters (year, goal, intervention, eligibility)
    are ones the spending summary knows, so the total comes from `_spending_groups`, the
    function `finance_totals` adds up the dashboard with, and costs the same for 30 and for
    30,000 rows; a search text needs the rows themselves (`expenditures`, the list's
    queryset), added up with the same rule of eligibility."""
    eligible = ineligible = ZERO
    counts = {True: 0, False: 0}
    if expenditures.query.is_empty():  # the user may see none of them
        return ListTotals(eligible=ZERO, ineligible=ZERO)
    if filters.search.split():
        rows = (
            expenditures.annotate(
                is_eligible=Case(When(ELIGIBLE, then=Value(True)), default=Value(False))
            )
            .values("is_eligible")
            .annotate(total=Sum("amount"), count=Count("pk"))
            .order_by()
        )
    else:
        narrow = Q()
        if filters.goal:
            narrow &= Q(goal__code=filters.goal)
        if filters.intervention == "-":
            narrow &= Q(intervention__isnull=True)
        elif filters.intervention:
            narrow &= Q(intervention__code=filters.intervention)
        rows = _spending_groups(
            [municipality],
            programme or finance_programme(),
            year=filters.year or None,
            narrow=narrow,
            per_goal=False,
        )
    for row in rows:
        counts[bool(row["is_eligible"])] += row["count"]
        if row["is_eligible"]:
            eligible += cents(row["total"])
        else:
            ineligible += cents(row["total"])
    if filters.eligibility == "ok":
        ineligible, counts[False] = ZERO, 0
    elif filters.eligibility == "niet":
        eligible, counts[True] = ZERO, 0
    return ListTotals(eligible=eligible, ineligible=ineligible, count=sum(counts.values()))


def _combined_schedule(schedules: list[list[ScheduledPayment]]) -> list[ScheduledPayment]:
    """Several allocations' payment schedules as one: the expected amounts added per month."""
    if not schedules:
        return []
    combined = list(schedules[0])
    for schedule in schedules[1:]:
        combined = [
            replace(mine, expected=mine.expected + theirs.expected)
            for mine, theirs in zip(combined, schedule, strict=True)
        ]
    return combined


def _fill_months(totals: FinanceTotals, spent_per_month, payments_per_month) -> None:
    programme = totals.programme
    cumulative_spent = cumulative_received = cumulative_expected = ZERO
    expected_per_month = {p.due_month: p.expected for p in totals.schedule}
    first = _month(programme.start)
    # Payments received before the period starts count from its first month.
    early = sum(
        (v for (y, m), v in payments_per_month.items() if datetime.date(y, m, 1) < first), ZERO
    )
    cumulative_received = early
    for month in _months(programme.start, programme.end):
        spent = spent_per_month.get(month, ZERO)
        received = payments_per_month.get((month.year, month.month), ZERO)
        cumulative_spent += spent
        cumulative_received += received
        cumulative_expected += expected_per_month.get(month, ZERO)
        totals.months.append(
            MonthTotals(
                month=month,
                spent=spent,
                cumulative_spent=cumulative_spent,
                received=received,
                cumulative_received=cumulative_received,
                cumulative_expected=cumulative_expected,
            )
        )


def _fill_years(totals, spent_per_month, payments_per_month, closed_years, per_year) -> None:
    programme = totals.programme
    years = {
        year: YearTotals(year=year, closed=year in closed_years)
        for year in range(programme.start.year, programme.end.year + 1)
    }
    for year, found in per_year.items():
        years.setdefault(year, YearTotals(year=year, closed=year in closed_years))
        years[year].ineligible = found.ineligible
        years[year].per_goal = found.per_goal
        years[year].per_intervention = found.per_intervention
    for (year, _month_number), amount in payments_per_month.items():
        years.setdefault(year, YearTotals(year=year, closed=year in closed_years))
        years[year].received += amount
    for month, amount in spent_per_month.items():
        years[month.year].spent += amount
    for payment in totals.schedule:
        years.setdefault(payment.due_month.year, YearTotals(year=payment.due_month.year))
        years[payment.due_month.year].expected += payment.expected
    cumulative = cumulative_received = ZERO
    per_goal: dict[int, Decimal] = {}
    per_intervention: dict[int | None, Decimal] = {}
    for year in sorted(years):
        cumulative += years[year].spent
        cumulative_received += years[year].received
        years[year].cumulative = cumulative
        years[year].cumulative_received = cumulative_received
        for key, amount in years[year].per_goal.items():
            per_goal[key] = per_goal.get(key, ZERO) + amount
        for key, amount in years[year].per_intervention.items():
            per_intervention[key] = per_intervention.get(key, ZERO) + amount
        years[year].cumulative_per_goal = dict(per_goal)
        years[year].cumulative_per_intervention = dict(per_intervention)
    totals.years = [years[year] for year in sorted(years)]


def _project(totals: FinanceTotals, spent_per_month) -> None:
    """Amount at risk: the allocation minus the eligible spending expected by the end of the
    period, projecting the average monthly spending of the last 12 months linearly."""
    programme = totals.programme
    reference = min(totals.reference_date, programme.end)
    last_month = _month(reference)
    recent = _months(
        max(_month(programme.start), _add_months(last_month, -(RECENT_MONTHS - 1))), last_month
    )
    if totals.reference_date < programme.start:
        recent = []
    rate = (
        cents(sum((spent_per_month.get(m, ZERO) for m in recent), ZERO) / len(recent))
        if recent
        else ZERO
    )
    months_left = len(_months(_next_month(last_month), programme.end))
    totals.recent_monthly_rate = rate
    totals.projected_spending = cents(totals.spent + rate * months_left)
    totals.at_risk = max(ZERO, totals.allocation - totals.projected_spending)


def _add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


# The expenditure list ---------------------------------------------------------------------


@dataclass(frozen=True)
class ExpenditureFilters:
    year: int | None = None
    goal: str | None = None
    intervention: str | None = None
    eligibility: str | None = None
    search: str = ""
    order: str = "-date"


# The orders the list offers: the field sorted on, newest or largest first with "-".
ORDERS = ("-date", "date", "-amount", "amount")


def expenditures_for(*, user, municipality: Municipality, filters: ExpenditureFilters):
    """The municipality's expenditures the user may see, filtered and searched, in the
    chosen order (newest first by default)."""
    queryset = Expenditure.objects.for_user(user).filter(municipality=municipality)
    if filters.year:
        queryset = queryset.filter(
            date__gte=datetime.date(filters.year, 1, 1),
            date__lte=datetime.date(filters.year, 12, 31),
        )
    if filters.goal:
        queryset = queryset.filter(goal__code=filters.goal)
    if filters.intervention == "-":
        queryset = queryset.filter(intervention__isnull=True)
    elif filters.intervention:
        queryset = queryset.filter(intervention__code=filters.intervention)
    if filters.eligibility == "ok":
        queryset = queryset.eligible()
    elif filters.eligibility == "niet":
        queryset = queryset.ineligible()
    for word in filters.search.split()[:5]:
        queryset = queryset.filter(
            Q(supplier__icontains=word)
            | Q(invoice_number__icontains=word)
            | Q(description__icontains=word)
        )
    order = filters.order if filters.order in ORDERS else "-date"
    tie = "-id" if order.startswith("-") else "id"
    return queryset.order_by(order, tie)


def expenditure_years(*, user, municipality: Municipality) -> list[int]:
    """The years in which the municipality has expenditures, for the year filter: read from
    the spending summary (a row per month with expenditures), not from every expenditure."""
    months = SpendingSummary.objects.filter(
        municipality=municipality, municipality__in=Municipality.objects.for_user(user)
    ).dates("month", "year", order="DESC")
    return [month.year for month in months]


def closed_years(*, municipality: Municipality) -> list[int]:
    """The municipality's years whose accountability report is final, oldest first."""
    return list(
        YearClosing.objects.filter(municipality=municipality)
        .order_by("year")
        .values_list("year", flat=True)
    )


@dataclass
class KeysetPage:
    rows: list
    next_cursor: str | None
    is_first: bool
    count: int
    count_is_capped: bool


COUNT_CAP = 10_000


def keyset_page(
    *, queryset, cursor: str | None, size: int = 50, count: int | None = None
) -> KeysetPage:
    """One page of an expenditure list in its order (date or amount, then id), starting after
    `cursor` ("<date or amount>_<id>" of the last row shown). Uses the (municipality, date, id)
    index for the default order, so a page deep in 100,000 rows costs the same as the first.
    `count`: the number of rows when the caller knows it (`expenditure_list_totals`);
    otherwise they are counted up to COUNT_CAP."""
    order = queryset.query.order_by[0] if queryset.query.order_by else "-date"
    field_name, descending = order.lstrip("-"), order.startswith("-")
    parse = datetime.date.fromisoformat if field_name == "date" else Decimal
    page_queryset = queryset
    if cursor:
        try:
            value_text, id_text = cursor.split("_", 1)
            value, last_id = parse(value_text), int(id_text)
        except (ValueError, ArithmeticError):
            value = last_id = None
        if value is not None:
            beyond = "lt" if descending else "gt"
            page_queryset = queryset.filter(
                Q(**{f"{field_name}__{beyond}": value})
                | Q(**{field_name: value, f"id__{beyond}": last_id})
            )
    rows = list(page_queryset.select_related("goal", "intervention").with_eligibility()[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last_value = getattr(rows[-1], field_name)
        next_cursor = (
            f"{last_value.isoformat() if field_name == 'date' else last_value}_{rows[-1].pk}"
        )
    if count is not None:
        return KeysetPage(
            rows, next_cursor, is_first=not cursor, count=count, count_is_capped=False
        )
    # Counting unordered ids under a LIMIT needs no joins or sort and stops at the cap.
    count = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    return KeysetPage(
        rows=rows,
        next_cursor=next_cursor,
        is_first=not cursor,
        count=min(count, COUNT_CAP),
        count_is_capped=count > COUNT_CAP,
    )


ELIGIBILITY_LABELS = dict(Eligibility.choices)


def finance_history(*, municipality: Municipality, page_number=None):
    """One page of every change to the municipality's expenditures, payments and
    allocation, newest first."""
    return audit_page(
        sources=[
            AuditSource(
                Expenditure.history.filter(municipality_id=municipality.pk),
                lambda row: f"{row.description} ({format_euro(row.amount)})",
            ),
            AuditSource(
                Payment.history.filter(municipality_id=municipality.pk),
                lambda row: f"{row.reference or '—'} ({format_euro(row.amount)})",
            ),
            AuditSource(
                Allocation.history.filter(municipality_id=municipality.pk),
                lambda row: format_euro(row.amount),
            ),
        ],
        page_number=page_number,
    )


def ineligible_expenditures(*, municipalities: list[Municipality], year: int | None = None):
    """The municipalities' expenditures not charged to the grant, each annotated with the
    reason (`eligibility`), oldest first; only those dated in `year` when given."""
    queryset = Expenditure.objects.filter(
        municipality__in=municipalities, programme=finance_programme()
    ).ineligible()
    if year:
        queryset = queryset.filter(
            date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
        )
    return queryset.select_related("goal", "intervention").with_eligibility().order_by("date", "id")


# The published amounts are rounded per municipality; a larger difference needs a look.
FORMULA_TOLERANCE = Decimal("1.00")


def allocations_off_formula(*, user: User, tolerance: Decimal = FORMULA_TOLERANCE) -> QuerySet:
    """The allocations `user` may see whose decided amount differs from what the formula
    gives for their basis by more than `tolerance` (either way)."""
    allocations = Allocation.objects.for_user(user).select_related("programme")
    off = [
        allocation.pk
        for allocation in allocations
        if allocation.formula_difference is not None
        and abs(allocation.formula_difference) > tolerance
    ]
    return Allocation.objects.filter(pk__in=off)


@dataclass(frozen=True)
class IneligibleGroup:
    label: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class IneligibleSummary:
    """The expenditures not charged to the grant, counted and summed per reason, month and
    goal: what a report prints however many lines there are."""

    count: int = 0
    amount: Decimal = ZERO
    per_reason: list[IneligibleGroup] = field(default_factory=list)
    per_month: list[IneligibleGroup] = field(default_factory=list)
    per_goal: list[IneligibleGroup] = field(default_factory=list)


def ineligible_summary(
    *, municipalities: list[Municipality], year: int | None
) -> IneligibleSummary:
    """`ineligible_expenditures` of `year`, grouped in one query on reason, month and goal;
    its amount equals `finance_totals(...).year(year).ineligible` for the same municipalities.
    Without a year: over the whole programme (no months), equal to `finance_totals(...)
    .ineligible`."""
    rows = list(
        ineligible_expenditures(municipalities=municipalities, year=year)
        .order_by()
        .values("eligibility", "date__month", "goal__name")
        .annotate(total=Sum("amount"), count=Count("pk"))
    )
    if year is None:
        rows = [{**row, "date__month": None} for row in rows]
    groups: dict[str, dict] = {"reason": {}, "month": {}, "goal": {}}
    for row in rows:
        amount = cents(row["total"])
        for kind, key in (
            ("reason", str(ELIGIBILITY_LABELS[row["eligibility"]])),
            ("month", row["date__month"]),
            ("goal", row["goal__name"]),
        ):
            count, total = groups[kind].get(key, (0, ZERO))
            groups[kind][key] = (count + row["count"], total + amount)

    def listed(kind: str, label=str) -> list[IneligibleGroup]:
        return [
            IneligibleGroup(label=label(key), count=count, amount=total)
            for key, (count, total) in sorted(groups[kind].items())
        ]

    return IneligibleSummary(
        count=sum(row["count"] for row in rows),
        amount=sum((cents(row["total"]) for row in rows), ZERO),
        per_reason=listed("reason"),
        per_month=[]
        if year is None
        else listed("month", lambda month: datetime.date(year, month, 1)),
        per_goal=listed("goal"),
    )


# The final position ---------------------------------------------------------------------


@dataclass(frozen=True)
class MemberPosition:
    """One municipality's part of a merged grant's final position."""

    municipality: Municipality
    allocation: Decimal
    received: Decimal
    eligible: Decimal
    ineligible: Decimal
    # The last year it accounted for in a report of its own; None for the successor itself.
    last_own_report_year: int | None


@dataclass(frozen=True)
class FinalPosition:
    """Where a municipality's grant ends: every figure from `finance_totals` over the whole
    programme (after a merger: every member's books, see `accounts_in_successor`)."""

    municipality: Municipality
    programme: Programme
    reference_date: datetime.date
    allocation: Decimal
    received: Decimal
    # Eligible spending: within the period and on the programme's goals, cumulative.
    eligible: Decimal
    ineligible: Decimal
    ineligible_by_reason: list[IneligibleGroup]
    goals: list[GoalTotals]
    members: list[MemberPosition]
    decision_reference: str = ""

    @property
    def unspent(self) -> Decimal:
        """Allocation not spent on eligible expenditures (never below zero: spending above
        the allocation is the municipality's own money)."""
        return max(ZERO, self.allocation - self.eligible)

    @property
    def expected_settlement(self) -> Decimal:
        """The expected vaststelling: the eligible spending, at most the allocation."""
        return min(self.eligible, self.allocation)

    @property
    def expected_reclaim(self) -> Decimal:
        """Received minus the expected vaststelling; negative: money still to receive."""
        return self.received - self.expected_settlement

    @property
    def is_provisional(self) -> bool:
        """Before the spending period ends, the position can still change."""
        return self.reference_date <= self.programme.end


def _last_own_report_year(member: Municipality) -> int | None:
    if member.valid_until is None:
        return None
    year = member.valid_until.year
    return year if member.valid_until == datetime.date(year, 12, 31) else year - 1


def final_position(
    *, municipality: Municipality, today: datetime.date | None = None
) -> FinalPosition:
    """The municipality's final position: allocation and received, the eligible spending
    over the whole period, the ineligible spending by reason, what is unspent, and the
    expected vaststelling and reclaim; from `finance_totals`, never summed again here."""
    return final_position_of(totals=finance_totals(municipality=municipality, today=today))


def final_position_of(*, totals: FinanceTotals) -> FinalPosition:
    """`final_position` from totals already computed (the report's own)."""
    municipality = totals.municipality
    members = [share.municipality for share in totals.shares] or [municipality]
    shares = totals.shares or [totals]
    return FinalPosition(
        municipality=municipality,
        programme=totals.programme,
        reference_date=totals.reference_date,
        allocation=totals.allocation,
        received=totals.received,
        eligible=totals.spent,
        ineligible=totals.ineligible,
        ineligible_by_reason=ineligible_summary(municipalities=members, year=None).per_reason,
        goals=totals.goals,
        members=[
            MemberPosition(
                municipality=share.municipality,
                allocation=share.allocation,
                received=share.received,
                eligible=share.spent,
                ineligible=share.ineligible,
                last_own_report_year=_last_own_report_year(share.municipality),
            )
            for share in shares
        ]
        if totals.shares
        else [],
        decision_reference=totals.decision_reference,
    )
