"""The accountability report's data: one object that the HTML preview, the PDF and the
spreadsheet all render. Every euro comes from finance's totals function."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance.selectors import (
    ELIGIBILITY_LABELS,
    IneligibleSummary,
    final_position_of,
    finance_programme,
    finance_totals,
    ineligible_expenditures,
    ineligible_summary,
)
from plans.models import Plan, Programme
from plans.selectors import plan_decisions
from reporting.models import AccountabilityReport, IndicatorKind, ReportStatus, SisaYear

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class IndicatorValue:
    number: str
    text: str
    audit: str
    amount: Decimal | None = None
    text_value: str = ""
    kind: str = ""

    @property
    def is_amount(self) -> bool:
        return self.amount is not None


@dataclass(frozen=True)
class BreakdownRow:
    code: str
    name: str
    budget: Decimal
    spent_year: Decimal
    spent_cumulative: Decimal
    goal: str = ""

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent_cumulative


@dataclass(frozen=True)
class IneligibleRow:
    date: datetime.date
    amount: Decimal
    goal: str
    description: str
    reason: str


@dataclass(frozen=True)
class ShareGoalRow:
    code: str
    name: str
    spent_year: Decimal
    spent_cumulative: Decimal


@dataclass(frozen=True)
class ShareRow:
    """One municipality's part of a merged grant: the successor's own or a predecessor's."""

    municipality_name: str
    municipality_code: str
    merged_on: datetime.date | None
    allocation: Decimal
    received_year: Decimal
    received_cumulative: Decimal
    spent_year: Decimal
    spent_cumulative: Decimal
    goals: list[ShareGoalRow] = field(default_factory=list)


@dataclass(frozen=True)
class ReasonRow:
    reason: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class MemberRow:
    municipality_name: str
    municipality_code: str
    allocation: Decimal
    eligible: Decimal
    last_own_report_year: int | None


@dataclass(frozen=True)
class FinalPositionData:
    """The final position as the eindverantwoording shows it (finance's `final_position`)."""

    allocation: Decimal
    received: Decimal
    eligible: Decimal
    ineligible: Decimal
    per_reason: list[ReasonRow]
    unspent: Decimal
    expected_settlement: Decimal
    expected_reclaim: Decimal
    members: list[MemberRow] = field(default_factory=list)


@dataclass(frozen=True)
class AdoptedVersion:
    number: int
    adopted_on: datetime.date
    reference: str


@dataclass(frozen=True)
class PlanDecisions:
    title: str = ""
    status: str = ""
    college_decided_on: datetime.date | None = None
    college_reference: str = ""
    council_informed_on: datetime.date | None = None
    council_reference: str = ""
    # Every version the college adopted, oldest first; a revised plan has more than one.
    adoptions: list[AdoptedVersion] = field(default_factory=list)

    @property
    def is_revised(self) -> bool:
        return len(self.adoptions) > 1


@dataclass
class ReportData:
    """Everything the accountability report of municipality M over year T shows."""

    municipality_name: str
    municipality_code: str
    year: int
    grant_name: str
    provider: str
    grant_code: str
    legal_basis: str
    annex_version: str
    period_start: datetime.date
    period_end: datetime.date
    allocation: Decimal
    decision_reference: str
    spent_year: Decimal
    spent_cumulative: Decimal
    budget: Decimal
    received_year: Decimal
    received_cumulative: Decimal
    ineligible_year: Decimal
    # Whether the report is the eindverantwoording (the report's choice, no longer a rule on
    # the year); the name stays so that data versions of unchanged reports stay the same.
    is_final_year: bool
    at_risk: Decimal
    explanation: str
    indicators: list[IndicatorValue] = field(default_factory=list)
    goals: list[BreakdownRow] = field(default_factory=list)
    interventions: list[BreakdownRow] = field(default_factory=list)
    # The first REPORT_INELIGIBLE_LINES expenditures not charged to the grant; the summary
    # counts and sums all of them, the spreadsheet and the audit dossier list every one.
    ineligible: list[IneligibleRow] = field(default_factory=list)
    ineligible_summary: IneligibleSummary = field(default_factory=IneligibleSummary)
    # The municipalities whose books the report covers: itself and any merged into it.
    member_ids: list[int] = field(default_factory=list)
    plan: PlanDecisions = field(default_factory=PlanDecisions)
    shares: list[ShareRow] = field(default_factory=list)
    # Only in the eindverantwoording (issue 30).
    final_position: FinalPositionData | None = None

    @property
    def year_label(self) -> str:
        """The year as text: years are never written with a thousands separator."""
        return str(self.year)

    @property
    def has_plan(self) -> bool:
        """Without a plan there is no budget: "geen plan", not a budget left below zero."""
        return bool(self.plan.title)

    @property
    def ineligible_truncated(self) -> bool:
        return self.ineligible_summary.count > len(self.ineligible)

    @property
    def remaining(self) -> Decimal:
        """Allocation not spent on the goals up to and including year T."""
        return self.allocation - self.spent_cumulative

    @property
    def balance(self) -> Decimal:
        """Received up to and including year T minus spent on the goals up to year T."""
        return self.received_cumulative - self.spent_cumulative

    @property
    def data_version(self) -> str:
        """SHA-256 over every figure and text of the report: the same data gives the same
        version, whenever and however often the report is built."""
        content = asdict(self)
        if content["final_position"] is None:
            # Reports without one keep the version they had before the field existed.
            del content["final_position"]
        canonical = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class FinalAccountingOption:
    """Whether the report of a municipality over a year may or must be its final accounting
    ("eindverantwoording"), and the reason in the user's words."""

    year: int
    first_year: int | None
    last_year: int | None
    allowed: bool
    required: bool
    reason: str = ""
    filed_year: int | None = None


