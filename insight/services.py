"""Keeping the national monitor's materialised figures exact."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Sum

from accounts.models import Municipality
from finance.selectors import finance_totals
from insight.models import MoneyChange, MonitorFigures
from npo_portal.changelog import EVERYONE
from schools.models import NeedsChange


def change_counts() -> dict[int, int]:
    """The committed MoneyChange statements per municipality id (0: changes for everyone)."""
    rows = MoneyChange.objects.values("municipality_id").annotate(count=Sum("weight")).order_by()
    return {row["municipality_id"]: int(row["count"]) for row in rows}


def compact_money_changes(log: type[MoneyChange | NeedsChange] = MoneyChange) -> int:
    """Fold a change log (the money log, or schools' needs log) into one row per
    municipality carrying the number of statements it stood for, so the log stays as long
    as the register. The counts figures were stored or cached at do not move, so nothing
    goes stale; returns the number of rows removed.

    Exact under concurrent writers: the rows deleted are exactly the rows folded (DELETE …
    RETURNING), and readers see the log before or after, never between (one transaction)."""
    table = log._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement: a row committed while it runs is not in its snapshot and stays.
            cursor.execute(
                f"WITH gone AS (DELETE FROM {table} RETURNING municipality_id, weight), "  # noqa: S608
                f"folded AS (INSERT INTO {table} (municipality_id, weight) "
                "SELECT municipality_id, SUM(weight) FROM gone GROUP BY municipality_id "
                "RETURNING 1) SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM folded)"
            )
            return cursor.fetchone()[0]
        # SQLite (the tests' small databases) has one writer at a time.
        cursor.execute(f"DELETE FROM {table} RETURNING municipality_id, weight")  # noqa: S608
        gone = cursor.fetchall()
        folded: dict[int, int] = {}
        for municipality_id, weight in gone:
            folded[municipality_id] = folded.get(municipality_id, 0) + weight
        log.objects.bulk_create(log(municipality_id=m, weight=w) for m, w in folded.items())
        return len(gone) - len(folded)


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
