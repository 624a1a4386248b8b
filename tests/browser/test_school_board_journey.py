import pytest
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD
from schools.factories import NeedsRoundFactory
from tests.browser.conftest import assert_accessible, log_in, log_out, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]

DELAYS = {
    "Taal en lezen": ("Aanzienlijk", "35"),
    "Rekenen": ("Ernstig", "40"),
    "Sociaal-emotionele ontwikkeling": ("Beperkt", "15"),
    "Executieve functies en leren leren": ("Beperkt", "10"),
}


def check(page, name: str) -> None:
    assert_accessible(page)
    screenshot(page, name)


def tab_to(page, predicate: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches the JavaScript predicate `el => ...`."""
    for _step in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"({predicate})(document.activeElement)"):
            return
    pytest.fail(f"Tab never reached an element where {predicate}")


def test_school_board_reports_needs_and_the_municipality_counts_them(page, world):
    middelburg = world.middelburg
    NeedsRoundFactory(municipality=middelburg.municipality, title="Behoeftepeiling 2022-2023")
    log_in(page, middelburg.board_user.username, TEST_PASSWORD)
    assert_accessible(page)

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Behoeftepeilingen"
    ).click()
    round_card = page.get_by_role("region", name="Behoeftepeiling 2022-2023")
    expect(round_card).to_contain_text("Basisschool Middelburg (Z.)")
    check(page, "board-rounds")
    round_card.get_by_role("link", name="Invullen Basisschool Middelburg (Z.)").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Basisschool Middelburg (Z.)")
    check(page, "needs-form")

    page.get_by_label("Rekenen: aandeel getroffen leerlingen").fill("40")
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("alert").first).to_contain_text("Het antwoord is niet opgeslagen")
    severity = page.get_by_label("Rekenen", exact=True)
    expect(severity).to_have_attribute("aria-invalid", "true")
    error = page.locator("#" + severity.get_attribute("aria-describedby"))
    expect(error).to_have_text("Kies de ernst bij dit aandeel leerlingen.")
    check(page, "needs-form-errors")

    for domain, (level, share) in DELAYS.items():
        page.get_by_label(domain, exact=True).select_option(label=level)
        page.get_by_label(f"{domain}: aandeel getroffen leerlingen").fill(share)
    page.get_by_label("Wat de gemeente verder moet weten").fill("Veel nieuwkomers in groep 3 en 4.")
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("alert").first).to_have_text("Het concept is opgeslagen.")
    assert_accessible(page)

    page.get_by_role("link", name="Start", exact=True).click()
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Behoeftepeilingen"
    ).click()
    round_card.get_by_role("link", name="Verder invullen Basisschool Middelburg (Z.)").click()
    expect(page.get_by_label("Rekenen", exact=True)).to_have_value("ernstig")
    expect(page.get_by_label("Wat de gemeente verder moet weten")).to_have_value(
        "Veel nieuwkomers in groep 3 en 4."
    )

    # The last delay and the submission by keyboard alone.
    page.locator("body").focus()
    tab_to(page, "el => el.labels && el.labels[0]?.textContent === 'Motoriek'")
    page.keyboard.type("Geen")
    expect(page.get_by_label("Motoriek", exact=True)).to_have_value("geen")
    tab_to(page, "el => el.name === 'submit'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert").first).to_have_text(
        "Het antwoord is ingediend bij de gemeente."
    )
    expect(page.get_by_role("main")).to_contain_text("Ernstig")
    check(page, "needs-answer-submitted")
    log_out(page)
    assert_accessible(page)

    log_in(page, middelburg.policy_officer.username, TEST_PASSWORD)
    assert_accessible(page)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Behoeftepeilingen"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="Behoeftepeiling 2022-2023").click()
    check(page, "round-municipality")
    page.get_by_role("link", name="Gemeentelijk beeld").click()
    response = page.get_by_role("region", name="Respons")
    expect(response.get_by_role("listitem").filter(has_text="ingediend")).to_have_text(
        "1 ingediend"
    )
    delays = page.get_by_role("region", name="Vertragingen per domein en sector")
    expect(delays.get_by_role("row", name="Rekenen")).to_contain_text("40%")
    check(page, "municipal-picture")


def test_needs_report_form_fits_a_320_px_screen(page, world):
    NeedsRoundFactory(municipality=world.middelburg.municipality)
    page.set_viewport_size({"width": 320, "height": 640})
    log_in(page, world.middelburg.board_user.username, TEST_PASSWORD)
    page.goto("/scholen/")
    page.get_by_role("link", name="Invullen").click()
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("alert").first).to_have_text("Het concept is opgeslagen.")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    check(page, "needs-form-320px")


def test_a_need_row_is_added_without_a_reload_and_saved(page, world):
    middelburg = world.middelburg
    NeedsRoundFactory(municipality=middelburg.municipality, title="Behoeftepeiling 2022-2023")
    log_in(page, middelburg.board_user.username, TEST_PASSWORD)
    page.goto("/scholen/")
    page.get_by_role("link", name="Invullen Basisschool Middelburg (Z.)").click()
    rows = page.locator("#behoeften > fieldset")
    expect(rows).to_have_count(2)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("button", name="Behoefte toevoegen").click()
    expect(rows).to_have_count(3)
    assert page.evaluate("window.notReloaded === true")
    expect(page.get_by_role("group", name="Behoefte 3")).to_be_visible()
    page.get_by_label("Wat de school van de gemeente nodig heeft").nth(2).fill(
        "Taalklas na schooltijd"
    )
    page.get_by_role("group", name="Behoefte 3").get_by_label(
        "1. Bovenschoolse maatregelen"
    ).check()
    assert_accessible(page)
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("alert").first).to_contain_text("Het concept is opgeslagen")
    expect(page.get_by_label("Wat de school van de gemeente nodig heeft").first).to_have_value(
        "Taalklas na schooltijd"
    )
