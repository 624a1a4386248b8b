"""The one way the portal writes values into files that users open in a spreadsheet.

Texts come from users of other organisations (a school board's needs description is opened by
municipal staff), so a text that a spreadsheet would read as a formula is written as plain
text: in XLSX as a string cell, never a formula; in CSV prefixed with an apostrophe, as the
OWASP advice on CSV injection says. Numbers, amounts and dates stay what they are.

Every CSV export is written by `csv_lines` (or `csv_text`), every XLSX row by `append_row` or
`xlsx_row`, or for a long write-only sheet by `StreamedSheet.write`; all three classify a value
with `xlsx_content`. Tests read the files back.
"""

from __future__ import annotations

import csv
import datetime
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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


class _TextFormat:
    def __repr__(self) -> str:
        return "TEXT"


# What `xlsx_content` gives as a text's format: a string cell, never a formula.
TEXT = _TextFormat()


def xlsx_content(value: Any) -> tuple[Any, str | _TextFormat | None]:
    """What a spreadsheet cell holds for `value`, and how it is shown: a text cleaned of what
    no spreadsheet file can hold, with the format `TEXT` (a string cell, never a formula); an
    amount (Decimal) with the euro format, a date as a date, a moment as the Dutch clock read
    it, with its time; a `Number` in its own format. Anything else (a count, a year) is left as
    it is, with no format (None)."""
    if isinstance(value, str):
        return clean_text(value), TEXT
    if isinstance(value, Decimal):
        return value, EURO_FORMAT
    if isinstance(value, datetime.datetime):
        return _naive_local(value), DATETIME_FORMAT
    if isinstance(value, datetime.date):
        return value, DATE_FORMAT
    if isinstance(value, Number):
        return value.value, value.number_format
    return value, None


def xlsx_value(sheet, value: Any) -> Any:
    """`value` for `sheet.append` (see `xlsx_content`): a text becomes a string cell that is
    never a formula; an amount, a date or a moment a cell with its number format.

    Works for ordinary and write-only worksheets alike.
    """
    content, number_format = xlsx_content(value)
    if number_format is None:
        return content
    # Placeholder coordinates (append sets the real ones): a write-only sheet formats a Cell
    # it is handed in an error message first, which needs a coordinate to exist.
    cell = Cell(sheet, row=1, column=1)
    cell.value = content
    if number_format is TEXT:
        # openpyxl turns any text starting with "=" into a formula; the data type decides.
        cell.data_type = "s"
    else:
        cell.number_format = number_format
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


# openpyxl keeps at most this many characters of a text cell (`Cell.check_string`).
_MAX_TEXT = 32767
# Where openpyxl's file of a `StreamedSheet` gets its rows: text no sheet's top or tail holds.
_ROWS_MARKER = "npo-streamed-rows-3c61f0"
_ESCAPED = re.compile(r"[&<>\r]")


def _xml_text(text: str) -> str:
    """`text` as element content; a carriage return as a reference, as lxml writes it (a
    parser would turn a literal one into a line feed)."""
    if _ESCAPED.search(text) is None:
        return text
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    )


