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

The package by concern: `limits` (what a file may cost, the error and its excerpts, reading
in chunks), `detection` (the kind of file and its text encoding), `csv_reader` and
`xlsx_reader` (the rows of each kind), `rows` (limits per row, the header, the columns) and
`values` (amounts, dates, codes, text). Callers import the public names from here.
"""

from npo_portal.tables.detection import check_file
from npo_portal.tables.limits import (
    MAX_IMPORT_BYTES,
    SCAN_CHUNK,
    Limits,
    Source,
    TableError,
    column_letter,
    excerpt,
)
from npo_portal.tables.rows import normalise_header, read_all, read_table
from npo_portal.tables.values import (
    FIRST_YEAR,
    LAST_YEAR,
    parse_amount,
    parse_board_number,
    parse_brin,
    parse_date,
    parse_location_number,
    parse_municipality_code,
    parse_text,
    text,
)
from npo_portal.tables.xlsx_reader import inspect_archive

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MAX_IMPORT_BYTES",
    "SCAN_CHUNK",
    "Limits",
    "Source",
    "TableError",
    "check_file",
    "column_letter",
    "excerpt",
    "inspect_archive",
    "normalise_header",
    "parse_amount",
    "parse_board_number",
    "parse_brin",
    "parse_date",
    "parse_location_number",
    "parse_municipality_code",
    "parse_text",
    "read_all",
    "read_table",
    "text",
]
