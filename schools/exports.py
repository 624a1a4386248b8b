"""The municipal picture as spreadsheet files; both read the one picture the page shows."""

from __future__ import annotations

import io
from collections.abc import Iterator

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from npo_portal.exports import append_row, csv_text
from schools.models import Severity
from schools.selectors import NeedsPicture

Table = tuple[str, list[str], list[list]]


def _local(moment):
    """The moment as a date with its time (a date cell in XLSX, dd-mm-jjjj uu:mm in CSV)."""
    return timezone.localtime(moment) if moment else None


def tables(picture: NeedsPicture) -> Iterator[Table]:
    """The picture as (title, header, rows) tables, in the order the page shows them."""
    yield (
        _("Response"),
        [_("BRIN"), _("School"), _("Sector"), _("School board"), _("Status"), _("Submitted at")],
        [
            [
                r.school.code,
                r.school.name,
                r.school.get_sector_display(),
                r.school.board.name,
                r.status_label,
                _local(r.submitted_at),
            ]
            for r in picture.responses
        ],
    )
    yield (
        _("Delays"),
        [
            _("Domain"),
            _("Sector"),
            _("Schools"),
            *[str(label) for label in Severity.labels],
            _("Mean share of pupils (%)"),
        ],
        [
            [
                row.domain_label,
                row.sector_label,
                row.schools,
                *row.severity_counts,
                int(row.average_share),
            ]
            for row in picture.delay_rows
        ],
    )
    yield (
        _("Needs"),
        [_("Spending goal"), _("School"), _("Need")],
        [
            [str(entry.goal), need.school.name, need.description]
            for entry in picture.needs_by_goal
            for need in entry.needs
        ],
    )
    yield (
        _("Menu interventions"),
        [_("Intervention"), _("Schools")],
        [[name, count] for name, count in picture.menu_items],
    )
    yield (
        _("Free text"),
        [_("Question"), _("School"), _("Answer")],
        [
            *[
                [entry.question, item.school.name, item.description]
                for entry in picture.questions
                for item in entry.answers
            ],
            *[
                [_("Other remarks"), item.school.name, item.description]
                for item in picture.free_texts
            ],
        ],
    )


def filename(picture: NeedsPicture, extension: str) -> str:
    needs_round = picture.needs_round
    title = slugify(needs_round.title)[:40].strip("-")
    if needs_round.school_year not in title:
        title = f"{title}-{needs_round.school_year}"
    return f"behoeftebeeld-{needs_round.municipality.code}-{title}.{extension}"


def picture_xlsx(picture: NeedsPicture) -> bytes:
    """One sheet per table of the picture."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, header, rows in tables(picture):
        sheet = workbook.create_sheet(title[:31])
        append_row(sheet, header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_row(sheet, row)
        sheet.freeze_panes = "A2"
        for column, name in zip(sheet.columns, header, strict=False):
            width = max([len(str(name)), *(len(str(cell.value or "")) for cell in column)])
            sheet.column_dimensions[column[0].column_letter].width = min(width + 2, 80)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def combined_table(picture: NeedsPicture) -> tuple[list[str], list[list]]:
    """The picture's tables as one table, for a CSV, which holds one: a first column names
    the part a row belongs to, then every table's columns, a column the tables share (School,
    Sector, Schools) once; a row fills the columns of its own table."""
    parts = list(tables(picture))
    columns: list[str] = []
    for _title, header, _rows in parts:
        columns.extend(name for name in header if name not in columns)
    place = {name: index for index, name in enumerate(columns)}
    rows = []
    for title, header, table_rows in parts:
        for values in table_rows:
            row = [None] * len(columns)
            for name, value in zip(header, values, strict=True):
                row[place[name]] = value
            rows.append([title, *row])
    return [_("Part"), *columns], rows


def picture_csv(picture: NeedsPicture) -> str:
    """The picture as one table, written by the one CSV writer: the header on the first line,
    `;`-separated, decimal commas and dates as dd-mm-jjjj, UTF-8 with a byte-order mark."""
    header, rows = combined_table(picture)
    return csv_text(header, rows)
