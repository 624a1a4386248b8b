"""A real Chromium against Django's live server, with axe-core checks and screenshots.

Debian's `chromium` is driven through Playwright (its own browser download does not work on
these machines). Without Chromium the browser tests are skipped, except in CI.
"""

import os
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"No Chromium at {CHROMIUM}; install Debian's chromium package."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextmanager
def fresh_page(browser, base_url: str):
    """A fresh browser tab on `base_url`; fails if the page logs an error (e.g. a CSP
    violation)."""
    context = browser.new_context(base_url=base_url, locale="nl-NL")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, "The browser reported errors:\n" + "\n".join(errors)


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab on the live server (`fresh_page`)."""
    with fresh_page(browser, live_server.url) as page:
        yield page


PHONE_WIDTH = 320


def page_overflow(page) -> int:
    """How many CSS pixels the whole page scrolls sideways (0 when it reflows)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def assert_reflows(page) -> None:
    """WCAG 1.4.10: at 320 px wide the page itself never scrolls sideways; a wide table or
    chart scrolls inside its own box. The viewport is put back as it was."""
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 640})
    try:
        overflow = page_overflow(page)
    finally:
        page.set_viewport_size(size)
    assert overflow <= 0, f"{page.url} scrolls {overflow} px sideways at {PHONE_WIDTH} px"


def axe_violations(page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line each."""
    # Evaluated through the DevTools protocol, which the page's CSP does not govern.
    page.evaluate(AXE)
    # Only the violations are gathered and sent back: axe skips collecting the passes, and
    # the test process decodes far less.
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG_AA,
    )
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in result["violations"]
    ]


def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now, and the page
    reflows at 320 px."""
    problems = axe_violations(page)
    assert not problems, f"{page.url}:\n" + "\n".join(problems)
    assert_reflows(page)


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/ (git ignores it) for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def log_in(page, username: str, password: str) -> None:
    page.goto("/inloggen/")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url(lambda url: "/inloggen/" not in url)


def log_out(page) -> None:
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(lambda url: "/inloggen/" in url)
