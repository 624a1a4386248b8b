"""Keeping the national monitor's materialised figures exact."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count

from accounts.models import Municipality
from finance.selectors import finance_totals
from insight.models import EVERYONE, MoneyChange, MonitorFigures


def change_counts() -> dict[int, int]:
    """The committed MoneyChange rows per municipality id (0: changes for everyone)."""
    rows = MoneyChange.objects.values("municipality_id").annotate(count=Count("pk")).order_by()
    return {row["municipality_id"]: row["count"] for row in rows}


def grant_change_count(
    municipality_id: int, counts: dict[int, int], predecessors: dict[int, list[int]]
) -> int:
    """The changes that can move a municipality's figures: its own, those of every
    municipality merged into it (at any depth) and those for everyone. The count only grows,
    so figures stored at another count are stale."""
    total, frontier, seen = counts.get(EVERYONE, 0), [municipality_id], set()
    while frontier:
        current = frontier.pop()
        if current in seen:
            continue
        seen.add(current)
        total += counts.get(current, 0)
        frontier.extend(predecessors.get(current, []))
    return total


def compute_figures(*, municipality: Municipality, year: int, changes: int) -> MonitorFigures:
    """Store the municipality's figures for `year` as `finance_totals` gives them on
    31 December of the year (as the accountability report over the year does)."""
    totals = finance_totals(municipality=municipality, today=datetime.date(year, 12, 31))
    year_totals = totals.year(year)
    figures, _created = MonitorFigures.objects.update_or_create(
        municipality=municipality,
        year=year,
        defaults={
            "changes": changes,
            "allocation": totals.allocation,
            "received": year_totals.cumulative_received,
            "spent_year": year_totals.spent,
            "spent_cumulative": year_totals.cumulative,
            "at_risk": totals.at_risk,
            "months": [
                [m.month.isoformat(), str(m.cumulative_spent), str(m.cumulative_expected)]
                for m in totals.months
            ],
        },
    )
    return figures


def fresh_figures(
    *, municipalities: list[Municipality], year: int, predecessors: dict[int, list[int]]
) -> dict[int, MonitorFigures]:
    """The stored figures of each municipality for `year`, recomputed first where any money
    of its grant changed since they were stored (two queries when nothing changed)."""
    counts = change_counts()
    stored = {
        f.municipality_id: f
        for f in MonitorFigures.objects.filter(
            year=year, municipality_id__in=[m.pk for m in municipalities]
        )
    }
    result = {}
    for municipality in municipalities:
        changes = grant_change_count(municipality.pk, counts, predecessors)
        figures = stored.get(municipality.pk)
        if figures is None or figures.changes != changes:
            figures = compute_figures(municipality=municipality, year=year, changes=changes)
        result[municipality.pk] = figures
    return result


def months_of(figures: MonitorFigures) -> list[tuple[datetime.date, Decimal, Decimal]]:
    return [
        (datetime.date.fromisoformat(day), Decimal(spent), Decimal(expected))
        for day, spent, expected in figures.months
    ]
