"""Spending added up from the spending summary: the groups `finance_totals` reads, and
the total of a filtered expenditure list from the same rows."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, DateField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Cast, TruncYear

from accounts.models import Municipality
from finance.models import (
    ELIGIBLE,
    Expenditure,
    SpendingSummary,
)
from finance.selectors.lists import ExpenditureFilters
from finance.selectors.programme import ZERO, cents, finance_programme, month_of, next_month
from plans.models import Programme


def spending_groups(
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
    first_full = month_of(programme.start)
    if programme.start.day != 1:
        first_full = next_month(first_full)
    after_full = month_of(programme.end + datetime.timedelta(days=1))
    split = {
        month
        for month in (month_of(programme.start), month_of(programme.end))
        if not first_full <= month < after_full
        and month <= programme.end
        and next_month(month) > programme.start
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
            in_split |= Q(date__gte=month, date__lt=next_month(month))
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
    are ones the spending summary knows, so the total comes from `spending_groups`, the
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
        rows = spending_groups(
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
