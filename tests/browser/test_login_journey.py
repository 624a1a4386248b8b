import pytest
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_policy_officer_logs_in_and_sees_their_municipality(page, world):
    page.goto("/inloggen/")
    assert_accessible(page)
    screenshot(page, "login")

    log_in(page, world.middelburg.policy_officer.username, TEST_PASSWORD)
    expect(page.locator("main")).to_contain_text("Middelburg")
    assert_accessible(page)
    screenshot(page, "home-beleid")


def test_login_works_by_keyboard_alone_on_a_small_screen(page, world):
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto("/inloggen/")
    for _step in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "username":
            break
    else:
        pytest.fail("The username field cannot be reached with Tab")
    page.keyboard.type(world.middelburg.policy_officer.username)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/inloggen/" not in url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
    screenshot(page, "home-beleid-320px")
