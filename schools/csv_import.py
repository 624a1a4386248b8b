"""Reading the delimited text files that municipal staff download or export (DUO, Excel).

Reading itself is npo_portal.tables (shared with finance); this adds the registry's header
checks, not the portal's models.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from npo_portal import tables


class UnreadableFile(ValueError):
    """The file as a whole cannot be read (encoding, separator or header)."""


@dataclass(frozen=True)
class Row:
    number: int  # as a spreadsheet shows it: the header is row 1
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    header: list[str]  # normalised
    rows: list[Row]  # every column, keyed by the normalised header


def read_table(content: tables.Source) -> Table:
    """Every non-empty row of a CSV (`;` or `,`, quoted or not, UTF-8 with or without BOM
    or Windows-1252) or XLSX file, by its header; values stripped of padding. A path is read
    in chunks, never whole."""
    try:
        header, rows = tables.read_all(content)
    except tables.TableError as error:
        raise UnreadableFile(str(error)) from error
    return Table(header=header, rows=[Row(number=n, values=v) for n, v in rows])


def check_columns(table: Table, columns: Sequence[str]) -> None:
    """Raise UnreadableFile naming the `columns` the header lacks."""
    missing = [name for name in columns if name not in table.header]
    if missing:
        raise UnreadableFile(
            _("The header lacks the column(s) %(missing)s; expected %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ";".join(columns)}
        )


def read_rows(content: tables.Source, *, columns: Sequence[str]) -> Iterator[Row]:
    """The non-empty rows of a `;`- or `,`-separated file whose header names `columns`
    (in any order, case and surrounding spaces ignored); values are stripped."""
    table = read_table(content)
    check_columns(table, columns)
    for row in table.rows:
        yield Row(number=row.number, values={name: row.values[name] for name in columns})
