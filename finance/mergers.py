"""Municipal mergers: the successor takes over its predecessors' grant.

The predecessors keep everything dated before the merger (allocation, plan, needs rounds,
reports); what is dated from the merger day on moves to the successor, and the successor's
totals and reports include the predecessors' shares (`finance.selectors.finance_totals`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from accounts.models import Municipality, User
from finance.models import Expenditure, Payment, YearClosing
from finance.services import EXTERN_ID_MAX, key_for
from finance.summary import refresh_spending_summary
from schools.models import School


@dataclass
class MergerResult:
    successor: Municipality
    predecessors: list[Municipality]
    day: datetime.date
    ended: list[Municipality] = field(default_factory=list)
    schools: int = 0
    expenditures: int = 0
    payments: int = 0
    users_moved: int = 0
    users_deactivated: int = 0

    @property
    def changed(self) -> bool:
        return bool(
            self.ended
            or self.schools
            or self.expenditures
            or self.payments
            or self.users_moved
            or self.users_deactivated
        )


def _day(day: datetime.date) -> str:
    return day.strftime("%d-%m-%Y")


def _problems(
    successor: Municipality, predecessors: list[Municipality], day: datetime.date
) -> list[str]:
    last_day = day - datetime.timedelta(days=1)
    problems = []
    if not predecessors:
        problems.append(_("Choose at least one municipality that merges into the successor."))
    if successor.valid_until and successor.valid_until < day:
        problems.append(
            _("%(name)s no longer exists on %(day)s.") % {"name": successor.name, "day": _day(day)}
        )
    if successor.valid_from and successor.valid_from > day:
        problems.append(
            _("%(name)s only exists from %(from)s, after %(day)s.")
            % {"name": successor.name, "from": _day(successor.valid_from), "day": _day(day)}
        )
    for predecessor in predecessors:
        if predecessor.pk == successor.pk:
            problems.append(_("%(name)s cannot merge into itself.") % {"name": predecessor.name})
        elif successor.successor_id == predecessor.pk:
            problems.append(
                _("%(successor)s already merged into %(name)s; a merger cannot go both ways.")
                % {"successor": successor.name, "name": predecessor.name}
            )
        elif predecessor.successor_id and (
            predecessor.successor_id != successor.pk or predecessor.valid_until != last_day
        ):
            problems.append(
                _("%(name)s already merged into %(other)s after %(last)s.")
                % {
                    "name": predecessor.name,
                    "other": predecessor.successor.name,
                    "last": _day(predecessor.valid_until),
                }
            )
        elif predecessor.valid_until and predecessor.valid_until != last_day:
            problems.append(
                _("%(name)s already ceased after %(last)s.")
                % {"name": predecessor.name, "last": _day(predecessor.valid_until)}
            )
        if predecessor.valid_from and predecessor.valid_from > last_day:
            problems.append(
                _("%(name)s did not exist yet before %(day)s.")
                % {"name": predecessor.name, "day": _day(day)}
            )
    return problems


def _moving_expenditures(
    successor: Municipality, predecessors: list[Municipality], day: datetime.date
) -> tuple[list[Expenditure], list[str]]:
    """The predecessors' expenditures dated from `day`, re-keyed for the successor, and the
    problems that stop them from moving (closed years, the same expenditure twice)."""
    moving = list(
        Expenditure.objects.filter(municipality__in=predecessors, date__gte=day)
        .select_related("goal", "municipality")
        .order_by("date", "pk")
    )
    problems = []
    closed = set(
        YearClosing.objects.filter(municipality__in=[successor, *predecessors]).values_list(
            "municipality__name", "year"
        )
    )
    for name, year in sorted(closed):
        if any(e.date.year == year for e in moving):
            problems.append(
                _(
                    "The year %(year)s of %(name)s is closed, but expenditures dated in it "
                    "would move to %(successor)s. Reopen the year first."
                )
                % {"year": year, "name": name, "successor": successor.name}
            )
    keys: dict[str, Expenditure] = {}
    for expenditure in moving:
        key = key_for(expenditure, municipality_code=successor.code)
        if key in keys:
            problems.append(_twice(expenditure, keys[key].municipality))
        keys[key] = expenditure
        expenditure.duplicate_key = key
    recorded = Expenditure.objects.filter(municipality=successor, duplicate_key__in=list(keys))
    for key in recorded.values_list("duplicate_key", flat=True):
        problems.append(_twice(keys[key], successor))
    return moving, problems + _qualify_references(successor, moving)


def _qualify_references(successor: Municipality, moving: list[Expenditure]) -> list[str]:
    """Give each moving expenditure an `extern_id` that is free at the successor.

    A reference is unique per municipality (a retried push must find its booking), and two
    financial systems may well both have used "2022-0001". A reference the successor does not
    use moves as it is, so its system can go on referring to it; one it does use is
    qualified with the predecessor's code ("GM0457:2022-0001"). Both bookings are kept: they
    are not the same expenditure, or the duplicate key would have refused the merger."""
    given = [e for e in moving if e.extern_id]
    candidates = {e.extern_id for e in given} | {_qualified(e) for e in given}
    taken = set(
        Expenditure.objects.filter(municipality=successor, extern_id__in=candidates)
        .exclude(pk__in=[e.pk for e in moving])
        .values_list("extern_id", flat=True)
    )
    problems = []
    for expenditure in given:
        if expenditure.extern_id in taken:
            qualified = _qualified(expenditure)
            if qualified in taken or len(qualified) > EXTERN_ID_MAX:
                problems.append(
                    _(
                        "Expenditure %(description)s of %(date)s (%(name)s) has the reference "
                        "%(reference)s, which %(successor)s already uses, also as "
                        "%(qualified)s. Delete one of them first."
                    )
                    % {
                        "description": expenditure.description,
                        "date": _day(expenditure.date),
                        "name": expenditure.municipality.name,
                        "reference": expenditure.extern_id,
                        "successor": successor.name,
                        "qualified": qualified,
                    }
                )
            expenditure.extern_id = qualified
        taken.add(expenditure.extern_id)
    return problems


def _qualified(expenditure: Expenditure) -> str:
    return f"{expenditure.municipality.code}:{expenditure.extern_id}"


def _twice(expenditure: Expenditure, other: Municipality) -> str:
    return _(
        "Expenditure %(description)s of %(date)s (%(name)s) is also recorded at %(other)s; "
        "it would be counted twice. Delete one of them first."
    ) % {
        "description": expenditure.description,
        "date": _day(expenditure.date),
        "name": expenditure.municipality.name,
        "other": other.name,
    }


@transaction.atomic
def merge_municipalities(
    *,
    successor: Municipality,
    predecessors: list[Municipality],
    day: datetime.date,
    move_users: bool,
    user: User | None,
) -> MergerResult:
    """Merge `predecessors` into `successor` on `day`: they end the day before; the school
    locations, expenditures and payments from `day` on move to the successor; their users
    move along or are deactivated. Nothing is deleted, and merging again changes nothing."""
    successor = Municipality.objects.select_for_update().get(pk=successor.pk)
    predecessors = list(
        # Lock only the predecessors' rows: PostgreSQL refuses FOR UPDATE on the nullable
        # side of the outer join that select_related("successor") makes.
        Municipality.objects.select_for_update(of=("self",))
        .filter(pk__in=[p.pk for p in predecessors])
        .select_related("successor")
        .order_by("code")
    )
    problems = _problems(successor, predecessors, day)
    moving, move_problems = (
        ([], []) if problems else _moving_expenditures(successor, predecessors, day)
    )
    if problems or move_problems:
        raise ValidationError(problems + move_problems)

    result = MergerResult(successor=successor, predecessors=predecessors, day=day)
    reason = _("Merger of %(names)s into %(successor)s on %(day)s") % {
        "names": ", ".join(p.name for p in predecessors),
        "successor": successor.name,
        "day": _day(day),
    }
    last_day = day - datetime.timedelta(days=1)
    for predecessor in predecessors:
        if predecessor.valid_until != last_day or predecessor.successor_id != successor.pk:
            predecessor.valid_until, predecessor.successor = last_day, successor
            predecessor.save(update_fields=["valid_until", "successor"])
            result.ended.append(predecessor)

    result.schools = (
        School.objects.filter(municipality__in=predecessors)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=day))
        .update(municipality=successor)
    )
    for expenditure in moving:
        expenditure.municipality = successor
        expenditure.version += 1
    bulk_update_with_history(
        moving,
        Expenditure,
        ["municipality", "duplicate_key", "extern_id", "version"],
        default_user=user,
        default_change_reason=reason,
    )
    result.expenditures = len(moving)
    if moving:
        refresh_spending_summary(
            municipality_ids=[successor.pk, *(p.pk for p in predecessors)],
            months=[e.date for e in moving],
        )
    payments = list(Payment.objects.filter(municipality__in=predecessors, date__gte=day))
    for payment in payments:
        payment.municipality = successor
    bulk_update_with_history(
        payments, Payment, ["municipality"], default_user=user, default_change_reason=reason
    )
    result.payments = len(payments)

    users = User.objects.filter(municipality__in=predecessors, is_active=True)
    if move_users:
        result.users_moved = users.update(municipality=successor)
    else:
        # The anonymisation period of their personal data starts now (archive/anonymise.py).
        result.users_deactivated = users.update(is_active=False, deactivated_at=timezone.now())
    return result


def describe(result: MergerResult) -> str:
    """What a merger did, in one sentence for the administrator."""
    if not result.changed:
        return _("Nothing changed: %(names)s had already merged into %(successor)s on %(day)s.") % {
            "names": ", ".join(p.name for p in result.predecessors),
            "successor": result.successor.name,
            "day": _day(result.day),
        }
    return _(
        "%(names)s merged into %(successor)s on %(day)s: %(schools)s school locations, "
        "%(expenditures)s expenditures and %(payments)s payments moved; %(moved)s users "
        "moved, %(deactivated)s deactivated."
    ) % {
        "names": ", ".join(p.name for p in result.predecessors),
        "successor": result.successor.name,
        "day": _day(result.day),
        "schools": result.schools,
        "expenditures": result.expenditures,
        "payments": result.payments,
        "moved": result.users_moved,
        "deactivated": result.users_deactivated,
    }
