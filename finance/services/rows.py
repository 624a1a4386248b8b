"""An expenditure row as people write it (a file's row or an API row) read into the
fields of an expenditure, or into its problems in Dutch; shared by the file import and the API."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance.services.rules import (
    closed_year_message,
    closed_years_of,
    duplicate_key,
    existence_problem,
    future_problem,
)
from npo_portal import tables
from plans.models import Intervention, Programme, SpendingGoal

EXPENDITURE_COLUMNS = [
    "datum",
    "bedrag",
    "bestedingsdoel",
    "interventie",
    "omschrijving",
    "leverancier",
    "factuurnummer",
]


BATCH_SIZE = 2000


class ImportRejected(Exception):
    """Nothing was imported; `errors` holds one Dutch message per bad row (or for the file)."""

    def __init__(self, errors: list[str], total: int | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        self.total = total if total is not None else len(errors)


def row_message(number: int, problems: list[tuple[str, str]]) -> str:
    """One Dutch line naming a file's row and what is wrong in each of its columns."""
    details = "; ".join(
        _("column '%(column)s': %(problem)s") % {"column": column, "problem": problem}
        for column, problem in problems
    )
    return _("Row %(row)s: %(details)s.") % {"row": number, "details": details.rstrip(".")}


def read_or_reject(
    data: tables.Source, columns: list[str], optional: dict[str, tuple[str, ...]] | None = None
) -> Iterator[tuple[int, dict]]:
    """The file's rows as `tables.read_table` reads them; a file that cannot be read at all
    rejects the import with the reader's message."""
    try:
        yield from tables.read_table(data, columns=columns, optional=optional)
    except tables.TableError as error:
        raise ImportRejected([str(error)]) from error


@dataclass
class Lookups:
    """What checking a row needs from the database, read once per import or push."""

    municipality: Municipality
    programme: Programme
    goals: dict[str, SpendingGoal]
    interventions: dict[str, Intervention]
    closed_years: set[int]
    # Once per import, not per row (timezone.localdate costs 0.1 ms a call).
    today: datetime.date = field(default_factory=timezone.localdate)


def lookups_for(municipality: Municipality, programme: Programme) -> Lookups:
    """The goals (by code and by number), the municipality's interventions and its closed
    years, for checking its rows."""
    goals = goals_by_key(programme)
    goal_by_id = {goal.pk: goal for goal in goals.values()}
    interventions = {}
    # What a row needs of an intervention: its id, code and goal, the goal from those just
    # read. The whole row with its goal joined cost every API request 0.8 ms of CPU.
    for intervention in (
        Intervention.objects.filter(plan__municipality=municipality, plan__programme=programme)
        .only("pk", "code", "goal_id")
        .order_by()  # a dict by code: the model's ordering only cost its compiling
    ):
        if intervention.goal_id in goal_by_id:
            Intervention.goal.field.set_cached_value(intervention, goal_by_id[intervention.goal_id])
        interventions[intervention.code] = intervention
    return Lookups(municipality, programme, goals, interventions, closed_years_of(municipality))


def goals_by_key(programme: Programme) -> dict[str, SpendingGoal]:
    """The programme's goals by code (lower case) and by number ("1" to "5")."""
    goals: dict[str, SpendingGoal] = {}
    for goal in SpendingGoal.objects.filter(programme=programme):
        goals[goal.code.lower()] = goal
        if goal.number:
            goals[str(goal.number)] = goal
    return goals


def find_goal(goals: dict[str, SpendingGoal], written) -> SpendingGoal:
    """The goal a file's cell or the API names by code or number (ASCII digits: an Arabic-Indic one is no
    number here), or ValueError saying which are allowed."""
    key = tables.text(written).lower()
    goal = goals.get(key)
    if goal is None:
        raise ValueError(
            _("'%(value)s' is not a goal; use %(codes)s or 1-5")
            % {
                "value": tables.excerpt(key),
                "codes": ", ".join(dict.fromkeys(g.code for g in goals.values())),
            }
        )
    return goal


def parse_expenditure(row: dict, lookups: Lookups) -> tuple[dict | None, list[tuple[str, str]]]:
    """One row as the fields of an expenditure plus its duplicate key, or its problems."""
    problems: list[tuple[str, str]] = []
    date = amount = goal = intervention = None
    try:
        date = tables.parse_date(row["datum"])
        outside = existence_problem(lookups.municipality, date) or future_problem(
            date, lookups.today
        )
        if outside:
            problems.append(("datum", outside))
        elif date.year in lookups.closed_years:
            problems.append(("datum", closed_year_message(date.year)))
    except ValueError as error:
        problems.append(("datum", str(error)))
    try:
        amount = tables.parse_amount(row["bedrag"])
        if amount == 0:
            problems.append(("bedrag", _("€ 0,00 spends nothing; leave the row out")))
    except ValueError as error:
        problems.append(("bedrag", str(error)))
    try:
        goal = find_goal(lookups.goals, row["bestedingsdoel"])
    except ValueError as error:
        problems.append(("bestedingsdoel", str(error)))
    intervention_code = tables.text(row["interventie"])
    if intervention_code:
        intervention = lookups.interventions.get(intervention_code)
        if intervention is None:
            problems.append(
                (
                    "interventie",
                    _("'%(code)s' is not an intervention of this municipality's plan")
                    % {"code": tables.excerpt(intervention_code)},
                )
            )
        elif goal is not None and intervention.goal_id != goal.pk:
            problems.append(
                (
                    "interventie",
                    _(
                        "intervention %(code)s is charged to '%(intervention_goal)s', not to "
                        "'%(goal)s'"
                    )
                    % {
                        "code": tables.excerpt(intervention_code),
                        "intervention_goal": intervention.goal.code,
                        "goal": goal.code,
                    },
                )
            )
    values = {
        "description": tables.text(row["omschrijving"]),
        "supplier": tables.text(row["leverancier"]),
        "invoice_number": tables.text(row["factuurnummer"]),
    }
    if not values["description"]:
        problems.append(("omschrijving", _("empty, a description is required")))
    for column, name, limit in (
        ("omschrijving", "description", 300),
        ("leverancier", "supplier", 200),
        ("factuurnummer", "invoice_number", 100),
    ):
        if len(values[name]) > limit:
            problems.append((column, _("longer than %(limit)s characters") % {"limit": limit}))
    if problems:
        return None, problems
    values.update(date=date, amount=amount, goal=goal, intervention=intervention)
    values["duplicate_key"] = duplicate_key(
        municipality_code=lookups.municipality.code,
        date=date,
        amount=amount,
        goal_code=goal.code,
        invoice_number=values["invoice_number"],
        supplier=values["supplier"],
        description=values["description"],
    )
    return values, []
