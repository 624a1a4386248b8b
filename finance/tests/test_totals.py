import datetime
from decimal import Decimal

import pytest

from finance.factories import AllocationFactory, ExpenditureFactory, PaymentFactory
from finance.models import Eligibility, Expenditure, PaymentScheduleEntry
from finance.selectors import expected_payments, finance_totals
from plans.factories import InterventionFactory, PlanFactory, goal, programme
from plans.models import SpendingGoal


def totals_for(municipality, today=datetime.date(2026, 1, 1)):
    return finance_totals(municipality=municipality, today=today)


def test_expenditures_on_the_first_and_last_day_of_the_period_are_counted(middelburg):
    period = programme()
    ExpenditureFactory(municipality=middelburg, date=period.start, amount=Decimal("100.00"))
    ExpenditureFactory(municipality=middelburg, date=period.end, amount=Decimal("200.00"))
    assert totals_for(middelburg).spent == Decimal("300.00")


def test_expenditures_the_day_before_and_after_the_period_are_not_counted(middelburg):
    period = programme()
    day = datetime.timedelta(days=1)
    ExpenditureFactory(municipality=middelburg, date=period.start - day, amount=Decimal("100.00"))
    ExpenditureFactory(municipality=middelburg, date=period.end + day, amount=Decimal("200.00"))
    totals = totals_for(middelburg)
    assert totals.spent == Decimal("0.00")
    assert (totals.ineligible, totals.ineligible_count) == (Decimal("300.00"), 2)
    reasons = dict(Expenditure.objects.with_eligibility().values_list("amount", "eligibility"))
    assert reasons == {
        Decimal("100.00"): Eligibility.BEFORE_PERIOD,
        Decimal("200.00"): Eligibility.AFTER_PERIOD,
    }


def test_the_period_is_read_from_the_programme_not_from_constants(middelburg):
    period = programme()
    ExpenditureFactory(municipality=middelburg, date=datetime.date(2024, 6, 1))
    period.end = datetime.date(2023, 7, 31)  # as before Stcrt. 2022, 27531
    period.save()
    assert totals_for(middelburg).spent == Decimal("0.00")


def test_a_goal_of_another_programme_is_not_charged_to_the_grant(middelburg):
    other = type(programme()).objects.create(
        slug="ander",
        name="Ander programma",
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2030, 1, 1),
    )
    foreign_goal = SpendingGoal.objects.create(
        programme=other, code="ander_doel", kind="extra", name="Ander doel"
    )
    ExpenditureFactory(municipality=middelburg, goal=foreign_goal)
    assert totals_for(middelburg).spent == Decimal("0.00")
    assert Expenditure.objects.with_eligibility().get().eligibility == Eligibility.GOAL_NOT_ALLOWED


def test_a_credit_note_lowers_the_spending(middelburg):
    ExpenditureFactory(municipality=middelburg, amount=Decimal("1000.00"))
    ExpenditureFactory(municipality=middelburg, credit_note=True)
    assert totals_for(middelburg).spent == Decimal("750.00")


def test_the_schedule_pays_5_24_in_december_2021_then_1_24_monthly_until_july_2023(db):
    schedule = list(PaymentScheduleEntry.objects.filter(programme=programme()))
    assert len(schedule) == 20
    assert (schedule[0].due_month, schedule[0].parts) == (datetime.date(2021, 12, 1), 5)
    assert schedule[-1].due_month == datetime.date(2023, 7, 1)
    assert sum(entry.parts for entry in schedule) == 24


def test_expected_payments_add_up_to_the_allocation_exactly(db):
    schedule = list(PaymentScheduleEntry.objects.filter(programme=programme()))
    payments = expected_payments(allocation=Decimal("1000000.01"), schedule=schedule)
    assert payments[0].expected == Decimal("208333.34")
    assert payments[1].expected == Decimal("41666.67")
    assert sum(p.expected for p in payments) == Decimal("1000000.01")
    assert payments[-1].expected == Decimal("41666.61")  # the last part absorbs the rounding


