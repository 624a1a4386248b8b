"""The three faces of one `ReportData`: the HTML preview, the PDF and the SiSa spreadsheet."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from accounts.models import Municipality
from accounts.themes import theme_of
from finance.selectors import ELIGIBILITY_LABELS
from npo_portal.audit import ACTIONS
from npo_portal.charts import Chart, Series, bar_chart
from npo_portal.exports import TEXT, StreamedSheet
from npo_portal.pdf import render_pdf
from reporting.models import IndicatorKind
from reporting.selectors import ReportData, all_ineligible_rows

EURO_FORMAT = '"€" #,##0.00;"€" -#,##0.00'
XLSX_TIMESTAMP = datetime.datetime(2021, 7, 1)


@dataclass(frozen=True)
class ReportMeta:
    """What the cover and footer say about this copy of the report."""

    identifier: str
    version: str
    date: datetime.date
    is_final: bool = False
    # The signature block, filled once the report is marked final.
    signatory_name: str = ""
    signatory_function: str = ""
    signed_on: datetime.date | None = None


def goal_chart(data: ReportData) -> Chart:
    return bar_chart(
        title=_("Budget and spending per goal"),
        description=_(
            "The plan's budget, the eligible spending in the year and up to the year per "
            "spending goal or category; the table gives the numbers."
        ),
        categories=[row.code for row in data.goals],
        series=[
            Series(_("Budget in the plan"), [row.budget for row in data.goals]),
            Series(_("Spent in the year"), [row.spent_year for row in data.goals]),
            Series(_("Spent up to the year"), [row.spent_cumulative for row in data.goals]),
        ],
    )


def context(data: ReportData, meta: ReportMeta) -> dict:
    municipality = Municipality.objects.filter(code=data.municipality_code).first()
    return {
        "data": data,
        "meta": meta,
        "goal_chart": goal_chart(data),
        # The municipality's logo and heading colour (issue 31, item 7).
        "theme": theme_of(municipality, with_logo=True),
    }


def render_html(data: ReportData, meta: ReportMeta) -> str:
    """The report as a standalone HTML document (the PDF's source)."""
    return render_to_string("reporting/report_pdf.html", context(data, meta))


def render_report_pdf(data: ReportData, meta: ReportMeta, *, archival: bool = False) -> bytes:
    """The report as PDF/UA-1; `archival` makes it PDF/A-2a and PDF/UA-1 (the archive's copy)."""
    return render_pdf(
        "reporting/report_pdf.html",
        context(data, meta),
        base_url=str(settings.BASE_DIR),
        archival=archival,
    )


DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"


def write_row(sheet, values, *, bold: bool = False) -> None:
    """Append one row to a sheet of `new_sheet`: texts through the safe-export function,
    amounts as euros and dates as dd-mm-jjjj, numbers left numbers (`xlsx_content`); every
    such cell aligned to the top, a bold row bold.

    The row goes out as SpreadsheetML text (`StreamedSheet`): an openpyxl cell object per
    value, with its style looked up in the workbook's table, cost most of the report job's
    2,600-line sheet (issue 32)."""
    sheet.write(values, bold=bold)


def _cell_style(sheet, number_format, bold: bool) -> int | None:
    """The workbook's style index for a cell of `write_row` (None: no style), made the way
    openpyxl makes it for a cell: a text or formatted value is aligned to the top."""
    cell = Cell(sheet, row=1, column=1)
    if number_format is not None:
        if number_format is not TEXT:
            cell.number_format = number_format
        cell.alignment = Alignment(vertical="top")
    if bold:
        cell.font = Font(bold=True)
    return cell.style_id if cell.has_style else None


def new_workbook(title: str, creator: str) -> Workbook:
    """A write-only workbook: rows go to disk as they come, so memory stays flat however
    many lines a sheet holds."""
    workbook = Workbook(write_only=True)
    workbook.properties.creator = creator
    workbook.properties.title = title
    workbook.properties.created = workbook.properties.modified = XLSX_TIMESTAMP
    return workbook


def new_sheet(workbook: Workbook, title: str, widths: list[int]):
    # A sheet's name may not hold any of these characters.
    name = re.sub(r"[\\/*?:\[\]]", "-", str(title))[:31]
    sheet = StreamedSheet(workbook, name, style_of=lambda *kind: _cell_style(sheet, *kind))
    workbook._add_sheet(sheet)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def render_xlsx(data: ReportData, meta: ReportMeta) -> bytes:
    """The SiSa annex row (one row per indicator), the breakdowns and every expenditure not
    charged to the grant, as a workbook."""
    workbook = new_workbook(meta.identifier, data.municipality_name)

    sisa = new_sheet(workbook, "SiSa", [14, 60, 14, 40])
    for label, value in (
        (_("Verstrekker"), data.provider),
        (_("Uitkeringscode"), data.grant_code),
        (_("Name of the grant"), data.grant_name),
        (_("Juridische grondslag"), data.legal_basis),
        (_("Ontvanger"), _("Municipalities")),
        (_("Municipality"), f"{data.municipality_name} ({data.municipality_code})"),
        (_("Reporting year"), data.year),
        (_("Report"), f"{meta.identifier} {_('version')} {meta.version}"),
    ):
        write_row(sisa, [label, value])
    write_row(sisa, [])
    write_row(sisa, [_("Number"), _("Indicator"), _("Aard controle"), _("Value")], bold=True)
    for indicator in data.indicators:
        write_row(
            sisa,
            [
                indicator.number,
                indicator.text,
                indicator.audit,
                indicator.amount if indicator.is_amount else indicator.text_value,
            ],
        )

    goals = new_sheet(workbook, _("Goals"), [10, 50, 20, 20, 20])
    write_row(
        goals,
        [
            _("Code"),
            _("Goal or category"),
            _("Budget"),
            _("Spent in the year"),
            _("Spent up to the year"),
        ],
        bold=True,
    )
    for row in data.goals:
        write_row(goals, [row.code, row.name, row.budget, row.spent_year, row.spent_cumulative])
    write_row(
        goals, [_("Total"), "", data.budget, data.spent_year, data.spent_cumulative], bold=True
    )

    interventions = new_sheet(workbook, _("Interventions"), [10, 50, 30, 20, 20, 20])
    write_row(
        interventions,
        [
            _("Code"),
            _("Intervention"),
            _("Goal or category"),
            _("Budget"),
            _("Spent in the year"),
            _("Spent up to the year"),
        ],
        bold=True,
    )
    for row in data.interventions:
        write_row(
            interventions,
            [row.code, row.name, row.goal, row.budget, row.spent_year, row.spent_cumulative],
        )
    write_row(
        interventions,
        [_("Total"), "", "", None, data.spent_year, data.spent_cumulative],
        bold=True,
    )
    _ineligible_sheet(workbook, data)
    if data.shares:
        _shares_sheet(workbook, data)
    if data.final_position:
        _final_position_sheet(workbook, data.final_position)
    return workbook_bytes(workbook)


def _ineligible_sheet(workbook, data: ReportData) -> None:
    """Every expenditure of the year not charged to the grant, streamed from the database."""
    sheet = new_sheet(workbook, _("Not charged"), [12, 60, 30, 40, 16])
    write_row(
        sheet,
        [_("Date"), _("Description"), _("Goal or category"), _("Reason"), _("Amount")],
        bold=True,
    )
    for row in all_ineligible_rows(data):
        write_row(sheet, [row.date, row.description, row.goal, row.reason, row.amount])
    write_row(sheet, [_("Total"), "", "", "", data.ineligible_year], bold=True)


def _shares_sheet(workbook, data: ReportData) -> None:
    """Each merged municipality's part of the grant: a total row, then its goals."""
    sheet = new_sheet(workbook, _("Merger shares"), [24, 50, 12, 16, 20, 20, 20, 20, 20])
    write_row(
        sheet,
        [
            _("Municipality"),
            _("Goal or category"),
            _("CBS code"),
            _("Part of the successor from"),
            _("Allocation"),
            _("Received in the year"),
            _("Received up to the year"),
            _("Spent in the year"),
            _("Spent up to the year"),
        ],
        bold=True,
    )
    for share in data.shares:
        write_row(
            sheet,
            [
                share.municipality_name,
                _("Total"),
                share.municipality_code,
                share.merged_on,
                share.allocation,
                share.received_year,
                share.received_cumulative,
                share.spent_year,
                share.spent_cumulative,
            ],
        )
        for goal in share.goals:
            write_row(
                sheet,
                [
                    share.municipality_name,
                    goal.name,
                    share.municipality_code,
                    None,
                    None,
                    None,
                    None,
                    goal.spent_year,
                    goal.spent_cumulative,
                ],
            )
    write_row(
        sheet,
        [
            _("Total"),
            "",
            data.municipality_code,
            None,
            data.allocation,
            data.received_year,
            data.received_cumulative,
            data.spent_year,
            data.spent_cumulative,
        ],
        bold=True,
    )


def _expenditure_cells(expenditure) -> list:
    return [
        expenditure.date,
        expenditure.municipality.code,
        expenditure.goal.name,
        expenditure.intervention.code if expenditure.intervention_id else "",
        expenditure.description,
        expenditure.supplier,
        expenditure.invoice_number,
        expenditure.amount,
    ]


EXPENDITURE_HEADER = [
    _lazy("Date"),
    _lazy("CBS code"),
    _lazy("Goal or category"),
    _lazy("Intervention"),
    _lazy("Description"),
    _lazy("Supplier"),
    _lazy("Invoice number"),
    _lazy("Amount"),
]
EXPENDITURE_WIDTHS = [12, 10, 36, 12, 50, 30, 18, 16]


def render_dossier_xlsx(dossier) -> bytes:
    """The audit dossier as a workbook: each SiSa figure with the sheet whose rows make it,
    those rows streamed from the database, and the changes since the previous final report."""
    data, report = dossier.data, dossier.report
    workbook = new_workbook(f"{report.identifier}-{_('dossier')}", data.municipality_name)
    year = data.year_label
    spent_sheet = _("Spent in %(year)s") % {"year": year}
    cumulative_sheet = _("Spent up to and including %(year)s") % {"year": year}

    figures = new_sheet(workbook, _("Figures"), [14, 60, 20, 30, 12])
    write_row(figures, [_("Report"), report.identifier])
    write_row(figures, [_("Data version"), data.data_version])
    write_row(figures, [])
    write_row(
        figures,
        [_("Number"), _("Figure"), _("Amount"), _("Sum of the rows on sheet"), _("Rows")],
        bold=True,
    )
    by_kind = {i.number: i for i in data.indicators}
    for indicator in by_kind.values():
        if not indicator.is_amount:
            write_row(figures, [indicator.number, indicator.text, indicator.text_value])
            continue
        cumulative = indicator.kind == IndicatorKind.SPENDING_CUMULATIVE
        sheet, rows = (
            (cumulative_sheet, dossier.cumulative_expenditures)
            if cumulative
            else (spent_sheet, dossier.year_expenditures)
        )
        write_row(
            figures, [indicator.number, indicator.text, indicator.amount, sheet, rows.count()]
        )
    for label, amount, sheet, rows in (
        (
            _("Payments received up to the year"),
            data.received_cumulative,
            _("Payments"),
            dossier.payments,
        ),
        (
            _("Not charged to the grant in the year"),
            data.ineligible_year,
            _("Not charged"),
            dossier.ineligible,
        ),
    ):
        write_row(figures, ["", label, amount, sheet, rows.count()])

    for title, rows, total in (
        (spent_sheet, dossier.year_expenditures, data.spent_year),
        (cumulative_sheet, dossier.cumulative_expenditures, data.spent_cumulative),
    ):
        sheet = new_sheet(workbook, title, EXPENDITURE_WIDTHS)
        write_row(sheet, [str(title) for title in EXPENDITURE_HEADER], bold=True)
        for expenditure in rows.iterator(chunk_size=2000):
            write_row(sheet, _expenditure_cells(expenditure))
        write_row(sheet, [_("Total"), "", "", "", "", "", "", total], bold=True)

    payments = new_sheet(workbook, _("Payments"), [12, 10, 40, 16])
    write_row(payments, [_("Date"), _("CBS code"), _("Reference"), _("Amount")], bold=True)
    for payment in dossier.payments.iterator(chunk_size=2000):
        write_row(
            payments, [payment.date, payment.municipality.code, payment.reference, payment.amount]
        )
    write_row(payments, [_("Total"), "", "", data.received_cumulative], bold=True)

    ineligible = new_sheet(workbook, _("Not charged"), [*EXPENDITURE_WIDTHS, 36])
    write_row(ineligible, [*(str(title) for title in EXPENDITURE_HEADER), _("Reason")], bold=True)
    for expenditure in dossier.ineligible.iterator(chunk_size=2000):
        write_row(
            ineligible,
            [*_expenditure_cells(expenditure), str(ELIGIBILITY_LABELS[expenditure.eligibility])],
        )
    write_row(ineligible, [_("Total"), "", "", "", "", "", "", data.ineligible_year], bold=True)

    changes = new_sheet(workbook, _("Changes"), [18, 24, 12, 12, 12, 10, 50, 16])
    write_row(
        changes,
        [
            _("When"),
            _("By"),
            _("Action"),
            _("Row"),
            _("Date"),
            _("CBS code"),
            _("Description"),
            _("Amount"),
        ],
        bold=True,
    )
    codes = dict(Municipality.objects.filter(pk__in=data.member_ids).values_list("pk", "code"))
    for kind, rows, describe in (
        (_("Expenditure"), dossier.expenditure_changes, lambda row: row.description),
        (_("Payment"), dossier.payment_changes, lambda row: row.reference),
    ):
        for row in rows.iterator(chunk_size=2000):
            write_row(
                changes,
                [
                    timezone.localtime(row.history_date).replace(tzinfo=None),
                    str(row.history_user or ""),
                    str(ACTIONS.get(row.history_type, row.history_type)),
                    kind,
                    row.date,
                    codes.get(row.municipality_id, ""),
                    describe(row),
                    row.amount,
                ],
            )
    return workbook_bytes(workbook)


def _final_position_sheet(workbook, position) -> None:
    """The eindverantwoording's final position, the same figures as the PDF's."""
    sheet = new_sheet(workbook, _("Final position"), [60, 20])
    write_row(sheet, [_("Figure"), _("Amount")], bold=True)
    write_row(sheet, [_("Allocation"), position.allocation])
    write_row(sheet, [_("Received"), position.received])
    write_row(
        sheet,
        [_("Eligible spending (within the period and the goals, cumulative)"), position.eligible],
    )
    write_row(sheet, [_("Ineligible spending"), position.ineligible])
    for row in position.per_reason:
        write_row(sheet, [f"  {row.reason} ({row.count})", row.amount])
    write_row(sheet, [_("Unspent"), position.unspent])
    write_row(
        sheet,
        [
            _("Expected vaststelling (eligible spending, at most the allocation)"),
            position.expected_settlement,
        ],
    )
    write_row(
        sheet,
        [
            _("Expected reclaim (received minus the expected vaststelling)"),
            position.expected_reclaim,
        ],
    )
