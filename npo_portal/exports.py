"""The one way the portal writes values into files that users open in a spreadsheet.

Texts come from users of other organisations (a school board's needs description is opened by
municipal staff), so a text that a spreadsheet would read as a formula is written as plain
text: in XLSX as a string cell, never a formula; in CSV prefixed with an apostrophe, as the
OWASP advice on CSV injection says. Numbers, amounts and dates stay what they are.

Every CSV export is written by `csv_lines` (or `csv_text`), every XLSX row by `append_row` or
`xlsx_row`; tests read the files back.
"""

from __future__ import annotations

import csv
import datetime
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl.cell.cell import Cell

# How a spreadsheet shows what the portal writes (issue 31): an amount is a number with a
# euro format, a date a date, a moment a date with its time; never a text.
EURO_FORMAT = '"€" #,##0.00;"€" -#,##0.00'
DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
# What every CSV response says it is: without the charset a browser or spreadsheet may guess.
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
# In front of the header: Excel reads the file as UTF-8 only when it starts with one.
BYTE_ORDER_MARK = "\ufeff"
PERCENT_FORMAT = "0.0"


class Number:
    """A number that is not an amount of euros (a share in per cent, a count with
    decimals): written as a number in its own format, not with the euro sign."""

    def __init__(self, value: Decimal | int, number_format: str = PERCENT_FORMAT):
        self.value, self.number_format = value, number_format


def percentage(value: Decimal | None) -> Number | None:
    return None if value is None else Number(value, PERCENT_FORMAT)


# A cell starting with one of these is evaluated by Excel or LibreOffice (OWASP, CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

# XML 1.0 allows no other control characters; openpyxl refuses to write them.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """`text` without the control characters no spreadsheet file can hold."""
    return _CONTROL_CHARACTERS.sub("", text)


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def csv_value(value: Any) -> Any:
    """`value` as a CSV field in Dutch conventions: an amount with a decimal comma and no
    thousands separator (-1250,00, which a Dutch spreadsheet reads as a number; it is no
    user's text, so no apostrophe), a date as dd-mm-jjjj, and a formula-like text with a
    leading apostrophe."""
    if isinstance(value, Number):
        value = value.value
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, datetime.datetime):
        return _naive_local(value).strftime("%d-%m-%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if is_formula_like(text) else text


def _naive_local(moment: datetime.datetime) -> datetime.datetime:
    """A spreadsheet knows no time zones: the moment as the clock in the Netherlands read."""
    if timezone.is_aware(moment):
        return timezone.localtime(moment).replace(tzinfo=None)
    return moment


def _formatted(sheet, value: Any, number_format: str) -> Cell:
    cell = Cell(sheet, row=1, column=1, value=value)
    cell.number_format = number_format
    return cell


def xlsx_value(sheet, value: Any) -> Any:
    """`value` for `sheet.append`: a text becomes a string cell that is never a formula; an
    amount (Decimal) a number in euros, a date a date, a moment a date with its time.

    Works for ordinary and write-only worksheets alike.
    """
    if isinstance(value, Number):
        return _formatted(sheet, value.value, value.number_format)
    if isinstance(value, Decimal):
        return _formatted(sheet, value, EURO_FORMAT)
    if isinstance(value, datetime.datetime):
        return _formatted(sheet, _naive_local(value), DATETIME_FORMAT)
    if isinstance(value, datetime.date):
        return _formatted(sheet, value, DATE_FORMAT)
    if not isinstance(value, str):
        return value
    # Placeholder coordinates (append sets the real ones): a write-only sheet formats a Cell
    # it is handed in an error message first, which needs a coordinate to exist.
    cell = Cell(sheet, row=1, column=1)
    cell.value = clean_text(value)
    # openpyxl turns any text starting with "=" into a formula; the data type decides.
    cell.data_type = "s"
    return cell


def xlsx_row(sheet, values: Iterable[Any]) -> list[Any]:
    """A row of values ready for `sheet.append`, with every text safe."""
    return [xlsx_value(sheet, value) for value in values]


def append_row(sheet, values: Iterable[Any]) -> None:
    """`sheet.append(values)` with every text written as plain text."""
    sheet.append(xlsx_row(sheet, values))


class SafeCsvWriter:
    """`csv.writer` whose rows pass through `csv_value`; `;`-separated as Dutch Excel expects."""

    def __init__(self, stream, *, delimiter: str = ";", lineterminator: str = "\r\n"):
        self._writer = csv.writer(stream, delimiter=delimiter, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([csv_value(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeCsvWriter:
    return SafeCsvWriter(stream, **options)


class _Line:
    """A file-like object that hands back what is written to it, for streaming."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """A CSV file in Dutch conventions, line by line, for a streamed response: the header is
    the first line (behind the byte-order mark, so Excel reads UTF-8), then one line per row;
    `;`-separated, amounts with a decimal comma, dates as dd-mm-jjjj and formula-like texts
    defused (`csv_value`). Serve it as `CSV_CONTENT_TYPE`."""
    writer = csv_writer(_Line())
    yield BYTE_ORDER_MARK + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def csv_text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """`csv_lines` as one text, for a file small enough to build whole."""
    return "".join(csv_lines(header, rows))
