"""What a Dutch office relies on when it opens a portal spreadsheet (issue 31), checked the
same way for every export: headers in Dutch words, every amount a number in euros, every date
a date, and nothing that is a number or a date hiding in a text cell."""

from __future__ import annotations

import datetime
import io
import re

from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from npo_portal.exports import DATE_FORMAT, DATETIME_FORMAT, EURO_FORMAT

# A text a spreadsheet would have read as a number or a date, had it been written as one.
NUMBER_OR_DATE_TEXT = re.compile(r"-?[\d.]+(,\d+)?|-?\d+\.\d+|\d{1,4}-\d{1,2}-\d{1,4}.*")


def workbook(content: bytes):
    return load_workbook(io.BytesIO(content))


def header(sheet: Worksheet, row: int = 1) -> list[str]:
    return [cell.value for cell in sheet[row]]


def column(sheet: Worksheet, name: str, header_row: int = 1) -> list:
    """The cells under the heading `name`, up to the sheet's last row, empty ones left out."""
    index = header(sheet, header_row).index(name)
    cells = (row[index] for row in sheet.iter_rows(min_row=header_row + 1))
    return [cell for cell in cells if cell.value is not None]


def assert_dutch_headers(sheet: Worksheet, row: int = 1) -> None:
    """Each heading is a word or words as a person writes them, not an import code
    (`bedrag`, `interventie_code`): it starts with a capital and has no underscore."""
    for name in header(sheet, row):
        if name is None:
            continue
        assert isinstance(name, str) and name[:1].isupper() and "_" not in name, (
            sheet.title,
            name,
        )


def assert_amounts(sheet: Worksheet, name: str, header_row: int = 1, at_least: int = 1) -> None:
    """Every value under `name` is a number shown in euros."""
    cells = column(sheet, name, header_row)
    numbers = [cell for cell in cells if cell.data_type == "n"]
    assert len(numbers) >= at_least, (sheet.title, name, [c.value for c in cells])
    for cell in cells:
        if cell.data_type == "s" and cell.value in ("", "Totaal"):
            continue
        assert cell.data_type == "n", (sheet.title, name, cell.coordinate, cell.value)
        assert cell.number_format == EURO_FORMAT, (sheet.title, name, cell.number_format)


def assert_dates(
    sheet: Worksheet, name: str, header_row: int = 1, *, with_time: bool = False, at_least=1
) -> None:
    """Every value under `name` is a date cell shown as dd-mm-jjjj (with the time if asked)."""
    cells = column(sheet, name, header_row)
    assert len(cells) >= at_least, (sheet.title, name)
    for cell in cells:
        if cell.data_type == "s" and cell.value == "Totaal":
            continue
        assert cell.is_date and isinstance(cell.value, datetime.datetime), (
            sheet.title,
            name,
            cell.value,
        )
        expected = DATETIME_FORMAT if with_time else DATE_FORMAT
        assert cell.number_format == expected, (sheet.title, name, cell.number_format)


def assert_no_number_or_date_as_text(book, codes: frozenset[tuple[str, str]] = frozenset()) -> None:
    """No text cell anywhere holds what reads as a number, an amount or a date; `codes` names
    the (sheet, column letter) pairs whose texts are codes that may be digits (goal "1")."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if (sheet.title, cell.column_letter) in codes:
                    continue
                if cell.data_type == "s" and isinstance(cell.value, str):
                    assert not NUMBER_OR_DATE_TEXT.fullmatch(cell.value.strip()), (
                        sheet.title,
                        cell.coordinate,
                        cell.value,
                    )
