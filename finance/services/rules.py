"""The rules every write of money obeys: the duplicate key, closed years, the days a
municipality existed, nothing dated in the future."""

from __future__ import annotations

import datetime
import hashlib
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance.models import (
    Expenditure,
    YearClosing,
)


def duplicate_key(
    *,
    municipality_code: str,
    date: datetime.date,
    amount: Decimal,
    goal_code: str,
    invoice_number: str,
    supplier: str,
    description: str,
) -> str:
    """The stable identity of an expenditure: SHA-256 over its municipality, date, amount,
    goal, invoice number, supplier and description (spaces collapsed, case ignored for the
    texts). Re-importing the same row yields the same key, so it is never recorded twice."""
    parts = [
        municipality_code,
        date.isoformat(),
        f"{amount:.2f}",
        goal_code,
        " ".join(invoice_number.split()).casefold(),
        " ".join(supplier.split()).casefold(),
        " ".join(description.split()).casefold(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def closed_years_of(municipality: Municipality) -> set[int]:
    """The years of `municipality` that are closed."""
    # Unordered: the model's ordering (municipality first) joined the municipalities.
    closings = YearClosing.objects.filter(municipality=municipality).order_by()
    return set(closings.values_list("year", flat=True))


def closed_year_message(year: int) -> str:
    """Why nothing dated in `year` can be recorded, changed or deleted any more."""
    return _(
        "The year %(year)s is closed: its accountability report is final. "
        "Record a correction in a later year instead."
    ) % {"year": year}


def existence_problem(
    municipality: Municipality, day: datetime.date, *, payment: bool = False
) -> str | None:
    """Why nothing can be recorded on `municipality` for `day`: it did not exist yet, or
    no longer (a merged municipality ends the day before its merger)."""
    if municipality.valid_from and day < municipality.valid_from:
        return _("%(name)s only exists from %(date)s.") % {
            "name": municipality.name,
            "date": municipality.valid_from.strftime("%d-%m-%Y"),
        }
    if municipality.valid_until and day > municipality.valid_until:
        values = {
            "name": municipality.name,
            "date": municipality.valid_until.strftime("%d-%m-%Y"),
        }
        successor = municipality.successor
        if successor is None:
            return _("%(name)s no longer exists after %(date)s.") % values
        values["successor"] = successor.name
        if payment:
            return (
                _("%(name)s no longer exists after %(date)s; record this payment on %(successor)s.")
                % values
            )
        return (
            _("%(name)s no longer exists after %(date)s; record this expenditure on %(successor)s.")
            % values
        )
    return None


def refuse_outside_existence(
    municipality: Municipality, day: datetime.date, *, payment: bool = False
) -> None:
    """Refuse `day` when the municipality did not exist then (see `existence_problem`)."""
    problem = existence_problem(municipality, day, payment=payment)
    if problem:
        raise ValidationError({"date": problem})


def future_problem(day: datetime.date, today: datetime.date | None = None) -> str | None:
    """Money is recorded once it was spent or received, so never on a day after today."""
    if day > (today or timezone.localdate()):
        return _("%(date)s lies in the future; record it once it has been paid.") % {
            "date": day.strftime("%d-%m-%Y")
        }
    return None


def key_for(expenditure: Expenditure, *, municipality_code: str | None = None) -> str:
    """The expenditure's duplicate key, at its own municipality or at `municipality_code`."""
    return duplicate_key(
        municipality_code=municipality_code or expenditure.municipality.code,
        date=expenditure.date,
        amount=expenditure.amount,
        goal_code=expenditure.goal.code,
        invoice_number=expenditure.invoice_number,
        supplier=expenditure.supplier,
        description=expenditure.description,
    )
