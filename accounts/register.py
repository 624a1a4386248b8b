"""The register of municipalities since 1-1-2016 (CBS codes, dates, successors and the places
of a split), its import, and where a location listed under an old municipality lies now.

The data are accounts/data/gemeenten_sinds_2016.csv, woonplaatsen_bij_splitsing.csv and
postcodes_bij_splitsing.csv (read by accounts/split_postcodes.py); accounts/data/README.md
names their sources.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from npo_portal import tables

DATA = Path(__file__).resolve().parent / "data"
REGISTER_FILE = DATA / "gemeenten_sinds_2016.csv"
SPLIT_PLACES_FILE = DATA / "woonplaatsen_bij_splitsing.csv"
REGISTER_COLUMNS = ("gemeentecode", "naam", "vanaf", "tot", "opgegaan_in")
SPLIT_PLACE_COLUMNS = ("gemeentecode", "woonplaats", "opgegaan_in")

# How PostNL and so DUO tell apart places that share a name: the province (or, rarely, the
# municipality) after the name, with or without brackets: "WINSUM GN", "Winsum (Fr)",
# "BERGEN NH", "WAAKSENS GEM LITT". Source: PostNL's woonplaats notation as it appears in
# public copies of its list (accounts/data/README.md).
PROVINCE_SUFFIXES = (
    "gn",
    "fr",
    "dr",
    "ov",
    "gld",
    "gl",
    "ut",
    "nh",
    "zh",
    "zl",
    "zld",
    "nb",
    "lb",
    "l",
    "fl",
)
_SUFFIX = re.compile(r"\s+(?:gem\s+\S+|(?:" + "|".join(PROVINCE_SUFFIXES) + r"))$")


class RegisterRejected(Exception):
    """Nothing was loaded; `errors` names each bad row in the user's language."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def place_key(place: str) -> str:
    """A place name as compared: no accents, case, apostrophes or padding (DUO writes
    `KUBAARD` for Kûbaard and `S-HERTOGENBOSCH` for 's-Hertogenbosch)."""
    plain = unicodedata.normalize("NFKD", place)
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^0-9a-z]+", " ", plain.casefold()).split())


def duo_place_keys(place: str) -> list[str]:
    """The keys under which a place as DUO writes it is looked up, most exact first: the
    name itself, then without a province suffix; `ij` and `y` count as one letter (PostNL's
    18-character names write `WJELSRYP`, `WINTERSWYK`)."""
    key = place_key(place)
    keys = [key, _SUFFIX.sub("", key)]
    found = []
    for candidate in keys:
        folded = fold_place_key(candidate)
        if folded and folded not in found:
            found.append(folded)
    return found


def fold_place_key(key: str) -> str:
    """A place key with DUO's "y" and the register's "ij" read as one letter."""
    return key.replace("ij", "y")


def postcode_area(postcode: str) -> str | None:
    """The four digits of a Dutch postcode (PC4), or None."""
    match = re.match(r"\s*(\d{4})(?:\s*[A-Za-z]{2})?\s*$", postcode or "")
    return match.group(1) if match else None


@dataclass(frozen=True)
class RegisterRow:
    code: str
    name: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    successors: tuple[str, ...]


@dataclass
class RegisterData:
    municipalities: list[RegisterRow]
    places: list[tuple[str, str, str]]  # (split municipality, place, successor)


@dataclass
class RegisterLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    places_created: int = 0
    places_updated: int = 0
    places_unchanged: int = 0
    places_removed: int = 0

    def summary(self) -> str:
        return _(
            "Municipalities: %(c)d created, %(u)d updated, %(n)d unchanged. Places of split "
            "municipalities: %(pc)d created, %(pu)d updated, %(pn)d unchanged, %(pr)d removed."
        ) % {
            "c": self.created,
            "u": self.updated,
            "n": self.unchanged,
            "pc": self.places_created,
            "pu": self.places_updated,
            "pn": self.places_unchanged,
            "pr": self.places_removed,
        }


def row_message(number: int, column: str, problem: str) -> str:
    """The Dutch message for one bad cell of a register file, naming its row and column."""
    return _("Row %(row)d, column %(column)s: %(problem)s") % {
        "row": number,
        "column": column,
        "problem": problem,
    }


