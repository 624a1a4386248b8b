"""The spending summary `finance_totals` reads never drifts from the expenditures: after any
sequence of the services' writes (create, edit, delete, import, API push, merger) the summary,
kept by adding each write's sums, equals a fresh aggregation, and the totals equal the sums
over every expenditure."""

import contextlib
import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.factories import MunicipalityFactory
from accounts.selectors import grant_members
from finance import services
from finance.mergers import merge_municipalities
from finance.models import Eligibility, Expenditure, SpendingSummary
from finance.selectors import accounts_in_successor, finance_programme, finance_totals
from finance.services import ImportRejected, RowsRejected
from finance.summary import rebuild_spending_summary
from plans.factories import InterventionFactory, PlanFactory, goal
from plans.models import GoalKind, Programme, SpendingGoal

FIRST_DAY = datetime.date(2021, 6, 1)
DAYS = (datetime.date(2025, 12, 31) - FIRST_DAY).days
TODAY = datetime.date(2026, 1, 15)
GOALS = ["bovenschools", "voorschools", "zorg_welzijn", "thuiszitters", "huisvesting"]

days = st.integers(0, DAYS).map(lambda n: FIRST_DAY + datetime.timedelta(days=n))
amounts = st.integers(-50_000, 2_000_000).filter(bool).map(lambda c: Decimal(c) / 100)
# The last index is a goal of another programme: recorded, never charged to the grant.
goal_indexes = st.integers(0, len(GOALS))
create = st.tuples(st.just("create"), st.integers(0, 1), days, amounts, goal_indexes, st.booleans())
update = st.tuples(st.just("update"), st.integers(0, 10**6), days, amounts, goal_indexes)
delete = st.tuples(st.just("delete"), st.integers(0, 10**6))
import_rows = st.lists(
    st.tuples(days, amounts, st.integers(0, len(GOALS) - 1), st.booleans()),
    min_size=1,
    max_size=6,
)
import_file = st.tuples(st.just("import"), st.integers(0, 1), import_rows)
# Rows pushed through the API's bulk call; a few extern ids, so that pushes repeat rows
# already recorded (nothing is added again) or repeat a booking under another id.
push_rows = st.lists(
    st.tuples(days, amounts, st.integers(0, len(GOALS) - 1), st.booleans(), st.integers(0, 5)),
    min_size=1,
    max_size=6,
    unique_by=lambda row: row[4],  # a push naming one extern id twice is refused whole
)
push = st.tuples(st.just("push"), st.integers(0, 1), push_rows)
merger = st.tuples(st.just("merge"), days)
operations = st.lists(st.one_of(create, update, delete, import_file, push, merger), max_size=14)


@pytest.fixture
def ledger(db):
    """Two municipalities with a plan each (one intervention on goal 1), and the goals."""
    programme = finance_programme()
    other = Programme.objects.create(
        slug="ander-programma",
        name="Ander programma",
        start=datetime.date(2021, 1, 1),
        end=datetime.date(2030, 12, 31),
    )
    foreign_goal = SpendingGoal.objects.create(
        programme=other, code="ander-doel", kind=GoalKind.EXTRA_CATEGORY, name="Ander doel"
    )
    municipalities = [
        MunicipalityFactory(code="GM7001", name="Opvolger"),
        MunicipalityFactory(code="GM7002", name="Voorganger"),
    ]
    interventions = [
        InterventionFactory(plan=PlanFactory(municipality=m), goal=goal("bovenschools"))
        for m in municipalities
    ]
    return {
        "programme": programme,
        "municipalities": municipalities,
        "interventions": interventions,
        "goals": [goal(code) for code in GOALS] + [foreign_goal],
    }


def _summary_rows() -> dict:
    return {
        (r.programme_id, r.municipality_id, r.month, r.goal_id, r.intervention_id): (
            r.total,
            r.count,
        )
        for r in SpendingSummary.objects.all()
    }


def _fresh_aggregation() -> dict:
    return {
        (
            r["programme_id"],
            r["municipality_id"],
            r["month"],
            r["goal_id"],
            r["intervention_id"],
        ): (r["total"], r["count"])
        for r in Expenditure.objects.annotate(month=TruncMonth("date"))
        .values("programme_id", "municipality_id", "month", "goal_id", "intervention_id")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by()
    }


def _sums_over_every_expenditure(members, *, successor=None) -> dict:
    """What the totals must show, added up row by row from the expenditures. For a merged
    grant (`successor`), a predecessor's rows count in the month and year figures of the
    years the merger rule gives the successor, and in the cumulative figures always."""

    def in_breakdown(e) -> bool:
        return (
            successor is None
            or e.municipality_id == successor.pk
            or accounts_in_successor(member=e.municipality, year=e.date.year)
        )

    sums = {
        "spent": Decimal("0.00"),
        "ineligible": Decimal("0.00"),
        "ineligible_count": 0,
        "per_month": defaultdict(Decimal),
        "per_year_goal": defaultdict(Decimal),
        "per_year_intervention": defaultdict(Decimal),
        "ineligible_per_year": defaultdict(Decimal),
    }
    expenditures = Expenditure.objects.filter(municipality__in=members).select_related(
        "municipality"
    )
    for e in expenditures.with_eligibility():
        if e.eligibility != Eligibility.ELIGIBLE:
            sums["ineligible"] += e.amount
            sums["ineligible_count"] += 1
            if in_breakdown(e):
                sums["ineligible_per_year"][e.date.year] += e.amount
            continue
        sums["spent"] += e.amount
        if not in_breakdown(e):
            continue
        sums["per_month"][e.date.replace(day=1)] += e.amount
        sums["per_year_goal"][(e.date.year, e.goal_id)] += e.amount
        sums["per_year_intervention"][(e.date.year, e.intervention_id)] += e.amount
    return sums


