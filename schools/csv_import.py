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


def read_rows(content: bytes, *, columns: Sequence[str]) -> Iterator[Row]:
    """The non-empty rows of a `;`- or `,`-separated file whose header names `columns`
    (in any order, case and surrounding spaces ignored); values are stripped."""
    text = decode(content)
    first_line = text.splitlines()[0] if text.strip() else ""
    if not first_line:
        raise UnreadableFile(_("The file is empty."))
    separator = max(SEPARATORS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in columns if name not in header]
    if missing:
        raise UnreadableFile(
            _("The header lacks the column(s) %(missing)s; expected %(expected)s.")
            % {"missing": ", ".join(missing), "expected": ";".join(columns)}
        )
    positions = {name: header.index(name) for name in columns}
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        yield Row(
            number=reader.line_num,
            values={
                name: cells[position].strip() if position < len(cells) else ""
                for name, position in positions.items()
            },
        )
