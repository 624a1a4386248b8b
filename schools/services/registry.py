"""The school registry: importing boards and school locations from the portal's own file
and DUO's open-data files."""

from __future__ import annotations

import dataclasses
import datetime
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Municipality, SchoolBoard
from accounts.placement import Register, placed_lines
from npo_portal import tables
from plans.models import Programme
from schools import csv_import
from schools.models import HeldLocation, School, Sector
from schools.services.held import hold_locations

SCHOOL_COLUMNS = (
    "brin",
    "vestiging",
    "naam",
    "sector",
    "bevoegd_gezag",
    "bestuur_naam",
    "gemeentecode",
)


@dataclass
class SchoolImportResult:
    errors: list[str] = field(default_factory=list)
    schools_created: int = 0
    schools_updated: int = 0
    schools_unchanged: int = 0
    schools_closed: int = 0
    boards_created: int = 0
    boards_updated: int = 0
    boards_unchanged: int = 0
    # Locations listed under a municipality that no longer exists, per old municipality:
    # how many went to each of today's municipalities.
    mapped: dict[str, Counter] = field(default_factory=dict)
    # Locations of a split municipality that no successor could be found for: held for the
    # functional administrator, one line each.
    held: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def mapped_summary(self) -> list[str]:
        """One line per old municipality: how many locations went where."""
        return placed_lines(self.mapped)

    def held_summary(self) -> list[str]:
        """One line per location held for the functional administrator to assign."""
        return list(self.held)

    def summary(self) -> str:
        return _(
            "Schools: %(sc)d created, %(su)d updated, %(scl)d closed, %(sn)d unchanged. "
            "Boards: %(bc)d created, %(bu)d updated, %(bn)d unchanged."
        ) % {
            "scl": self.schools_closed,
            "sc": self.schools_created,
            "su": self.schools_updated,
            "sn": self.schools_unchanged,
            "bc": self.boards_created,
            "bu": self.boards_updated,
            "bn": self.boards_unchanged,
        }


@dataclass(frozen=True)
class _SchoolRow:
    number: int
    brin: str
    vestiging: str
    name: str
    sector: str
    board_number: str
    board_name: str | None  # DUO location files name no boards
    municipality_code: str
    place: str = ""  # PLAATSNAAM: decides where a location of a split municipality went
    postcode: str = ""  # POSTCODE: its four digits decide first


RowErrors = list[tuple[int, str]]


def _sentence(error: ValueError) -> str:
    """A value parser's message as this import's messages end: with a full stop."""
    return f"{str(error).rstrip('.')}."


def _named_row_error(number: int, column: str, problem: str) -> tuple[int, str]:
    return _row_error(number, column, problem)


def _row_error(number: int, column: str, problem: str) -> tuple[int, str]:
    return number, _("Row %(row)d, column %(column)s: %(problem)s") % {
        "row": number,
        "column": column,
        "problem": problem,
    }


def _parse_school_row(
    row: csv_import.Row, errors: RowErrors, *, names: dict[str, str] | None = None
) -> _SchoolRow | None:
    """The row in the portal's own columns; `names` gives the file's column names in
    messages, and a row whose `bestuur_naam` is None carries no board name."""
    values, number = row.values, row.number
    found = len(errors)
    names = names or {}

    def _row_error(number: int, column: str, problem: str) -> tuple[int, str]:
        return _named_row_error(number, names.get(column, column), problem)

    try:
        brin = tables.parse_brin(values["brin"])
    except ValueError as error:
        errors.append(_row_error(number, "brin", _sentence(error)))
    vestiging = values["vestiging"]
    try:
        vestiging = tables.parse_location_number(vestiging)
    except ValueError as error:
        errors.append(_row_error(number, "vestiging", _sentence(error)))
    if not values["naam"]:
        errors.append(_row_error(number, "naam", _("the school's name is missing.")))
    sector = values["sector"].lower()
    if sector not in Sector.values:
        errors.append(
            _row_error(
                number,
                "sector",
                _("unknown sector “%(value)s”; use po, so or vo.") % {"value": values["sector"]},
            )
        )
    board_number = values["bevoegd_gezag"]
    try:
        board_number = tables.parse_board_number(board_number)
    except ValueError as error:
        errors.append(_row_error(number, "bevoegd_gezag", _sentence(error)))
    if values["bestuur_naam"] == "":
        errors.append(_row_error(number, "bestuur_naam", _("the board's name is missing.")))
    try:
        code = tables.parse_municipality_code(values["gemeentecode"])
    except ValueError as error:
        errors.append(_row_error(number, "gemeentecode", _sentence(error)))
    if len(errors) > found:
        return None
    return _SchoolRow(
        number=number,
        brin=brin,
        vestiging=vestiging,
        name=values["naam"],
        sector=sector,
        board_number=board_number,
        board_name=values["bestuur_naam"],
        municipality_code=code,
        place=values.get("plaatsnaam", ""),
        postcode=values.get("postcode", ""),
    )


