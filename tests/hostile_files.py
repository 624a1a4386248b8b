"""Hostile files for the imports: one builder per class of trouble the probe found.

Shared by tests/test_bad_input.py (one file of each class) and bench/fuzz_imports.py (many
variants of each). Every builder returns the bytes of a file a user could upload; big ones
are written in chunks, so that building a zip bomb does not itself take the memory it
would cost to read.
"""

from __future__ import annotations

import codecs
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator

HEADER = "datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer"
GOOD_ROW = "01-03-2022;100,00;bovenschools;;Zomerschool;Leverancier;F-1"
COLUMNS = HEADER.split(";")

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="{workbook_type}"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
MACRO_WORKBOOK_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="xl/workbook.xml" Type="http://schemas.openxmlformats.org/'
    'officeDocument/2006/relationships/officeDocument"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Uitgaven" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
    "{shared}</Relationships>"
)
SHARED_REL = (
    '<Relationship Id="rId2" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.'
    'org/officeDocument/2006/relationships/sharedStrings"/>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def column(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_row(number: int, values: Iterable[str]) -> str:
    cells = "".join(
        f'<c r="{column(i)}{number}" t="inlineStr"><is><t>{_escape(v)}</t></is></c>'
        for i, v in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'


def xlsx(
    rows: Iterable[str] | str,
    *,
    dimension: str | None = None,
    shared_strings: Iterable[str] | str | None = None,
    workbook_type: str = WORKBOOK_TYPE,
    extra: dict[str, bytes] | None = None,
    sheet_open: str = SHEET_OPEN,
    close: bool = True,
) -> bytes:
    """A workbook whose first sheet's <sheetData> holds `rows` (XML text, or chunks of it)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES.format(workbook_type=workbook_type))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            WORKBOOK_RELS.format(shared=SHARED_REL if shared_strings is not None else ""),
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(sheet_open.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(b"<sheetData>")
            for chunk in [rows] if isinstance(rows, str) else rows:
                sheet.write(chunk.encode())
            if close:
                sheet.write(b"</sheetData></worksheet>")
        if shared_strings is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
                strings.write(
                    b'<?xml version="1.0" encoding="UTF-8"?>'
                    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                for chunk in (
                    [shared_strings] if isinstance(shared_strings, str) else shared_strings
                ):
                    strings.write(chunk.encode())
                strings.write(b"</sst>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def good_xlsx_rows(*rows: list[str]) -> str:
    return "".join(xml_row(n, values) for n, values in enumerate([COLUMNS, *rows], start=1))


def repeated(text: str, size: int, chunk: int = 1024 * 1024) -> Iterator[str]:
    """`text` repeated to `size` characters, in chunks."""
    block = (text * (chunk // len(text) + 1))[:chunk]
    while size > 0:
        yield block[: min(size, chunk)]
        size -= chunk


def huge_cell_xlsx(size: int) -> bytes:
    """A workbook of a few kilobytes whose one cell unpacks to `size` characters."""
    head = xml_row(1, COLUMNS)

    def chunks():
        yield head + '<row r="2"><c r="A2" t="inlineStr"><is><t>'
        yield from repeated("a", size)
        yield "</t></is></c></row>"

    return xlsx(chunks())


def huge_shared_string_xlsx(size: int) -> bytes:
    def strings():
        yield "<si><t>"
        yield from repeated("b", size)
        yield "</t></si>"

    rows = xml_row(1, COLUMNS) + '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return xlsx(rows, shared_strings=strings())


def many_rows_xlsx(count: int, *, dimension: bool = False) -> bytes:
    """`count` small rows, really in the sheet (and declared when `dimension`)."""

    def chunks():
        yield xml_row(1, COLUMNS)
        batch = []
        for number in range(2, count + 2):
            batch.append(f'<row r="{number}"><c r="A{number}"><v>1</v></c></row>')
            if len(batch) == 10_000:
                yield "".join(batch)
                batch = []
        yield "".join(batch)

    return xlsx(chunks(), dimension=f"A1:G{count + 1}" if dimension else None)


def declared_xlsx(dimension: str) -> bytes:
    """A tiny workbook that declares `dimension` (A1:XFD1048576: 1.7 KB)."""
    return xlsx(good_xlsx_rows(GOOD_ROW.split(";")), dimension=dimension)


def far_row_xlsx(row: int) -> bytes:
    """A workbook with a header and one cell in row `row`: every row between is empty."""
    return xlsx(xml_row(1, COLUMNS) + f'<row r="{row}"><c r="A{row}"><v>1</v></c></row>')


def wide_row_xlsx(letters: str = "XFD") -> bytes:
    return xlsx(xml_row(1, COLUMNS) + f'<row r="2"><c r="{letters}2"><v>1</v></c></row>')


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return "\n".join([HEADER, *lines]).encode(encoding)


def huge_field_csv(size: int) -> bytes:
    return csv_file(f"01-03-2022;100,00;bovenschools;;{'x' * size};L;F-1")


def runaway_quote_csv(size: int) -> bytes:
    return csv_file('01-03-2022;100,00;bovenschools;;"Zomerschool;L;F-1', *[GOOD_ROW] * size)


def nul_csv(position: int) -> bytes:
    """A NUL inside a description, after `position` bytes of good rows."""
    rows = [GOOD_ROW.replace("F-1", f"F-{i}") for i in range(position // len(GOOD_ROW) + 1)]
    return csv_file(*rows, "01-03-2022;100,00;bovenschools;;Zomer\x00school;L;F-X")


def many_rows_csv(count: int, row: str = "morgen;abc;onbekend;;;;") -> bytes:
    return (HEADER + "\n" + (row + "\n") * count).encode()


def encrypted_xlsx() -> bytes:
    """The start of a password-protected OOXML file: an OLE container with EncryptionInfo."""
    directory = "EncryptionInfo".encode("utf-16-le").ljust(64, b"\x00")
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + directory + b"\x00" * 1024


def ods() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def mojibake(encoding: str) -> bytes:
    return csv_file(
        "01-03-2022;100,00;bovenschools;;Café en ijsjes voor de leerlingen;Brasserie Zoë;F-1",
        encoding=encoding,
    )


def utf7() -> bytes:
    return codecs.encode(
        "\n".join([HEADER, "01-03-2022;100,00;bovenschools;;Café;Zoë;F-1"]), "utf-7"
    )


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


# One file of each class, built when asked for (some take a second to compress).
CASES: dict[str, Callable[[], bytes]] = {
    "huge field (200,000 characters)": lambda: huge_field_csv(200_000),
    "field over the limit (5,000 characters)": lambda: huge_field_csv(5_000),
    "runaway quote": lambda: runaway_quote_csv(50),
    "text after a closing quote": lambda: csv_file('01-03-2022;100,00;"bovenschools"x;;Z;L;F-1'),
    "NUL inside a field past byte 4096": lambda: nul_csv(5000),
    "control character in a field": lambda: csv_file(
        GOOD_ROW.replace("Zomerschool", "Zomer\x1bschool")
    ),
    "1,000,000 invalid CSV rows (24 MB)": lambda: many_rows_csv(1_000_000),
    "XLSX zip bomb: one 200 MB cell": lambda: huge_cell_xlsx(200 * 1024 * 1024),
    "XLSX: one 20 MB cell under the unpacked limit": lambda: huge_cell_xlsx(20 * 1024 * 1024),
    "XLSX: one 20 MB shared string": lambda: huge_shared_string_xlsx(20 * 1024 * 1024),
    "XLSX declaring A1:XFD1048576 (1.7 KB)": lambda: declared_xlsx("A1:XFD1048576"),
    "XLSX declaring 1,000,000 rows": lambda: declared_xlsx("A1:G1000000"),
    "XLSX declaring the bad dimension ZZZZZ": lambda: declared_xlsx("A1:ZZZZZ1"),
    "XLSX with 1,000,000 real rows": lambda: many_rows_xlsx(1_000_000),
    "XLSX with a cell in row 1,048,576": lambda: far_row_xlsx(1_048_576),
    "XLSX with a cell in column XFD": lambda: wide_row_xlsx(),
    "XLSX with a bad cell reference": lambda: xlsx(
        xml_row(1, COLUMNS) + '<row r="2"><c r="ZZZZZ2"><v>1</v></c></row>'
    ),
    "XLSX with broken sheet XML": lambda: xlsx(
        good_xlsx_rows(GOOD_ROW.split(";"))[:-40], close=False
    ),
    "XLSX with a shared string that is not there": lambda: xlsx(
        xml_row(1, COLUMNS) + '<row r="2"><c r="A2" t="s"><v>99</v></c></row>',
        shared_strings="<si><t>x</t></si>",
    ),
    "XLSX with a number that is no number": lambda: xlsx(
        xml_row(1, COLUMNS) + '<row r="2"><c r="B2"><v>abc</v></c></row>'
    ),
    "XLSX with an ISO date cell that is no date": lambda: xlsx(
        xml_row(1, COLUMNS) + '<row r="2"><c r="A2" t="d"><v>gisteren</v></c></row>'
    ),
    "XLSX with a formula without a value and an endless number": lambda: xlsx(
        xml_row(1, COLUMNS)
        + '<row r="2"><c r="A2"><f>TODAY()</f></c><c r="B2"><v>1e400</v></c>'
        + '<c r="C2" t="inlineStr"><is><t>bovenschools</t></is></c>'
        + '<c r="E2" t="inlineStr"><is><t>Z</t></is></c></row>'
    ),
    "XLSX with an entity bomb": lambda: xlsx(
        good_xlsx_rows(),
        sheet_open='<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
    ),
    "macro-enabled workbook (.xlsm)": lambda: xlsx(
        good_xlsx_rows(GOOD_ROW.split(";")),
        workbook_type=MACRO_WORKBOOK_TYPE,
        extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"},
    ),
    "password-protected workbook": lambda: encrypted_xlsx(),
    "OpenDocument spreadsheet (.ods)": lambda: ods(),
    "PNG image": lambda: PNG,
    "UTF-16 text": lambda: ("\ufeff" + HEADER + "\n" + GOOD_ROW).encode("utf-16-le"),
    "mac_roman text": lambda: mojibake("mac_roman"),
    "cp437 text": lambda: mojibake("cp437"),
    "shift_jis text": lambda: "\n".join(
        [HEADER, "01-03-2022;100,00;bovenschools;;給食;業者;F-1"]
    ).encode("shift_jis"),
    "UTF-7 text": lambda: utf7(),
}
