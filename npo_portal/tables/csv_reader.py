"""The rows of a CSV file, in the encoding and with the separator it was written in."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from django.utils.translation import gettext as _

from npo_portal.tables.detection import text_encoding
from npo_portal.tables.limits import (
    HEADER_SEARCH_ROWS,
    Limits,
    Opener,
    TableError,
    count_bytes,
    first_line,
    grouped,
)


def csv_rows(open_file: Opener, limits: Limits) -> Iterator[list]:
    """The CSV file's records as lists of text, in its encoding and separator (`;` or `,`),
    refused with a row number where the quoting breaks or a field is too long."""
    encoding = text_encoding(open_file)
    header = first_line(open_file)
    delimiter = ";" if header.count(b";") >= header.count(b",") else ","

    def reader():
        with open_file() as raw:
            stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
            yield from csv.reader(stream, delimiter=delimiter, strict=True)

    if count_bytes(open_file, b"\n") > limits.rows + HEADER_SEARCH_ROWS:
        # More lines than rows allowed: count the records (a quoted field may hold line
        # breaks) before any value is looked at.
        for count, _values in enumerate(reader(), start=1):
            if count > limits.rows + HEADER_SEARCH_ROWS:
                raise TableError(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": grouped(limits.rows)}
                )
    rows = reader()
    number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            row = number + 1
            if "field limit" in str(error):
                raise TableError(
                    _("Row %(row)s: a field is longer than %(limit)s characters.")
                    % {"row": row, "limit": grouped(limits.field_chars)}
                ) from error
            raise TableError(
                _(
                    "Row %(row)s: the quotes do not match (a field opens a quote that is not "
                    "closed, or has text after its closing quote)."
                )
                % {"row": row}
            ) from error
        number += 1
        yield values
