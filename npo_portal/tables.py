"""Reading the rows of an uploaded CSV or XLSX file, and the values people type in them.

Shared by every import (finance's allocations, payments and expenditures; the schools
registry and DUO's open-data files).

The file type is decided by the content, not by the name: an XLSX file is a zip archive
holding `xl/workbook.xml`; anything else must be text (UTF-8 with or without BOM, or
Windows-1252) separated by `;` or `,`.

Files come from anyone, so what a file may cost is bounded before the work: the size of the
upload, what its zip entries unpack to, the rows and columns it declares or holds and the
length of one field (the IMPORT_MAX_* settings). A file over a limit, with control
characters, broken quoting or damaged sheet XML is refused with one message that names the
row and column; a refusal echoes a value only as a short excerpt.

A file is given as its bytes or as the path of a file on disk (an upload waiting for the
import worker, a file given to a command). Either way it is read in chunks, once per pass,
and never copied or decoded whole: a 24 MB upload costs the worker a few MB.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

MAX_IMPORT_BYTES = settings.IMPORT_MAX_UPLOAD_MB * 1024 * 1024

# A file to read: its bytes, or the path of the file on disk (an upload waiting for the import
# worker, a file given to a command). A path is read in chunks and never held whole.
Source = bytes | os.PathLike
Opener = Callable[[], io.BufferedIOBase]

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format, and password-protected XLSX
# Other kinds people upload by mistake, by their first bytes: named in the refusal.
OTHER_KINDS = (
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"%PDF", "PDF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf", "7-Zip"),
    (b"Rar!", "RAR"),
    (b"{\\rtf", "RTF"),
)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
MACRO_CONTENT_TYPE = b"macroEnabled"
# Password-protected OOXML is an OLE container with this stream (its name in UTF-16).
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# C0 control characters other than tab and line breaks, and DEL: never in a typed value.
CONTROL_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Windows-1252 characters that Dutch text hardly uses but that mac_roman, cp437 and
# shift_jis bytes turn into (mac_roman's é reads as Ž: "CafŽ").
SUSPECT = "\u201a\u0192\u201e\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d\u2022\u02dc\u0161\u203a\u0153\u017e\u0178"  # ‚ƒ„†‡ˆ‰Š‹ŒŽ•˜š›œžŸ  # noqa: RUF003
SUSPECT_CHARACTER = re.compile(f"[{SUSPECT}]")
SUSPECT_CAPITALS = "\u0160\u017d\u0152\u0178"  # Š Ž Œ Ÿ
SUSPECT_SMALL = "\u0161\u017e\u0153"  # š ž œ
CONTEXT_CHARS = 64  # what a chunk of decoded text repeats of the one before
# UTF-7's encoding of a non-ASCII letter, such as "Caf+AOk-" for "Café".
UTF7_RUN = re.compile(r"\+A[K-P][A-Za-z0-9+/]*-?")  # U+00A0 to U+00FF, as "+AOk" (é)
HEADER_SEARCH_ROWS = 10  # a header below a title is looked for this far down
EXCERPT_CHARS = 40
SCAN_CHUNK = 1024 * 1024
HEAD_BYTES = 4096

DUTCH_AMOUNT = re.compile(r"^-?\d{1,3}(\.\d{3})*(,\d{1,2})?$|^-?\d+(,\d{1,2})?$")
PLAIN_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
THOUSANDS_ONLY = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
MUNICIPALITY_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)


class TableError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass(frozen=True)
class Limits:
    unpacked_bytes: int
    rows: int
    columns: int
    field_chars: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            unpacked_bytes=settings.IMPORT_MAX_UNPACKED_MB * 1024 * 1024,
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            field_chars=settings.IMPORT_MAX_FIELD_CHARS,
        )


def excerpt(value, length: int = EXCERPT_CHARS) -> str:
    """A value as a refusal may echo it: control characters shown as '?', cut to `length`."""
    text = str(value)
    cut = len(text) > length
    text = CONTROL_CHARACTER.sub("?", text[:length])
    return text + "…" if cut else text


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)


def column_letter(index: int) -> str:
    """The spreadsheet name of the 0-based column `index`: 0 → A, 26 → AA."""
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


# Reading the file in chunks -----------------------------------------------------------------


def _opener(data: Source) -> Opener:
    """A function that opens the file afresh for each pass over it (a BytesIO over bytes
    shares their buffer, so neither kind is copied whole)."""
    if isinstance(data, bytes | bytearray | memoryview):
        return lambda: io.BytesIO(data)
    return lambda: open(data, "rb")  # each caller closes it


def _chunks(open_file: Opener, size: int = SCAN_CHUNK) -> Iterator[bytes]:
    with open_file() as stream:
        while chunk := stream.read(size):
            yield chunk


def _contains(open_file: Opener, needle: bytes) -> bool:
    tail = b""
    for chunk in _chunks(open_file):
        if needle in tail + chunk[: len(needle)] or needle in chunk:
            return True
        tail = chunk[-len(needle) :]
    return False


def _count_bytes(open_file: Opener, needle: bytes) -> int:
    # Only single bytes are counted, so no occurrence straddles two chunks.
    return sum(chunk.count(needle) for chunk in _chunks(open_file))


def _head(open_file: Opener, size: int = HEAD_BYTES) -> bytes:
    with open_file() as stream:
        return stream.read(size)


def _first_line(open_file: Opener) -> bytes:
    """The first line (without its line break), read no further than SCAN_CHUNK bytes."""
    line = b""
    for chunk in _chunks(open_file, HEAD_BYTES):
        end = chunk.find(b"\n")
        if end >= 0:
            return line + chunk[:end]
        line += chunk
        if len(line) >= SCAN_CHUNK:
            break
    return line


# What kind of file --------------------------------------------------------------------------


def _zip_names(open_file: Opener) -> list[str] | None:
    try:
        with open_file() as stream, zipfile.ZipFile(stream) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


def _looks_like_xlsx(open_file: Opener) -> bool:
    if not _head(open_file).startswith(ZIP_MAGIC):
        return False
    return "xl/workbook.xml" in (_zip_names(open_file) or [])


def _refuse_other_kinds(open_file: Opener) -> None:
    """Name what the file is when it is no table at all."""
    data = _head(open_file)
    if data.startswith(OLE_MAGIC):
        if _contains(open_file, ENCRYPTION_INFO):
            raise TableError(
                _(
                    "The workbook is protected with a password. Remove the password in Excel "
                    "(File > Info > Protect workbook) and save it again as XLSX."
                )
            )
        raise TableError(_("Old Excel files (.xls) are not supported; save as XLSX or CSV."))
    for magic, kind in OTHER_KINDS:
        if data.startswith(magic):
            raise TableError(
                _("The file is a %(kind)s file, not a spreadsheet (XLSX) or CSV file.")
                % {"kind": kind}
            )
    if data.startswith(ZIP_MAGIC):
        names = _zip_names(open_file)
        if names is None:
            raise TableError(_("The file is a damaged zip archive, not an XLSX or CSV file."))
        if "mimetype" in names and data[30:90].find(ODS_MIMETYPE) >= 0:
            raise TableError(
                _(
                    "The file is an OpenDocument spreadsheet (.ods). Save it as XLSX or CSV "
                    "(in LibreOffice: File > Save As, type Excel 2007-365 or Text CSV)."
                )
            )
        if "xl/workbook.xml" not in names:
            raise TableError(
                _("The file is a zip archive but no spreadsheet; upload an XLSX or CSV file.")
            )
        return
    if data.startswith(UTF16_BOMS):
        raise TableError(
            _(
                "The file is UTF-16 text ('Unicode text' in Excel). Save it as "
                "'CSV UTF-8 (comma delimited)' or as XLSX."
            )
        )
    binary = sum(1 for byte in data if byte < 32 and byte not in b"\t\n\r")
    if binary * 100 > len(data):
        raise TableError(
            _("The file is not a spreadsheet (XLSX) or CSV file: it holds binary data.")
        )


def check_file(data: Source) -> None:
    """Refuse what cannot be a table before reading it."""
    _check_file(_opener(data))


def _check_file(open_file: Opener) -> None:
    with open_file() as stream:
        size = stream.seek(0, io.SEEK_END)
    if size > MAX_IMPORT_BYTES:
        raise TableError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    if not any(chunk.strip() for chunk in _chunks(open_file)):
        raise TableError(_("The file is empty."))
    _refuse_other_kinds(open_file)


# Text ---------------------------------------------------------------------------------------


def _garbled(text: str) -> str | None:
    """The first stretch of `text` that reads like mojibake, or None.

    Genuine Windows-1252 text holds Š, Ž, š, ž, Œ and œ as letters of names (Škoda, Jože
    Šušteršič's d.o.o., Œuvre), so those pass where a letter can stand: a capital at the
    start of a word or inside a word in capitals, a small letter anywhere in a word. What
    mac_roman and cp437 bytes turn into does not: a capital after a small letter ('CafŽ',
    mac_roman's é), a capital between a capital and a small letter ('ŽŽn', 'KŠse'), and the
    signs that are no letters (‚ ƒ „ † ‡ ˆ ‰ ‹ • ˜ ›) against a letter ('Caf‚', cp437's é).
    """  # noqa: RUF002
    for match in SUSPECT_CHARACTER.finditer(text):
        if _misplaced(text, match.start()):
            start = max(text.rfind(mark, 0, match.start()) for mark in "\n;,\t") + 1
            return text[max(start, match.start() - 20) : match.end() + 20].strip()
    return None


def _misplaced(text: str, index: int) -> bool:
    char = text[index]
    before = text[index - 1] if index else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    if char in SUSPECT_SMALL:
        return before in SUSPECT or after in SUSPECT
    if char in SUSPECT_CAPITALS:
        if before in SUSPECT or after in SUSPECT:
            return True
        return before.islower() or (before.isupper() and after.islower())
    # A sign: mojibake where it touches a letter (ƒ 25 or "• item" are genuine).
    return before.isalpha() or after.isalpha() or before in SUSPECT or after in SUSPECT


def _utf7_word(text: str) -> str | None:
    for match in UTF7_RUN.finditer(text):
        try:
            decoded = match.group().encode("ascii").decode("utf-7")
        except UnicodeDecodeError:
            continue
        if any("\u00a0" <= char <= "\u024f" for char in decoded):
            return match.group()
    return None


def _decoded_chunks(open_file: Opener, encoding: str) -> Iterator[str]:
    """The file's text in chunks, each with the end of the one before (so that a pattern
    across two chunks is seen); raises UnicodeDecodeError where the text does not decode."""
    decoder = codecs.getincrementaldecoder(encoding)()
    tail = ""
    for chunk in _chunks(open_file):
        text = decoder.decode(chunk)
        yield tail + text
        tail = text[-CONTEXT_CHARS:]
    yield tail + decoder.decode(b"", final=True)


def _encoding(open_file: Opener) -> str:
    """The file's text encoding, checked to read cleanly: the text is decoded chunk by chunk
    (never held whole), then read as a stream."""
    try:
        for text in _decoded_chunks(open_file, "utf-8-sig"):
            word = _utf7_word(text)
            if word:
                raise TableError(
                    _(
                        "The file's text looks like UTF-7 ('%(example)s'). Save it as "
                        "'CSV UTF-8 (comma delimited)' or as XLSX."
                    )
                    % {"example": excerpt(word)}
                )
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    try:
        for text in _decoded_chunks(open_file, "cp1252"):
            garbled = _garbled(text)
            if garbled:
                raise TableError(
                    _(
                        "The file's characters do not read as UTF-8 or Windows-1252: it would "
                        "import as '%(example)s'. Save it as 'CSV UTF-8 (comma delimited)' or "
                        "as XLSX."
                    )
                    % {"example": excerpt(garbled)}
                )
    except UnicodeDecodeError as error:
        raise TableError(
            _("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV (UTF-8).")
        ) from error
    return "cp1252"


def _csv_rows(open_file: Opener, limits: Limits) -> Iterator[list]:
    encoding = _encoding(open_file)
    first_line = _first_line(open_file)
    delimiter = ";" if first_line.count(b";") >= first_line.count(b",") else ","

    def reader():
        with open_file() as raw:
            stream = io.TextIOWrapper(raw, encoding=encoding, newline="")
            yield from csv.reader(stream, delimiter=delimiter, strict=True)

    if _count_bytes(open_file, b"\n") > limits.rows + HEADER_SEARCH_ROWS:
        # More lines than rows allowed: count the records (a quoted field may hold line
        # breaks) before any value is looked at.
        for count, _values in enumerate(reader(), start=1):
            if count > limits.rows + HEADER_SEARCH_ROWS:
                raise TableError(
                    _("The file has more than %(limit)s rows; split it into smaller files.")
                    % {"limit": _count(limits.rows)}
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
                    % {"row": row, "limit": _count(limits.field_chars)}
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


# XLSX ---------------------------------------------------------------------------------------


def _scan_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> int:
    """Stream one XML entry: refuse DTDs (entity bombs) and a text run longer than a field
    may be, or more rows than allowed; returns the number of shared strings it holds."""
    # A run of text without "<" longer than two blocks holds a whole aligned block, so
    # looking for a block without "<" finds every such run without splitting the XML; a run
    # shorter than one block (a field at its limit, each character written as "&#12345;")
    # is never refused here.
    block = limits.field_chars * 6 + 1024
    size = block * max(1, SCAN_CHUNK // block)
    too_long = False
    strings = 0
    rows = 0
    tail = b""
    with archive.open(info) as entry:
        while chunk := entry.read(size):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise TableError(_("The XLSX file holds a document type declaration."))
            tail = chunk[-16:]
            strings += chunk.count(b"si>")
            rows += chunk.count(b"<row") + chunk.count(b":row ")
            if rows > limits.rows + HEADER_SEARCH_ROWS:
                break
            if any(
                chunk.find(b"<", start, start + block) < 0
                for start in range(0, len(chunk) - block + 1, block)
            ):
                too_long = True
                break
    if too_long:
        raise TableError(
            _("The XLSX file holds a value longer than %(limit)s characters.")
            % {"limit": _count(limits.field_chars)}
        )
    if rows > limits.rows + HEADER_SEARCH_ROWS:
        raise TableError(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": _count(limits.rows)}
        )
    return strings // 2


def _inspect_archive(data: Source | Opener, limits: Limits) -> None:
    """What the workbook unpacks to, checked from the zip directory before anything is read."""
    open_file = data if callable(data) else _opener(data)
    try:
        with open_file() as stream, zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > 1000:
                raise TableError(
                    _("The XLSX file holds too many parts (%(count)s).")
                    % {"count": _count(len(infos))}
                )
            if any(info.flag_bits & 0x1 for info in infos):
                raise TableError(_("The workbook is protected with a password; remove it."))
            unpacked = sum(info.file_size for info in infos)
            if unpacked > limits.unpacked_bytes:
                raise TableError(
                    _("The XLSX file unpacks to %(size)s MB, more than the %(limit)s MB allowed.")
                    % {
                        "size": _count(unpacked // (1024 * 1024)),
                        "limit": _count(limits.unpacked_bytes // (1024 * 1024)),
                    }
                )
            names = {info.filename for info in infos}
            types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
            if "xl/vbaProject.bin" in names or MACRO_CONTENT_TYPE in types:
                raise TableError(
                    _(
                        "The workbook contains macros (.xlsm). Save it as an ordinary Excel "
                        "workbook (.xlsx) or as CSV."
                    )
                )
            strings = 0
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    strings += _scan_entry(archive, info, limits)
            if strings > limits.rows * limits.columns:
                raise TableError(_("The XLSX file holds more texts than its rows can."))
    except TableError:
        raise
    except Exception as error:  # zipfile raises many kinds on a damaged archive
        raise TableError(_("The XLSX file cannot be read: is it damaged?")) from error


def _refuse_size(rows: int | None, columns: int | None, limits: Limits) -> None:
    if rows is not None and rows > limits.rows + 1:
        raise TableError(
            _("The sheet has %(rows)s rows; at most %(limit)s can be imported at once.")
            % {"rows": _count(rows), "limit": _count(limits.rows)}
        )
    if columns is not None and columns > limits.columns:
        raise TableError(
            _("The sheet has %(columns)s columns; at most %(limit)s are read.")
            % {"columns": _count(columns), "limit": _count(limits.columns)}
        )


def _xlsx_rows(open_file: Opener, limits: Limits) -> Iterator[list]:
    from openpyxl import load_workbook

    _inspect_archive(open_file, limits)
    stream = open_file()
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True, keep_links=False)
        sheet = workbook.worksheets[0]
        # The declared dimension, checked before any row is read; then forgotten, so that a
        # row is only as wide as its own cells.
        _refuse_size(sheet.max_row, sheet.max_column, limits)
        sheet.reset_dimensions()
    except TableError:
        stream.close()
        raise
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        stream.close()
        raise TableError(_("The XLSX file cannot be read: is it damaged?")) from error
    try:
        cells = sheet.iter_rows(values_only=True)
        number = 0
        while True:
            try:
                values = next(cells)
            except StopIteration:
                return
            except Exception as error:  # bad cell references, shared strings, numbers, dates
                raise TableError(
                    _("The sheet cannot be read after row %(row)s: its XML is damaged.")
                    % {"row": number}
                ) from error
            number += 1
            yield ["" if value is None else value for value in values]
    finally:
        workbook.close()
        stream.close()


# Rows ---------------------------------------------------------------------------------------


def _rows(data: Source) -> Iterator[tuple[int, list]]:
    """Every row of the file as (row number, values), each value checked against the limits
    (rows, columns, field length, control characters) before anything reads it."""
    open_file = _opener(data)
    _check_file(open_file)
    limits = Limits.from_settings()
    if _looks_like_xlsx(open_file):
        rows = _xlsx_rows(open_file, limits)
    else:
        rows = _csv_rows(open_file, limits)
    for number, values in enumerate(rows, start=1):
        if number > limits.rows + HEADER_SEARCH_ROWS:
            raise TableError(
                _("The file has more than %(limit)s rows; split it into smaller files.")
                % {"limit": _count(limits.rows)}
            )
        if len(values) > limits.columns:
            while values and (values[-1] is None or values[-1] == ""):
                values = values[:-1]
            if len(values) > limits.columns:
                raise TableError(
                    _("Row %(row)s has %(columns)s columns; at most %(limit)s are read.")
                    % {
                        "row": number,
                        "columns": _count(len(values)),
                        "limit": _count(limits.columns),
                    }
                )
        for index, value in enumerate(values):
            if not isinstance(value, str):
                continue
            if len(value) > limits.field_chars:
                raise TableError(
                    _(
                        "Row %(row)s, column %(column)s: the field is longer than %(limit)s "
                        "characters (it starts '%(start)s')."
                    )
                    % {
                        "row": number,
                        "column": column_letter(index),
                        "limit": _count(limits.field_chars),
                        "start": excerpt(value),
                    }
                )
            control = CONTROL_CHARACTER.search(value)
            if control:
                raise TableError(
                    _(
                        "Row %(row)s, column %(column)s: the field contains a control "
                        "character (code %(code)s), which no typed text holds: '%(start)s'."
                    )
                    % {
                        "row": number,
                        "column": column_letter(index),
                        "code": ord(control.group()),
                        "start": excerpt(value),
                    }
                )
        yield number, values


def normalise_header(name) -> str:
    """A column name as compared: lower case, single spaces, no BOM or padding."""
    return " ".join(str(name).lstrip("\ufeff").split()).lower()


def _is_empty(values: list) -> bool:
    return not any(str(value).strip() for value in values)


def read_all(data: Source) -> tuple[list[str], list[tuple[int, dict]]]:
    """The normalised header and every non-empty row as (row number, {column: value}),
    values stripped of padding; for files whose kind the header tells (DUO's)."""
    rows = _rows(data)
    first = next(rows, None)
    if first is None:
        raise TableError(_("The file is empty."))
    names = [normalise_header(name) for name in first[1]]
    table = []
    for number, values in rows:
        if _is_empty(values):
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


def _find_header(rows: Iterator[tuple[int, list]], columns: list[str]) -> tuple[int, list]:
    """The first of the top rows that names every column (a title may stand above it)."""
    best: tuple[int, int, list[str]] | None = None  # (row, columns found, missing)
    first_seen = False
    for number, values in rows:
        if _is_empty(values):
            if number >= HEADER_SEARCH_ROWS:
                break
            continue
        first_seen = True
        names = [str(name).strip().lower().lstrip("\ufeff") for name in values]
        missing = [column for column in columns if column not in names]
        if not missing:
            return number, values
        found = len(columns) - len(missing)
        if found and (best is None or found > best[1]):
            best = (number, found, missing)
        if number >= HEADER_SEARCH_ROWS:
            break
    if not first_seen:
        raise TableError(_("The file is empty."))
    if best is not None and best[0] > 1:
        raise TableError(
            _(
                "Row %(row)s looks like the header but lacks the columns %(missing)s. "
                "The header must hold: %(header)s."
            )
            % {"row": best[0], "missing": ", ".join(best[2]), "header": ";".join(columns)}
        )
    missing = best[2] if best is not None else columns
    raise TableError(
        _("Missing columns: %(missing)s. The first row must be: %(header)s.")
        % {"missing": ", ".join(missing), "header": ";".join(columns)}
    )


def read_table(
    data: Source, *, columns: list[str], optional: dict[str, tuple[str, ...]] | None = None
) -> Iterator[tuple[int, dict]]:
    """Rows as (row number in the file, {column: value}) below the header.

    The header is the first row that names every column; rows above it (a title) are
    skipped. Columns are matched by name (any order, case and spaces ignored); empty rows are
    skipped. `optional` maps a column that a file may have to the headers accepted for it
    (underscores read as spaces); a row holds such a column only when the file has it.
    """
    rows = _rows(data)
    _header_row, header = _find_header(rows, columns)
    names = [str(name).strip().lower().lstrip("\ufeff") for name in header]
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
    for number, values in rows:
        if _is_empty(values):
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
        raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)})
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
                raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)})
            text = text.replace(".", "").replace(",", ".")
        elif not PLAIN_AMOUNT.match(text):
            raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)})
        amount = Decimal(text)
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation as error:
        raise ValueError(_("'%(value)s' is not an amount") % {"value": excerpt(value)}) from error
    if cents != amount:
        raise ValueError(_("'%(value)s' has more than two decimals") % {"value": excerpt(value)})
    if abs(cents) >= Decimal("1e12"):
        raise ValueError(_("'%(value)s' is too large") % {"value": excerpt(value)})
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
        _("'%(value)s' is not a date; write dd-mm-jjjj or jjjj-mm-dd") % {"value": excerpt(value)}
    )


def parse_municipality_code(value) -> str:
    """`GM0687`, `0687` or `687` (as DUO writes it) → `GM0687`."""
    match = MUNICIPALITY_CODE.match(str(value).strip())
    if not match:
        raise ValueError(
            _("'%(value)s' is not a CBS municipality code such as GM0687 or 0687")
            % {"value": excerpt(value)}
        )
    return f"GM{int(match.group(1)):04d}"


def text(value) -> str:
    """A cell as clean text (spreadsheet numbers such as invoice numbers without '.0')."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())
