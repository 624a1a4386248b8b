"""What changes the grant's money: allocations, payments, expenditures, imports, year closing."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from simple_history.utils import bulk_create_with_history

from accounts.models import Municipality, User
from finance.models import (
    Expenditure,
    ExpenditureImport,
    ImportStatus,
    Payment,
    YearClosing,
)
from finance.selectors import finance_programme
from finance.summary import refresh_spending_summary
from npo_portal import tables
from npo_portal.audit import lock_current
from npo_portal.queueing import QUEUE_DOWN_MESSAGE, send_after_commit
from npo_portal.storage import local_path
from plans.models import Allocation, Intervention, Programme, SpendingGoal
from settlement.closed import refuse_if_closed

logger = logging.getLogger(__name__)

EXPENDITURE_COLUMNS = [
    "datum",
    "bedrag",
    "bestedingsdoel",
    "interventie",
    "omschrijving",
    "leverancier",
    "factuurnummer",
]
ALLOCATION_COLUMNS = ["gemeentecode", "gemeente", "bedrag"]
# The allocation's basis, optional: the headers accepted for each, as people write them.
ALLOCATION_BASIS_COLUMNS = {
    "leerlingen": (
        "leerlingen",
        "aantal leerlingen",
        "leerlingaantal",
        "leerlingen 1 oktober 2020",
        "leerlingen 1-10-2020",
        "leerlingen 01-10-2020",
    ),
    "achterstandspunten": (
        "achterstandspunten",
        "aantal achterstandspunten",
        "achterstandspunten 1 oktober 2020",
        "achterstandspunten 1-10-2020",
        "achterstandspunten 01-10-2020",
    ),
}
MAX_PUPILS = 2_147_483_647  # the largest number the database's positive integer holds
BATCH_SIZE = 2000


class ImportRejected(Exception):
    """Nothing was imported; `errors` holds one Dutch message per bad row (or for the file)."""

    def __init__(self, errors: list[str], total: int | None = None):
        super().__init__("\n".join(errors))
        self.errors = errors
        self.total = total if total is not None else len(errors)


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


def _closed_years(municipality: Municipality) -> set[int]:
    return set(YearClosing.objects.filter(municipality=municipality).values_list("year", flat=True))


def closed_year_message(year: int) -> str:
    """Why nothing dated in `year` can be recorded, changed or deleted any more."""
    return _(
        "The year %(year)s is closed: its accountability report is final. "
        "Record a correction in a later year instead."
    ) % {"year": year}


def _refuse_closed_years(municipality: Municipality, *years: int) -> None:
    refuse_if_closed(municipality)
    closed = _closed_years(municipality).intersection(years)
    if closed:
        raise ValidationError({"date": closed_year_message(min(closed))})


def _existence_problem(
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


def _refuse_outside_existence(
    municipality: Municipality, day: datetime.date, *, payment: bool = False
) -> None:
    problem = _existence_problem(municipality, day, payment=payment)
    if problem:
        raise ValidationError({"date": problem})


def _future_problem(day: datetime.date, today: datetime.date | None = None) -> str | None:
    """Money is recorded once it was spent or received, so never on a day after today."""
    if day > (today or timezone.localdate()):
        return _("%(date)s lies in the future; record it once it has been paid.") % {
            "date": day.strftime("%d-%m-%Y")
        }
    return None


ZERO_AMOUNT = _lazy("An amount of € 0,00 spends and corrects nothing; enter the amount paid.")


def _refuse_future_or_zero(day: datetime.date, amount: Decimal) -> None:
    errors = {}
    if problem := _future_problem(day):
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
    _refuse_outside_existence(municipality, date)
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
    expenditure.save()
    refresh_spending_summary(municipality_ids=[municipality.pk], months=[date])
    return expenditure


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
        _refuse_outside_existence(expenditure.municipality, expenditure.date)
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
    refresh_spending_summary(
        municipality_ids=[expenditure.municipality_id], months=[current.date, expenditure.date]
    )
    return expenditure


@transaction.atomic
def delete_expenditure(*, expenditure: Expenditure, user: User | None) -> None:
    """Remove an expenditure recorded in error; not in a closed year."""
    old_date = Expenditure.objects.values_list("date", flat=True).get(pk=expenditure.pk)
    _refuse_closed_years(expenditure.municipality, old_date.year)
    expenditure.delete()
    refresh_spending_summary(municipality_ids=[expenditure.municipality_id], months=[old_date])


def record_payment(
    *,
    municipality: Municipality,
    user: User | None,
    date: datetime.date,
    amount: Decimal,
    reference: str = "",
) -> Payment:
    """Record a payment of the grant received by the municipality, on a day it existed."""
    refuse_if_closed(municipality)
    if amount == 0:
        raise ValidationError({"amount": _("A payment of zero euros is not a payment.")})
    if problem := _future_problem(date):
        raise ValidationError({"date": problem})
    _refuse_outside_existence(municipality, date, payment=True)
    return Payment.objects.create(
        programme=finance_programme(),
        municipality=municipality,
        date=date,
        amount=amount,
        reference=reference,
        recorded_by=user,
    )


def close_year(
    *, municipality: Municipality, year: int, user: User | None, note: str = ""
) -> YearClosing:
    """Freeze the expenditures of `year` once its accountability report is final. Closing a
    closed year again changes nothing."""
    closing, _created = YearClosing.objects.get_or_create(
        municipality=municipality, year=year, defaults={"closed_by": user, "note": note}
    )
    return closing


def reopen_year(*, municipality: Municipality, year: int, user: User | None, reason: str) -> bool:
    """Reopen a closed year after the functional administrator documented why (the reason is
    kept by the caller's record). Returns whether the year was closed."""
    refuse_if_closed(municipality)
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening the year.")})
    deleted, _rows = YearClosing.objects.filter(municipality=municipality, year=year).delete()
    logger.info("Year %s of %s reopened by %s: %s", year, municipality, user, reason)
    return bool(deleted)


# Imports ---------------------------------------------------------------------------------


def _row_message(number: int, problems: list[tuple[str, str]]) -> str:
    details = "; ".join(
        _("column '%(column)s': %(problem)s") % {"column": column, "problem": problem}
        for column, problem in problems
    )
    return _("Row %(row)s: %(details)s.") % {"row": number, "details": details.rstrip(".")}


@dataclass
class AllocationImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    new_municipalities: list[str] = field(default_factory=list)


def _read_or_reject(
    data: tables.Source, columns: list[str], optional: dict[str, tuple[str, ...]] | None = None
) -> Iterator[tuple[int, dict]]:
    try:
        yield from tables.read_table(data, columns=columns, optional=optional)
    except tables.TableError as error:
        raise ImportRejected([str(error)]) from error


def _parse_pupils(value) -> int | None:
    """A whole number of pupils (`12.345` or `12345`), or None for an empty cell."""
    if not tables.text(value):
        return None
    try:
        number = tables.parse_amount(value)
    except ValueError:
        number = None
    if number is None or number != number.to_integral_value():
        raise ValueError(_("'%(value)s' is not a whole number of pupils") % {"value": value})
    if number < 0:
        raise ValueError(_("a number of pupils cannot be negative"))
    if number > MAX_PUPILS:
        raise ValueError(_("'%(value)s' is too large") % {"value": value})
    return int(number)


def _parse_achterstandspunten(value) -> Decimal | None:
    """Achterstandspunten with at most two decimals (`1.234,5` or `1234.5`), or None for an
    empty cell."""
    if not tables.text(value):
        return None
    try:
        points = tables.parse_amount(value)
    except ValueError as error:
        raise ValueError(
            _("'%(value)s' is not a number of achterstandspunten with at most two decimals")
            % {"value": value}
        ) from error
    if points < 0:
        raise ValueError(_("achterstandspunten cannot be negative"))
    return points


@transaction.atomic
def import_allocations(
    *, data: bytes, programme: Programme | None = None, decision_reference: str = ""
) -> AllocationImportResult:
    """Set each municipality's allocation from `gemeentecode;gemeente;bedrag` rows, creating a
    municipality that is missing; optional `leerlingen` and `achterstandspunten` columns set
    the allocation's basis (an empty cell clears it, a file without the column leaves it).
    All rows or none; importing the same file again changes nothing."""
    programme = programme or finance_programme()
    parsed: list[tuple[str, str, Decimal, dict]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, row in _read_or_reject(data, ALLOCATION_COLUMNS, ALLOCATION_BASIS_COLUMNS):
        problems = []
        code = name = amount = None
        basis = {}
        try:
            code = tables.parse_municipality_code(row["gemeentecode"])
        except ValueError as error:
            problems.append(("gemeentecode", str(error)))
        name = tables.text(row["gemeente"])
        if not name:
            problems.append(("gemeente", _("empty, the name is required")))
        try:
            amount = tables.parse_amount(row["bedrag"])
            if amount < 0:
                problems.append(("bedrag", _("an allocation cannot be negative")))
        except ValueError as error:
            problems.append(("bedrag", str(error)))
        for column, field_name, parse in (
            ("leerlingen", "pupils", _parse_pupils),
            ("achterstandspunten", "achterstandspunten", _parse_achterstandspunten),
        ):
            if column in row:
                try:
                    basis[field_name] = parse(row[column])
                except ValueError as error:
                    problems.append((column, str(error)))
        if code and code in seen:
            problems.append(
                (
                    "gemeentecode",
                    _("%(code)s already appears in row %(row)s")
                    % {"code": code, "row": seen[code]},
                )
            )
        if problems:
            errors.append(_row_message(number, problems))
            continue
        seen[code] = number
        parsed.append((code, name, amount, basis))
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected([_("The file has no rows below its header.")])

    result = AllocationImportResult()
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=seen)}
    in_programme = set(
        Municipality.objects.in_programme().filter(code__in=seen).values_list("code", flat=True)
    )
    ended = sorted(
        (seen[code], m) for code, m in municipalities.items() if code not in in_programme
    )
    if ended:
        raise ImportRejected(
            [
                _row_message(
                    number,
                    [
                        (
                            "gemeentecode",
                            _("%(name)s ended before the programme began and has no grant")
                            % {"name": municipality},
                        )
                    ],
                )
                for number, municipality in ended
            ]
        )
    existing = {
        a.municipality_id: a
        for a in Allocation.objects.filter(programme=programme, municipality__code__in=seen)
    }
    for code, name, amount, basis in parsed:
        municipality = municipalities.get(code)
        if municipality is None:
            municipality = Municipality.objects.create(code=code, name=name)
            result.new_municipalities.append(code)
        allocation = existing.get(municipality.pk)
        if allocation is None:
            Allocation.objects.create(
                programme=programme,
                municipality=municipality,
                amount=amount,
                decision_reference=decision_reference,
                **basis,
            )
            result.created += 1
            continue
        changes = {"amount": amount, **basis}
        if decision_reference:
            changes["decision_reference"] = decision_reference
        changed = [key for key, value in changes.items() if getattr(allocation, key) != value]
        if changed:
            for field_name in changed:
                setattr(allocation, field_name, changes[field_name])
            allocation.save(update_fields=changed)
            result.updated += 1
        else:
            result.unchanged += 1
    if not any("pupils" in basis for _code, _name, _amount, basis in parsed):
        # Without its own pupils the file leaves the basis to DUO's counts, when imported.
        from finance.pupil_counts import apply_pupil_counts

        apply_pupil_counts(programme=programme, municipality_codes=list(seen))
    return result


