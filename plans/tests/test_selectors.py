from decimal import Decimal

from plans.factories import InterventionFactory, PlanFactory, goal
from plans.selectors import budget_totals


def test_budget_totals_add_up_per_goal_per_year_per_intervention_and_in_total(
    world, django_assert_num_queries
):
    plan = PlanFactory(municipality=world.middelburg.municipality)
    summer = InterventionFactory(plan=plan, budgets={2022: "1000.10", 2023: "500.00"})
    InterventionFactory(plan=plan, budgets={2022: "0.90"})
    care = InterventionFactory(plan=plan, goal=goal("zorg_welzijn"), budgets={2025: "250.00"})
    other = PlanFactory(municipality=world.vlissingen.municipality)
    InterventionFactory(plan=other, budgets={2022: "99999.00"})
    with django_assert_num_queries(2):
        totals = budget_totals(plan=plan)
    bovenschools, zorg = goal("bovenschools").pk, goal("zorg_welzijn").pk
    assert totals.years == [2021, 2022, 2023, 2024, 2025]
    assert totals.goal_year(bovenschools, 2022) == Decimal("1001.00")
    assert totals.goal_year(zorg, 2025) == Decimal("250.00")
    assert totals.goal_year(zorg, 2021) == Decimal("0.00")
    assert totals.by_year == {
        2021: Decimal("0.00"),
        2022: Decimal("1001.00"),
        2023: Decimal("500.00"),
        2024: Decimal("0.00"),
        2025: Decimal("250.00"),
    }
    assert totals.by_goal[bovenschools] == Decimal("1501.00")
    assert totals.intervention(summer.pk) == Decimal("1500.10")
    assert totals.intervention_year(care.pk, 2025) == Decimal("250.00")
    assert totals.total == Decimal("1751.00")
    assert all(isinstance(v, Decimal) for v in totals.by_goal.values())
    assert [row["total"] for row in totals.rows()][:3] == [
        Decimal("1501.00"),
        Decimal("0.00"),
        Decimal("250.00"),
    ]


def test_budget_totals_of_an_empty_plan_are_zero(world):
    totals = budget_totals(plan=PlanFactory(municipality=world.middelburg.municipality))
    assert totals.total == Decimal("0.00")
    assert totals.year_amounts() == [Decimal("0.00")] * 5
