"""The expenditure list: its filters and order, its pages, its years, and the history
of changes to a municipality's money."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q

from accounts.models import Municipality
from finance.models import (
    Expenditure,
    Payment,
    SpendingSummary,
    YearClosing,
)
from npo_portal.audit import AuditSource, audit_page, history
from npo_portal.formatting import format_euro
from plans.models import Allocation, Intervention, SpendingGoal

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


class FilterOption(NamedTuple):
    """A choice of the goal or intervention filter: its code and what the list shows."""

    code: str
    label: str

    def __str__(self) -> str:
        return self.label


def expenditure_list_options(*, user, municipality: Municipality, programme) -> dict:
    """What the expenditure list's filters offer (its years, goals and interventions) and the
    closed years it names: plain values, cached by the list view while the municipality's
    books do not change (`insight.figures.cached_list_figures`)."""
    interventions = Intervention.objects.filter(
        plan__municipality=municipality, plan__programme=programme
    ).order_by("code")
    return {
        "years": expenditure_years(user=user, municipality=municipality),
        "closed_years": closed_years(municipality=municipality),
        "goals": [
            FilterOption(goal.code, str(goal))
            for goal in SpendingGoal.objects.filter(programme=programme)
        ],
        "interventions": [
            FilterOption(intervention.code, str(intervention))
            for intervention in interventions.only("code", "title")
        ],
    }


# What the list's rows show (finance/templatetags/expenditure_rows.py), for `keyset_page`.
LIST_FIELDS = (
    "date",
    "amount",
    "description",
    "supplier",
    "invoice_number",
    "goal",
    "goal__number",
    "goal__name",
    "intervention",
    "intervention__code",
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
    *,
    queryset,
    cursor: str | None,
    size: int = 50,
    count: int | None = None,
    fields: tuple[str, ...] | None = None,
) -> KeysetPage:
    """One page of an expenditure list in its order (date or amount, then id), starting after
    `cursor` ("<date or amount>_<id>" of the last row shown). Uses the (municipality, date, id)
    index for the default order, so a page deep in 100,000 rows costs the same as the first.
    `count`: the number of rows when the caller knows it (`expenditure_list_totals`);
    otherwise they are counted up to COUNT_CAP. `fields`: load only these (`LIST_FIELDS`)."""
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
    page_queryset = page_queryset.select_related("goal", "intervention").with_eligibility()
    if fields is not None:
        page_queryset = page_queryset.only(*fields)
    rows = list(page_queryset[: size + 1])
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


def finance_history(*, municipality: Municipality, page_number=None):
    """One page of every change to the municipality's expenditures, payments and
    allocation, newest first."""
    return audit_page(
        sources=[
            AuditSource(
                history(Expenditure).filter(municipality_id=municipality.pk),
                lambda row: f"{row.description} ({format_euro(row.amount)})",
            ),
            AuditSource(
                history(Payment).filter(municipality_id=municipality.pk),
                lambda row: f"{row.reference or '—'} ({format_euro(row.amount)})",
            ),
            AuditSource(
                history(Allocation).filter(municipality_id=municipality.pk),
                lambda row: format_euro(row.amount),
            ),
        ],
        page_number=page_number,
    )
