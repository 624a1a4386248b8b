"""Reading plans: THE place that adds up intervention budgets, and what the plan pages show.

Finance compares spending with the plan through `budget_totals`; nothing else sums budgets.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.formats import date_format

from npo_portal.audit import AuditSource, audit_page, history
from npo_portal.changelog import logged_changes
from plans import rules
from plans.models import (
    Allocation,
    ConsultationMoment,
    Intervention,
    InterventionBudget,
    Plan,
    PlanStatus,
    PlanTransition,
    PlanVersion,
    SpendingGoal,
    TransitionKind,
)
from schools.models import School

ZERO = Decimal("0.00")


@dataclass
class BudgetTotals:
    """A plan's budgets added up; every amount is a Decimal, missing combinations are zero."""

    years: list[int]
    goals: list[SpendingGoal]
    by_goal_year: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    by_year: dict[int, Decimal] = field(default_factory=dict)
    by_goal: dict[int, Decimal] = field(default_factory=dict)
    by_intervention: dict[int, Decimal] = field(default_factory=dict)
    by_intervention_year: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    total: Decimal = ZERO

    def goal_year(self, goal_id: int, year: int) -> Decimal:
        return self.by_goal_year.get((goal_id, year), ZERO)

    def intervention(self, intervention_id: int) -> Decimal:
        return self.by_intervention.get(intervention_id, ZERO)

    def intervention_year(self, intervention_id: int, year: int) -> Decimal:
        return self.by_intervention_year.get((intervention_id, year), ZERO)

    def rows(self) -> list[dict]:
        """One row per goal or category: its amounts per year and its total (for tables)."""
        return [
            {
                "goal": goal,
                "amounts": [self.goal_year(goal.pk, year) for year in self.years],
                "total": self.by_goal.get(goal.pk, ZERO),
            }
            for goal in self.goals
        ]

    def year_amounts(self) -> list[Decimal]:
        return [self.by_year.get(year, ZERO) for year in self.years]


def budget_totals(*, plan: Plan) -> BudgetTotals:
    """The plan's budget per goal per year, per year, per goal, per intervention and in total.

    Two queries whatever the number of interventions. Years are those of the programme
    period plus any year a budget was (wrongly) entered for, so nothing is silently dropped.
    """
    goals = list(SpendingGoal.objects.filter(programme_id=plan.programme_id))
    rows = InterventionBudget.objects.filter(intervention__plan=plan).values_list(
        "intervention_id", "intervention__goal_id", "year", "amount"
    )
    by_goal_year: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    by_year: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_goal: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_intervention: dict[int, Decimal] = defaultdict(lambda: ZERO)
    by_intervention_year: dict[tuple[int, int], Decimal] = {}
    total = ZERO
    for intervention_id, goal_id, year, amount in rows:
        by_goal_year[goal_id, year] += amount
        by_year[year] += amount
        by_goal[goal_id] += amount
        by_intervention[intervention_id] += amount
        by_intervention_year[intervention_id, year] = amount
        total += amount
    years = sorted(set(rules.programme_years(plan.programme)) | set(by_year))
    return BudgetTotals(
        years=years,
        goals=goals,
        by_goal_year=dict(by_goal_year),
        by_year={year: by_year.get(year, ZERO) for year in years},
        by_goal={goal.pk: by_goal.get(goal.pk, ZERO) for goal in goals},
        by_intervention=dict(by_intervention),
        by_intervention_year=by_intervention_year,
        total=total,
    )


def plan_for_municipality(*, user, municipality_id: int) -> Plan | None:
    """The plan of a municipality, if it has one and `user` may see it (for the home page's
    card and the plan menu's redirect: without its texts, programme or municipality)."""
    return (
        Plan.objects.for_user(user)
        .defer("context", "aims")
        .filter(municipality_id=municipality_id)
        .first()
    )


def merged_plans(*, user, plan: Plan) -> list[Plan]:
    """The plans of municipalities that merged into the plan's municipality: the successor
    carries them on (read-only) beside its own."""
    return list(
        Plan.objects.for_user(user)
        .filter(municipality__successor=plan.municipality_id, programme=plan.programme_id)
        .select_related("municipality")
        .order_by("municipality__name")
    )


