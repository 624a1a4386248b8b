"""Reading the rows of an uploaded CSV or XLSX file, and the values people type in them.

Shared by every import (finance's allocations, payments and expenditures; the schools
registry and DUO's open-data files).

The file type is decided by the content, not by the name: an XLSX file is a zip archive
holding `xl/workbook.xml`; anything else must be text (UTF-8 with or without BOM, or
Windows-1252) separated by `;` or `,`.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = 25 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format

DUTCH_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$")
PLAIN_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MUNICIPALITY_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)


class TableError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


def _looks_like_xlsx(data: bytes) -> bool:
    if not data.startswith(ZIP_MAGIC):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise TableError(
            _("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8).")
        ) from error


def _csv_rows(data: bytes) -> Iterator[list]:
    text = _decode(data)
    if "\x00" in text[:4096]:
        raise TableError(_("The file is not a CSV or XLSX file."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_rows(data: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise TableError(_("The XLSX file cannot be read: is it damaged?")) from error
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield ["" if value is None else value for value in values]
    finally:
        workbook.close()


def check_file(data: bytes) -> None:
    """Refuse what cannot be a table before reading it."""
    if len(data) > MAX_IMPORT_BYTES:
        raise TableError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if not data.strip():
        raise TableError(_("The file is empty."))
    if data.startswith(OLE_MAGIC):
        raise TableError(_("Old Excel files (.xls) are not supported; save as XLSX or CSV."))
    if data.startswith(ZIP_MAGIC) and not _looks_like_xlsx(data):
        raise TableError(_("The file is not a CSV or XLSX file."))


def normalise_header(name) -> str:
    """A column name as compared: lower case, single spaces, no BOM or padding."""
    return " ".join(str(name).lstrip("\ufeff").split()).lower()


def read_all(data: bytes) -> tuple[list[str], list[tuple[int, dict]]]:
    """The normalised header and every non-empty row as (row number, {column: value}),
    values stripped of padding; for files whose kind the header tells (DUO's)."""
    check_file(data)
    rows = _xlsx_rows(data) if _looks_like_xlsx(data) else _csv_rows(data)
    header = next(rows, None)
    if header is None:
        raise TableError(_("The file is empty."))
    names = [normalise_header(name) for name in header]
    table = []
    for number, values in enumerate(rows, start=2):
        if not any(str(value).strip() for value in values):
            continue
        table.append(
            (
                number,
                {
                    name: str(values[index]).strip() if index < len(values) else ""
                    for index, name in enumerate(names)
                    if name
                },
            )
        )
    return names, table


def read_table(
    data: bytes, *, columns: list[str], optional: dict[str, tuple[str, ...]] | None = None
) -> Iterator[tuple[int, dict]]:
    """Rows as (row number in the file, {column: value}); the header is row 1.

    Columns are matched by name (any order, case and spaces ignored); empty rows are skipped.
    `optional` maps a column that a file may have to the headers accepted for it (underscores
    read as spaces); a row holds such a column only when the file has it.
    """
    check_file(data)
    rows = _xlsx_rows(data) if _looks_like_xlsx(data) else _csv_rows(data)
    header = next(rows, None)
    if header is None:
        raise TableError(_("The file is empty."))
    names = [str(name).strip().lower().lstrip("\ufeff") for name in header]
    missing = [column for column in columns if column not in names]
    if missing:
        raise TableError(
            _("Missing columns: %(missing)s. The first row must be: %(header)s.")
            % {"missing": ", ".join(missing), "header": ";".join(columns)}
        )
    positions = {column: names.index(column) for column in columns}
    spelled = [normalise_header(name).replace("_", " ") for name in header]
    for column, variants in (optional or {}).items():
        accepted = {normalise_header(variant).replace("_", " ") for variant in variants}
        found = [index for index, name in enumerate(spelled) if name in accepted]
        if len(found) > 1:
            raise TableError(
                _("'%(column)s' is given by more than one column (%(columns)s); keep one.")
                % {"columns": ", ".join(str(header[i]).strip() for i in found), "column": column}
            )
        if found:
            positions[column] = found[0]
    for number, values in enumerate(rows, start=2):
        if not any(str(value).strip() for value in values):
            continue
        yield (
            number,
            {
                column: values[index] if index < len(values) else ""
                for column, index in positions.items()
            },
        )


def parse_amount(value) -> Decimal:
    """`1.234.567,89`, `-1234,5`, `1234567.89` or a spreadsheet number, as Decimal euros."""
    if isinstance(value, bool):
        raise ValueError(_("'%(value)s' is not an amount") % {"value": value})
    if isinstance(value, int | Decimal):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(repr(value))  # the spreadsheet's number as it displays it
    else:
        text = str(value).replace("€", "").replace("\N{NO-BREAK SPACE}", "").replace(" ", "")
        if not text:
            raise ValueError(_("empty, an amount is required"))
        if "," in text or THOUSANDS_ONLY.match(text):
            # Dutch: dots group thousands, a comma marks the cents ("1.234" is 1234 euros).
            if not DUTCH_AMOUNT.match(text):
                raise ValueError(_("'%(value)s' is not an amount") % {"value": value})
            text = text.replace(".", "").replace(",", ".")
        elif not PLAIN_AMOUNT.match(text):
            raise ValueError(_("'%(value)s' is not an amount") % {"value": value})
        amount = Decimal(text)
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise ValueError(_("'%(value)s' is not an amount") % {"value": value}) from error
    if cents != amount:
        raise ValueError(_("'%(value)s' has more than two decimals") % {"value": value})
    if abs(cents) >= Decimal("1e12"):
        raise ValueError(_("'%(value)s' is too large") % {"value": value})
    return cents


def parse_date(value) -> datetime.date:
    """A date as dd-mm-jjjj or jjjj-mm-dd, or a spreadsheet date."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if not text:
        raise ValueError(_("empty, a date is required"))
    # Regular expressions instead of strptime: an import parses 100,000 dates twice.
    match = DUTCH_DATE.match(text)
    if match:
        day, month, year = match.groups()
    else:
        match = ISO_DATE.match(text)
        if match:
            year, month, day = match.groups()
    if match:
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            pass
    raise ValueError(
        _("'%(value)s' is not a date; write dd-mm-jjjj or jjjj-mm-dd") % {"value": value}
    )


def parse_municipality_code(value) -> str:
    """`GM0687`, `0687` or `687` (as DUO writes it) → `GM0687`."""
    match = MUNICIPALITY_CODE.match(str(value).strip())
    if not match:
        raise ValueError(
            _("'%(value)s' is not a CBS municipality code such as GM0687 or 0687")
            % {"value": value}
        )
    return f"GM{int(match.group(1)):04d}"


def text(value) -> str:
    """A cell as clean text (spreadsheet numbers such as invoice numbers without '.0')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