@dataclass
class ExpenditureImportResult:
    created: int = 0
    outside_period: int = 0
    duplicates: list[str] = field(default_factory=list)


@dataclass
class _Lookups:
    municipality: Municipality
    programme: Programme
    goals: dict[str, SpendingGoal]
    interventions: dict[str, Intervention]
    closed_years: set[int]
    # Once per import, not per row (timezone.localdate costs 0.1 ms a call).
    today: datetime.date = field(default_factory=timezone.localdate)


def _lookups(municipality: Municipality, programme: Programme) -> _Lookups:
    goals: dict[str, SpendingGoal] = {}
    for goal in SpendingGoal.objects.filter(programme=programme):
        goals[goal.code.lower()] = goal
        if goal.number:
            goals[str(goal.number)] = goal
    interventions = {
        i.code: i
        for i in Intervention.objects.filter(
            plan__municipality=municipality, plan__programme=programme
        ).select_related("goal")
    }
    return _Lookups(municipality, programme, goals, interventions, _closed_years(municipality))


def _parse_expenditure(row: dict, lookups: _Lookups) -> tuple[dict | None, list[tuple[str, str]]]:
    """One row as the fields of an expenditure plus its duplicate key, or its problems."""
    problems: list[tuple[str, str]] = []
    date = amount = goal = intervention = None
    try:
        date = tables.parse_date(row["datum"])
        outside = _existence_problem(lookups.municipality, date) or _future_problem(
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
    goal_text = tables.text(row["bestedingsdoel"]).lower()
    goal = lookups.goals.get(goal_text)
    if goal is None:
        problems.append(
            (
                "bestedingsdoel",
                _("'%(value)s' is not a goal; use %(codes)s or 1-5")
                % {
                    "value": tables.excerpt(goal_text),
                    "codes": ", ".join(dict.fromkeys(g.code for g in lookups.goals.values())),
                },
            )
        )
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


def _existing_keys(municipality: Municipality, keys: Iterable[str]) -> set[str]:
    return set(
        Expenditure.objects.filter(
            municipality=municipality, duplicate_key__in=list(keys)
        ).values_list("duplicate_key", flat=True)
    )


def import_expenditures(
    *, municipality: Municipality, data: tables.Source, user: User | None
) -> ExpenditureImportResult:
    """Import expenditures from a CSV or XLSX file (its bytes or its path): every row or none. Rows already recorded
    (same duplicate key) are skipped and reported, so a re-import doubles nothing."""
    refuse_if_closed(municipality)
    try:
        return _import_expenditures(municipality=municipality, data=data, user=user)
    except IntegrityError:
        # Another import saved some of the same rows between our check and our insert, and
        # ours was rolled back whole. Once more: now those rows read as already recorded.
        logger.warning("Expenditure import for %s raced another; trying again", municipality)
    try:
        return _import_expenditures(municipality=municipality, data=data, user=user)
    except IntegrityError as error:
        raise ImportRejected(
            [_("Another import of the same rows is running; nothing imported. Try again.")]
        ) from error


@transaction.atomic
def _import_expenditures(
    *, municipality: Municipality, data: tables.Source, user: User | None
) -> ExpenditureImportResult:
    programme = finance_programme()
    lookups = _lookups(municipality, programme)
    result = ExpenditureImportResult()
    errors: list[str] = []
    error_count = 0
    first_row_of: dict[str, int] = {}
    pending: dict[str, int] = {}
    skip: set[str] = set()
    duplicate_rows: list[tuple[int, str]] = []

    def flush_pending() -> None:
        existing = _existing_keys(municipality, pending)
        for key, number in pending.items():
            if key in existing:
                duplicate_rows.append(
                    (
                        number,
                        _("Row %(row)s: already recorded, not imported again.") % {"row": number},
                    )
                )
                skip.add(key)
        pending.clear()

    # First pass: validate every row and find duplicates, keeping only the keys in memory.
    for number, row in _read_or_reject(data, EXPENDITURE_COLUMNS):
        values, problems = _parse_expenditure(row, lookups)
        if problems:
            error_count += 1
            if len(errors) < settings.IMPORT_MAX_REPORTED_ERRORS:
                errors.append(_row_message(number, problems))
            continue
        key = values["duplicate_key"]
        if key in first_row_of:
            duplicate_rows.append(
                (
                    number,
                    _("Row %(row)s: the same expenditure as row %(first)s, imported once.")
                    % {"row": number, "first": first_row_of[key]},
                )
            )
            continue
        first_row_of[key] = number
        pending[key] = number
        if len(pending) >= BATCH_SIZE:
            flush_pending()
    flush_pending()
    result.duplicates = [message for _number, message in sorted(duplicate_rows)]
    if error_count:
        if error_count > len(errors):
            errors.append(
                _("… and %(count)s more rows with errors.") % {"count": error_count - len(errors)}
            )
        raise ImportRejected(errors, total=error_count)
    if not first_row_of:
        if result.duplicates:
            return result
        raise ImportRejected([_("The file has no rows below its header.")])

    # Second pass: the file is valid; insert in batches so memory stays flat.
    months: set[datetime.date] = set()

    def new_rows() -> Iterator[dict]:
        for _number, row in tables.read_table(data, columns=EXPENDITURE_COLUMNS):
            values, _problems = _parse_expenditure(row, lookups)
            key = values["duplicate_key"]
            if key in skip or first_row_of.pop(key, None) is None:
                continue
            if not programme.covers(values["date"]):
                result.outside_period += 1
            months.add(values["date"].replace(day=1))
            yield values

    if connection.vendor == "postgresql":
        result.created = _copy_expenditures(
            new_rows(), municipality=municipality, programme=programme, user=user
        )
    else:
        batch: list[Expenditure] = []
        for values in new_rows():
            batch.append(
                Expenditure(
                    programme=programme, municipality=municipality, recorded_by=user, **values
                )
            )
            if len(batch) >= BATCH_SIZE:
                bulk_create_with_history(batch, Expenditure, default_user=user)
                result.created += len(batch)
                batch = []
        if batch:
            bulk_create_with_history(batch, Expenditure, default_user=user)
            result.created += len(batch)
    refresh_spending_summary(municipality_ids=[municipality.pk], months=months)
    return result


# The columns an imported expenditure gets from its row; the rest are the same for all.
_COPIED = ("date", "amount", "description", "supplier", "invoice_number", "duplicate_key")


def _copy_expenditures(
    rows: Iterable[dict], *, municipality: Municipality, programme: Programme, user: User | None
) -> int:
    """Write validated rows and their "created" history records on PostgreSQL: COPY into a
    temporary table per batch of BATCH_SIZE (memory stays flat), then one INSERT … SELECT
    that inserts the expenditures and, from what it returns, their history rows.

    What `bulk_create_with_history` wrote, without building two model instances and
    preparing 25 values per row in Python (three quarters of the import's time at 100,000
    rows). The constraints, foreign keys and statement triggers of the tables apply as to
    any INSERT; a duplicate key still raises IntegrityError and rolls the import back."""
    expenditure = Expenditure._meta.db_table
    history = Expenditure.history.model._meta.db_table
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE npo_import_rows (seq serial, date date, amount numeric(14,2),"
            " description text, supplier text, invoice_number text, duplicate_key text,"
            " goal_id bigint, intervention_id bigint) ON COMMIT DROP"
        )
        columns = ", ".join((*_COPIED, "goal_id", "intervention_id"))
        buffer, count = io.StringIO(), 0
        writer = csv.writer(buffer)

        def flush() -> None:
            buffer.seek(0)
            # The raw psycopg2 cursor: Django's wrapper has no copy_expert.
            # An empty field is NULL (a row without intervention), except in the texts.
            cursor.cursor.copy_expert(
                f"COPY npo_import_rows ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NOT_NULL"
                " (description, supplier, invoice_number, duplicate_key))",
                buffer,
            )
            buffer.seek(0)
            buffer.truncate()

        for values in rows:
            intervention = values["intervention"]
            writer.writerow(
                (
                    values["date"].isoformat(),
                    values["amount"],
                    values["description"],
                    values["supplier"],
                    values["invoice_number"],
                    values["duplicate_key"],
                    values["goal"].pk,
                    intervention.pk if intervention else "",
                )
            )
            count += 1
            if count % BATCH_SIZE == 0:
                flush()
        flush()
        copied = ", ".join(_COPIED)
        shared = "created_at, goal_id, intervention_id, municipality_id, programme_id"
        cursor.execute(
            f"WITH created AS (INSERT INTO {expenditure} ({copied}, {shared}, recorded_by_id,"  # noqa: S608 - table names from the models
            f" version) SELECT {copied}, %(now)s, goal_id, intervention_id, %(municipality)s,"
            f" %(programme)s, %(user)s, 1 FROM npo_import_rows ORDER BY seq RETURNING *)"
            f" INSERT INTO {history} (id, {copied}, {shared}, recorded_by_id, version, extern_id,"
            f" history_date, history_change_reason, history_type, history_user_id)"
            f" SELECT id, {copied}, {shared}, recorded_by_id, version, extern_id, %(now)s, NULL,"
            f" '+', %(user)s FROM created",
            {
                "now": now,
                "municipality": municipality.pk,
                "programme": programme.pk,
                "user": user.pk if user else None,
            },
        )
        cursor.execute("DROP TABLE npo_import_rows")
    return count


def start_expenditure_import(
    *, municipality: Municipality, user: User | None, file_name: str, data: bytes | File
) -> ExpenditureImport:
    """Queue an uploaded expenditure file (an upload or bytes); a Celery task imports it
    after the commit. The file is copied to storage in chunks (an upload Django already
    spooled to disk is moved there), never read whole."""
    from finance.tasks import run_expenditure_import as task

    refuse_if_closed(municipality)
    upload = ContentFile(data) if isinstance(data, bytes) else data
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    job = ExpenditureImport(
        municipality=municipality,
        uploaded_by=user,
        file_name=tables.excerpt(file_name, 254),
        size=upload.size,
        sha256=digest.hexdigest(),
    )
    upload.seek(0)
    job.upload.save("upload", upload, save=False)
    try:
        job.save()
    except BaseException:
        job.upload.delete(save=False)
        raise
    send_after_commit(lambda: task.delay(job.pk), on_failure=lambda: _record_not_queued(job.pk))
    return job


def _drop_upload(job: ExpenditureImport) -> None:
    """The file is not needed once the import has ended, whatever the outcome: it is
    deleted when the outcome is committed (a rollback keeps both as they were)."""
    name, storage = job.upload.name, job.upload.storage
    job.upload = ""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _record_not_queued(import_id: int) -> None:
    """The broker refused the task: the upload ends failed, not waiting for ever, and its
    file is deleted."""
    job = ExpenditureImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).first()
    if job is None:
        return
    _drop_upload(job)
    job.status = ImportStatus.FAILED
    job.finished_at = timezone.now()
    job.messages = [str(QUEUE_DOWN_MESSAGE)]
    job.save(update_fields=["status", "upload", "finished_at", "messages"])


