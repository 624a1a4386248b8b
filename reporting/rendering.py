"""The three faces of one `ReportData`: the HTML preview, the PDF and the SiSa spreadsheet."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from npo_portal.charts import Chart, Series, bar_chart
from npo_portal.exports import append_row
from npo_portal.pdf import render_pdf
from reporting.selectors import ReportData

EURO_FORMAT = '"€" #,##0.00;"€" -#,##0.00'
XLSX_TIMESTAMP = datetime.datetime(2021, 7, 1)


@dataclass(frozen=True)
class ReportMeta:
    """What the cover and footer say about this copy of the report."""

    identifier: str
    version: str
    date: datetime.date
    is_final: bool = False


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
    return {"data": data, "meta": meta, "goal_chart": goal_chart(data)}


def render_html(data: ReportData, meta: ReportMeta) -> str:
    """The report as a standalone HTML document (the PDF's source)."""
    return render_to_string("reporting/report_pdf.html", context(data, meta))


def render_report_pdf(data: ReportData, meta: ReportMeta) -> bytes:
    return render_pdf(
        "reporting/report_pdf.html", context(data, meta), base_url=str(settings.BASE_DIR)
    )


def _sheet_header(sheet, titles: list[str]) -> None:
    append_row(sheet, titles)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def render_xlsx(data: ReportData, meta: ReportMeta) -> bytes:
    """The SiSa annex row (one row per indicator) and the breakdowns, as a workbook."""
    workbook = Workbook()
    workbook.properties.creator = data.municipality_name
    workbook.properties.title = meta.identifier
    workbook.properties.created = workbook.properties.modified = XLSX_TIMESTAMP

    sisa = workbook.active
    sisa.title = "SiSa"
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
        append_row(sisa, [label, value])
        sisa.cell(row=sisa.max_row, column=1).font = Font(bold=True)
    append_row(sisa, [])
    _sheet_header(sisa, [_("Number"), _("Indicator"), _("Aard controle"), _("Value")])
    for indicator in data.indicators:
        append_row(
            sisa,
            [
                indicator.number,
                indicator.text,
                indicator.audit,
                indicator.amount if indicator.is_amount else indicator.text_value,
            ],
        )
        cell = sisa.cell(row=sisa.max_row, column=4)
        if indicator.is_amount:
            cell.number_format = EURO_FORMAT
        else:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCD", (14, 60, 14, 40), strict=True):
        sisa.column_dimensions[column].width = width

    goals = workbook.create_sheet(_("Goals"))
    _sheet_header(
        goals,
        [
            _("Code"),
            _("Goal or category"),
            _("Budget"),
            _("Spent in the year"),
            _("Spent up to the year"),
        ],
    )
    for row in data.goals:
        append_row(goals, [row.code, row.name, row.budget, row.spent_year, row.spent_cumulative])
    append_row(goals, [_("Total"), "", data.budget, data.spent_year, data.spent_cumulative])

    interventions = workbook.create_sheet(_("Interventions"))
    _sheet_header(
        interventions,
        [
            _("Code"),
            _("Intervention"),
            _("Goal or category"),
            _("Budget"),
            _("Spent in the year"),
            _("Spent up to the year"),
        ],
    )
    for row in data.interventions:
        append_row(
            interventions,
            [row.code, row.name, row.goal, row.budget, row.spent_year, row.spent_cumulative],
        )
    append_row(interventions, [_("Total"), "", "", "", data.spent_year, data.spent_cumulative])
    sheets = [(goals, 3), (interventions, 4)]
    if data.shares:
        sheets.append((_shares_sheet(workbook, data), 5))
    for sheet, first_amount_column in sheets:
        for cells in sheet.iter_rows(min_row=2, min_col=first_amount_column):
            for cell in cells:
                cell.number_format = EURO_FORMAT
        sheet.column_dimensions["B"].width = 50
        for column in "CDEFGHI":
            sheet.column_dimensions[column].width = 20
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _shares_sheet(workbook, data: ReportData):
    """Each merged municipality's part of the grant: a total row, then its goals."""
    sheet = workbook.create_sheet(_("Merger shares"))
    _sheet_header(
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
    )
    for share in data.shares:
        append_row(
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
        if share.merged_on:
            sheet.cell(row=sheet.max_row, column=4).number_format = "DD-MM-YYYY"
        for goal in share.goals:
            append_row(
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
    append_row(
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
    )
    sheet.column_dimensions["A"].width = 24
    return sheet
