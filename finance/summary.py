"""The spending summary that `finance_totals` reads: kept exact by the services that write.

Every service that creates, changes, moves or deletes expenditures calls
`refresh_spending_summary` in its own transaction, after writing. It recomputes the
summary rows of the months it touched from the expenditures themselves (delete, then one
INSERT … SELECT of their aggregate), so the summary is a function of the expenditures and
cannot drift the way added-up deltas could.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from accounts.models import Municipality
from finance.models import Expenditure, SpendingSummary

GROUP = ("programme_id", "municipality_id", "month", "goal_id", "intervention_id")


def _next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


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
        # Two transactions writing the same municipality take turns here, so the second
        # aggregates after the first has committed and sees its rows (READ COMMITTED takes
        # a new snapshot per statement). NO KEY UPDATE leaves inserts that reference the
        # municipality (its foreign-key checks take KEY SHARE) unblocked.
        list(
            Municipality.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
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
