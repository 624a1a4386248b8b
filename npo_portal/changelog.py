"""Counting the append-only change logs that key cached figures.

A change log (`insight.MoneyChange`, `schools.NeedsChange`) holds one row per writing
statement, appended by a database trigger, with the municipality it touched and a weight
(1, or more once compaction folded rows). The committed weight for a set of municipalities
only grows, so a cache keyed by it is never read after what it was computed from changed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import F, Func, Q, QuerySet, Subquery, Sum

# The municipality id the triggers log a change for everyone under (school boards, goals,
# the register): every municipality's count includes it.
EVERYONE = 0


def logged_changes(log: type[models.Model], *, municipality_ids: Iterable[int]) -> int:
    """The committed weight in `log` for these municipalities and for everyone."""
    weight = log.objects.filter(municipality_id__in=[EVERYONE, *municipality_ids]).aggregate(
        weight=Sum("weight")
    )["weight"]
    return weight or 0


def logged_changes_subquery(
    log: type[models.Model], *, municipality_ids: Iterable[int]
) -> Subquery:
    """`logged_changes` as a subquery, to be read with another query's rows (None for 0)."""
    return Subquery(
        log.objects.filter(municipality_id__in=[EVERYONE, *municipality_ids])
        .order_by()
        .values(total=Func(F("weight"), function="SUM"))
    )


def logged_changes_within(log: type[models.Model], *, municipalities: QuerySet) -> int:
    """`logged_changes` for the municipalities a subquery names (the ids of a scope, such as
    `accounts.scoping.municipality_and_predecessors`), in the same one query."""
    weight = log.objects.filter(
        Q(municipality_id=EVERYONE) | Q(municipality_id__in=municipalities)
    ).aggregate(weight=Sum("weight"))["weight"]
    return weight or 0
