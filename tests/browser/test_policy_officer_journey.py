import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD
from plans.factories import programme
from plans.models import Allocation
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


def check(page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, name)


def add_intervention(page, *, code, title, goal, target_group, budgets, first_try=None) -> None:
    page.get_by_role("link", name="Nieuwe interventie").click()
    if first_try:
        assert_accessible(page)
        first_try(page)
    page.get_by_label("Code").fill(code)
    page.get_by_label("Titel").fill(title)
    page.get_by_label("Bestedingsdoel").select_option(label=goal)
    page.get_by_label(target_group).check()
    page.get_by_label("Start").fill("2021-09-01")
    page.get_by_label("Einde").fill("2023-07-31")
    for year, amount in budgets.items():
        page.get_by_label(str(year), exact=True).fill(amount)
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_role("alert").first).to_contain_text(f"Interventie {code} is opgeslagen.")


def test_policy_officer_drafts_a_plan_and_has_the_college_adopt_it(page, world):
    middelburg = world.middelburg
    Allocation.objects.create(
        programme=programme(), municipality=middelburg.municipality, amount=Decimal("100000.00")
    )
    log_in(page, middelburg.policy_officer.username, TEST_PASSWORD)
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Plan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Middelburg")
    check(page, "plan-start")
    page.get_by_role("button", name="Plan aanmaken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Plan NP Onderwijs Middelburg (Z.)")
    expect(page.get_by_text("Concept").first).to_be_visible()
    check(page, "plan-new")

    def outside_the_period_without_target_group(page):
        page.get_by_label("Code").fill("I-01")
        page.get_by_label("Titel").fill("Zomerschool")
        page.get_by_label("Bestedingsdoel").select_option(label="1. Bovenschoolse maatregelen")
        page.get_by_label("Start").fill("2020-06-01")
        page.get_by_label("Einde").fill("2021-08-31")
        page.get_by_role("button", name="Opslaan").click()
        summary = page.get_by_role("alert").filter(has_text="Het formulier is niet opgeslagen")
        expect(summary.get_by_role("link", name="Doelgroepen")).to_be_visible()
        summary.get_by_role("link", name="Start").click()
        start = page.get_by_label("Start")
        expect(start).to_be_focused()
        expect(start).to_have_attribute("aria-invalid", "true")
        expect(
            page.locator("#" + start.get_attribute("aria-describedby").split()[0])
        ).to_contain_text("01-07-2021")
        check(page, "intervention-form-errors")
        page.set_viewport_size({"width": 320, "height": 640})
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        check(page, "intervention-form-errors-320px")
        page.set_viewport_size({"width": 1280, "height": 720})

    add_intervention(
        page,
        code="I-01",
        title="Zomerschool taal en rekenen",
        goal="1. Bovenschoolse maatregelen",
        target_group="Primair onderwijs (po)",
        budgets={2021: "30.000", 2022: "45.000,50"},
        first_try=outside_the_period_without_target_group,
    )
    add_intervention(
        page,
        code="I-02",
        title="Ouderbetrokkenheid vroeg- en voorschools",
        goal="2. Voorschoolse periode",
        target_group="Voorschoolse educatie",
        budgets={2022: "40.000", 2023: "10.000"},
    )
    interventions = page.get_by_role("region", name="Interventies")
    expect(interventions.get_by_role("row", name=re.compile("I-01"))).to_contain_text("€ 75.000,50")
    expect(interventions.get_by_role("row", name=re.compile("I-02"))).to_contain_text("€ 50.000,00")
    warnings = page.get_by_role("region", name="Controleer dit voordat het college besluit")
    expect(warnings).to_contain_text("€ 25.000,50 meer dan de toekenning van € 100.000,00")
    check(page, "plan-with-warning")

    page.get_by_role("link", name="Overlegmoment vastleggen").click()
    page.get_by_label("Datum").fill("2021-10-05")
    page.get_by_label("Overleg").select_option(label="Lokale Educatieve Agenda (LEA)")
    page.get_by_label("Deelnemers").fill("Schoolbesturen po en vo, kinderopvang")
    page.get_by_label("Samenvatting").fill("Voorkeur voor zomerschool en ouderbetrokkenheid.")
    check(page, "consultation-form")
    page.get_by_role("button", name="Opslaan").click()
    consultations = page.get_by_role("region", name="Overleglogboek")
    expect(consultations).to_contain_text("05-10-2021")
    expect(consultations).to_contain_text("Voorkeur voor zomerschool")

    page.get_by_role("link", name="Naar “In overleg”").click()
    check(page, "transition-consultation")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("alert").first).to_contain_text("In overleg")

    page.get_by_role("link", name="Naar “Vastgesteld door college”").click()
    assert_accessible(page)
    today = timezone.localdate()
    page.get_by_label("Datum van het collegebesluit").fill(
        (today + datetime.timedelta(days=1)).isoformat()
    )
    page.get_by_label("Kenmerk van het besluit").fill("B&W-2021-117")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_text("kan niet in de toekomst liggen")).to_be_visible()
    check(page, "transition-adopt-errors")
    page.get_by_label("Datum van het collegebesluit").fill(today.isoformat())
    page.get_by_role("button", name="Bevestigen").click()

    expect(page.get_by_role("alert").first).to_contain_text("Vastgesteld door college")
    versions = page.get_by_role("region", name="Vastgestelde versies")
    expect(versions).to_contain_text("Versie 1")
    expect(versions).to_contain_text("B&W-2021-117")
    check(page, "plan-adopted")