def _claim_import(import_id: int) -> ExpenditureImport | None:
    """Mark a waiting upload as running, so its page says so; None when it is not waiting
    (done, aborted, gone, or claimed by another delivery of the task)."""
    with transaction.atomic():
        job = (
            ExpenditureImport.objects.select_for_update(of=("self",))
            .filter(pk=import_id, status=ImportStatus.QUEUED)
            .first()
        )
        if job is None:
            return None
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    return job


def run_expenditure_import(*, import_id: int) -> ExpenditureImport | None:
    """Import a waiting upload (all rows or none) and record the outcome on it; an upload
    that is not waiting any more, or was aborted, is left alone, so a repeated or late task
    changes nothing."""
    if _claim_import(import_id) is None:
        return None
    with transaction.atomic():
        # The row stays locked while importing: an abort waits for the outcome, and an upload
        # aborted since it was claimed imports nothing.
        job = (
            ExpenditureImport.objects.select_for_update(of=("self",))
            .select_related("municipality", "uploaded_by")
            .filter(pk=import_id, status=ImportStatus.RUNNING)
            .first()
        )
        if job is None:
            logger.warning("Expenditure import %s was aborted before it ran", import_id)
            return None
        try:
            if not job.upload:
                raise ImportRejected([_("The uploaded file is no longer there; upload it again.")])
            # The upload may be in an object store written by another machine.
            with local_path(job.upload.storage, job.upload.name) as data:
                result = import_expenditures(
                    municipality=job.municipality, data=data, user=job.uploaded_by
                )
        except ImportRejected as rejected:
            job.status = ImportStatus.REJECTED
            job.problem_count = rejected.total
            job.messages = rejected.errors
        except SoftTimeLimitExceeded:
            logger.error("Expenditure import %s stopped at the time limit", job.pk)
            job.status = ImportStatus.FAILED
            job.messages = [
                _(
                    "The import took longer than %(minutes)s minutes and was stopped; nothing "
                    "has been imported. Split the file into smaller ones."
                )
                % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60}
            ]
        except Exception:
            logger.exception("Expenditure import %s failed", job.pk)
            job.status = ImportStatus.FAILED
            job.messages = [_("The import failed unexpectedly; nothing has been imported.")]
        else:
            job.status = ImportStatus.DONE
            job.created_count = result.created
            job.outside_period_count = result.outside_period
            job.duplicate_count = len(result.duplicates)
            job.messages = result.duplicates[: settings.IMPORT_MAX_REPORTED_ERRORS]
        _drop_upload(job)
        job.finished_at = timezone.now()
        job.save()
    return job


