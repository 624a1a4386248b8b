"""What needs a look: the expenditures not charged to the grant, and allocations that
differ from the formula."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from accounts.models import Municipality, User
from finance.models import (
    Eligibility,
    Expenditure,
)
from finance.selectors.programme import ZERO, cents, finance_programme
from plans.models import Allocation

ELIGIBILITY_LABELS = dict(Eligibility.choices)


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
