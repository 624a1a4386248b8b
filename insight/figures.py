"""The finance pages' figures, computed once per change of a grant's books.

`finance_totals` costs about 17 queries and, for the largest municipality, some 30 ms of
Python and PostgreSQL; the dashboard renders its tables and charts in as much again. Officers
open those pages far more often than anyone writes. So the totals, and the dashboard's
rendered figures, are cached under a key that holds the number of changes logged for the
grant: the same `MoneyChange` log, written by database triggers in the writing transaction,
that keeps the national monitor exact. Every write to what the totals are computed from
(expenditures and their summary, payments, allocations, plans, interventions, budgets,
closed years; the register, programme, goals and schedule for everyone) adds to the count,
so a cached figure is never read after its books changed.

The count is read before the figures are computed: a write committed in between makes the
cached figures newer than their key, never older. The key also holds the day, as "expected
to date" and the projection depend on it. After restoring the database from a backup, the
counts can repeat earlier ones: clear the cache (`manage.py shell -c "from django.core.cache
import cache; cache.clear()"`) or wait `FIGURES_CACHE_SECONDS`.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models
from django.utils import timezone

from accounts.models import Municipality
from accounts.selectors import MEMBERS_ORDER, grant_members_sql
from finance.selectors import FinanceTotals, finance_totals
from insight.models import MoneyChange
from npo_portal.changelog import EVERYONE, logged_changes


def figures_key(*, municipality: Municipality, on: datetime.date) -> str:
    """A key that changes whenever anything `finance_totals(municipality, on)` reads changes:
    the grant's members on `on` and their logged money changes, in one query."""
    members, changes = grant_and_changes(municipality=municipality, on=on)
    return changes_key(members=members, on=on, changes=changes)


def changes_key(*, members: list[int], on: datetime.date, changes: tuple[int, ...]) -> str:
    """The key of a grant (`members`, their ids) on `on` after `changes` (logged counts)."""
    grant = ".".join(str(pk) for pk in members)
    return ":".join([grant, on.isoformat(), *map(str, changes)])


# `logged_changes` of one log for the grant's members (the table `members`).
_LOGGED = """(SELECT SUM(weight) FROM {log}
              WHERE municipality_id = %(everyone)s OR municipality_id IN (SELECT id FROM members))"""
_MEMBERS_AND_LOGGED = "SELECT id, {counts} FROM members {order}"


def grant_and_changes(
    *,
    municipality: Municipality,
    on: datetime.date,
    logs: tuple[type[models.Model], ...] = (MoneyChange,),
) -> tuple[list[int], tuple[int, ...]]:
    """The ids of the grant's members on `on` (`grant_members`) and, per change log of
    `logs`, their logged changes (`logged_changes`): one query instead of one per level of
    mergers and one per log, for every finance page's key and the golden thread's."""
    counts = ", ".join(
        _LOGGED.format(log=connection.ops.quote_name(log._meta.db_table)) for log in logs
    )
    sql = grant_members_sql(_MEMBERS_AND_LOGGED.format(counts=counts, order=MEMBERS_ORDER))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"municipality": municipality.pk, "on": on, "everyone": EVERYONE})
        rows = cursor.fetchall()
    if not rows:  # a municipality not (or no longer) stored: as grant_members would have it
        members = [municipality.pk]
        return members, tuple(logged_changes(log, municipality_ids=members) for log in logs)
    return [row[0] for row in rows], tuple(count or 0 for count in rows[0][1:])


def cached_finance_totals(
    *, municipality: Municipality, today: datetime.date | None = None, key: str | None = None
) -> FinanceTotals:
    """`finance_totals`, from the cache while the grant's books have not changed. `key`:
    the `figures_key` of the municipality on `today`, when the caller has it."""
    today = today or timezone.localdate()
    key = key or figures_key(municipality=municipality, on=today)
    return cache.get_or_set(
        f"finance-totals:{key}",
        lambda: finance_totals(municipality=municipality, today=today),
        settings.FIGURES_CACHE_SECONDS,
    )


def own_changes_key(municipality: Municipality) -> str:
    """A key that changes whenever anything logged for this municipality's own books, or
    for everyone's (programme, goals, register), changes: one small query.

    For what reads the municipality's own rows only, not its predecessors' (the expenditure
    list: its expenditures, their summary, its plan's interventions, its closed years)."""
    changes = logged_changes(MoneyChange, municipality_ids=[municipality.pk])
    return f"{municipality.pk}:{changes}"


def cached_list_figures(
    *,
    municipality: Municipality,
    totals_filters: tuple,
    options: Callable[[], dict],
    totals: Callable[[], object] | None,
    changes: str | None = None,
) -> tuple[dict, object]:
    """The expenditure list's filter options (`options()`) and its total (`totals()`, for
    the filters `totals_filters`), from the cache while the municipality's own books have
    not changed; one query for the key and one cache round trip when both are cached.

    `totals` None: the total is not cached (a searched list is added up from the rows that
    match, which the caller does). `changes`: the municipality's `own_changes_key`, when the
    caller has it."""
    base = f"expenditure-list:{changes or own_changes_key(municipality)}"
    keys = {"options": f"{base}:options"}
    if totals is not None:
        digest = hashlib.sha256(repr(totals_filters).encode()).hexdigest()[:20]
        keys["totals"] = f"{base}:totals:{digest}"
    found = cache.get_many(list(keys.values()))
    computed, missing = {}, {}
    for name, key in keys.items():
        if key in found:
            computed[name] = found[key]
        else:
            computed[name] = missing[key] = (options if name == "options" else totals)()
    if missing:
        cache.set_many(missing, settings.FIGURES_CACHE_SECONDS)
    return computed["options"], computed.get("totals")
