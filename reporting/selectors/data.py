"""The accountability report's data: one object that the HTML preview, the PDF and the
spreadsheet all render. Every euro comes from finance's totals function."""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from accounts.models import Municipality
from finance.selectors import (
    ELIGIBILITY_LABELS,
    IneligibleSummary,
    final_position_of,
    finance_totals,
    ineligible_expenditures,
    ineligible_summary,
)
from plans.models import Plan, Programme
from plans.selectors import plan_decisions
from reporting.models import IndicatorKind, SisaYear

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
    """Every expenditure not charged to the grant in the report's year, streamed as rows of
    values: a model instance with its goal and intervention per line cost about a third of
    the report's spreadsheet (issue 32)."""
    members = list(Municipality.objects.filter(pk__in=data.member_ids))
    rows = ineligible_expenditures(municipalities=members, year=data.year).values_list(
        "date", "amount", "goal__name", "description", "eligibility"
    )
    reasons: dict[str, str] = {}
    for date, amount, goal, description, eligibility in rows.iterator(chunk_size=2000):
        reason = reasons.get(eligibility)
        if reason is None:
            reason = reasons[eligibility] = str(ELIGIBILITY_LABELS[eligibility])
        yield IneligibleRow(
            date=date, amount=amount, goal=goal, description=description, reason=reason
        )


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