def filed_final_accounting(*, municipality: Municipality) -> AccountabilityReport | None:
    """The municipality's eindverantwoording as filed: a report marked eindverantwoording
    and final ("definitief") whose year was not reopened."""
    return (
        AccountabilityReport.objects.filter(
            municipality=municipality, final_accounting=True, is_final=True, reopened_at=None
        )
        .select_related("municipality")
        .order_by("year")
        .first()
    )


def final_accounting_options(
    *, municipality: Municipality, years: list[int]
) -> dict[int, FinalAccountingOption]:
    """The eindverantwoording is filed once, over a year in the programme's window: any year
    in it may be chosen, the last one always is; once a final report is the
    eindverantwoording, no report over another year can be one (until that year is reopened).
    """
    programme = finance_programme()
    filed = filed_final_accounting(municipality=municipality)
    return {year: _option(municipality, year, programme, filed) for year in years}


def final_accounting_option(*, municipality: Municipality, year: int) -> FinalAccountingOption:
    """The eindverantwoording rule (see `final_accounting_options`) for one year."""
    return final_accounting_options(municipality=municipality, years=[year])[year]


def _option(
    municipality: Municipality,
    year: int,
    programme: Programme,
    filed: AccountabilityReport | None,
) -> FinalAccountingOption:
    first, last = programme.final_accounting_first_year, programme.final_accounting_last_year
    window = {"first": first, "last": last, "year": year}
    if year not in programme.final_accounting_years:
        return FinalAccountingOption(
            year=year,
            first_year=first,
            last_year=last,
            allowed=False,
            required=False,
            reason=_(
                "The eindverantwoording is filed over a reporting year from %(first)s up to "
                "and including %(last)s; %(year)s lies outside that window."
            )
            % window,
        )
    if filed is not None and filed.year != year:
        return FinalAccountingOption(
            year=year,
            first_year=first,
            last_year=last,
            allowed=False,
            required=False,
            filed_year=filed.year,
            reason=_(
                "%(name)s filed its eindverantwoording over %(filed)s (report %(identifier)s "
                "is final); a municipality files it only once."
            )
            % {"name": municipality.name, "filed": filed.year, "identifier": filed.identifier},
        )
    if year == last:
        return FinalAccountingOption(
            year=year,
            first_year=first,
            last_year=last,
            allowed=True,
            required=True,
            reason=_(
                "%(last)s is the last reporting year for the eindverantwoording: the report "
                "over it always is the eindverantwoording."
            )
            % window,
        )
    return FinalAccountingOption(
        year=year, first_year=first, last_year=last, allowed=True, required=False
    )


def final_accounting_default(*, municipality: Municipality, year: int) -> bool:
    """What a report over `year` is when nobody chooses: the choice recorded on the latest
    version over that year if it still holds, else the rule (the window's last year)."""
    option = final_accounting_option(municipality=municipality, year=year)
    latest = (
        AccountabilityReport.objects.filter(municipality=municipality, year=year)
        .order_by("-version")
        .values_list("final_accounting", flat=True)
        .first()
    )
    return option.required or bool(latest and option.allowed)