@transaction.atomic
def abandon_import(*, expenditure_import: ExpenditureImport, user: User) -> ExpenditureImport:
    """Mark an import that has waited or run past EXPENDITURE_IMPORT_TIMEOUT_MINUTES as
    failed, saying who gave up and when. Imports are all or nothing: none of its rows was
    saved, and a worker that comes late imports nothing."""
    # Waits for a worker that is importing this very file, then sees its outcome.
    job = ExpenditureImport.objects.select_for_update().get(pk=expenditure_import.pk)
    if not job.is_pending:
        raise ValidationError(_("This import has already ended; there is nothing to abort."))
    now = timezone.now()
    minutes = settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES
    if now < job.stale_at:
        raise ValidationError(
            _(
                "An import can be aborted only after %(minutes)s minutes without a result, "
                "from %(time)s."
            )
            % {"minutes": minutes, "time": _local_time(job.stale_at)}
        )
    job.status = ImportStatus.FAILED
    job.finished_at = now
    _drop_upload(job)
    job.messages = [
        _(
            "Aborted by %(user)s on %(time)s: no result after %(minutes)s minutes. Nothing "
            "of this file has been imported; upload it again."
        )
        % {
            "user": user.get_full_name() or user.username,
            "time": _local_time(now),
            "minutes": minutes,
        }
    ]
    job.save(update_fields=["status", "finished_at", "upload", "messages"])
    logger.warning("Expenditure import %s aborted by user %s", job.pk, user.pk)
    return job


