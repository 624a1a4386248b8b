"""The accountability report's data: one object that the HTML preview, the PDF and the
spreadsheet all render. Every euro comes from finance's totals function."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance.selectors import (
    ELIGIBILITY_LABELS,
    finance_programme,
    finance_totals,
    ineligible_expenditures,
)
from plans.models import Plan, PlanStatus, Programme
from reporting.models import AccountabilityReport, IndicatorKind, ReportStatus, SisaYear

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class IndicatorValue:
    number: str
    text: str
    audit: str
    amount: Decimal | None = None
    text_value: str = ""

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
class PlanDecisions:
    title: str = ""
    status: str = ""
    college_decided_on: datetime.date | None = None
    college_reference: str = ""
    council_informed_on: datetime.date | None = None
    council_reference: str = ""


@dataclass
class ReportData:
    """Everything the accountability report of municipality M over year T shows."""

    municipality_name: str
    municipality_code: str
    year: int
    grant_name: str
    provider: str
    grant_code: str
    grant_code_confirmed: bool
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
    ineligible: list[IneligibleRow] = field(default_factory=list)
    plan: PlanDecisions = field(default_factory=PlanDecisions)
    shares: list[ShareRow] = field(default_factory=list)

    @property
    def year_label(self) -> str:
        """The year as text: years are never written with a thousands separator."""
        return str(self.year)

    @property
    def balance(self) -> Decimal:
        """Received up to and including year T minus spent on the goals up to year T."""
        return self.received_cumulative - self.spent_cumulative

    @property
    def data_version(self) -> str:
        """SHA-256 over every figure and text of the report: the same data gives the same
        version, whenever and however often the report is built."""
        canonical = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
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
        grant_code_confirmed=bool(sisa and sisa.grant_code_confirmed),
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
            IneligibleRow(
                date=e.date,
                amount=e.amount,
                goal=e.goal.name,
                description=e.description,
                reason=str(ELIGIBILITY_LABELS[e.eligibility]),
            )
            for e in ineligible_expenditures(
                municipalities=[share.municipality for share in totals.shares] or [municipality],
                year=year,
            )
        ],
        plan=_plan_decisions(municipality, programme),
        shares=[_share_row(share, year) for share in totals.shares],
    )
    data.indicators = _indicators(sisa, data, year_totals) if sisa else []
    return data


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
            )
        )
    return values


def _plan_decisions(municipality: Municipality, programme: Programme) -> PlanDecisions:
    plan = Plan.objects.filter(municipality=municipality, programme=programme).first()
    if plan is None:
        return PlanDecisions()
    adopted = plan.transitions.filter(to_status=PlanStatus.ADOPTED).order_by("-at", "-pk").first()
    return PlanDecisions(
        title=plan.title,
        status=plan.get_status_display(),
        college_decided_on=(adopted.decided_on or adopted.at.date()) if adopted else None,
        college_reference=adopted.decision_reference if adopted else "",
        council_informed_on=plan.council_informed_on,
        council_reference=plan.council_reference,
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
            rendering=Count("pk", filter=Q(status=ReportStatus.RENDERING)),
        )
    )
    summaries = {row.pop("batch_id"): BatchSummary(**row) for row in rows}
    return {pk: summaries.get(pk, BatchSummary()) for pk in batch_ids}


def batch_summary(*, batch_id: int) -> BatchSummary:
    return batch_summaries(batch_ids=[batch_id])[batch_id]


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
