"""DUO-shaped files as each vintage since 2016 writes them, generated: for the tests, the
bench and to show an import without a real download.

A vintage differs in its column names (BRIN NUMMER/VESTIGINGSNUMMER before, INSTELLINGSCODE/
VESTIGINGSCODE after), separator and quoting, encoding, padding and leading zeros.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass


@dataclass(frozen=True)
class Shape:
    """How one vintage writes its file."""

    name: str
    new_headers: bool  # INSTELLINGSCODE/VESTIGINGSCODE rather than BRIN NUMMER/VESTIGINGSNUMMER
    six_character_code: bool  # VESTIGINGSCODE `00AH00` rather than the two digits alone
    separator: str  # ";" unquoted or "," with every value quoted
    encoding: str  # "cp1252" or "utf-8-sig" (UTF-8 with BOM)
    padded: bool  # values padded with spaces to a fixed width
    leading_zeros: bool  # GEMEENTENUMMER `0058` and BEVOEGD GEZAG NUMMER `01234`, or `58`


SHAPES = (
    Shape("2016 (oud)", False, False, ";", "cp1252", True, False),
    Shape("2018 (oud, utf-8)", False, False, ";", "utf-8-sig", False, True),
    Shape("2020 (nieuw, komma's)", True, True, ",", "utf-8-sig", False, True),
    Shape("2019 (nieuw, puntkomma, cp1252)", True, False, ";", "cp1252", True, False),
    Shape("2021 (nieuw, komma's, cp1252)", True, True, ",", "cp1252", True, False),
)


@dataclass(frozen=True)
class Location:
    brin: str
    vestiging: str  # two digits
    name: str
    board: str  # five digits
    place: str
    municipality_code: str  # GM0058
    municipality_name: str
    pupils: int = 0
    postcode: str = "1234AB"


def _value(value: str, width: int, shape: Shape) -> str:
    return value.ljust(width) if shape.padded else value


def _number(code: str, width: int, shape: Shape) -> str:
    return code.zfill(width) if shape.leading_zeros else code.lstrip("0") or "0"


def _write(header: list[str], rows: list[list[str]], shape: Shape) -> bytes:
    stream = io.StringIO(newline="")
    if shape.separator == ",":
        writer = csv.writer(stream, delimiter=",", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    else:
        writer = csv.writer(stream, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue().encode(shape.encoding)


def location_file(locations: list[Location], shape: Shape) -> bytes:
    """A vestigingenbo file: one row per location."""
    code_columns = (
        ["INSTELLINGSCODE", "VESTIGINGSCODE"]
        if shape.new_headers
        else ["BRIN NUMMER", "VESTIGINGSNUMMER"]
    )
    header = [
        "PROVINCIE",
        "BEVOEGD GEZAG NUMMER",
        *code_columns,
        "VESTIGINGSNAAM",
        "STRAATNAAM",
        "POSTCODE",
        "PLAATSNAAM",
        "GEMEENTENUMMER",
        "GEMEENTENAAM",
        "DENOMINATIE",
    ]
    rows = []
    for location in locations:
        vestiging = (
            location.brin + location.vestiging if shape.six_character_code else location.vestiging
        )
        if not shape.leading_zeros and not shape.six_character_code:
            vestiging = vestiging.lstrip("0") or "0"
        rows.append(
            [
                _value("Onbekend", 12, shape),
                _value(_number(location.board, 5, shape), 6, shape),
                location.brin,
                _value(vestiging, 6, shape),
                _value(location.name, 40, shape),
                _value("Schoolstraat", 20, shape),
                location.postcode,
                _value(location.place.upper(), 24, shape),
                _value(_number(location.municipality_code.removeprefix("GM"), 4, shape), 4, shape),
                _value(location.municipality_name.upper().replace("'", ""), 30, shape),
                _value("Openbaar", 20, shape),
            ]
        )
    return _write(header, rows, shape)


def po_pupil_file(
    locations: list[Location],
    *,
    years: dict[int, dict[str, int]] | None = None,
    shape: Shape = SHAPES[0],
) -> bytes:
    """DUO's po "aantal leerlingen per schoolvestiging": a LEERLINGEN_YYYY column per count
    (1 October of that year). `years` gives other years' counts by location code; the 2020
    column holds each location's `pupils`."""
    years = dict(years or {})
    years[2020] = {location.brin + location.vestiging: location.pupils for location in locations}
    order = sorted(years)
    header = [
        "PROVINCIE",
        "BEVOEGD_GEZAG_NUMMER",
        "BRIN_NUMMER",
        "VESTIGINGSNUMMER",
        "INSTELLINGSNAAM_VESTIGING",
        "PLAATSNAAM",
        "GEMEENTENUMMER",
        "GEMEENTENAAM",
        *[f"LEERLINGEN_{year}" for year in order],
    ]
    rows = []
    for location in locations:
        code = location.brin + location.vestiging
        rows.append(
            [
                "Onbekend",
                _number(location.board, 5, shape),
                location.brin,
                _number(location.vestiging, 2, shape),
                _value(location.name, 40, shape),
                _value(location.place.upper(), 24, shape),
                _number(location.municipality_code.removeprefix("GM"), 4, shape),
                location.municipality_name.upper(),
                *[str(years[year].get(code, 0)) for year in order],
            ]
        )
    return _write(header, rows, shape)


def vo_pupil_file(locations: list[Location], *, shape: Shape = SHAPES[2]) -> bytes:
    """DUO's vo "leerlingen per vestiging en bestuur" of 1-10-2020: AANTAL LEERLINGEN per
    location, one row per location (the file of one count date)."""
    header = [
        "PEILDATUM",
        "BEVOEGD GEZAG NUMMER",
        "INSTELLINGSCODE",
        "VESTIGINGSCODE",
        "VESTIGINGSNAAM",
        "PLAATSNAAM",
        "GEMEENTENUMMER",
        "GEMEENTENAAM",
        "AANTAL LEERLINGEN",
    ]
    rows = [
        [
            "01-10-2020",
            _number(location.board, 5, shape),
            location.brin,
            location.brin + location.vestiging,
            location.name,
            location.place.upper(),
            _number(location.municipality_code.removeprefix("GM"), 4, shape),
            location.municipality_name.upper(),
            str(location.pupils),
        ]
        for location in locations
    ]
    return _write(header, rows, shape)
