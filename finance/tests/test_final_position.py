"""The final position of a grant (issue 30), from `finance_totals`, and the merger rule
(`accounts_in_successor`) that makes every page, report and API answer agree."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.demo import seed_demo as seed_accounts
from accounts.models import Municipality, User
from finance.demo import seed_demo as seed_money
from finance.factories import AllocationFactory, ExpenditureFactory, PaymentFactory
from finance.selectors import accounts_in_successor, final_position, finance_totals
from plans.factories import goal
from reporting.selectors import report_data

TODAY = datetime.date(2026, 12, 7)


@pytest.fixture
def amsterdam_with_weesp(db):
    seed_accounts()
    seed_money()
    return Municipality.objects.get(code="GM0363"), Municipality.objects.get(code="GM0457")


def test_amsterdams_final_position_is_the_sum_of_the_reports_over_2021_to_2026(
    amsterdam_with_weesp,
):
    amsterdam, weesp = amsterdam_with_weesp
    position = final_position(municipality=amsterdam, today=TODAY)
    # Weesp ended 2021 as a municipality of its own: its report over 2021 is Weesp's, and
    # from 2022 on Amsterdam's reports cover Weesp's books (rule: accounts_in_successor).
    reports = [
        report_data(municipality=amsterdam, year=year, final_accounting=year == 2026)
        for year in range(2021, 2027)
    ] + [report_data(municipality=weesp, year=2021, final_accounting=False)]

    assert sum(r.spent_year for r in reports) == position.eligible
    assert sum(r.received_year for r in reports) == position.received
    assert sum(r.ineligible_year for r in reports) == position.ineligible
    last = reports[5]
    assert (last.spent_cumulative, last.received_cumulative, last.allocation) == (
        position.eligible,
        position.received,
        position.allocation,
    )
    assert position.allocation == Decimal("10866120.00")
    assert [m.municipality.code for m in position.members] == ["GM0363", "GM0457"]
    assert [m.last_own_report_year for m in position.members] == [None, 2021]
    assert sum(m.eligible for m in position.members) == position.eligible
    assert position.expected_settlement == min(position.eligible, position.allocation)
    assert position.expected_reclaim == position.received - position.expected_settlement
    assert sum(g.amount for g in position.ineligible_by_reason) == position.ineligible


def test_the_dashboards_2021_is_the_2021_report_and_weesps_part_is_named(
    amsterdam_with_weesp, client
):
    """Issue 30's auditor: the report over 2021 said € 601.960,97 spent, the dashboard and the
    API € 642.678,36; the € 40.717,39 is Weesp's own 2021, in Weesp's own report."""
    amsterdam, weesp = amsterdam_with_weesp
    report_2021 = report_data(municipality=amsterdam, year=2021, final_accounting=False)
    weesp_2021 = report_data(municipality=weesp, year=2021, final_accounting=False)
    totals = finance_totals(municipality=amsterdam, today=TODAY)

    assert report_2021.spent_year == Decimal("601960.97")
    assert weesp_2021.spent_year == Decimal("40717.39")
    assert totals.year(2021).spent == report_2021.spent_year
    assert totals.year(2021).received == report_2021.received_year
    assert totals.year(2021).cumulative == report_2021.spent_cumulative
    for year in range(2022, 2027):
        report = report_data(municipality=amsterdam, year=year, final_accounting=False)
        row = totals.year(year)
        assert (row.spent, row.cumulative, row.received, row.cumulative_received) == (
            report.spent_year,
            report.spent_cumulative,
            report.received_year,
            report.received_cumulative,
        ), year
    client.force_login(User.objects.get(username="financien3"))
    page = client.get(reverse("finance:dashboard", args=["GM0363"])).content.decode()
    assert "601.960,97" in page and "642.678,36" not in page
    assert "een jaar dat zij nog zelfstandig afsloot" in page
    assert not accounts_in_successor(member=weesp, year=2021)
    assert accounts_in_successor(member=weesp, year=2022)
    assert not accounts_in_successor(member=amsterdam, year=2022)


def test_the_expected_settlement_is_at_most_the_allocation_and_a_negative_reclaim_is_owed(db):
    # Overspent, but not everything received: the expected reclaim is negative.
    from accounts.factories import MunicipalityFactory

    town = MunicipalityFactory()
    AllocationFactory(municipality=town, amount=Decimal("1000.00"))
    PaymentFactory(municipality=town, date=datetime.date(2022, 1, 20), amount=Decimal("600.00"))
    ExpenditureFactory(municipality=town, amount=Decimal("1100.00"))
    ExpenditureFactory(  # after the period: not eligible
        municipality=town, date=datetime.date(2025, 8, 1), amount=Decimal("50.00")
    )
    ExpenditureFactory(  # before the period: not eligible
        municipality=town, date=datetime.date(2020, 8, 1), amount=Decimal("25.00")
    )
    position = final_position(municipality=town, today=TODAY)
    assert position.eligible == Decimal("1100.00")
    assert position.unspent == Decimal("0.00")
    assert position.expected_settlement == Decimal("1000.00")
    assert position.expected_reclaim == Decimal("-400.00")
    assert position.ineligible == Decimal("75.00")
    reasons = {g.amount: g.count for g in position.ineligible_by_reason}
    assert reasons == {Decimal("50.00"): 1, Decimal("25.00"): 1}  # one reason each
    assert position.members == []
    assert goal("bovenschools").pk in {g.goal.pk for g in position.goals}