def test_totals_per_year_goal_and_intervention_against_the_plan_budget(middelburg):
    AllocationFactory(municipality=middelburg, amount=Decimal("100000.00"))
    plan = PlanFactory(municipality=middelburg)
    summer = InterventionFactory(
        plan=plan, code="ZS", goal=goal("bovenschools"), budgets={2022: "10000.00", 2023: "5000"}
    )
    InterventionFactory(plan=plan, code="SMW", goal=goal("zorg_welzijn"), budgets={2022: "8000"})
    ExpenditureFactory(municipality=middelburg, intervention=summer, amount=Decimal("4000.00"))
    ExpenditureFactory(
        municipality=middelburg,
        date=datetime.date(2023, 2, 1),
        goal=goal("zorg_welzijn"),
        amount=Decimal("3000.00"),
    )
    PaymentFactory(municipality=middelburg, amount=Decimal("20833.33"))
    totals = totals_for(middelburg)
    assert (totals.allocation, totals.spent, totals.remaining) == (
        Decimal("100000.00"),
        Decimal("7000.00"),
        Decimal("93000.00"),
    )
    assert totals.received == Decimal("20833.33")
    years = {y.year: (y.spent, y.cumulative) for y in totals.years}
    assert years[2022] == (Decimal("4000.00"), Decimal("4000.00"))
    assert years[2023] == (Decimal("3000.00"), Decimal("7000.00"))
    goals = {g.goal.code: (g.budget, g.spent) for g in totals.goals}
    assert goals["bovenschools"] == (Decimal("15000.00"), Decimal("4000.00"))
    assert goals["zorg_welzijn"] == (Decimal("8000.00"), Decimal("3000.00"))
    interventions = {i.intervention.code: (i.budget, i.spent) for i in totals.interventions}
    assert interventions == {
        "SMW": (Decimal("8000.00"), Decimal("0.00")),
        "ZS": (Decimal("15000.00"), Decimal("4000.00")),
    }
    assert totals.not_on_intervention == Decimal("3000.00")
    months = {m.month: m for m in totals.months}
    assert months[datetime.date(2022, 3, 1)].cumulative_spent == Decimal("4000.00")
    assert months[datetime.date(2021, 12, 1)].cumulative_received == Decimal("20833.33")
    assert months[datetime.date(2023, 7, 1)].cumulative_expected == Decimal("100000.00")


def test_amount_at_risk_projects_the_last_twelve_months_to_the_end_of_the_period(middelburg):
    AllocationFactory(municipality=middelburg, amount=Decimal("100000.00"))
    for month in range(1, 13):
        ExpenditureFactory(
            municipality=middelburg, date=datetime.date(2024, month, 10), amount=Decimal("1000")
        )
    totals = totals_for(middelburg, today=datetime.date(2024, 12, 31))
    # 12,000 spent, 1,000 a month for January-July 2025: 19,000 of 100,000 by 31-07-2025.
    assert totals.recent_monthly_rate == Decimal("1000.00")
    assert totals.projected_spending == Decimal("19000.00")
    assert totals.at_risk == Decimal("81000.00")


def test_after_the_period_the_amount_at_risk_is_what_was_not_spent(middelburg):
    AllocationFactory(municipality=middelburg, amount=Decimal("10000.00"))
    ExpenditureFactory(municipality=middelburg, amount=Decimal("9000.00"))
    assert totals_for(middelburg, today=datetime.date(2026, 3, 1)).at_risk == Decimal("1000.00")


def test_no_risk_when_spending_reaches_the_allocation(middelburg):
    AllocationFactory(municipality=middelburg, amount=Decimal("1000.00"))
    ExpenditureFactory(municipality=middelburg, amount=Decimal("1000.00"))
    assert totals_for(middelburg).at_risk == Decimal("0.00")


@pytest.mark.parametrize("count", [10, 1000])
def test_totals_take_the_same_queries_however_many_expenditures(
    middelburg, django_assert_num_queries, count
):
    AllocationFactory(municipality=middelburg)
    InterventionFactory(plan=PlanFactory(municipality=middelburg), budgets={2022: "100"})
    ExpenditureFactory.create_batch(count, municipality=middelburg)
    with django_assert_num_queries(12):
        finance_totals(municipality=middelburg)
