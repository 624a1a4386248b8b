"""The programme whose money the portal keeps, its cents and its months."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from plans.models import Programme

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def finance_programme() -> Programme:
    """The programme whose money the portal keeps (the portal serves one programme)."""
    return Programme.objects.order_by("pk").first()


def cents(amount: Decimal) -> Decimal:
    """An amount rounded to whole cents, half up."""
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def month_of(day: datetime.date) -> datetime.date:
    """The first day of `day`'s month."""
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    """The first day of the month after `month`."""
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The first days of the months from `first`'s up to `last`."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def add_months(month: datetime.date, count: int) -> datetime.date:
    """The first day of the month `count` months after `month` (before, when negative)."""
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)
