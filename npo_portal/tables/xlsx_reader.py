"""The rows of a workbook's first sheet, after its zip directory and XML were checked
against the limits (entity bombs, macros, passwords, oversized parts)."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
# A cell's formula element, with or without a namespace prefix (<f>, <f t="shared" .../>,
# <x:f>); not <font>, <fill> or <filterColumn>. Also found in a chart's series (<c:f>): a
# hint that the sheet is worth the slower look at each cell, never a refusal by itself.
FORMULA_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s/>]")
NAMED_FORMULA_CELLS = 10


# XLSX ---------------------------------------------------------------------------------------


def _scan_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits
) -> tuple[int, bool]:
    """Stream one XML entry: refuse DTDs (entity bombs) and a text run longer than a field
    may be, or more rows than allowed; returns the number of shared strings it holds and
    whether it may hold a formula."""
    # A run of text without "<" longer than two blocks holds a whole aligned block, so
    # looking for a block without "<" finds every such run without splitting the XML; a run
    # shorter than one block (a field at its limit, each character written as "&#12345;")
    # is never refused here.
    block = limits.field_chars * 6 + 1024
    size = block * max(1, SCAN_CHUNK // block)
    too_long = False
    strings = 0
    rows = 0
    formulas = False
    tail = b""
    with archive.open(info) as entry:
        while chunk := entry.read(size):
            window = tail + chunk
            if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                raise TableError(_("The XLSX file holds a document type declaration."))
            formulas = formulas or FORMULA_ELEMENT.search(window) is not None
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
    return strings // 2, formulas


def inspect_archive(data: Source | Opener, limits: Limits) -> bool:
    """What the workbook unpacks to, checked from the zip directory before anything is read;
    True when some part may hold a formula (see `refuse_formulas`)."""
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
            formulas = False
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    entry_strings, entry_formulas = _scan_entry(archive, info, limits)
                    strings += entry_strings
                    formulas = formulas or entry_formulas
            if strings > limits.rows * limits.columns:
                raise TableError(_("The XLSX file holds more texts than its rows can."))
            return formulas
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


def refuse_formulas(open_file: Opener) -> None:
    """Refuse a first sheet with formulas, naming their cells. The import would read the
    result the spreadsheet stored when it was last saved: a result that may be outdated (a
    program that does not recalculate), missing (a file written by a script), or computed
    from another workbook (an external link, `[1]Blad1!B2`) that the upload does not hold.
    Nobody would see which, so the user is asked for the values (README: "Formulas")."""
    from openpyxl import load_workbook

    with open_file() as stream:
        try:
            workbook = load_workbook(stream, read_only=True, data_only=False, keep_links=False)
            try:
                sheet = workbook.worksheets[0]
                sheet.reset_dimensions()
                cells = [
                    cell.coordinate
                    for row in sheet.iter_rows()
                    for cell in row
                    if getattr(cell, "data_type", None) == "f"
                ]
            finally:
                workbook.close()
        except Exception as error:  # openpyxl raises many kinds on a damaged file
            raise TableError(_("The XLSX file cannot be read: is it damaged?")) from error
    if not cells:
        return
    named = ", ".join(cells[:NAMED_FORMULA_CELLS])
    if len(cells) > NAMED_FORMULA_CELLS:
        named = _("%(cells)s and %(more)s more") % {
            "cells": named,
            "more": len(cells) - NAMED_FORMULA_CELLS,
        }
    raise TableError(
        ngettext(
            "Cell %(cells)s holds a formula.",
            "Cells %(cells)s hold formulas.",
            len(cells),
        )
        % {"cells": named}
        + " "
        + _(
            "The import does not read formulas: their stored result may be outdated or "
            "missing, and a link to another workbook points outside this file. Replace "
            "them by their values (copy, then paste values only) and upload the file again."
        )
    )


def xlsx_rows(open_file: Opener, limits: Limits) -> Iterator[list]:
    """The first sheet's rows as lists of cell values ("" for an empty cell), after the archive
    and the sheet's declared size were checked and a sheet with formulas was refused."""
    from openpyxl import load_workbook

    if inspect_archive(open_file, limits):
        refuse_formulas(open_file)
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
