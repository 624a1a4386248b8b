"""Reading the delimited text files that municipal staff download or export (DUO, Excel).

Self-contained: it knows encodings, separators and headers, not the portal's models.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

ENCODINGS = ("utf-8-sig", "cp1252")
SEPARATORS = (";", ",")


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (encoding, separator or header)."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


def decode(content: bytes) -> str:
    """The text of `content`: UTF-8 with or without BOM, else Windows-1252."""
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(_("The file is neither UTF-8 nor Windows-1252 text."))


def normalise_header(name: str) -> str:
    """A column name as compared: lower case, single spaces, no padding or quotes."""
    return " ".join(name.replace('"', "").split()).lower()


@dataclass(frozen=True)
class Table:
    header: list[str]  # normalised
    rows: list[Row]  # every column, keyed by the normalised header


def read_table(content: bytes) -> Table:
    """Every non-empty row of a `;`- or `,`-separated file, quoted or not, by its header;
    values are stripped of padding."""
    text = decode(content)
    first_line = text.splitlines()[0] if text.strip() else ""
    if not first_line:
        raise UnreadableFile(_("The file is empty."))
    separator = max(SEPARATORS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = [normalise_header(name) for name in next(reader)]
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        rows.append(
            Row(
                number=reader.line_num,
                values={
                    name: cells[position].strip() if position < len(cells) else ""
                    for position, name in enumerate(header)
                    if name
                },
            )
        )
    return Table(header=header, rows=rows)


def check_columns(table: Table, columns: Sequence[str]) -> None:
    """Raise UnreadableFile naming the `columns` the header lacks."""
    missing = [name for name in columns if name not in table.header]
    if missing:
        raise UnreadableFile(
            _("The header lacks the column(s) %(missing)s; expected %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ";".join(columns)}
        )


def read_rows(content: bytes, *, columns: Sequence[str]) -> Iterator[Row]:
    """The non-empty rows of a `;`- or `,`-separated file whose header names `columns`
    (in any order, case and surrounding spaces ignored); values are stripped."""
    table = read_table(content)
    check_columns(table, columns)
    for row in table.rows:
        yield Row(number=row.number, values={name: row.values[name] for name in columns})