def _check_consistency(
    rows: Sequence[_SchoolRow],
    municipalities: dict[str, Municipality],
    errors: RowErrors,
    *,
    names: dict[str, str] | None = None,
) -> None:
    names = names or {}

    def _row_error(number: int, column: str, problem: str) -> tuple[int, str]:
        return _named_row_error(number, names.get(column, column), problem)

    seen_schools: dict[tuple[str, str], int] = {}
    board_names: dict[str, tuple[str, int]] = {}
    for row in rows:
        if row.municipality_code not in municipalities:
            errors.append(
                _row_error(
                    row.number,
                    "gemeentecode",
                    _("no municipality has the code %(code)s.") % {"code": row.municipality_code},
                )
            )
        key = (row.brin, row.vestiging)
        if key in seen_schools:
            errors.append(
                _row_error(
                    row.number,
                    "brin",
                    _("school %(code)s also appears in row %(other)d.")
                    % {"code": f"{row.brin}{row.vestiging}", "other": seen_schools[key]},
                )
            )
        else:
            seen_schools[key] = row.number
        if row.board_name is None:
            continue
        name, first_row = board_names.setdefault(row.board_number, (row.board_name, row.number))
        if name != row.board_name:
            errors.append(
                _row_error(
                    row.number,
                    "bestuur_naam",
                    _("board %(number)s is called “%(name)s” in row %(other)d.")
                    % {"number": row.board_number, "name": name, "other": first_row},
                )
            )


# DUO's open-data files: the portal's column for each of DUO's, old names and new.
DUO_COLUMNS = {
    "brin": ("instellingscode", "brin nummer"),
    "vestiging": ("vestigingscode", "vestigingsnummer"),
    "naam": ("vestigingsnaam",),
    "bevoegd_gezag": ("bevoegd gezag nummer",),
    "gemeentecode": ("gemeentenummer",),
}
DUO_BOARD_NAME_COLUMNS = ("bevoegd gezag naam", "bevoegd gezagnaam", "naam", "bestuursnaam")
SO_KINDS = {"SBAO": Sector.PO, "SO": Sector.SO, "VSO": Sector.SO, "(V)SO": Sector.SO}


def _duo_kind(header: Sequence[str]) -> str | None:
    """bo, so or vo for a DUO location file, "besturen" for a board file, else None."""
    if "vestigingsnaam" in header and "bevoegd gezag nummer" in header:
        if "soort primair onderwijs" in header:
            return "so"
        if "onderwijsstructuur" in header:
            return "vo"
        return "bo"
    if "bevoegd gezag nummer" in header and any(n in header for n in DUO_BOARD_NAME_COLUMNS):
        return "besturen"
    return None


def _duo_column(header: Sequence[str], portal_name: str) -> str | None:
    return next((name for name in DUO_COLUMNS[portal_name] if name in header), None)


def _duo_location_rows(
    table: csv_import.Table, kind: str, errors: RowErrors
) -> tuple[list[_SchoolRow], dict[str, str]]:
    """The rows of a DUO location file in the portal's terms, and DUO's column names."""
    header = table.header
    columns = {name: _duo_column(header, name) for name in DUO_COLUMNS}
    missing = [
        DUO_COLUMNS[name][0].upper()
        for name, column in columns.items()
        if column is None and name != "brin"
    ]
    if missing:
        raise csv_import.UnreadableFile(
            _("The header lacks the column(s) %(missing)s; expected %(expected)s.")
            % {"missing": ", ".join(missing), "expected": "DUO"}
        )
    names = {name: column.upper() for name, column in columns.items() if column}
    names["sector"] = "SOORT PRIMAIR ONDERWIJS"
    names.setdefault("brin", names["vestiging"])
    rows = []
    for raw in table.rows:
        values = raw.values
        code = values[columns["vestiging"]].upper()
        brin = values[columns["brin"]].upper() if columns["brin"] else ""
        vestiging = code
        if len(code) == 6:
            brin, vestiging = brin or code[:4], code[4:]
            if code[:4] != brin:
                errors.append(
                    _named_row_error(
                        raw.number,
                        names["vestiging"],
                        _("“%(value)s” does not start with the instellingscode %(brin)s.")
                        % {"value": code, "brin": brin},
                    )
                )
                continue
        if kind == "so":
            sector = SO_KINDS.get(values.get("soort primair onderwijs", "").upper())
            if sector is None:
                errors.append(
                    _named_row_error(
                        raw.number,
                        names["sector"],
                        _("unknown kind “%(value)s”; DUO uses SBAO, SO, VSO or (V)SO.")
                        % {"value": values.get("soort primair onderwijs", "")},
                    )
                )
                continue
        else:
            sector = Sector.PO if kind == "bo" else Sector.VO
        portal = csv_import.Row(
            number=raw.number,
            values={
                "brin": brin,
                "vestiging": vestiging,
                "naam": values[columns["naam"]],
                "sector": sector,
                "bevoegd_gezag": values[columns["bevoegd_gezag"]],
                "bestuur_naam": None,
                "gemeentecode": values[columns["gemeentecode"]],
                "plaatsnaam": values.get("plaatsnaam", ""),
                "postcode": values.get("postcode", ""),
            },
        )
        if row := _parse_school_row(portal, errors, names=names):
            rows.append(row)
    return rows, names


