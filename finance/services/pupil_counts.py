"""The allocation's basis from DUO's own pupil counts per location.

Stcrt. 2021, 42927: a municipality's allocation follows the pupils enrolled on 1 October 2020
at the po and vo locations in it (€ 118,11 each, plus € 22,64 per achterstandspunt). DUO
counted them under the municipalities of that day; the grant went to the municipalities of
the programme's start, so each location is added to the one holding it then (Delfzijl's to
Eemsdelta, Helvoirt's to Vught).
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Municipality
from accounts.placement import Register, placed_lines
from finance.selectors import finance_programme
from finance.services.rows import ImportRejected, row_message
from npo_portal import tables
from plans.models import Allocation, Programme, PupilCount, PupilCountSector

COUNT_DATE = datetime.date(2020, 10, 1)  # Stcrt. 2021, 42927: pupils on 1 October 2020
PO_COLUMN = f"leerlingen_{COUNT_DATE.year}"
PO_YEAR_COLUMN = re.compile(r"^leerlingen[_ ](\d{4})$")
VO_COLUMN = "aantal leerlingen"
LOCATION_COLUMNS = {
    "brin": ("brin_nummer", "brin nummer", "instellingscode"),
    "vestiging": ("vestigingsnummer", "vestigingscode"),
    "gemeente": ("gemeentenummer",),
    "plaats": ("plaatsnaam",),
}
DATE_COLUMNS = ("peildatum", "teldatum")
MAX_PUPILS_PER_LOCATION = 100_000


@dataclass
class PupilCountResult:
    file_name: str
    sector: str
    column: str
    locations: int = 0
    per_municipality: dict[str, int] = field(default_factory=dict)  # code → pupils
    mapped: dict[str, Counter] = field(default_factory=dict)  # old municipality → where
    allocations_updated: int = 0
    allocations_unchanged: int = 0
    without_allocation: list[str] = field(default_factory=list)

    @property
    def pupils(self) -> int:
        return sum(self.per_municipality.values())

    def summary(self) -> str:
        return _(
            "%(sector)s: %(pupils)d pupils at %(locations)d locations in %(municipalities)d "
            "municipalities, from column %(column)s of %(file)s. Allocations: %(updated)d "
            "updated, %(unchanged)d unchanged; %(without)d municipalities have no allocation yet "
            "(their count is applied when it is imported)."
        ) % {
            "sector": self.sector,
            "pupils": self.pupils,
            "locations": self.locations,
            "municipalities": len(self.per_municipality),
            "column": self.column.upper(),
            "file": self.file_name,
            "updated": self.allocations_updated,
            "unchanged": self.allocations_unchanged,
            "without": len(self.without_allocation),
        }

    def mapped_summary(self) -> list[str]:
        return placed_lines(self.mapped)


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in header), None)


def _kind(header: list[str]) -> tuple[str, str]:
    """The sector and the count column of a DUO pupil-count file."""
    if VO_COLUMN in header:
        return PupilCountSector.VO, VO_COLUMN
    years = [name for name in header if PO_YEAR_COLUMN.match(name)]
    if PO_COLUMN in header:
        return PupilCountSector.PO, PO_COLUMN
    if years:
        raise ImportRejected(
            [
                _("The file has no column %(column)s (the count of %(day)s); it has %(found)s.")
                % {
                    "column": PO_COLUMN.upper(),
                    "day": COUNT_DATE.strftime("%d-%m-%Y"),
                    "found": ", ".join(name.upper() for name in years),
                }
            ]
        )
    raise ImportRejected(
        [
            _(
                "This is not a DUO pupil-count file: the header has neither %(po)s (po, aantal "
                "leerlingen per schoolvestiging) nor %(vo)s (vo, leerlingen per vestiging)."
            )
            % {"po": PO_COLUMN.upper(), "vo": VO_COLUMN.upper()}
        ]
    )


def _location(values: dict, columns: dict, problems: list) -> str | None:
    """The location's six-character code (instellingscode + two digits)."""
    code = values[columns["vestiging"]].upper()
    brin = values[columns["brin"]].upper() if columns["brin"] else ""
    if (
        len(code) == 6
        and _is(tables.parse_brin, code[:4])
        and _is(tables.parse_location_number, code[4:])
    ):
        if brin and code[:4] != brin:
            problems.append(
                (
                    columns["vestiging"].upper(),
                    _("“%(value)s” does not start with the instellingscode %(brin)s")
                    % {"value": code, "brin": brin},
                )
            )
            return None
        return code
    try:
        brin = tables.parse_brin(brin or code)
    except ValueError as error:
        problems.append(((columns["brin"] or columns["vestiging"]).upper(), str(error)))
        return None
    try:
        return brin + tables.parse_location_number(code)
    except ValueError as error:
        problems.append((columns["vestiging"].upper(), str(error)))
        return None