def report_data(
    *, municipality: Municipality, year: int, final_accounting: bool, explanation: str = ""
) -> ReportData:
    """The accountability report of `municipality` over `year`, from finance's totals; as the
    eindverantwoording (`final_accounting`) it shows the amount at risk of reclaim."""
    totals = finance_totals(municipality=municipality, today=datetime.date(year, 12, 31))
    programme = totals.programme
    sisa = SisaYear.objects.filter(year=year).first()
    year_totals = totals.year(year)
    members = [share.municipality for share in totals.shares] or [municipality]

    goals = [
        BreakdownRow(
            code=str(g.goal.number or g.goal.code.capitalize()),
            name=g.goal.name,
            budget=g.budget,
            spent_year=year_totals.per_goal.get(g.goal.pk, ZERO),
            spent_cumulative=year_totals.cumulative_per_goal.get(g.goal.pk, ZERO),
        )
        for g in totals.goals
    ]
    interventions = [
        BreakdownRow(
            code=i.intervention.code,
            name=i.intervention.title,
            goal=i.intervention.goal.name,
            budget=i.budget,
            spent_year=year_totals.per_intervention.get(i.intervention.pk, ZERO),
            spent_cumulative=year_totals.cumulative_per_intervention.get(i.intervention.pk, ZERO),
        )
        for i in totals.interventions
    ]
    loose_year = year_totals.per_intervention.get(None, ZERO)
    loose_cumulative = year_totals.cumulative_per_intervention.get(None, ZERO)
    if loose_year or loose_cumulative:
        interventions.append(
            BreakdownRow(
                code="-",
                name=_("Not charged to an intervention"),
                budget=ZERO,
                spent_year=loose_year,
                spent_cumulative=loose_cumulative,
            )
        )

    data = ReportData(
        municipality_name=municipality.name,
        municipality_code=municipality.code,
        year=year,
        grant_name=sisa.grant_name if sisa else programme.name,
        provider=sisa.provider if sisa else "OCW",
        grant_code=sisa.grant_code if sisa else "",
        legal_basis=sisa.legal_basis if sisa else programme.legal_basis,
        annex_version=sisa.annex_version if sisa else "",
        period_start=programme.start,
        period_end=programme.end,
        allocation=totals.allocation,
        decision_reference=totals.decision_reference,
        spent_year=year_totals.spent,
        spent_cumulative=year_totals.cumulative,
        budget=totals.budget,
        received_year=year_totals.received,
        received_cumulative=year_totals.cumulative_received,
        ineligible_year=year_totals.ineligible,
        is_final_year=final_accounting,
        at_risk=totals.at_risk if final_accounting else ZERO,
        explanation=explanation,
        goals=goals,
        interventions=interventions,
        ineligible=[
            ineligible_row(e)
            # The largest first: what a reader of a bounded list needs to see.
            for e in ineligible_expenditures(municipalities=members, year=year).order_by(
                "-amount", "date", "id"
            )[: settings.REPORT_INELIGIBLE_LINES]
        ],
        ineligible_summary=ineligible_summary(municipalities=members, year=year),
        member_ids=[m.pk for m in members],
        plan=_plan_decisions(municipality, programme),
        shares=[_share_row(share, year) for share in totals.shares],
        final_position=_final_position_data(totals) if final_accounting else None,
    )
    data.indicators = _indicators(sisa, data, year_totals) if sisa else []
    return data


def _final_position_data(totals) -> FinalPositionData:
    position = final_position_of(totals=totals)
    return FinalPositionData(
        allocation=position.allocation,
        received=position.received,
        eligible=position.eligible,
        ineligible=position.ineligible,
        per_reason=[
            ReasonRow(reason=g.label, count=g.count, amount=g.amount)
            for g in position.ineligible_by_reason
        ],
        unspent=position.unspent,
        expected_settlement=position.expected_settlement,
        expected_reclaim=position.expected_reclaim,
        members=[
            MemberRow(
                municipality_name=m.municipality.name,
                municipality_code=m.municipality.code,
                allocation=m.allocation,
                eligible=m.eligible,
                last_own_report_year=m.last_own_report_year,
            )
            for m in position.members
        ],
    )


def ineligible_row(expenditure) -> IneligibleRow:
    """An expenditure of `ineligible_expenditures` as the report lists it."""
    return IneligibleRow(
        date=expenditure.date,
        amount=expenditure.amount,
        goal=expenditure.goal.name,
        description=expenditure.description,
        reason=str(ELIGIBILITY_LABELS[expenditure.eligibility]),
    )


def all_ineligible_rows(data: ReportData):
    """Every expenditure not charged to the grant in the report's year, streamed."""
    members = list(Municipality.objects.filter(pk__in=data.member_ids))
    for expenditure in ineligible_expenditures(municipalities=members, year=data.year).iterator(
        chunk_size=2000
    ):
        yield ineligible_row(expenditure)