class StreamedSheet(WriteOnlyWorksheet):
    """A write-only worksheet for long sheets: `write` turns a row into SpreadsheetML text
    (every value through `xlsx_content`, the same cell XML openpyxl writes: texts inline
    strings, amounts and dates numbers with their style), and rows go to the file a chunk at
    a time. openpyxl builds, checks and writes an object per cell, which cost most of the
    report job's 2,600-line "Niet ten laste" sheet (issue 32). Rows wait in a temporary file
    (memory stays flat) until the workbook is saved; openpyxl then writes the sheet with a
    marker where its rows go, and the rows take the marker's place.

    `style_of(number_format, bold)` gives the workbook's style index for a cell with that
    format (`None` for a plain value, `TEXT` for a text) or None for no style; it is asked
    once per kind of cell, in the order the kinds first occur, as openpyxl would number them.
    Rows are taken only through `write`."""

    CHUNK = 1000

    def __init__(self, parent, title, style_of):
        super().__init__(parent, title)
        self._style_of = style_of
        self._style_attributes: dict = {}
        self._letters: list[str] = []
        self._serials: dict[datetime.date, str] = {}
        self._pending: list[str] = []
        self._spool = None
        self._row_number = 0

    def write(self, values, *, bold: bool = False) -> None:
        """Add one row; None leaves its cell empty."""
        self._row_number += 1
        number = str(self._row_number)
        letters = self._letters
        while len(letters) < len(values):
            letters.append(get_column_letter(len(letters) + 1))
        styles, cell_xml = self._style_attributes, self._cell_xml
        parts = [f'<row r="{number}">']
        for letter, value in zip(letters, values, strict=False):
            if value is None:
                continue
            content, number_format = xlsx_content(value)
            style = styles.get((number_format, bold))
            if style is None:
                style = self._style_attribute(number_format, bold)
            parts.append(cell_xml(letter + number, style, content, number_format))
        parts.append("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= self.CHUNK:
            self._flush()

    def append(self, row):
        raise TypeError("A StreamedSheet takes its rows through write().")

    def _style_attribute(self, number_format, bold: bool) -> str:
        index = self._style_of(number_format, bold)
        style = "" if index is None else f' s="{index}"'
        self._style_attributes[(number_format, bold)] = style
        return style

    def _cell_xml(self, reference: str, style: str, content: Any, number_format) -> str:
        """One `<c>` element as openpyxl's writer makes it (`openpyxl.cell._writer`)."""
        if number_format is TEXT:
            text = content[:_MAX_TEXT]
            if not text:
                return f'<c r="{reference}"{style} t="inlineStr"></c>'
            space = ' xml:space="preserve"' if text != text.strip() else ""
            return (
                f'<c r="{reference}"{style} t="inlineStr"><is><t{space}>'
                f"{_xml_text(text)}</t></is></c>"
            )
        if isinstance(content, bool):
            return f'<c r="{reference}"{style} t="b"><v>{safe_string(content)}</v></c>'
        if isinstance(content, datetime.date):  # a date or a moment, naive: a serial number
            serial = self._serials.get(content) if type(content) is datetime.date else None
            if serial is None:
                serial = safe_string(to_excel(content))
                if type(content) is datetime.date:  # few distinct days; moments are not kept
                    self._serials[content] = serial
            return f'<c r="{reference}"{style} t="n"><v>{serial}</v></c>'
        if isinstance(content, (int, float, Decimal)):
            return f'<c r="{reference}"{style} t="n"><v>{safe_string(content)}</v></c>'
        raise TypeError(f"No spreadsheet cell for a {type(content).__name__}.")

    def _flush(self) -> None:
        """The pending rows to the temporary file, non-ASCII as character references, as
        openpyxl's writer (lxml without a declared encoding) writes them."""
        if not self._pending:
            return
        if self._spool is None:
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _splice
        self._spool.write("".join(self._pending).encode("ascii", "xmlcharrefreplace"))
        self._pending = []

    def close(self):
        self._flush()
        self._get_writer()
        if self._rows is None:
            self._rows = self._write_rows()
            next(self._rows)
        super().close()
        if self._spool is not None:
            self._splice()

    def _write_rows(self):
        """openpyxl's `WriteOnlyWorksheet._write_rows`, with the marker for the rows."""
        try:
            xf = self._writer.xf.send(True)
        except StopIteration:
            self._already_saved()
        with xf.element("sheetData"):
            if self._spool is not None:
                xf.write(_ROWS_MARKER)
            try:
                while True:
                    yield
            except GeneratorExit:
                pass
        self._writer.xf.send(None)

    def _splice(self) -> None:
        """The sheet's file with the spooled rows in the marker's place."""
        path = self._writer.out
        with open(path, "rb") as written:
            head, tail = written.read().split(_ROWS_MARKER.encode())
        with open(path, "wb") as sheet_file:
            sheet_file.write(head)
            self._spool.seek(0)
            shutil.copyfileobj(self._spool, sheet_file)
            sheet_file.write(tail)
        self._spool.close()
        self._spool = None
