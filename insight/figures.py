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

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Municipality
from accounts.selectors import grant_members
from finance.selectors import FinanceTotals, finance_totals
from insight.models import MoneyChange
from npo_portal.changelog import logged_changes


def figures_key(
    *, municipality: Municipality, on: datetime.date, members: list[int] | None = None
) -> str:
    """A key that changes whenever anything `finance_totals(municipality, on)` reads changes.

    Two small queries: the grant's members on `on` (unless the caller has them: `members`,
    their ids), and their logged changes."""
    if members is None:
        members = [member.pk for member in grant_members(municipality=municipality, on=on)]
    changes = logged_changes(MoneyChange, municipality_ids=members)
    grant = ".".join(str(pk) for pk in members)
    return f"{grant}:{on.isoformat()}:{changes}"


def cached_finance_totals(
    *, municipality: Municipality, today: datetime.date | None = None
) -> FinanceTotals:
    """`finance_totals`, from the cache while the grant's books have not changed."""
    today = today or timezone.localdate()
    return cache.get_or_set(
        f"finance-totals:{figures_key(municipality=municipality, on=today)}",
        lambda: finance_totals(municipality=municipality, today=today),
        settings.FIGURES_CACHE_SECONDS,
    )
