import importlib

import pytest
from django.db import IntegrityError
from django.urls import reverse

from reporting.models import AccountabilityReport, IndicatorKind, SisaIndicator, SisaYear


def test_every_reporting_year_up_to_the_final_accounting_deadline_is_configured(db):
    assert list(SisaYear.objects.values_list("year", flat=True)) == list(range(2021, 2027))


@pytest.mark.parametrize("year", range(2021, 2027))
def test_each_year_holds_the_four_indicators_the_ministry_asks_over_all_goals(db, year):
    indicators = SisaYear.objects.get(year=year).indicators.all()
    assert [(i.number, i.kind, i.text, i.audit) for i in indicators] == [
        (
            "NPO/01",
            IndicatorKind.SPENDING_YEAR,
            f"Besteding ({year}) ten laste van rijksmiddelen",
            "R",
        ),
        (
            "NPO/02",
            IndicatorKind.SPENDING_CUMULATIVE,
            f"Cumulatieve besteding ten laste van rijksmiddelen tot en met {year}",
            "nvt",
        ),
        ("NPO/03", IndicatorKind.FINAL_ACCOUNTING, "Eindverantwoording Ja/Nee", "nvt"),
        ("NPO/04", IndicatorKind.EXPLANATION, "Toelichting", "nvt"),
    ]
    assert not any(i.goal_id for i in indicators)


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


def test_the_migration_reshapes_default_years_and_leaves_stored_reports_and_edited_years(
    hand_made, django_capture_on_commit_callbacks
):
    from django.apps import apps

    from reporting.tests.test_report_figures import build, xlsx_indicators

    migration = importlib.import_module("reporting.migrations.0005_sisa_as_asked_and_confirmation")
    migration.to_per_goal(apps, None)  # back to the shape 0002 loaded: one row per goal
    assert SisaYear.objects.get(year=2022).indicators.count() == 11
    edited = SisaYear.objects.get(year=2024).indicators.get(number="NPO/11")
    edited.text = "Toelichting op afwijkingen"
    edited.save()
    stored = build(hand_made, 2022, django_capture_on_commit_callbacks)
    with stored.pdf.open("rb") as pdf, stored.xlsx.open("rb") as xlsx:
        files_before = (pdf.read(), xlsx.read())
    row_before = AccountabilityReport.objects.filter(pk=stored.pk).values().get()
    assert "NPO/09" in xlsx_indicators(stored)

    migration.to_asked(apps, None)

    assert SisaYear.objects.get(year=2022).indicators.count() == 4
    assert SisaYear.objects.get(year=2024).indicators.count() == 11  # changed by hand: kept
    stored.refresh_from_db()
    with stored.pdf.open("rb") as pdf, stored.xlsx.open("rb") as xlsx:
        assert (pdf.read(), xlsx.read()) == files_before
    assert AccountabilityReport.objects.filter(pk=stored.pk).values().get() == row_before
    assert "NPO/09" in xlsx_indicators(stored)


def test_the_admin_lists_the_reporting_years_as_years(client, world):
    client.force_login(world.functional_admin)
    body = client.get(reverse("admin:reporting_sisayear_changelist")).content.decode()
    assert ">2021</a>" in body and "2.021" not in body