def _is(parse, value: str) -> bool:
    """Whether `value` is what `parse` reads (a BRIN, a location number)."""
    try:
        parse(value)
    except ValueError:
        return False
    return True


def _pupils(value: str, *, empty_is_zero: bool) -> int:
    if value == "" and empty_is_zero:
        return 0  # DUO leaves a year's column empty for a location that had no pupils then
    if not re.fullmatch(r"\d+", value) or int(value) > MAX_PUPILS_PER_LOCATION:
        raise ValueError(_("“%(value)s” is not a whole number of pupils") % {"value": value})
    return int(value)


@transaction.atomic
def import_pupil_counts(
    *, content: bytes, file_name: str, programme: Programme | None = None
) -> PupilCountResult:
    """Set each municipality's count of pupils on 1-10-2020 in the file's sector from DUO's
    per-location file, adding each location to the municipality holding it on the
    programme's start, and the allocations' basis (po + vo) from the counts. All rows or
    none; a new file of a sector replaces that sector's counts; the same file again changes
    nothing."""
    programme = programme or finance_programme()
    try:
        header, rows = tables.read_all(content)
    except tables.TableError as error:
        raise ImportRejected([str(error)]) from error
    sector, count_column = _kind(header)
    columns = {name: _column(header, names) for name, names in LOCATION_COLUMNS.items()}
    missing = [
        LOCATION_COLUMNS[name][0].upper()
        for name, column in columns.items()
        if column is None and name != "brin"
    ]
    if missing:
        raise ImportRejected(
            [
                _("The header lacks the column(s) %(missing)s; expected %(expected)s.")
                % {"missing": ", ".join(missing), "expected": "DUO"}
            ]
        )
    if not rows:
        raise ImportRejected([_("The file has no rows below its header.")])
    date_column = _column(header, DATE_COLUMNS)
    register = Register.load()
    result = PupilCountResult(file_name=file_name, sector=sector, column=count_column)
    errors: list[str] = []
    seen: dict[tuple, int] = {}
    per_location: dict[str, int] = {}
    totals: Counter = Counter()
    locations_per_municipality: dict[str, set] = {}
    for number, values in rows:
        problems: list[tuple[str, str]] = []
        location = _location(values, columns, problems)
        try:
            pupils = _pupils(values[count_column], empty_is_zero=sector == PupilCountSector.PO)
        except ValueError as error:
            problems.append((count_column.upper(), str(error)))
        if date_column and values[date_column]:
            try:
                day = tables.parse_date(values[date_column])
            except ValueError as error:
                problems.append((date_column.upper(), str(error)))
            else:
                if day != COUNT_DATE:
                    problems.append(
                        (
                            date_column.upper(),
                            _("the count is of %(day)s, not of %(count)s")
                            % {
                                "day": day.strftime("%d-%m-%Y"),
                                "count": COUNT_DATE.strftime("%d-%m-%Y"),
                            },
                        )
                    )
        placement = None
        try:
            code = tables.parse_municipality_code(values[columns["gemeente"]])
        except ValueError as error:
            problems.append((columns["gemeente"].upper(), str(error)))
        else:
            placement = register.place(
                code=code,
                place=values[columns["plaats"]],
                day=programme.start,
                # DUO's per-location counts carry a POSTCODE in some vintages: it decides first
                postcode=values.get("postcode", ""),
            )
            if placement.municipality is None:
                column = columns["gemeente"] if placement.listed is None else columns["plaats"]
                problems.append((column.upper(), placement.problem))
        if location:
            # vo counts a location once per board ("per vestiging en bestuur").
            key = (location, values.get("bevoegd gezag nummer", ""))
            if key in seen:
                problems.append(
                    (
                        columns["vestiging"].upper(),
                        _("location %(code)s also appears in row %(other)d")
                        % {"code": location, "other": seen[key]},
                    )
                )
            else:
                seen[key] = number
        if problems:
            errors.append(row_message(number, problems))
            continue
        municipality = placement.municipality
        if placement.listed is not None:
            result.mapped.setdefault(str(placement.listed), Counter())[str(municipality)] += 1
        per_location[location] = per_location.get(location, 0) + pupils
        totals[municipality.code] += pupils
        locations_per_municipality.setdefault(municipality.code, set()).add(location)
    if errors:
        raise ImportRejected(errors)
    result.locations = len(per_location)
    result.per_municipality = dict(sorted(totals.items()))
    _store_counts(programme, sector, count_column, file_name, result, locations_per_municipality)
    apply_pupil_counts(programme=programme, result=result)
    return result


