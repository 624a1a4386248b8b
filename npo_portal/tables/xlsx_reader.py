"""The rows of a workbook's first sheet, after its zip directory and XML were checked
against the limits (entity bombs, macros, passwords, oversized parts)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _

from npo_portal.tables.limits import (
    HEADER_SEARCH_ROWS,
    SCAN_CHUNK,
    Limits,
    Opener,
    Source,
    TableError,
    grouped,
    opener,
)

MACRO_CONTENT_TYPE = b"macroEnabled"


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
            % {"limit": grouped(limits.field_chars)}
        )
    if rows > limits.rows + HEADER_SEARCH_ROWS:
        raise TableError(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": grouped(limits.rows)}
        )
    return strings // 2


def inspect_archive(data: Source | Opener, limits: Limits) -> None:
    """What the workbook unpacks to, checked from the zip directory before anything is read."""
    open_file = data if callable(data) else opener(data)
    try:
        with open_file() as stream, zipfile.ZipFile(stream) as archive:
            infos = archive.infolist()
            if len(infos) > 1000:
                raise TableError(
                    _("The XLSX file holds too many parts (%(count)s).")
                    % {"count": grouped(len(infos))}
                )
            if any(info.flag_bits & 0x1 for info in infos):
                raise TableError(_("The workbook is protected with a password; remove it."))
            unpacked = sum(info.file_size for info in infos)
            if unpacked > limits.unpacked_bytes:
                raise TableError(
                    _("The XLSX file unpacks to %(size)s MB, more than the %(limit)s MB allowed.")
                    % {
                        "size": grouped(unpacked // (1024 * 1024)),
                        "limit": grouped(limits.unpacked_bytes // (1024 * 1024)),
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
            % {"rows": grouped(rows), "limit": grouped(limits.rows)}
        )
    if columns is not None and columns > limits.columns:
        raise TableError(
            _("The sheet has %(columns)s columns; at most %(limit)s are read.")
            % {"columns": grouped(columns), "limit": grouped(limits.columns)}
        )


def xlsx_rows(open_file: Opener, limits: Limits) -> Iterator[list]:
    """The first sheet's rows as lists of cell values ("" for an empty cell), after the archive
    and the sheet's declared size were checked."""
    from openpyxl import load_workbook

    inspect_archive(open_file, limits)
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
