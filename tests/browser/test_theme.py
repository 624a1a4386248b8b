"""A municipality's house style in a real browser: the stylesheet passes the CSP, the header,
buttons and headings take its tokens, axe finds no contrast fault, and the page reflows."""

import pytest
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD, give_theme
from tests.browser.conftest import assert_accessible, assert_reflows, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]

WINE = "rgb(138, 21, 56)"


def test_the_themed_municipality_sees_its_colours_and_logo(page, world):
    give_theme(world.middelburg.municipality, admin=world.functional_admin)
    log_in(page, world.middelburg.policy_officer.username, TEST_PASSWORD)
    page.goto("/")
    navbar = page.locator("header .navbar")
    expect(navbar).to_have_css("background-color", WINE)
    expect(page.locator("h1").first).to_have_css("color", WINE)
    expect(page.locator(".btn-primary").first).to_have_css("background-color", WINE)
    logo = page.get_by_role("img", name="Logo van Middelburg (Z.)")
    expect(logo).to_be_visible()
    assert logo.evaluate("image => image.naturalWidth") == 80
    assert_accessible(page)
    assert_reflows(page)
    screenshot(page, "theme-middelburg")


def test_the_other_municipality_keeps_the_portals_look(page, world):
    give_theme(world.middelburg.municipality, admin=world.functional_admin)
    log_in(page, world.vlissingen.policy_officer.username, TEST_PASSWORD)
    page.goto("/")
    expect(page.locator("header .navbar")).to_have_css("background-color", "rgb(21, 66, 115)")
    expect(page.locator("header img")).to_have_count(0)