def fail_stuck_imports(*, now: datetime.datetime | None = None) -> list[int]:
    """Mark every import still waiting or running past EXPENDITURE_IMPORT_TIMEOUT_MINUTES as
    failed (its worker died), saying so on its page; run by Celery beat. An import that a
    worker is busy with right now (its row locked) is left to that worker."""
    now = now or timezone.now()
    minutes = settings.EXPENDITURE_IMPORT_TIMEOUT_MINUTES
    limit = now - datetime.timedelta(minutes=minutes)
    failed = []
    with transaction.atomic():
        stuck = (
            ExpenditureImport.objects.select_for_update(skip_locked=True)
            .filter(status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING))
            .filter(Q(started_at__isnull=True, created_at__lte=limit) | Q(started_at__lte=limit))
        )
        for job in stuck:
            job.status = ImportStatus.FAILED
            job.finished_at = now
            _drop_upload(job)
            job.messages = [
                _(
                    "Marked failed automatically on %(time)s: no result after %(minutes)s "
                    "minutes. Nothing of this file has been imported; upload it again."
                )
                % {"time": _local_time(now), "minutes": minutes}
            ]
            job.save(update_fields=["status", "finished_at", "upload", "messages"])
            failed.append(job.pk)
    if failed:
        logger.warning("Expenditure imports marked failed after the timeout: %s", failed)
    delete_orphaned_uploads(before=limit)
    return failed


