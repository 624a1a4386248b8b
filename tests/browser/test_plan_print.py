"""The plan's print view works under the portal's own CSP: its button prints."""

import pytest
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD
from plans.factories import PlanFactory
from tests.browser.conftest import log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]


def test_the_print_button_of_the_plan_opens_the_print_dialogue(page, world):
    """Before, its inline onclick and <style> were blocked by the CSP (the console showed the
    violation, which the `page` fixture now fails on) and the button did nothing."""
    plan = PlanFactory(municipality=world.middelburg.municipality)
    # Chromium's print dialogue cannot be seen headless: count the calls instead.
    page.add_init_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    log_in(page, world.middelburg.policy_officer.username, TEST_PASSWORD)
    page.goto(f"/plan/{plan.pk}/afdrukken/")
    button = page.get_by_role("button", name="Afdrukken")
    expect(button).to_be_visible()
    button.click()
    assert page.evaluate("window.printed") == 1
    # The print styles come from the static file now: in print the portal's header goes.
    expect(page.locator("body > header")).to_be_visible()
    page.emulate_media(media="print")
    expect(page.locator("body > header")).to_be_hidden()
