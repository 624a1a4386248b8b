"""A finance officer sets up two-factor authentication before anything else; a key user
manages the people of their municipality. In Chromium, checked with axe, at 1280 and 320 px."""

import pytest
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from identity.tests.helpers import totp
from tests.browser.conftest import assert_accessible, log_in, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.closest('.table-responsive') || e.classList.contains('table-responsive'))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


def fits(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.evaluate(WIDEST)


@pytest.mark.two_factor
def test_finance_officer_sets_up_an_authenticator_before_reaching_the_portal(
    page, reference_data, world
):
    officer = world.middelburg.finance_officer
    log_in(page, officer.username, TEST_PASSWORD)
    assert "/profiel/tweestapsverificatie/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == "Tweestapsverificatie instellen"
    assert page.get_by_role(
        "img", name="QR-code om te scannen met uw authenticator-app"
    ).is_visible()
    assert_accessible(page)
    screenshot(page, "tweestaps-instellen")
    fits(page, 320)
    screenshot(page, "tweestaps-instellen-320px")
    page.set_viewport_size({"width": 1280, "height": 900})

    # Another page is not reachable yet.
    page.goto(f"/financien/{officer.municipality.code}/")
    assert "/profiel/tweestapsverificatie/" in page.url

    secret = page.locator("#sleutel").inner_text()
    page.get_by_label("Code").fill(totp(secret))
    page.get_by_role("button", name="Bevestigen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Uw herstelcodes"
    codes = page.locator(".recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    assert_accessible(page)
    screenshot(page, "tweestaps-herstelcodes")
    page.get_by_role("link", name="Ik heb ze bewaard, verder").click()
    page.wait_for_url(lambda url: f"/financien/{officer.municipality.code}/" in url)

    # Next time: password, then a code (here a recovery code, as from paper).
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(lambda url: "/inloggen/" in url)
    page.get_by_label("Gebruikersnaam").fill(officer.username)
    page.get_by_label("Wachtwoord").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/inloggen/code/" in url)
    assert_accessible(page)
    screenshot(page, "tweestaps-code")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/inloggen/code/" not in url)
    expect(page.locator("main")).to_contain_text("herstelcode gebruikt")


def test_key_user_invites_and_deactivates_colleagues(page, reference_data, world):
    key_user = world.middelburg.policy_officer
    User.objects.filter(pk=key_user.pk).update(is_key_user=True)
    log_in(page, key_user.username, TEST_PASSWORD)
    page.get_by_role("link", name="Mensen").click()
    assert "Mensen van Middelburg (Z.)" in page.get_by_role("heading", level=1).inner_text()

    page.get_by_role("link", name="Collega uitnodigen").click()
    page.get_by_label("Voornaam").fill("Nina")
    page.get_by_label("Achternaam").fill("Verhage")
    page.get_by_label("E-mailadres").fill("nina.verhage@middelburg.nl")
    page.get_by_label("Rol").select_option(label="Financieel medewerker")
    page.get_by_role("button", name="Uitnodiging versturen").click()
    expect(page.locator("main")).to_contain_text(
        "Er is een uitnodiging gestuurd naar nina.verhage@middelburg.nl"
    )

    finance = world.middelburg.finance_officer
    page.get_by_role("button", name=f"Deactiveren {finance}").click()
    expect(page.locator("main")).to_contain_text(f"{finance} kan niet meer inloggen")
    assert world.vlissingen.policy_officer.email not in page.content()
    assert_accessible(page)
    screenshot(page, "sleutelgebruiker-mensen")
    fits(page, 320)
    screenshot(page, "sleutelgebruiker-mensen-320px")
    assert not User.objects.get(pk=finance.pk).is_active
