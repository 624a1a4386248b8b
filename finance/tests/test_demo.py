import datetime
from decimal import Decimal

from accounts.demo import seed_demo as seed_accounts
from accounts.models import Municipality
from finance.demo import seed_demo
from finance.models import Expenditure, Payment, YearClosing
from finance.selectors import finance_totals
from plans.factories import InterventionFactory, PlanFactory, goal


def test_demo_money_is_seeded_once_with_a_credit_note_and_an_ineligible_expenditure(db):
    seed_accounts()
    middelburg = Municipality.objects.get(code="GM0687")
    summer = InterventionFactory(
        plan=PlanFactory(municipality=middelburg), code="ZS", goal=goal("bovenschools")
    )
    seed_demo()
    counts = (Expenditure.objects.count(), Payment.objects.count(), YearClosing.objects.count())
    seed_demo()
    assert (
        Expenditure.objects.count(),
        Payment.objects.count(),
        YearClosing.objects.count(),
    ) == counts
    mine = Expenditure.objects.filter(municipality=middelburg)
    assert mine.count() > Expenditure.objects.filter(municipality__code="GM0718").count()
    assert mine.filter(amount__lt=0).exists()
    assert mine.filter(date=datetime.date(2025, 8, 15)).exists()
    assert mine.filter(intervention=summer).exists()
    totals = finance_totals(municipality=middelburg, today=datetime.date(2026, 1, 1))
    assert totals.allocation == Decimal("1214683.00")
    assert totals.received == totals.allocation  # all 20 scheduled payments have arrived
    assert totals.ineligible_count == 1