def _store_counts(programme, sector, column, file_name, result, locations) -> None:
    existing = {
        count.municipality.code: count
        for count in PupilCount.objects.filter(programme=programme, sector=sector).select_related(
            "municipality"
        )
    }
    ids = dict(
        Municipality.objects.filter(code__in=result.per_municipality).values_list("code", "pk")
    )
    for code, pupils in result.per_municipality.items():
        wanted = {
            "pupils": pupils,
            "locations": len(locations[code]),
            "source_file": file_name[:255],
            "source_column": column.upper(),
        }
        count = existing.pop(code, None)
        if count is None:
            PupilCount.objects.create(
                programme=programme, municipality_id=ids[code], sector=sector, **wanted
            )
        elif any(getattr(count, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(count, name, value)
            count.save(update_fields=list(wanted))
    # The file is the sector's whole count: a municipality it no longer names has none.
    PupilCount.objects.filter(pk__in=[count.pk for count in existing.values()]).delete()


def apply_pupil_counts(
    *,
    programme: Programme,
    result: PupilCountResult | None = None,
    municipality_codes=None,
) -> tuple[int, int]:
    """Set each allocation's basis (pupils, and the files and columns they came from) from
    the stored counts of po and vo; returns (updated, unchanged)."""
    counts: dict[int, list[PupilCount]] = {}
    queryset = PupilCount.objects.filter(programme=programme).order_by("sector")
    if municipality_codes is not None:
        queryset = queryset.filter(municipality__code__in=municipality_codes)
    for count in queryset:
        counts.setdefault(count.municipality_id, []).append(count)
    allocations = Allocation.objects.filter(programme=programme, municipality_id__in=counts)
    updated = unchanged = 0
    for allocation in allocations:
        parts = counts[allocation.municipality_id]
        pupils = sum(part.pupils for part in parts)
        source = "; ".join(
            f"{part.sector}: {part.source_file} ({part.source_column})" for part in parts
        )
        if (allocation.pupils, allocation.pupils_source) != (pupils, source):
            allocation.pupils, allocation.pupils_source = pupils, source
            allocation.save(update_fields=["pupils", "pupils_source"])
            updated += 1
        else:
            unchanged += 1
    if result is not None:
        result.allocations_updated, result.allocations_unchanged = updated, unchanged
        with_allocation = set(allocations.values_list("municipality__code", flat=True))
        result.without_allocation = [
            code for code in result.per_municipality if code not in with_allocation
        ]
    return updated, unchanged