def plan_interventions(*, plan: Plan, reach: bool = True) -> QuerySet[Intervention]:
    """The plan's interventions with what the plan pages show, in a fixed number of queries.
    `reach`: with the schools and boards each reaches (the printed plan names them; the plan
    page does not, and for a city they are most of the page's rows)."""
    interventions = plan.interventions.select_related("goal", "menu_item__area").order_by(
        "goal__order", "code"
    )
    return interventions.prefetch_related("schools", "school_boards") if reach else interventions


def interventions_by_goal(*, interventions: list[Intervention], totals: BudgetTotals) -> list[dict]:
    """Interventions grouped under their goal or category, in the goals' order, with budgets."""
    groups = []
    for goal in totals.goals:
        members = [i for i in interventions if i.goal_id == goal.pk]
        groups.append(
            {
                "goal": goal,
                "interventions": [
                    {
                        "intervention": i,
                        "amounts": [totals.intervention_year(i.pk, y) for y in totals.years],
                        "total": totals.intervention(i.pk),
                    }
                    for i in members
                ],
                "total": totals.by_goal.get(goal.pk, ZERO),
            }
        )
    return groups


def reachable_schools(*, plan: Plan, intervention: Intervention | None = None) -> QuerySet[School]:
    """The municipality's open school locations, and any closed one the intervention already
    reaches: a closed location keeps its history but is not newly added."""
    offered = Q(closed_on__isnull=True)
    if intervention is not None and intervention.pk:
        offered |= Q(pk__in=intervention.schools.values("pk"))
    return School.objects.filter(municipality=plan.municipality_id).filter(offered)


def allocation_for(*, plan: Plan) -> Allocation | None:
    """What the plan's municipality was granted for the programme, if recorded."""
    return Allocation.objects.filter(
        programme_id=plan.programme_id, municipality_id=plan.municipality_id
    ).first()


def intervention_problems(
    *, plan: Plan, interventions: list[Intervention], totals: BudgetTotals
) -> list[str]:
    """Existing interventions checked again against the rules (the programme may have changed)."""
    problems = []
    for intervention in interventions:
        found = (
            rules.period_problems(
                programme=plan.programme, start=intervention.start, end=intervention.end
            )
            + rules.target_group_problems(target_groups=intervention.target_groups)
            + rules.budget_year_problems(
                programme=plan.programme,
                years=[
                    y for y in totals.years if (intervention.pk, y) in totals.by_intervention_year
                ],
            )
            + rules.menu_item_problems(
                menu_item=intervention.menu_item, start=intervention.start, end=intervention.end
            )
        )
        problems.extend(f"{intervention.code} {intervention.title}: {p}" for p in found)
    return problems


def plan_overview(*, plan: Plan, reach: bool = True) -> dict:
    """Everything the plan page and the printable plan show, in a constant number of queries
    (`reach`: as `plan_interventions`)."""
    return {**plan_figures(plan=plan, reach=reach), **plan_process(plan=plan)}


def plan_figures(*, plan: Plan, reach: bool = True) -> dict:
    """The plan's money and measures: its budget per goal and year, the interventions under
    their goals, the allocation and what to check before the college decides. All of it is
    read from tables whose writes `figures_version` counts."""
    totals = budget_totals(plan=plan)
    interventions = list(plan_interventions(plan=plan, reach=reach))
    allocation = allocation_for(plan=plan)
    allocation_amount = allocation.amount if allocation else None
    return {
        "plan": plan,
        "totals": totals,
        "groups": interventions_by_goal(interventions=interventions, totals=totals),
        "intervention_count": len(interventions),
        "allocation": allocation,
        "remaining": allocation_amount - totals.total if allocation else None,
        "allocation_notices": rules.allocation_notices(
            allocation_amount=allocation_amount, total=totals.total, by_year=totals.by_year
        ),
        "intervention_problems": intervention_problems(
            plan=plan, interventions=interventions, totals=totals
        ),
    }


def plan_process(*, plan: Plan) -> dict:
    """The plan's consultations, decision history and adopted versions."""
    return {
        "consultations": list(ConsultationMoment.objects.filter(plan=plan)),
        "transitions": list(
            PlanTransition.objects.filter(plan=plan).select_related("by").order_by("-at", "-pk")
        ),
        "versions": list(PlanVersion.objects.filter(plan=plan).defer("snapshot")),
    }


