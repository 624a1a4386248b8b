"""The golden thread and the national monitor as XLSX, written through the safe-export
function from the same selectors the pages show."""

from __future__ import annotations

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from finance.selectors import ZERO
from insight.selectors import GoldenThread, NationalMonitor
from npo_portal.exports import append_row, percentage


def golden_thread_xlsx(thread: GoldenThread) -> bytes:
    """Three sheets: per school, per intervention, and the needs no intervention answers."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    schools = workbook.create_sheet(_("Schools"))
    append_row(
        schools,
        [
            _("School"),
            _("Code"),
            _("Round"),
            _("Delays"),
            _("Needs"),
            _("Intervention"),
            _("Share spent"),
        ],
    )
    for row in thread.schools:
        delays = "; ".join(
            f"{d.get_domain_display()}: {d.get_severity_display()}" for d in row.delays
        )
        needs = "; ".join(
            f"{line.need.description} ({', '.join(str(g) for g in line.goals)})"
            for line in row.needs
        )
        round_title = str(row.answer.round) if row.answer else ""
        if not row.interventions:
            append_row(
                schools, [row.school.name, row.school.code, round_title, delays, needs, "", None]
            )
        for share in row.interventions:
            append_row(
                schools,
                [
                    row.school.name,
                    row.school.code,
                    round_title,
                    delays,
                    needs,
                    str(share.intervention),
                    share.amount,
                ],
            )
    interventions = workbook.create_sheet(_("Interventions"))
    append_row(
        interventions,
        [
            _("Intervention"),
            _("Goal"),
            _("Schools reached"),
            _("Planned reach"),
            _("Reported reach"),
            _("Budget"),
            _("Spent"),
            _("Cost per pupil reached"),
            _("Shared by"),
        ],
    )
    for row in thread.interventions:
        append_row(
            interventions,
            [
                str(row.intervention),
                str(row.intervention.goal),
                len(row.schools),
                row.planned_reach,
                row.reported_reach,
                row.budget,
                row.spent,
                row.cost_per_pupil,
                _("planned reach") if row.shared_by_reach else _("evenly"),
            ],
        )
    unmet = workbook.create_sheet(_("Unmet needs"))
    append_row(unmet, [_("School"), _("Code"), _("Need"), _("Goal")])
    for need in thread.unmet_needs:
        append_row(
            unmet, [need.school.name, need.school.code, need.need.description, str(need.goal)]
        )
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()


def monitor_xlsx(monitor: NationalMonitor) -> bytes:
    """One row per municipality, in the shape of an interim monitoring request."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    sheet = workbook.create_sheet(_("Monitor %(year)s") % {"year": monitor.year})
    append_row(
        sheet,
        [
            _("CBS code"),
            _("Municipality"),
            _("Province"),
            _("Size class"),
            _("Allocation"),
            _("Received"),
            _("Spent in the year"),
            _("Spent cumulatively"),
            _("Share spent (%)"),
            _("At risk of reclaim"),
            _("Plan status"),
            _("Report status"),
            _("Needs rounds response (%)"),
            _("Settled"),
            _("Reclaimed"),
            _("Still paid out"),
            _("Programme closed"),
        ],
    )
    for row in monitor.rows:
        # The settlement decision's balance (issue 30): positive the municipality repays,
        # negative the Minister still pays; empty while no decision is recorded.
        reclaimed = max(row.to_repay, ZERO) if row.settled else None
        paid_out = max(-row.to_repay, ZERO) if row.settled else None
        append_row(
            sheet,
            [
                row.municipality.code,
                row.municipality.name,
                row.province,
                row.size_class,
                row.allocation,
                row.received,
                row.spent_year,
                row.spent_cumulative,
                percentage(row.share_spent),
                row.at_risk,
                row.plan_status,
                row.report_status,
                percentage(row.response_rate),
                _("yes") if row.settled else _("no"),
                reclaimed,
                paid_out,
                _("yes") if row.closed else _("no"),
            ],
        )
    stream = BytesIO()
    workbook.save(stream)
    return stream.getvalue()
