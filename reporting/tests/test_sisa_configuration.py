import pytest
from django.db import IntegrityError
from django.urls import reverse

from plans.models import SpendingGoal
from reporting.models import IndicatorKind, SisaIndicator, SisaYear


def test_every_reporting_year_up_to_the_final_accounting_deadline_is_configured(db):
    assert list(SisaYear.objects.values_list("year", flat=True)) == list(range(2021, 2027))
    assert not SisaYear.objects.filter(grant_code_confirmed=True).exists()


def test_each_year_has_the_total_one_row_per_goal_the_cumulative_and_final_indicators(db):
    indicators = SisaYear.objects.get(year=2023).indicators.all()
    kinds = [indicator.kind for indicator in indicators]
    assert kinds.count(IndicatorKind.SPENDING_YEAR) == 1
    assert {i.goal for i in indicators if i.goal} == set(SpendingGoal.objects.all())
    assert IndicatorKind.SPENDING_CUMULATIVE in kinds
    assert IndicatorKind.FINAL_ACCOUNTING in kinds
    total = indicators.get(kind=IndicatorKind.SPENDING_YEAR)
    assert (total.number, total.audit) == ("NPO/01", "R")
    assert total.text == "Besteding (2023) ten laste van rijksmiddelen"


def test_a_per_goal_indicator_needs_its_goal(db):
    with pytest.raises(IntegrityError):
        SisaIndicator.objects.create(
            sisa_year=SisaYear.objects.get(year=2024),
            number="NPO/99",
            order=99,
            kind=IndicatorKind.SPENDING_YEAR_GOAL,
            text="Zonder doel",
            audit="nvt",
        )


def test_the_functional_administrator_edits_the_configuration_in_the_admin(client, world):
    client.force_login(world.functional_admin)
    sisa_year = SisaYear.objects.get(year=2022)
    page = client.get(reverse("admin:reporting_sisayear_change", args=[sisa_year.pk]))
    assert page.status_code == 200
    assert "NPO/01" in page.content.decode()
    client.force_login(world.middelburg.finance_officer)
    refused = client.get(reverse("admin:reporting_sisayear_change", args=[sisa_year.pk]))
    assert refused.status_code == 302