def delete_orphaned_uploads(*, before: datetime.datetime) -> list[str]:
    """Delete files under imports/ older than `before` that no import refers to (an upload
    whose record was rolled back, or whose process died between file and record)."""
    storage = ExpenditureImport._meta.get_field("upload").storage
    try:
        _folders, names = storage.listdir("imports")
    except FileNotFoundError:
        return []
    referred = set(
        ExpenditureImport.objects.filter(upload__startswith="imports/").values_list(
            "upload", flat=True
        )
    )
    deleted = []
    for name in names:
        path = f"imports/{name}"
        if path not in referred and storage.get_modified_time(path) < before:
            storage.delete(path)
            deleted.append(path)
    if deleted:
        logger.warning("Uploads without an import deleted: %s", deleted)
    return deleted


def _local_time(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# Pushed expenditures (the API) -------------------------------------------------------------


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one pushed row: its position (from 0), the column and why."""

    row: int
    column: str
    message: str


class RowsRejected(Exception):
    """Nothing was recorded; `problems` names every bad row and column."""

    def __init__(self, problems: list[RowProblem]):
        super().__init__("; ".join(f"{p.row}/{p.column}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class RecordedRow:
    """One pushed row's outcome: recorded now (`created`) or found already recorded."""

    expenditure: Expenditure
    created: bool
    same_as_row: int | None = None


EXTERN_ID_MAX = 100


def _check_rows(
    municipality: Municipality,
    programme: Programme,
    rows: list[dict],
    positions: list[int] | None = None,
) -> tuple[list[tuple[dict | None, str | None]], list[RowProblem]]:
    lookups = _lookups(municipality, programme)
    problems: list[RowProblem] = []
    parsed: list[tuple[dict | None, str | None]] = []
    row_of_extern: dict[str, int] = {}
    for index, row in zip(positions or range(len(rows)), rows, strict=True):
        values, row_problems = _parse_expenditure(row, lookups)
        extern_id = tables.text(row.get("extern_id") or "") or None
        if extern_id and len(extern_id) > EXTERN_ID_MAX:
            row_problems.append(
                ("extern_id", _("longer than %(limit)s characters") % {"limit": EXTERN_ID_MAX})
            )
        elif extern_id in row_of_extern:
            row_problems.append(
                (
                    "extern_id",
                    _("'%(value)s' already appears in row %(row)s")
                    % {"value": extern_id, "row": row_of_extern[extern_id]},
                )
            )
        elif extern_id:
            row_of_extern[extern_id] = index
        problems += [RowProblem(index, column, message) for column, message in row_problems]
        parsed.append((values, extern_id))
    return parsed, problems


def expenditure_row_problems(
    *, municipality: Municipality, rows: list[dict], positions: list[int] | None = None
) -> list[RowProblem]:
    """What `record_expenditures` would refuse in these rows, without recording anything.

    `positions` are the rows' places in the request when some rows were left out (the
    malformed ones), so that every problem and every "already appears in row N" names the
    row the sender knows."""
    return _check_rows(municipality, finance_programme(), rows, positions)[1]


@transaction.atomic
def record_expenditures(
    *, municipality: Municipality, rows: list[dict], user: User | None, change_reason: str = ""
) -> list[RecordedRow]:
    """Record expenditures pushed by the municipality's own system, each row in the import's
    columns plus an optional `extern_id`: every row or none, by the import's rules. A row
    whose `extern_id` or duplicate key is already recorded is not recorded again, so a
    retried push changes nothing."""
    refuse_if_closed(municipality)
    programme = finance_programme()
    parsed, problems = _check_rows(municipality, programme, rows)
    if problems:
        raise RowsRejected(problems)
    extern_ids = [extern_id for _values, extern_id in parsed if extern_id]

    by_extern = {
        e.extern_id: e
        for e in Expenditure.objects.filter(municipality=municipality, extern_id__in=extern_ids)
    }
    by_key = {
        e.duplicate_key: e
        for e in Expenditure.objects.filter(
            municipality=municipality,
            duplicate_key__in=[values["duplicate_key"] for values, _extern in parsed],
        )
    }
    outcomes: list[RecordedRow | None] = []
    row_of_key: dict[str, int] = {}
    new: list[Expenditure] = []
    for index, (values, extern_id) in enumerate(parsed):
        key = values["duplicate_key"]
        existing = by_extern.get(extern_id) if extern_id else None
        existing = existing or by_key.get(key)
        if existing is not None:
            outcomes.append(RecordedRow(existing, created=False))
        elif key in row_of_key:
            outcomes.append(None)  # the same expenditure as an earlier row: recorded once
        else:
            row_of_key[key] = index
            expenditure = Expenditure(
                programme=programme,
                municipality=municipality,
                recorded_by=user,
                extern_id=extern_id,
                **values,
            )
            new.append(expenditure)
            outcomes.append(RecordedRow(expenditure, created=True))
    if new:
        bulk_create_with_history(
            new, Expenditure, default_user=user, default_change_reason=change_reason
        )
        refresh_spending_summary(
            municipality_ids=[municipality.pk], months=sorted({e.date for e in new})
        )
    results: list[RecordedRow] = []
    for index, outcome in enumerate(outcomes):
        if outcome is None:
            first = row_of_key[parsed[index][0]["duplicate_key"]]
            outcome = RecordedRow(outcomes[first].expenditure, created=False, same_as_row=first)
        results.append(outcome)
    return results
