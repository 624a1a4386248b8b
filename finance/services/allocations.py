"""The allocations of the grant per municipality, from the decision's file."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance.selectors import finance_programme
from finance.services.pupil_counts import apply_pupil_counts
from finance.services.rows import ImportRejected, read_or_reject, row_message
from npo_portal import tables
from plans.models import Allocation, Programme
from settlement.closed import is_closed

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


@dataclass
class AllocationImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


WHOLE_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+\Z", re.ASCII)


def _parse_pupils(value) -> int | None:
    """A whole number of pupils (`12.345` or `12345`), or None for an empty cell."""
    written = tables.text(value)
    if not written:
        return None
    if WHOLE_THOUSANDS.match(written):
        # A count is whole: here a dot before three digits can only group thousands.
        written = written.replace(".", "")
    try:
        number = tables.parse_amount(written if isinstance(value, str) else value)
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


def refuse_unknown_codes(rows: dict[str, int], known, column: str = "gemeentecode") -> None:
    """ImportRejected naming each row (`rows`: code → row number) whose code is not among
    `known`, the register's codes; nothing when all are known."""
    unknown = sorted((number, code) for code, number in rows.items() if code not in known)
    if unknown:
        raise ImportRejected(
            [
                row_message(
                    number,
                    [(column, _("no municipality has the code %(code)s.") % {"code": code})],
                )
                for number, code in unknown
            ]
        )


@transaction.atomic
def import_allocations(
    *, data: tables.Source, programme: Programme | None = None, decision_reference: str = ""
) -> AllocationImportResult:
    """Set each municipality's allocation from `gemeentecode;gemeente;bedrag` rows; a code the
    register of municipalities does not hold refuses the file (a typo such as GM0000 must not
    become a municipality of its own: the register is loaded from CBS's list). Optional `leerlingen` and `achterstandspunten` columns set
    the allocation's basis (an empty cell clears it, a file without the column leaves it).
    All rows or none; importing the same file again changes nothing."""
    programme = programme or finance_programme()
    parsed: list[tuple[str, str, Decimal, dict]] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for number, row in read_or_reject(data, ALLOCATION_COLUMNS, ALLOCATION_BASIS_COLUMNS):
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
            errors.append(row_message(number, problems))
            continue
        seen[code] = number
        parsed.append((code, name, amount, basis))
    if errors:
        raise ImportRejected(errors)
    if not parsed:
        raise ImportRejected([_("The file has no rows below its header.")])

    result = AllocationImportResult()
    municipalities = {m.code: m for m in Municipality.objects.filter(code__in=seen)}
    refuse_unknown_codes(seen, municipalities)
    in_programme = set(
        Municipality.objects.in_programme().filter(code__in=seen).values_list("code", flat=True)
    )
    ended = sorted(
        (seen[code], m) for code, m in municipalities.items() if code not in in_programme
    )
    if ended:
        raise ImportRejected(
            [
                row_message(
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
    # A closed programme is read-only (issue 30): its allocation stays as it is; the same
    # amount again changes nothing and passes, so a national file can be imported again.
    amounts = {code: amount for code, _name, amount, _basis in parsed}
    frozen = sorted(
        (seen[code], m)
        for code, m in municipalities.items()
        if is_closed(m) and (m.pk not in existing or existing[m.pk].amount != amounts[code])
    )
    if frozen:
        raise ImportRejected(
            [
                row_message(
                    number,
                    [
                        (
                            "bedrag",
                            _("the programme of %(name)s is closed; its allocation cannot change")
                            % {"name": municipality.name},
                        )
                    ],
                )
                for number, municipality in frozen
            ]
        )
    for code, _name, amount, basis in parsed:
        municipality = municipalities[code]
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
        apply_pupil_counts(programme=programme, municipality_codes=list(seen))
    return result
