"""The expenditure list as a file: CSV streamed row by row, XLSX from a write-only workbook.

The columns are those of the import, plus whether the row is charged to the grant, so an
exported file can be read back by the import after corrections.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from finance.models import Eligibility, Expenditure
from finance.selectors import finance_programme
from finance.services import EXPENDITURE_COLUMNS
from npo_portal.exports import (
    DATE_FORMAT,
    EURO_FORMAT,
    append_row,
    csv_lines,
    csv_text,
    xlsx_row,
)
from plans.models import Intervention, SpendingGoal

ELIGIBILITY_COLUMN = "subsidiabel"


def heading(column: str) -> str:
    """A column's heading in a file: the import's own Dutch word for it, written as a word
    ("Bedrag" for `bedrag`); the import reads headings in any case, so a downloaded file
    goes back in as it is."""
    return column[:1].upper() + column[1:]


HEADER = [heading(column) for column in EXPENDITURE_COLUMNS]


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


def csv_file_lines(expenditures) -> Iterable[str]:
    """The expenditures as the one CSV writer writes them (header first, `;`, decimal comma,
    dd-mm-jjjj, UTF-8 with a byte-order mark), as a Dutch spreadsheet reads them; the import
    reads them back."""
    return csv_lines([*HEADER, heading(ELIGIBILITY_COLUMN)], _rows(expenditures))


def import_template_csv() -> str:
    """The import's header row alone."""
    return csv_text(HEADER, [])


# Rows of the template's first sheet that carry the formats and the choice lists.
TEMPLATE_ROWS = 1000


@dataclass(frozen=True)
class ColumnHelp:
    """What the template's "Toelichting" sheet says about one column of the import."""

    column: str
    required: bool
    form: str
    example: object
    explanation: str


def column_help(goals: list[SpendingGoal], interventions: list[Intervention]) -> list[ColumnHelp]:
    """Each import column: required or not, its form, an example and what it means."""
    limits = {
        column: Expenditure._meta.get_field(field).max_length
        for column, field in (
            ("omschrijving", "description"),
            ("leverancier", "supplier"),
            ("factuurnummer", "invoice_number"),
        )
    }
    first_goal = goals[0].code if goals else ""
    return [
        ColumnHelp(
            "datum",
            True,
            _("A date, dd-mm-jjjj"),
            datetime.date(2022, 3, 15),
            _(
                "The invoice or payment date, within the programme and not in the future. "
                "A row in a closed year is refused."
            ),
        ),
        ColumnHelp(
            "bedrag",
            True,
            _("An amount in euros with a decimal comma, without the euro sign"),
            Decimal("1250.00"),
            _("A credit note is a negative amount. 0,00 is refused."),
        ),
        ColumnHelp(
            "bestedingsdoel",
            True,
            _("A code from the list (sheet '%(sheet)s')") % {"sheet": _("Choices")},
            first_goal,
            _("The spending goal or category the expenditure is charged to."),
        ),
        ColumnHelp(
            "interventie",
            False,
            _("A code from the list (sheet '%(sheet)s')") % {"sheet": _("Choices")},
            interventions[0].code if interventions else "",
            _(
                "An intervention of the municipality's plan in the same goal; empty when the "
                "expenditure belongs to none."
            )
            if interventions
            else _("The plan has no interventions yet: leave empty."),
        ),
        ColumnHelp(
            "omschrijving",
            True,
            _("Text, at most %(limit)s characters") % {"limit": limits["omschrijving"]},
            _("Summer school week 1"),
            _("What was bought or paid for."),
        ),
        ColumnHelp(
            "leverancier",
            False,
            _("Text, at most %(limit)s characters") % {"limit": limits["leverancier"]},
            "Stichting Zomerschool Zeeland",
            _("Who was paid."),
        ),
        ColumnHelp(
            "factuurnummer",
            False,
            _("Text, at most %(limit)s characters") % {"limit": limits["factuurnummer"]},
            "F-2022-001",
            _(
                "With date, amount, goal, supplier and description it tells a new row from one "
                "already imported."
            ),
        ),
    ]


def _choice(sheet, letter: str, source: str, title: str, message: str) -> None:
    """A drop-down list in column `letter` of the rows to fill, refusing other values."""
    validation = DataValidation(
        type="list", formula1=source, allow_blank=True, showErrorMessage=True, errorStyle="stop"
    )
    validation.errorTitle, validation.error = title, message
    validation.promptTitle, validation.prompt = title, message
    validation.showInputMessage = True
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)


def _rule(sheet, letter: str, validation: DataValidation, title: str, message: str) -> None:
    validation.allow_blank, validation.showErrorMessage = True, True
    validation.errorTitle, validation.error = title, message
    validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    sheet.add_data_validation(validation)