def _share_row(share, year: int) -> ShareRow:
    year_totals = share.year(year)
    return ShareRow(
        municipality_name=share.municipality.name,
        municipality_code=share.municipality.code,
        merged_on=share.municipality.merged_on,
        allocation=share.allocation,
        received_year=year_totals.received,
        received_cumulative=year_totals.cumulative_received,
        spent_year=year_totals.spent,
        spent_cumulative=year_totals.cumulative,
        goals=[
            ShareGoalRow(
                code=str(g.goal.number or g.goal.code.capitalize()),
                name=g.goal.name,
                spent_year=year_totals.per_goal.get(g.goal.pk, ZERO),
                spent_cumulative=year_totals.cumulative_per_goal.get(g.goal.pk, ZERO),
            )
            for g in share.goals
        ],
    )


def _indicators(sisa: SisaYear, data: ReportData, year_totals) -> list[IndicatorValue]:
    values = []
    for indicator in sisa.indicators.select_related("goal"):
        amount, text = None, ""
        if indicator.kind == IndicatorKind.SPENDING_YEAR:
            amount = data.spent_year
        elif indicator.kind == IndicatorKind.SPENDING_YEAR_GOAL:
            amount = year_totals.per_goal.get(indicator.goal_id, ZERO)
        elif indicator.kind == IndicatorKind.SPENDING_CUMULATIVE:
            amount = data.spent_cumulative
        elif indicator.kind == IndicatorKind.FINAL_ACCOUNTING:
            text = _("Yes") if data.is_final_year else _("No")
        else:
            text = data.explanation
        values.append(
            IndicatorValue(
                number=indicator.number,
                text=indicator.text,
                audit=indicator.get_audit_display(),
                amount=amount,
                text_value=text,
                kind=indicator.kind,
            )
        )
    return values


def _plan_decisions(municipality: Municipality, programme: Programme) -> PlanDecisions:
    plan = Plan.objects.filter(municipality=municipality, programme=programme).first()
    if plan is None:
        return PlanDecisions()
    decisions = plan_decisions(plan=plan)
    return PlanDecisions(
        title=plan.title,
        status=plan.get_status_display(),
        college_decided_on=decisions.college_decided_on,
        college_reference=decisions.college_reference,
        council_informed_on=decisions.council_informed_on,
        council_reference=decisions.council_reference,
        adoptions=[
            AdoptedVersion(number=a.number, adopted_on=a.adopted_on, reference=a.reference)
            for a in decisions.adoptions
        ],
    )


def current_batch_reports(*, batch_ids: list[int]) -> QuerySet[AccountabilityReport]:
    """Each municipality's latest version in each batch: a failed report that was queued
    again counts once, by its retry."""
    newer = AccountabilityReport.objects.filter(
        batch=OuterRef("batch"),
        municipality=OuterRef("municipality"),
        version__gt=OuterRef("version"),
    )
    return AccountabilityReport.objects.filter(batch_id__in=batch_ids).exclude(Exists(newer))


@dataclass(frozen=True)
class BatchSummary:
    """How far a batch is, counted per municipality."""

    total: int = 0
    done: int = 0
    failed: int = 0
    rendering: int = 0

    @property
    def ended(self) -> int:
        return self.done + self.failed

    @property
    def percent(self) -> int:
        return round(100 * self.ended / self.total) if self.total else 100

    @property
    def finished(self) -> bool:
        return self.ended == self.total


def batch_summaries(*, batch_ids: list[int]) -> dict[int, BatchSummary]:
    """The summary of each batch, in one query."""
    rows = (
        current_batch_reports(batch_ids=batch_ids)
        .order_by()
        .values("batch_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=ReportStatus.DONE)),
            failed=Count("pk", filter=Q(status=ReportStatus.FAILED)),
            rendering=Count("pk", filter=Q(status=ReportStatus.RUNNING)),
        )
    )
    summaries = {row.pop("batch_id"): BatchSummary(**row) for row in rows}
    return {pk: summaries.get(pk, BatchSummary()) for pk in batch_ids}


def batch_summary(*, batch_id: int) -> BatchSummary:
    return batch_summaries(batch_ids=[batch_id])[batch_id]


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


def report_statuses(*, year: int) -> dict[int, str]:
    """Per municipality id the state of its accountability report over `year`, for the
    national monitor: "built" once a version has been rendered, "final" when a version is
    final (and not reopened), "eindverantwoording" when that final version is the final
    accounting. Municipalities without a rendered report are absent. One query."""
    statuses: dict[int, str] = {}
    rank = {"built": 1, "final": 2, "eindverantwoording": 3}
    rows = AccountabilityReport.objects.filter(year=year, status=ReportStatus.DONE).values_list(
        "municipality_id", "is_final", "final_accounting", "reopened_at"
    )
    for municipality_id, is_final, final_accounting, reopened_at in rows:
        current_final = is_final and reopened_at is None
        status = (
            ("eindverantwoording" if final_accounting else "final") if current_final else "built"
        )
        if rank[status] > rank.get(statuses.get(municipality_id, ""), 0):
            statuses[municipality_id] = status
    return statuses