def _shown(totals) -> dict:
    return {
        "spent": totals.spent,
        "ineligible": totals.ineligible,
        "ineligible_count": totals.ineligible_count,
        "per_month": {m.month: m.spent for m in totals.months if m.spent},
        "per_year_goal": {
            (y.year, g): amount for y in totals.years for g, amount in y.per_goal.items() if amount
        },
        "per_year_intervention": {
            (y.year, i): amount
            for y in totals.years
            for i, amount in y.per_intervention.items()
            if amount
        },
        "ineligible_per_year": {y.year: y.ineligible for y in totals.years if y.ineligible},
    }


def _expected(sums) -> dict:
    return {
        key: {k: v for k, v in value.items() if v} if isinstance(value, dict) else value
        for key, value in sums.items()
    }


def _apply(operation, ledger) -> None:
    municipalities, goals = ledger["municipalities"], ledger["goals"]
    kind = operation[0]
    if kind == "create":
        _kind, which, day, amount, goal_index, on_intervention = operation
        chosen = goals[goal_index]
        services.create_expenditure(
            municipality=municipalities[which],
            user=None,
            date=day,
            amount=amount,
            goal=chosen,
            description=f"Uitgave {day} {amount}",
            intervention=(
                ledger["interventions"][which]
                if on_intervention and chosen.code == "bovenschools"
                else None
            ),
        )
    elif kind in ("update", "delete"):
        recorded = list(Expenditure.objects.order_by("pk"))
        if not recorded:
            return
        expenditure = recorded[operation[1] % len(recorded)]
        if kind == "delete":
            services.delete_expenditure(expenditure=expenditure, user=None)
            return
        _kind, _pick, day, amount, goal_index = operation
        changes = {"date": day, "amount": amount, "goal": goals[goal_index]}
        if goals[goal_index].pk != expenditure.goal_id:
            changes["intervention"] = None
        services.update_expenditure(expenditure=expenditure, user=None, **changes)
    elif kind == "import":
        _kind, which, rows = operation
        lines = ["datum;bedrag;bestedingsdoel;interventie;omschrijving;leverancier;factuurnummer"]
        intervention = ledger["interventions"][which]
        for number, (day, amount, goal_index, on_intervention) in enumerate(rows):
            code = GOALS[goal_index]
            lines.append(
                f"{day:%d-%m-%Y};{amount:.2f};{code};"
                f"{intervention.code if on_intervention and code == 'bovenschools' else ''};"
                f"Geïmporteerd {number};Leverancier;F-{day:%Y%m%d}-{number}"
            )
        services.import_expenditures(
            municipality=municipalities[which], data="\n".join(lines).encode(), user=None
        )
    elif kind == "push":
        _kind, which, rows = operation
        intervention = ledger["interventions"][which]
        services.record_expenditures(
            municipality=municipalities[which],
            rows=[
                {
                    "datum": day.isoformat(),
                    "bedrag": f"{amount:.2f}",
                    "bestedingsdoel": GOALS[goal_index],
                    "interventie": (
                        intervention.code
                        if on_intervention and GOALS[goal_index] == "bovenschools"
                        else ""
                    ),
                    "omschrijving": "Geboekt",
                    "leverancier": "Leverancier",
                    "factuurnummer": f"P-{day:%Y%m%d}",
                    "extern_id": f"BOEKING-{extern}",
                }
                for day, amount, goal_index, on_intervention, extern in rows
            ],
            user=None,
        )
    elif kind == "merge":
        merge_municipalities(
            successor=municipalities[0],
            predecessors=[municipalities[1]],
            day=operation[1],
            move_users=True,
            user=None,
        )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    operations=operations,
    # A period starting on the 1st reads whole months from the summary; one starting on the
    # 15th makes that month straddle the period, which is read from the expenditures.
    start_day=st.sampled_from([1, 15]),
)
def test_spending_summary_equals_the_full_aggregation_after_random_writes(
    ledger, operations, start_day
):
    with transaction.atomic():
        programme = ledger["programme"]
        programme.start = programme.start.replace(day=start_day)
        programme.save()
        for operation in operations:
            # A refused write changes nothing, and must leave the summary alone too.
            with contextlib.suppress(ValidationError, ImportRejected, RowsRejected):
                _apply(operation, ledger)
            # After every write, not only at the end: a drift that a later write would
            # happen to undo is caught too.
            assert _summary_rows() == _fresh_aggregation()

        assert _summary_rows() == _fresh_aggregation()
        successor = ledger["municipalities"][0]
        members = grant_members(municipality=successor, on=TODAY)
        totals = finance_totals(municipality=successor, today=TODAY)
        assert _shown(totals) == _expected(
            _sums_over_every_expenditure(members, successor=successor)
        )
        for share in totals.shares:
            assert _shown(share) == _expected(_sums_over_every_expenditure([share.municipality]))
        transaction.set_rollback(True)


def test_rebuilding_the_summary_gives_what_the_services_kept(ledger):
    municipality = ledger["municipalities"][0]
    for day, amount in ((datetime.date(2022, 3, 1), "10.00"), (datetime.date(2025, 8, 2), "5")):
        services.create_expenditure(
            municipality=municipality,
            user=None,
            date=day,
            amount=Decimal(amount),
            goal=goal("huisvesting"),
            description=f"Uitgave {day}",
        )
    kept = _summary_rows()
    rebuild_spending_summary()
    assert _summary_rows() == kept == _fresh_aggregation()
    assert len(kept) == 2