def import_template_xlsx(municipality):
    """The import's template for `municipality`, in a temporary file opened for reading.

    - "Uitgaven": the header row, then rows formatted as the import reads them (dates as
      dates, amounts in euros) with choice lists for the goal and the municipality's
      interventions, and checks on the date, amount and text lengths.
    - "Toelichting": each column with whether it is required, its form and an example.
    - "Keuzelijsten": the goals and the plan's interventions the lists offer.
    """
    programme = finance_programme()
    goals = list(SpendingGoal.objects.filter(programme=programme).order_by("order", "code"))
    interventions = list(
        Intervention.objects.filter(plan__municipality=municipality, plan__programme=programme)
        .select_related("goal")
        .order_by("code")
    )
    helps = column_help(goals, interventions)
    letters = {help.column: get_column_letter(index) for index, help in enumerate(helps, 1)}
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Expenditures")
    append_row(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, number_format in (("datum", DATE_FORMAT), ("bedrag", EURO_FORMAT)):
        for row in range(2, TEMPLATE_ROWS + 2):
            sheet[f"{letters[column]}{row}"].number_format = number_format
    for column, width in zip(letters.values(), (14, 14, 18, 14, 40, 28, 18), strict=True):
        sheet.column_dimensions[column].width = width

    choices = workbook.create_sheet(_("Choices"))
    append_row(
        choices,
        [
            _("Spending goal (code)"),
            _("Number"),
            _("Name"),
            None,
            _("Intervention (code)"),
            _("Title"),
            _("Spending goal (code)"),
        ],
    )
    for cell in choices[1]:
        cell.font = Font(bold=True)
    for index in range(max(len(goals), len(interventions))):
        goal = goals[index] if index < len(goals) else None
        intervention = interventions[index] if index < len(interventions) else None
        append_row(
            choices,
            [
                goal.code if goal else None,
                goal.number if goal else None,
                goal.name if goal else None,
                None,
                intervention.code if intervention else None,
                intervention.title if intervention else None,
                intervention.goal.code if intervention else None,
            ],
        )
    for column, width in zip("ABCDEFG", (22, 10, 40, 2, 20, 50, 22), strict=True):
        choices.column_dimensions[column].width = width
    quoted = "'" + choices.title.replace("'", "''") + "'"
    if goals:
        _choice(
            sheet,
            letters["bestedingsdoel"],
            f"{quoted}!$A$2:$A${len(goals) + 1}",
            _("Spending goal"),
            _("Choose a spending goal's code from the list."),
        )
    if interventions:
        _choice(
            sheet,
            letters["interventie"],
            f"{quoted}!$E$2:$E${len(interventions) + 1}",
            _("Intervention"),
            _("Choose an intervention of the plan from the list, or leave empty."),
        )
    _rule(
        sheet,
        letters["datum"],
        DataValidation(
            type="date",
            operator="between",
            formula1=f"DATE({programme.start:%Y},{programme.start.month},{programme.start.day})",
            formula2=f"DATE({programme.end:%Y},{programme.end.month},{programme.end.day})",
        ),
        _("Date"),
        _("A date from %(start)s to %(end)s.")
        % {"start": f"{programme.start:%d-%m-%Y}", "end": f"{programme.end:%d-%m-%Y}"},
    )
    _rule(
        sheet,
        letters["bedrag"],
        DataValidation(type="decimal", operator="notEqual", formula1="0"),
        _("Amount"),
        _("An amount in euros other than 0; a credit note is negative."),
    )
    for column in ("omschrijving", "leverancier", "factuurnummer"):
        limit = Expenditure._meta.get_field(
            {"omschrijving": "description", "leverancier": "supplier"}.get(column, "invoice_number")
        ).max_length
        _rule(
            sheet,
            letters[column],
            DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(limit)),
            heading(column),
            _("At most %(limit)s characters.") % {"limit": limit},
        )

    guide = workbook.create_sheet(_("Explanation"))
    append_row(guide, [_("Column"), _("Required"), _("Form"), _("Example"), _("Explanation")])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for help in helps:
        append_row(
            guide,
            [
                heading(help.column),
                _("yes") if help.required else _("no"),
                help.form,
                help.example,
                help.explanation,
            ],
        )
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDE", (16, 10, 40, 24, 70), strict=True):
        guide.column_dimensions[column].width = width
    guide.freeze_panes = "A2"
    # The order a reader meets them: the sheet to fill, what its columns mean, the lists.
    workbook.move_sheet(guide, offset=-1)

    stream = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(stream)
    stream.seek(0)
    return stream


def xlsx_file(expenditures):
    """The expenditures as a workbook in a temporary file (opened for reading), amounts as
    numbers in euro format and dates as dates (the safe-export function's formats), so the
    sheet can add them up."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Expenditures"))
    for column, width in zip("ABCDEFGH", (12, 14, 16, 14, 40, 24, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.append(xlsx_row(sheet, [*HEADER, heading(ELIGIBILITY_COLUMN)]))
    for values in _rows(expenditures):
        sheet.append(xlsx_row(sheet, values))
    stream = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(stream)
    stream.seek(0)
    return stream
