"""The eligibility rules of an intervention, as plain functions returning the problems found.

Each function returns a list of user-facing messages (empty when the rule is met). The
intervention form shows them on its fields; `services.save_intervention` refuses to save
when any is found; the plan page re-checks existing interventions, because the programme
data (its period, the menu) may be changed later by the functional administrator.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from npo_portal.formatting import format_euro
from plans.models import MenuItem, Programme, TargetGroup

# Stcrt. 2021, 42927: the grant is for children in voorschoolse educatie, po, so and vo, and
# for thuiszitters; pupils of follow-on education (mbo, hbo, wo) are not among them.
ELIGIBLE_TARGET_GROUPS = frozenset(
    {
        TargetGroup.VOORSCHOOL,
        TargetGroup.PO,
        TargetGroup.SO,
        TargetGroup.VO,
        TargetGroup.THUISZITTERS,
    }
)
FOLLOW_ON_EDUCATION = frozenset({TargetGroup.MBO, TargetGroup.HBO})


def programme_years(programme: Programme) -> list[int]:
    """The calendar years the spending period touches (2021-2025 after the 2022 amendment)."""
    return list(range(programme.start.year, programme.end.year + 1))


def _day(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def period_problems(
    *, programme: Programme, start: datetime.date | None, end: datetime.date | None
) -> list[str]:
    """An intervention runs inside the programme's spending period, start before end."""
    problems = []
    period = {"start": _day(programme.start), "end": _day(programme.end)}
    if start and not programme.covers(start):
        problems.append(
            _("The start date lies outside the spending period (%(start)s to %(end)s).") % period
        )
    if end and not programme.covers(end):
        problems.append(
            _("The end date lies outside the spending period (%(start)s to %(end)s).") % period
        )
    return problems + order_problems(start=start, end=end)


def order_problems(*, start: datetime.date | None, end: datetime.date | None) -> list[str]:
    """An intervention ends on or after the day it starts."""
    if start and end and end < start:
        return [_("The end date lies before the start date.")]
    return []


def target_group_problems(*, target_groups: Iterable[str]) -> list[str]:
    """At least one target group, all of them children the grant is for."""
    groups = set(target_groups)
    if not groups:
        return [_("Choose at least one target group.")]
    problems = []
    if groups & FOLLOW_ON_EDUCATION:
        problems.append(
            _(
                "An intervention for mbo or hbo students cannot be paid from this grant: it is "
                "meant for children in voorschoolse educatie, po, so and vo, and for "
                "thuiszitters. Follow-on education may take part as a partner, for instance in "
                "the professional development of teachers."
            )
        )
    unknown = groups - ELIGIBLE_TARGET_GROUPS - FOLLOW_ON_EDUCATION
    if unknown:
        problems.append(
            _(
                "Unknown target group: %(groups)s. Choose from voorschool, po, so, vo and thuiszitters."
            )
            % {"groups": ", ".join(sorted(unknown))}
        )
    return problems


def budget_year_problems(*, programme: Programme, years: Iterable[int]) -> list[str]:
    """Money is budgeted only in calendar years the spending period touches."""
    allowed = programme_years(programme)
    outside = sorted(set(years) - set(allowed))
    if not outside:
        return []
    return [
        _("A budget for %(years)s lies outside the spending period (%(first)s-%(last)s).")
        % {
            "years": ", ".join(str(year) for year in outside),
            "first": allowed[0],
            "last": allowed[-1],
        }
    ]


def budget_outside_period_warnings(
    *,
    start: datetime.date | None,
    end: datetime.date | None,
    budgets: dict[int, Decimal | None],
) -> dict[int, str]:
    """A warning, not a refusal, for each year with money budgeted that the intervention's own
    period does not touch: the money may be meant for follow-up, but more often a year or a date
    is mistyped."""
    if not start or not end or start > end:
        return {}
    period = {"start": _day(start), "end": _day(end)}
    return {
        year: _(
            "The intervention runs from %(start)s to %(end)s; this budget for %(year)s lies "
            "outside that period. Check the year or the intervention's dates."
        )
        % {**period, "year": year}
        for year, amount in sorted(budgets.items())
        if amount and not start.year <= year <= end.year
    }


def menu_item_problems(
    *, menu_item: MenuItem | None, start: datetime.date | None, end: datetime.date | None
) -> list[str]:
    """A chosen menu item was on the menukaart during at least part of the intervention."""
    if menu_item is None or start is None or end is None:
        return []
    if (menu_item.valid_until and menu_item.valid_until < start) or (
        menu_item.valid_from and menu_item.valid_from > end
    ):
        return [
            _("“%(item)s” was not on the menukaart while this intervention runs.")
            % {"item": menu_item.name}
        ]
    return []


def allocation_notices(
    *,
    allocation_amount: Decimal | None,
    total: Decimal,
    by_year: dict[int, Decimal],
) -> list[str]:
    """The plan's budget compared with the municipality's allocation for the whole programme.

    Budgeting more than the allocation is a warning, not a refusal: the municipality may add
    its own money, but the grant pays no more than the allocation.
    """
    if allocation_amount is None:
        return [
            _(
                "No allocation has been recorded for this municipality yet, so the budget "
                "cannot be compared with it."
            )
        ]
    notices = []
    running = Decimal("0.00")
    for year in sorted(by_year):
        running += by_year[year]
        if by_year[year] > allocation_amount:
            notices.append(
                _(
                    "The budget for %(year)s (%(amount)s) alone exceeds the allocation (%(allocation)s)."
                )
                % {
                    "year": year,
                    "amount": format_euro(by_year[year]),
                    "allocation": format_euro(allocation_amount),
                }
            )
        elif running > allocation_amount and running - by_year[year] <= allocation_amount:
            notices.append(
                _(
                    "From %(year)s on, the budget adds up to more than the allocation: "
                    "%(amount)s up to and including %(year)s."
                )
                % {"year": year, "amount": format_euro(running)}
            )
    if total > allocation_amount:
        notices.append(
            _(
                "The plan budgets %(total)s, %(excess)s more than the allocation of "
                "%(allocation)s. The grant pays no more than the allocation."
            )
            % {
                "total": format_euro(total),
                "excess": format_euro(total - allocation_amount),
                "allocation": format_euro(allocation_amount),
            }
        )
    return notices
