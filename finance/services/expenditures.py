"""Recording, changing and deleting one expenditure (the form and the API's detail calls)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Municipality, User
from finance.models import (
    Expenditure,
)
from finance.selectors import finance_programme
from finance.services.rules import (
    closed_year_message,
    closed_years_of,
    future_problem,
    key_for,
    refuse_outside_existence,
)
from finance.services.writing import WRITTEN_FIELDS, write_expenditures
from finance.summary import SummaryChange, add_to_spending_summary
from npo_portal.audit import lock_current
from plans.models import Intervention, Programme, SpendingGoal
from settlement.closed import refuse_if_closed


def _refuse_closed_years(municipality: Municipality, *years: int) -> None:
    refuse_if_closed(municipality)
    closed = closed_years_of(municipality).intersection(years)
    if closed:
        raise ValidationError({"date": closed_year_message(min(closed))})


ZERO_AMOUNT = gettext_lazy(
    "An amount of € 0,00 spends and corrects nothing; enter the amount paid."
)


def _refuse_future_or_zero(day: datetime.date, amount: Decimal) -> None:
    errors = {}
    if problem := future_problem(day):
        errors["date"] = problem
    if amount == 0:
        errors["amount"] = str(ZERO_AMOUNT)
    if errors:
        raise ValidationError(errors)


def _refuse_foreign_intervention(
    *,
    municipality: Municipality,
    programme: Programme,
    goal: SpendingGoal,
    intervention: Intervention | None,
) -> None:
    if intervention is None:
        return
    plan = intervention.plan
    own = plan.municipality_id == municipality.pk or plan.municipality.is_held_by(municipality.pk)
    if not own or plan.programme_id != programme.pk:
        raise ValidationError(
            {
                "intervention": _("Intervention %(code)s is not part of this municipality's plan.")
                % {"code": intervention.code}
            }
        )
    if intervention.goal_id != goal.pk:
        raise ValidationError(
            {
                "intervention": _(
                    "Intervention %(code)s is charged to '%(intervention_goal)s', "
                    "not to '%(goal)s'. Choose the same goal or another intervention."
                )
                % {
                    "code": intervention.code,
                    "intervention_goal": intervention.goal.name,
                    "goal": goal.name,
                }
            }
        )


def _refuse_duplicate(expenditure: Expenditure) -> None:
    others = Expenditure.objects.filter(
        municipality=expenditure.municipality, duplicate_key=expenditure.duplicate_key
    ).exclude(pk=expenditure.pk)
    if others.exists():
        raise ValidationError(
            _(
                "This expenditure (same date, amount, goal, invoice number, supplier and "
                "description) has already been recorded."
            )
        )


@transaction.atomic
def create_expenditure(
    *,
    municipality: Municipality,
    user: User | None,
    date: datetime.date,
    amount: Decimal,
    goal: SpendingGoal,
    description: str,
    intervention: Intervention | None = None,
    supplier: str = "",
    invoice_number: str = "",
) -> Expenditure:
    """Record an expenditure (negative for a credit note). Refused on a day the municipality
    did not exist, in a closed year, for an intervention of another goal or plan, and when the
    same expenditure already exists."""
    programme = finance_programme()
    _refuse_future_or_zero(date, amount)
    refuse_outside_existence(municipality, date)
    _refuse_closed_years(municipality, date.year)
    _refuse_foreign_intervention(
        municipality=municipality, programme=programme, goal=goal, intervention=intervention
    )
    expenditure = Expenditure(
        programme=programme,
        municipality=municipality,
        date=date,
        amount=amount,
        goal=goal,
        intervention=intervention,
        description=description,
        supplier=supplier,
        invoice_number=invoice_number,
        recorded_by=user,
    )
    expenditure.duplicate_key = key_for(expenditure)
    _refuse_duplicate(expenditure)
    written = write_expenditures(
        [{name: getattr(expenditure, name) for name in (*WRITTEN_FIELDS, "goal", "intervention")}],
        municipality=municipality,
        programme=programme,
        user=user,
        with_ids=True,
    )
    return Expenditure.objects.get(pk=written.ids[expenditure.duplicate_key])


EDITABLE_FIELDS = (
    "date",
    "amount",
    "goal",
    "intervention",
    "description",
    "supplier",
    "invoice_number",
)


@transaction.atomic
def update_expenditure(
    *, expenditure: Expenditure, user: User | None, version: int | None = None, **changes
) -> Expenditure:
    """Change an expenditure; neither its old nor its new date may lie in a closed year, a new
    date not on a day the municipality did not exist, and not when someone saved it after
    `version` was loaded."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Not editable: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(expenditure, name, value)
    current = lock_current(expenditure, version=version)
    old_year = current.date.year
    expenditure.version = current.version + 1
    _refuse_future_or_zero(expenditure.date, expenditure.amount)
    if expenditure.date != current.date:
        refuse_outside_existence(expenditure.municipality, expenditure.date)
    _refuse_closed_years(expenditure.municipality, old_year, expenditure.date.year)
    _refuse_foreign_intervention(
        municipality=expenditure.municipality,
        programme=expenditure.programme,
        goal=expenditure.goal,
        intervention=expenditure.intervention,
    )
    expenditure.duplicate_key = key_for(expenditure)
    _refuse_duplicate(expenditure)
    expenditure.save()
    add_to_spending_summary([SummaryChange.removing(current), SummaryChange.adding(expenditure)])
    return expenditure


@transaction.atomic
def delete_expenditure(*, expenditure: Expenditure, user: User | None) -> None:
    """Remove an expenditure recorded in error; not in a closed year."""
    # Locked as stored: the summary loses what it holds, not what a stale instance says.
    stored = Expenditure.objects.select_for_update().get(pk=expenditure.pk)
    _refuse_closed_years(expenditure.municipality, stored.date.year)
    expenditure.delete()
    add_to_spending_summary([SummaryChange.removing(stored)])
