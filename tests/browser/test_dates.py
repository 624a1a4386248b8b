"""Dates are typed and shown as dd-mm-jjjj whatever language the browser speaks."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD
from finance.models import Expenditure
from tests.browser.conftest import assert_accessible, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


@pytest.fixture
def english_page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    yield page
    context.close()
    assert not errors, "The browser reported errors:\n" + "\n".join(errors)


def test_an_english_browser_types_and_reads_dates_as_dd_mm_yyyy(english_page, world):
    page = english_page
    municipality = world.middelburg.municipality
    # The portal speaks Dutch first, whatever the browser asks; the browser's own date
    # control would still follow its locale (mm/dd/yyyy here).
    log_in(page, world.middelburg.finance_officer.username, TEST_PASSWORD)
    page.goto(f"/financien/{municipality.code}/uitgaven/nieuw/")
    date = page.get_by_label("Datum")
    # A text field with the portal's hint, not the browser's mm/dd/yyyy date control.
    expect(date).to_have_attribute("type", "text")
    expect(date).to_have_attribute("placeholder", "dd-mm-jjjj")
    assert_accessible(page)

    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    date.fill(f"{tomorrow:%d-%m-%Y}")
    page.get_by_label("Bedrag (€)").fill("0,00")
    page.get_by_label("Bestedingsdoel of categorie").select_option(index=1)
    page.get_by_label("Omschrijving").fill("Zomerschool")
    page.get_by_role("button", name="Uitgave vastleggen").click()
    expect(page.get_by_text("ligt in de toekomst")).to_be_visible()
    expect(page.get_by_text("Een bedrag van € 0,00 besteedt en corrigeert niets")).to_be_visible()
    assert not Expenditure.objects.exists()

    page.get_by_label("Datum").fill("05-03-2022")  # 5 March, not 3 May
    page.get_by_label("Bedrag (€)").fill("1.250,00")
    page.get_by_role("button", name="Uitgave vastleggen").click()
    expect(page.get_by_role("table")).to_contain_text("05-03-2022")
    assert Expenditure.objects.get().date == datetime.date(2022, 3, 5)

    page.get_by_role("link", name="Wijzigen").click()
    expect(page.get_by_label("Datum")).to_have_value("05-03-2022")