def _import_duo_boards(table: csv_import.Table, result: SchoolImportResult) -> None:
    """Name the boards of a DUO board file; all or nothing."""
    name_column = next(n for n in DUO_BOARD_NAME_COLUMNS if n in table.header)
    errors: RowErrors = []
    names: dict[str, str] = {}
    for raw in table.rows:
        number, name = raw.values["bevoegd gezag nummer"], raw.values[name_column]
        try:
            number = tables.parse_board_number(number)
        except ValueError as error:
            errors.append(_row_error(raw.number, "BEVOEGD GEZAG NUMMER", _sentence(error)))
            continue
        if not name:
            errors.append(
                _row_error(raw.number, name_column.upper(), _("the board's name is missing."))
            )
        else:
            names[number] = name
    if errors:
        result.errors = [message for _row, message in errors]
        return
    with transaction.atomic():
        existing = SchoolBoard.objects.in_bulk(list(names), field_name="number")
        for number, name in names.items():
            board = existing.get(number)
            if board is None:
                SchoolBoard.objects.create(number=number, name=name)
                result.boards_created += 1
            elif board.name != name:
                board.name = name
                board.save(update_fields=["name"])
                result.boards_updated += 1
            else:
                result.boards_unchanged += 1


def import_schools(
    *, content: tables.Source, reference_date: datetime.date | None = None
) -> SchoolImportResult:
    """Create or update the boards and school locations in a registry file; all or nothing.

    Takes the portal's own file and DUO's location (bo, so, vo) and board files as
    downloaded, of any vintage since 2016. A location listed under a municipality that has
    ended lies in its successor (for a split, the place decides); `reference_date` is the
    file's peildatum, when known. A location that a newer DUO file of the same kind no
    longer lists is closed on the day of the import, never deleted. A bad row stops the
    whole import, with one message per bad row. Importing the same file again changes
    nothing. `content` is the file's bytes or its path (read in chunks, never whole).
    """
    result = SchoolImportResult()
    errors: RowErrors = []
    try:
        table = csv_import.read_table(content)
        kind = _duo_kind(table.header)
        if kind == "besturen":
            if not table.rows:
                result.errors.append(_("The file has no rows below the header."))
                return result
            _import_duo_boards(table, result)
            return result
        if kind:
            rows, names = _duo_location_rows(table, kind, errors)
        else:
            csv_import.check_columns(table, SCHOOL_COLUMNS)
            names = {}
            rows = [row for raw in table.rows if (row := _parse_school_row(raw, errors))]
    except csv_import.UnreadableFile as exc:
        result.errors.append(str(exc))
        return result
    if not table.rows:
        result.errors.append(_("The file has no rows below the header."))
        return result
    held: list[tuple[_SchoolRow, object]] = []
    rows = _place_in_register(
        rows, errors, result, held, names=names, reference_date=reference_date
    )
    municipalities = Municipality.objects.in_bulk(
        {row.municipality_code for row in rows} | {row.municipality_code for row, _p in held},
        field_name="code",
    )
    _check_consistency(rows + [row for row, _split in held], municipalities, errors, names=names)
    if errors:
        result.errors = [message for _row, message in sorted(errors, key=lambda e: e[0])]
        return result
    with transaction.atomic():
        boards = _upsert_boards(rows + [row for row, _split in held], result)
        _upsert_schools(
            rows,
            boards,
            municipalities,
            result,
            duo_file=kind or "",
            also_listed={(row.brin, row.vestiging) for row, _split in held},
        )
        hold_locations(held, boards, result, duo_file=kind or "")
    return result