def figures_version(*, plan: Plan) -> int:
    """A number that grows with every write to what `plan_figures` reads, one small query.

    The money change log (`insight.MoneyChange`) gets a row, from database triggers in the
    writing transaction, for every statement that writes the plan, its interventions, their
    budgets or the municipality's allocation, and a row for everyone when the programme, its
    spending goals or the menukaart (plans migration 0012) change. The plan page keys its
    cached figures by it. The log is insight's: looked up by name, as plans does not import
    the apps that build on it."""
    return logged_changes(
        apps.get_model("insight", "MoneyChange"), municipality_ids=[plan.municipality_id]
    )


def plan_snapshot(*, plan: Plan) -> dict:
    """The plan's texts, interventions and budgets as plain data, to keep as an adopted version."""
    totals = budget_totals(plan=plan)
    interventions = list(plan_interventions(plan=plan))
    return {
        "title": plan.title,
        "municipality": {"code": plan.municipality.code, "name": plan.municipality.name},
        "context": plan.context,
        "aims": plan.aims,
        "years": totals.years,
        "interventions": [
            {
                "code": i.code,
                "title": i.title,
                "description": i.description,
                "goal": {"code": i.goal.code, "name": str(i.goal)},
                "menu_item": str(i.menu_item) if i.menu_item else "",
                "target_groups": list(i.target_groups),
                "partners": list(i.partners),
                "other_partners": i.other_partners,
                "schools": [str(school) for school in i.schools.all()],
                "school_boards": [str(board) for board in i.school_boards.all()],
                "start": i.start.isoformat(),
                "end": i.end.isoformat(),
                "planned_reach": i.planned_reach,
                "status": i.status,
                "budgets": {
                    str(year): str(totals.intervention_year(i.pk, year)) for year in totals.years
                },
                "total": str(totals.intervention(i.pk)),
            }
            for i in interventions
        ],
        "goals": [
            {
                "code": row["goal"].code,
                "name": str(row["goal"]),
                "amounts": [str(amount) for amount in row["amounts"]],
                "total": str(row["total"]),
            }
            for row in totals.rows()
        ],
        "year_totals": [str(amount) for amount in totals.year_amounts()],
        "total": str(totals.total),
    }


def plan_history(*, plan: Plan, page_number=None):
    """One page of every change to the plan, its interventions (deleted ones too), their
    budgets and the consultation moments, newest first."""
    ever_in_plan = history(Intervention).filter(plan_id=plan.pk).values("id")
    return audit_page(
        sources=[
            AuditSource(history(Plan).filter(id=plan.pk), lambda row: row.title),
            AuditSource(
                history(Intervention).filter(plan_id=plan.pk),
                lambda row: f"{row.code} {row.title}",
            ),
            AuditSource(
                history(InterventionBudget).filter(intervention_id__in=ever_in_plan),
                lambda row: str(row.year),
            ),
            AuditSource(
                history(ConsultationMoment).filter(plan_id=plan.pk),
                lambda row: (
                    f"{date_format(row.date, 'SHORT_DATE_FORMAT')} {row.get_body_display()}"
                ),
            ),
        ],
        page_number=page_number,
    )


@dataclass(frozen=True)
class Adoption:
    """One version of the plan as the college adopted it."""

    number: int
    adopted_on: datetime.date
    reference: str


@dataclass(frozen=True)
class PlanDecisions:
    """The decisions on a plan a report cites: the college's latest adoption, the council's
    information letter on its own, and every adopted version."""

    college_decided_on: datetime.date | None
    college_reference: str
    council_informed_on: datetime.date | None
    council_reference: str
    adoptions: list[Adoption]


def plan_decisions(*, plan: Plan) -> PlanDecisions:
    """Only a status step to "adopted" is a college decision; informing the council (a
    raadsinformatiebrief) keeps the status "adopted" but adopts nothing."""
    adopted = (
        plan.transitions.filter(kind=TransitionKind.STATUS, to_status=PlanStatus.ADOPTED)
        .order_by("-at", "-pk")
        .first()
    )
    return PlanDecisions(
        college_decided_on=(adopted.decided_on or adopted.at.date()) if adopted else None,
        college_reference=adopted.decision_reference if adopted else "",
        council_informed_on=plan.council_informed_on,
        council_reference=plan.council_reference,
        adoptions=[
            Adoption(number=v.number, adopted_on=v.adopted_on, reference=v.decision_reference)
            for v in plan.versions.order_by("number")
        ],
    )
