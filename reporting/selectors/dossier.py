"""The controledossier of a report, and the SiSa years still to be confirmed."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from accounts.models import Municipality
from finance.selectors import (
    finance_programme,
    ineligible_expenditures,
)
from reporting.models import AccountabilityReport, SisaYear
from reporting.selectors.data import ReportData, report_data


def unconfirmed_sisa_years(*, years) -> list[SisaYear]:
    """The years among `years` whose uitkeringscode and indicator numbers nobody confirmed:
    a warning for the functional administrator, and whether overridden or not, a reason to
    look before a report over them is marked final."""
    return list(SisaYear.objects.filter(year__in=set(years), grant_code_confirmed=False))


@dataclass
class Dossier:
    """The controledossier of one report: the rows behind every SiSa figure, the payments,
    the expenditures not charged and the changes to those rows since the previous final
    report. Its figures are the report's own (`report_data`, from finance's totals)."""

    report: AccountabilityReport
    data: ReportData
    year_expenditures: QuerySet
    cumulative_expenditures: QuerySet
    payments: QuerySet
    ineligible: QuerySet
    expenditure_changes: QuerySet
    payment_changes: QuerySet
    previous_final: AccountabilityReport | None

    @property
    def agrees_with_stored_report(self) -> bool:
        return not self.report.data_version or self.report.data_version == self.data.data_version


def report_dossier(*, report: AccountabilityReport) -> Dossier:
    """The audit dossier of `report`: the same figures as the report (mergers included: the
    rows of every municipality whose books it covers), and querysets of the rows that make
    them, oldest first, to list or stream."""
    from finance.models import Expenditure, Payment

    data = report_data(
        municipality=report.municipality,
        year=report.year,
        final_accounting=report.final_accounting,
        explanation=report.explanation,
    )
    programme = finance_programme()
    start, end = datetime.date(report.year, 1, 1), datetime.date(report.year, 12, 31)
    eligible = (
        Expenditure.objects.filter(municipality_id__in=data.member_ids, programme=programme)
        .eligible()
        .select_related("goal", "intervention", "municipality")
        .order_by("date", "id")
    )
    previous_final = (
        AccountabilityReport.objects.filter(
            municipality=report.municipality, is_final=True, finalised_at__isnull=False
        )
        .exclude(pk=report.pk)
        .filter(finalised_at__lt=report.finalised_at or report.created_at)
        .order_by("-finalised_at")
        .first()
    )
    since = previous_final.finalised_at if previous_final else None

    def changes(history):
        rows = history.filter(municipality_id__in=data.member_ids)
        if since:
            rows = rows.filter(history_date__gt=since)
        return rows.select_related("history_user").order_by("history_date", "history_id")

    return Dossier(
        report=report,
        data=data,
        year_expenditures=eligible.filter(date__gte=start, date__lte=end),
        cumulative_expenditures=eligible.filter(date__lte=end),
        payments=Payment.objects.filter(
            municipality_id__in=data.member_ids, programme=programme, date__lte=end
        )
        .select_related("municipality")
        .order_by("date", "id"),
        ineligible=ineligible_expenditures(
            municipalities=list(Municipality.objects.filter(pk__in=data.member_ids)),
            year=report.year,
        ).select_related("municipality"),
        expenditure_changes=changes(Expenditure.history),
        payment_changes=changes(Payment.history),
        previous_final=previous_final,
    )
