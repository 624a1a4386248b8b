"""The expenditure list as a file: CSV streamed row by row, XLSX from a write-only workbook.

The columns are those of the import, plus whether the row is charged to the grant, so an
exported file can be read back by the import after corrections.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from finance.models import Eligibility, Expenditure
from finance.services import EXPENDITURE_COLUMNS
from npo_portal.exports import append_row, csv_writer, xlsx_row

ELIGIBILITY_COLUMN = "subsidiabel"


def _values(expenditure: Expenditure, labels: dict) -> list:
    return [
        expenditure.date,
        expenditure.amount,
        expenditure.goal.code,
        expenditure.intervention.code if expenditure.intervention_id else "",
        expenditure.description,
        expenditure.supplier,
        expenditure.invoice_number,
        _("yes") if expenditure.eligibility == "ok" else str(labels[expenditure.eligibility]),
    ]


def _rows(expenditures) -> Iterator[list]:
    labels = dict(Eligibility.choices)
    queryset = expenditures.select_related("goal", "intervention").with_eligibility()
    for expenditure in queryset.iterator(chunk_size=2000):
        yield _values(expenditure, labels)


class _Line:
    """A file-like object that hands back what is written to it, for streaming."""

    def write(self, text: str) -> str:
        return text


def csv_lines(expenditures) -> Iterable[str]:
    """The expenditures as ;-separated lines in UTF-8 with a byte-order mark, the header
    first, dates as dd-mm-jjjj and amounts with a decimal comma (-300,00), as a Dutch
    spreadsheet reads them; the import reads them back."""
    writer = csv_writer(_Line())
    yield "\ufeff" + writer.writerow([*EXPENDITURE_COLUMNS, ELIGIBILITY_COLUMN])
    for values in _rows(expenditures):
        yield writer.writerow(values)


def import_template_csv() -> str:
    """The import's header row alone, ;-separated with a byte-order mark so Excel reads UTF-8."""
    return "\ufeff" + csv_writer(_Line()).writerow(EXPENDITURE_COLUMNS)


def import_template_xlsx():
    """A workbook holding the import's header row, the date and amount columns formatted as
    the import reads them, in a temporary file opened for reading."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Expenditures")
    append_row(sheet, EXPENDITURE_COLUMNS)
    for column, number_format in ((1, "DD-MM-YYYY"), (2, "#,##0.00")):
        for row in range(2, 501):
            sheet.cell(row=row, column=column).number_format = number_format
    for column in "AB":
        sheet.column_dimensions[column].width = 14
    for column in "CDEFG":
        sheet.column_dimensions[column].width = 20
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(stream)
    stream.seek(0)
    return stream


def xlsx_file(expenditures):
    """The expenditures as a workbook in a temporary file (opened for reading), amounts as
    numbers in euro format and dates as dates, so the sheet can add them up."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Expenditures"))
    sheet.append(xlsx_row(sheet, [*EXPENDITURE_COLUMNS, ELIGIBILITY_COLUMN]))
    for values in _rows(expenditures):
        day, amount, *rest = values
        date_cell, amount_cell = WriteOnlyCell(sheet, value=day), WriteOnlyCell(sheet, value=amount)
        date_cell.number_format = "DD-MM-YYYY"
        amount_cell.number_format = "#,##0.00"
        sheet.append([date_cell, amount_cell, *xlsx_row(sheet, rest)])
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(stream)
    stream.seek(0)
    return stream
