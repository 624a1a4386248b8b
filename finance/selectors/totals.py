"""THE totals function: every euro the finance pages, the exports and the accountability
reports show for a municipality is added up by `finance_totals`, and nowhere else."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from accounts.models import Municipality
from accounts.selectors import grant_members
from finance.models import (
    Payment,
    PaymentScheduleEntry,
    YearClosing,
)
from finance.selectors.programme import (
    ZERO,
    add_months,
    cents,
    finance_programme,
    month_of,
    months_between,
    next_month,
)
from finance.selectors.spending import spending_groups
from plans.models import Allocation, Intervention, Plan, Programme, SpendingGoal
from plans.selectors import budget_totals

RECENT_MONTHS = 12


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
        totals.months = _months_under_merger_rule(totals)
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


def _months_under_merger_rule(totals: FinanceTotals) -> list[MonthTotals]:
    """The month rows of a merged grant per `accounts_in_successor`, as the year rows: the
    chart of a year shows what the report over that year shows."""
    rows = []
    for index, combined in enumerate(totals.months):
        row = MonthTotals(month=combined.month)
        for share in totals.shares:
            if share.municipality.pk != totals.municipality.pk and not accounts_in_successor(
                member=share.municipality, year=combined.month.year
            ):
                continue
            part = share.months[index]
            row.spent += part.spent
            row.cumulative_spent += part.cumulative_spent
            row.received += part.received
            row.cumulative_received += part.cumulative_received
            row.cumulative_expected += part.cumulative_expected
        rows.append(row)
    return rows


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
    spending_rows = spending_groups(members, programme)
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
    first = month_of(programme.start)
    # Payments received before the period starts count from its first month.
    early = sum(
        (v for (y, m), v in payments_per_month.items() if datetime.date(y, m, 1) < first), ZERO
    )
    cumulative_received = early
    for month in months_between(programme.start, programme.end):
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
    last_month = month_of(reference)
    recent = months_between(
        max(month_of(programme.start), add_months(last_month, -(RECENT_MONTHS - 1))), last_month
    )
    if totals.reference_date < programme.start:
        recent = []
    rate = (
        cents(sum((spent_per_month.get(m, ZERO) for m in recent), ZERO) / len(recent))
        if recent
        else ZERO
    )
    months_left = len(months_between(next_month(last_month), programme.end))
    totals.recent_monthly_rate = rate
    totals.projected_spending = cents(totals.spent + rate * months_left)
    totals.at_risk = max(ZERO, totals.allocation - totals.projected_spending)
