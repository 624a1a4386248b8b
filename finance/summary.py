"""The spending summary that `finance_totals` reads: kept exact by the services that write.

Every service that writes expenditures changes the summary in its own transaction:

- New, changed and deleted expenditures (the form, the file import, the API) **add their
  sums** to the groups they fall in (programme, municipality, month, goal, intervention):
  one `INSERT … ON CONFLICT DO UPDATE SET total = total + EXCLUDED.total` per write, and a
  group left with no expenditures is removed, so the rows are the ones a fresh aggregation
  gives. A write costs what its own rows cost, however many the municipality already has.
  `write_expenditures` runs that statement inside its insert (`summary_upsert_sql`);
  `add_to_spending_summary` does it for rows known in Python.
- Moves between municipalities (mergers), destruction and loads around the services
  **recompute** the months they touched from the expenditures (`refresh_spending_summary`),
  or everything (`rebuild_spending_summary`).

`finance/tests/test_summary.py` checks, after random sequences of all these writes, that the
summary equals a full recomputation. Both ways first lock the municipalities' rows
(`lock_for_summary`), so a recomputation and an addition for the same municipality take turns.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.db.transaction import TransactionManagementError

from accounts.models import Municipality
from finance.models import Expenditure, SpendingSummary

logger = logging.getLogger(__name__)

GROUP = ("programme_id", "municipality_id", "month", "goal_id", "intervention_id")
# The unique constraint on GROUP (interventions' NULLs not distinct) that the additions name.
ONE_ROW_PER_GROUP = "summary_one_row_per_group"


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def lock_for_summary(municipality_ids: Iterable[int]) -> None:
    """Lock the municipalities' rows until the transaction ends, before changing their
    summary. Two transactions writing the same municipality then take turns, so a
    recomputation aggregates after an addition has committed and sees its rows (READ
    COMMITTED takes a new snapshot per statement). NO KEY UPDATE leaves inserts that
    reference the municipality (their foreign-key checks take KEY SHARE) unblocked.

    On PostgreSQL as plain SQL: the queryset's compiling cost 1 ms of CPU, paid by every
    API request."""
    ids = sorted(set(municipality_ids))
    if connection.vendor != "postgresql":
        list(
            Municipality.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        return
    if connection.get_autocommit():  # as select_for_update: a lock outside one ends at once
        raise TransactionManagementError("lock_for_summary needs a transaction")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Municipality._meta.db_table} WHERE id = ANY(%s)"  # noqa: S608 - the model's table
            " ORDER BY id FOR NO KEY UPDATE",
            [ids],
        )


def summary_upsert_sql(rows: str) -> str:
    """PostgreSQL: the statement (or data-modifying WITH part) that adds the expenditures of
    `rows` (a table or WITH name with the expenditure's columns programme_id, municipality_id,
    date, goal_id, intervention_id and amount) to the summary, one group per row of the
    summary. Takes no parameters; call `lock_for_summary` first."""
    return _upsert_sql(
        "SELECT programme_id, municipality_id, date_trunc('month', date::timestamp)::date,"  # noqa: S608 - names from the models
        f" goal_id, intervention_id, SUM(amount), COUNT(*) FROM {rows} GROUP BY 1, 2, 3, 4, 5"
    )


def _upsert_sql(select: str) -> str:
    """INSERT the groups `select` gives (GROUP's columns, total, count; each group once),
    adding them to the rows already there."""
    table = SpendingSummary._meta.db_table
    columns = ", ".join((*GROUP, "total", "count"))
    return (
        f"INSERT INTO {table} AS summary ({columns}) {select}"
        f" ON CONFLICT ON CONSTRAINT {ONE_ROW_PER_GROUP} DO UPDATE"
        " SET total = summary.total + EXCLUDED.total, count = summary.count + EXCLUDED.count"
    )


@dataclass(frozen=True)
class SummaryChange:
    """One expenditure entering (`count` 1) or leaving (`count` -1) its summary group."""

    programme_id: int
    municipality_id: int
    date: datetime.date
    goal_id: int
    intervention_id: int | None
    amount: Decimal
    count: int

    @classmethod
    def adding(cls, expenditure: Expenditure) -> SummaryChange:
        """The expenditure as it is now saved, entering its group."""
        return cls(
            expenditure.programme_id,
            expenditure.municipality_id,
            expenditure.date,
            expenditure.goal_id,
            expenditure.intervention_id,
            expenditure.amount,
            1,
        )

    @classmethod
    def removing(cls, expenditure: Expenditure) -> SummaryChange:
        """The expenditure as it was stored, leaving its group (changed or deleted)."""
        return cls(
            expenditure.programme_id,
            expenditure.municipality_id,
            expenditure.date,
            expenditure.goal_id,
            expenditure.intervention_id,
            -expenditure.amount,
            -1,
        )


def add_to_spending_summary(changes: Iterable[SummaryChange]) -> None:
    """Add the changes' amounts and counts to their summary groups and remove the groups left
    without expenditures: one statement on PostgreSQL, whatever the number of changes. Call it
    after writing, in the same transaction."""
    groups: dict[tuple, list] = defaultdict(lambda: [Decimal("0.00"), 0])
    for change in changes:
        key = (
            change.programme_id,
            change.municipality_id,
            change.date.replace(day=1),
            change.goal_id,
            change.intervention_id,
        )
        groups[key][0] += change.amount
        groups[key][1] += change.count
    if not groups:
        return
    municipality_ids = {key[1] for key in groups}
    with transaction.atomic():
        lock_for_summary(municipality_ids)
        if connection.vendor == "postgresql":
            found = _add_on_postgresql(groups)
        else:
            found = _add_elsewhere(groups)
        if found < sum(1 for _total, count in groups.values() if count < 0):
            # An expenditure left a group the summary does not hold: it was written around
            # the services. Recompute those months rather than keep the drift.
            logger.warning("Spending summary out of step; recomputing the months changed")
            refresh_spending_summary(
                municipality_ids=municipality_ids, months=[key[2] for key in groups]
            )
        elif found:
            SpendingSummary.objects.filter(municipality_id__in=municipality_ids, count=0).delete()


def _add_on_postgresql(groups: dict[tuple, list]) -> int:
    """One statement: the groups that lose expenditures are updated (a CHECK on `count`
    refuses the negative row an INSERT would first propose), the others inserted or added
    to. Returns how many groups losing expenditures were found."""
    table = SpendingSummary._meta.db_table
    keys = list(groups)
    matches = " AND ".join(f"summary.{column} = changes.{column}" for column in GROUP[:4])
    statement = (
        "WITH changes (programme_id, municipality_id, month, goal_id, intervention_id, total,"  # noqa: S608 - names from the models
        " count) AS (SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::date[],"
        " %s::bigint[], %s::bigint[], %s::numeric[], %s::integer[])),"
        f" fewer AS (UPDATE {table} AS summary SET total = summary.total + changes.total,"
        " count = summary.count + changes.count FROM changes WHERE changes.count < 0"
        f" AND {matches}"
        " AND summary.intervention_id IS NOT DISTINCT FROM changes.intervention_id"
        " RETURNING summary.id),"
        f" more AS ({_upsert_sql('SELECT * FROM changes WHERE count >= 0')})"
        " SELECT COUNT(*) FROM fewer"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            statement,
            [
                *([key[position] for key in keys] for position in range(len(GROUP))),
                [groups[key][0] for key in keys],
                [groups[key][1] for key in keys],
            ],
        )
        return cursor.fetchone()[0]


def _add_elsewhere(groups: dict[tuple, list]) -> int:
    """The embedded database (SQLite) has one writer at a time: update, or insert."""
    found = 0
    for key, (total, count) in groups.items():
        group = dict(zip(GROUP, key, strict=True))
        updated = SpendingSummary.objects.filter(**group).update(
            total=F("total") + total, count=F("count") + count
        )
        if count < 0:
            found += updated
        elif not updated:
            SpendingSummary.objects.create(**group, total=total, count=count)
    return found


def refresh_spending_summary(
    *, municipality_ids: Iterable[int], months: Iterable[datetime.date] | None = None
) -> None:
    """Recompute the municipalities' spending summary for the months of `months` (any day
    in them; None: every month) from their expenditures. Call it after writing, in the
    same transaction."""
    ids = sorted(set(municipality_ids))
    if not ids:
        return
    summary = SpendingSummary.objects.filter(municipality_id__in=ids)
    source = Expenditure.objects.filter(municipality_id__in=ids)
    if months is not None:
        days = [day.replace(day=1) for day in months]
        if not days:
            return
        # One range from the first to the last month: a superset is recomputed just as
        # exactly, and a single range uses the (municipality, date) index.
        first, after = min(days), _next_month(max(days))
        summary = summary.filter(month__gte=first, month__lt=after)
        source = source.filter(date__gte=first, date__lt=after)
    with transaction.atomic():
        lock_for_summary(ids)
        summary.delete()
        groups = (
            source.annotate(month=TruncMonth("date"))
            .values(*GROUP)
            .annotate(total=Sum("amount"), count=Count("pk"))
            .order_by()
        )
        select, params = groups.query.sql_with_params()
        columns = ", ".join((*GROUP, "total", "count"))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SpendingSummary._meta.db_table} ({columns}) {select}",
                params,
            )


def rebuild_spending_summary() -> None:
    """Recompute the whole summary (after loading expenditures around the services)."""
    with transaction.atomic():
        ids = Expenditure.objects.order_by().values_list("municipality_id", flat=True).distinct()
        SpendingSummary.objects.all().delete()
        refresh_spending_summary(municipality_ids=list(ids))