def read_rows(
    content: bytes, columns: tuple[str, ...], errors: list[str]
) -> list[tuple[int, dict]]:
    """The numbered rows of a register file that has `columns`; what is wrong goes into
    `errors` (then no rows)."""
    try:
        header, rows = tables.read_all(content)
    except tables.TableError as error:
        errors.append(str(error))
        return []
    missing = [name for name in columns if name not in header]
    if missing:
        errors.append(
            _("The header lacks the column(s) %(missing)s; expected %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ";".join(columns)}
        )
        return []
    return rows


def _day(value: str, number: int, column: str, errors: list[str]) -> datetime.date | None:
    if not value:
        return None
    try:
        return tables.parse_date(value)
    except ValueError as error:
        errors.append(row_message(number, column, str(error)))
        return None


def parse_code_cell(value: str, number: int, column: str, errors: list[str]) -> str | None:
    """The CBS code in a cell of row `number`, or None with the reason added to `errors`."""
    try:
        return tables.parse_municipality_code(value)
    except ValueError as error:
        errors.append(row_message(number, column, f"{str(error).rstrip('.')}."))
        return None


def parse_register(*, municipalities: bytes, places: bytes) -> RegisterData:
    """The register's two files, checked as a whole: every code once, dates in order, a
    successor only for a municipality that ended and only one that exists then, and a split
    (several successors) whose every place names one of them. Raises RegisterRejected."""
    errors: list[str] = []
    parsed: list[tuple[int, RegisterRow]] = []
    seen: dict[str, int] = {}
    for number, row in read_rows(municipalities, REGISTER_COLUMNS, errors):
        found = len(errors)
        code = parse_code_cell(row["gemeentecode"], number, "gemeentecode", errors)
        if not row["naam"]:
            errors.append(row_message(number, "naam", _("the name is missing.")))
        valid_from = _day(row["vanaf"], number, "vanaf", errors)
        valid_until = _day(row["tot"], number, "tot", errors)
        successors = tuple(
            successor
            for value in row["opgegaan_in"].replace(",", " ").split()
            if (successor := parse_code_cell(value, number, "opgegaan_in", errors))
        )
        if valid_from and valid_until and valid_until < valid_from:
            errors.append(row_message(number, "tot", _("the last day lies before the first.")))
        if successors and not valid_until:
            errors.append(
                row_message(number, "opgegaan_in", _("only a municipality that ended has one."))
            )
        if code in seen:
            errors.append(
                row_message(
                    number,
                    "gemeentecode",
                    _("%(code)s also appears in row %(other)d.")
                    % {"code": code, "other": seen[code]},
                )
            )
        if len(errors) > found:
            continue
        seen[code] = number
        parsed.append((number, RegisterRow(code, row["naam"], valid_from, valid_until, successors)))
    by_code = {row.code: row for _number, row in parsed}
    for number, row in parsed:
        for successor in row.successors:
            target = by_code.get(successor)
            if target is None:
                errors.append(
                    row_message(
                        number,
                        "opgegaan_in",
                        _("no municipality in the file has the code %(code)s.")
                        % {"code": successor},
                    )
                )
            elif not _exists_on(target, row.valid_until + datetime.timedelta(days=1)):
                errors.append(
                    row_message(
                        number,
                        "opgegaan_in",
                        _("%(name)s does not exist on the day after %(last)s.")
                        % {"name": target.name, "last": row.valid_until.strftime("%d-%m-%Y")},
                    )
                )
    place_rows = _parse_places(places, by_code, errors)
    if errors:
        raise RegisterRejected(errors)
    return RegisterData(municipalities=[row for _n, row in parsed], places=place_rows)


def is_split_successor(
    code: str, successor: str, by_code: dict[str, RegisterRow], number: int, errors: list[str]
) -> bool:
    """Whether row `number` names a split municipality (several successors) and one of its
    successors; if not, the reason is added to `errors`. The places and postcode tables of
    the splits both rest on this."""
    split = by_code.get(code)
    if split is None or len(split.successors) < 2:
        errors.append(
            row_message(
                number,
                "gemeentecode",
                _("%(code)s is not a municipality that was split (several successors).")
                % {"code": code},
            )
        )
        return False
    if successor not in split.successors:
        errors.append(
            row_message(
                number,
                "opgegaan_in",
                _("%(successor)s is not one of the successors of %(name)s.")
                % {"successor": successor, "name": split.name},
            )
        )
        return False
    return True


def _parse_places(
    content: bytes, by_code: dict[str, RegisterRow], errors: list[str]
) -> list[tuple[str, str, str]]:
    """Each place of a split names the split municipality and one of its successors; every
    successor of a split receives at least one place."""
    rows: list[tuple[str, str, str]] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in read_rows(content, SPLIT_PLACE_COLUMNS, errors):
        code = parse_code_cell(row["gemeentecode"], number, "gemeentecode", errors)
        successor = parse_code_cell(row["opgegaan_in"], number, "opgegaan_in", errors)
        place = " ".join(row["woonplaats"].split())
        if not place:
            errors.append(row_message(number, "woonplaats", _("the place is missing.")))
            continue
        if code is None or successor is None:
            continue
        if not is_split_successor(code, successor, by_code, number, errors):
            continue
        key = (code, place_key(place))
        if key in seen:
            errors.append(
                row_message(
                    number,
                    "woonplaats",
                    _("%(place)s also appears in row %(other)d.")
                    % {"place": place, "other": seen[key]},
                )
            )
            continue
        seen[key] = number
        rows.append((code, place, successor))
    for split in by_code.values():
        if len(split.successors) < 2:
            continue
        given = {successor for code, _place, successor in rows if code == split.code}
        for successor in split.successors:
            if successor not in given:
                errors.append(
                    _("%(name)s (%(code)s) was split, but no place goes to %(successor)s.")
                    % {"name": split.name, "code": split.code, "successor": successor}
                )
    return rows


def _exists_on(row, day: datetime.date) -> bool:
    return (row.valid_from is None or row.valid_from <= day) and (
        row.valid_until is None or day <= row.valid_until
    )


def load_register(*, data: RegisterData, municipality_model, place_model) -> RegisterLoadResult:
    """Create or update every municipality and split place of `data`, all or nothing; the
    model classes are parameters so that a data migration can pass its historical ones.
    A place no longer in the file is removed. Loading the same data again changes nothing."""
    result = RegisterLoadResult()
    with transaction.atomic():
        existing = municipality_model.objects.in_bulk(
            [row.code for row in data.municipalities], field_name="code"
        )
        created, changed = set(), set()
        for row in data.municipalities:
            wanted = {
                "name": row.name,
                "valid_from": row.valid_from,
                "valid_until": row.valid_until,
            }
            municipality = existing.get(row.code)
            if municipality is None:
                existing[row.code] = municipality_model.objects.create(code=row.code, **wanted)
                created.add(row.code)
                continue
            fields = [
                name for name, value in wanted.items() if getattr(municipality, name) != value
            ]
            if fields:
                for name in fields:
                    setattr(municipality, name, wanted[name])
                municipality.save(update_fields=fields)
                changed.add(row.code)
        for row in data.municipalities:
            municipality = existing[row.code]
            # A split has several successors: its places decide, so it names none itself.
            successor_id = existing[row.successors[0]].pk if len(row.successors) == 1 else None
            if municipality.successor_id != successor_id:
                municipality.successor_id = successor_id
                municipality.save(update_fields=["successor"])
                changed.add(row.code)
        result.created = len(created)
        result.updated = len(changed - created)
        result.unchanged = len(data.municipalities) - result.created - result.updated
        _load_places(data, existing, place_model, result)
    return result


def _load_places(data, municipalities, place_model, result) -> None:
    split_ids = {municipalities[code].pk for code, _place, _successor in data.places}
    current = {
        (place.municipality_id, place_key(place.place)): place
        for place in place_model.objects.filter(municipality_id__in=split_ids)
    }
    kept = set()
    for code, place, successor in data.places:
        municipality_id, successor_id = municipalities[code].pk, municipalities[successor].pk
        key = (municipality_id, place_key(place))
        kept.add(key)
        row = current.get(key)
        if row is None:
            place_model.objects.create(
                municipality_id=municipality_id, place=place, successor_id=successor_id
            )
            result.places_created += 1
        elif row.place != place or row.successor_id != successor_id:
            row.place, row.successor_id = place, successor_id
            row.save(update_fields=["place", "successor"])
            result.places_updated += 1
        else:
            result.places_unchanged += 1
    gone = [row.pk for key, row in current.items() if key not in kept]
    result.places_removed = place_model.objects.filter(pk__in=gone).delete()[0]


def read_shipped_register() -> RegisterData:
    """The register as the portal ships it."""
    return parse_register(
        municipalities=REGISTER_FILE.read_bytes(), places=SPLIT_PLACES_FILE.read_bytes()
    )