def _upsert_boards(rows: Sequence[_SchoolRow], result: SchoolImportResult) -> dict:
    names = {row.board_number: row.board_name for row in rows}
    existing = SchoolBoard.objects.in_bulk(list(names), field_name="number")
    for number, name in names.items():
        board = existing.get(number)
        if name is None:
            # A DUO location file: the board file names it; until then its number does.
            if board is None:
                existing[number] = SchoolBoard.objects.create(
                    number=number, name=_("Board %(number)s") % {"number": number}
                )
                result.boards_created += 1
            else:
                result.boards_unchanged += 1
        elif board is None:
            existing[number] = SchoolBoard.objects.create(number=number, name=name)
            result.boards_created += 1
        elif board.name != name:
            board.name = name
            board.save(update_fields=["name"])
            result.boards_updated += 1
        else:
            result.boards_unchanged += 1
    return existing


def _place_in_register(
    rows: Sequence[_SchoolRow],
    errors: RowErrors,
    result: SchoolImportResult,
    held: list,
    *,
    names: dict[str, str],
    reference_date: datetime.date | None,
) -> list[_SchoolRow]:
    """The rows with the code of the municipality where each location lies now.

    A location listed under a municipality that ended lies in the successor holding it on
    the programme's start, or on the file's reference date if later (for a split, its place
    decides); a merger since then moved it on to today's municipality, and so does this, so
    that an older file never puts a location back into a municipality that has ended.

    A location of a split that neither its postcode nor its place assigns goes to `held`
    with the placement, unless the functional administrator assigned it before.
    """
    register = Register.load()
    assigned = {
        (brin, vestiging, split_id): code
        for brin, vestiging, split_id, code in HeldLocation.objects.filter(
            assigned_to__isnull=False, brin__in={row.brin for row in rows}
        ).values_list("brin", "vestiging", "split_id", "assigned_to__code")
    }
    start = Programme.objects.order_by("start").values_list("start", flat=True).first()
    today = timezone.localdate()
    held_on = max(day for day in (start, reference_date, today) if day)
    placed = []
    for row in rows:
        placement = register.place(
            code=row.municipality_code, place=row.place, day=held_on, postcode=row.postcode
        )
        if placement.municipality is None and placement.split is not None:
            code = assigned.get((row.brin, row.vestiging, placement.split.pk))
            if code is None:
                held.append((row, placement))
                continue
            placement = register.place(code=code, place="", day=held_on)
            placement = dataclasses.replace(
                placement, listed=register.by_code[row.municipality_code]
            )
        if placement.municipality is None:
            column = "gemeentecode" if placement.listed is None else "plaatsnaam"
            errors.append(
                _named_row_error(
                    row.number,
                    names.get(column, column.upper() if names else column),
                    placement.problem,
                )
            )
            continue
        municipality = placement.municipality
        if placement.listed is not None:
            targets = result.mapped.setdefault(str(placement.listed), Counter())
            targets[str(municipality)] += 1
        placed.append(dataclasses.replace(row, municipality_code=municipality.code))
    return placed


def _upsert_schools(
    rows: Sequence[_SchoolRow],
    boards: dict[str, SchoolBoard],
    municipalities: dict[str, Municipality],
    result: SchoolImportResult,
    *,
    duo_file: str = "",
    also_listed: set | None = None,
) -> None:
    existing = {
        (school.brin, school.vestiging): school
        for school in School.objects.filter(brin__in={row.brin for row in rows})
    }
    listed = set(also_listed or ())  # held locations are listed too: never closed for it
    for row in rows:
        listed.add((row.brin, row.vestiging))
        wanted = {
            "closed_on": None,
            "name": row.name,
            "sector": row.sector,
            "board_id": boards[row.board_number].pk,
            "municipality_id": municipalities[row.municipality_code].pk,
        }
        if duo_file:
            wanted["duo_file"] = duo_file
        school = existing.get((row.brin, row.vestiging))
        if school is None:
            School.objects.create(brin=row.brin, vestiging=row.vestiging, **wanted)
            result.schools_created += 1
            continue
        changed = [name for name, value in wanted.items() if getattr(school, name) != value]
        if changed:
            for name in changed:
                setattr(school, name, wanted[name])
            school.save(update_fields=[name.removesuffix("_id") for name in changed])
            result.schools_updated += 1
        else:
            result.schools_unchanged += 1
    if duo_file:
        missing = [
            school.pk
            for school in School.objects.open().filter(duo_file=duo_file).only("brin", "vestiging")
            if (school.brin, school.vestiging) not in listed
        ]
        result.schools_closed = School.objects.filter(pk__in=missing).update(
            closed_on=timezone.localdate()
        )
