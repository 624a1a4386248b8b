"""Every page a demo user can reach by clicking fits a 320 px screen and passes axe there.

The crawl starts at the home page of each demo role and follows every link of the portal's
own pages (no downloads, no Django admin, no logout), so a new page is covered as soon as
something links to it.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

from accounts.demo import DEMO_PASSWORD
from tests.browser.conftest import ARTIFACTS, PHONE_WIDTH, axe_violations, log_in, page_overflow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("reference_data"),
]

NOT_A_PAGE = re.compile(
    r"^/(beheer|i18n|uitloggen|health|static|media)/"  # admin, set_language, logout, assets
    r"|\.(pdf|xlsx|csv)$|/(pdf|xlsx|csv|download|downloaden|export)/?$|/status/$"
)
# The API's documentation is the vendored Swagger UI, drawn by its own script after the page
# loads: its reflow is checked, its axe findings (Swagger UI's markup, so far colour contrast and
# nested controls) are reported in the artifact, not failed here.
VENDORED_MARKUP = re.compile(r"^/api/v\d+/docs/")
SAME_SHAPE_LIMIT = (
    2  # pages per URL shape (digits and query keys), so a long list is not crawled page by page
)


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(pair.split("=")[0] for pair in parts.query.split("&") if pair)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(page, start: str = "/"):
    """Yield each page reachable from `start` by following the portal's links."""
    queue, seen, shapes = [start], set(), {}
    while queue:
        url = queue.pop(0)
        if url in seen or shapes.get(shape(url), 0) >= SAME_SHAPE_LIMIT:
            continue
        seen.add(url)
        shapes[shape(url)] = shapes.get(shape(url), 0) + 1
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            # A link whose answer is a file (Content-Disposition: attachment) starts a download
            # instead of a page; the crawl does not open files.
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status < 500, f"{url} answered {response.status}"
        yield url
        for href in page.eval_on_selector_all(
            "a[href]:not([download])", "els => els.map(a => a.getAttribute('href'))"
        ):
            href = href.split("#")[0]
            own = href.startswith("/") and not href.startswith("//")
            if own and href not in seen and not NOT_A_PAGE.search(urlsplit(href).path):
                queue.append(href)


# The archive is reached from the menu (archive/navigation.py), so the crawl covers it: the
# package page for the finance officer and the administrator, the destruction lists for the
# demo's archivist (the policy officer).
ARCHIVE_PAGES = {
    "beleid": "/archief/GM0687/vernietiging/",
    "financien": "/archief/GM0687/",
    "beheer": "/archief/GM0687/",
}


@pytest.fixture
def demo(reference_data):
    call_command("seed_demo", force=True, verbosity=0)


@pytest.mark.parametrize("username", ["beleid", "financien", "bestuur", "beheer", "financien3"])
def test_every_page_a_demo_user_reaches_reflows_at_320_px_without_axe_violations(
    page, demo, username
):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 640})
    log_in(page, username, DEMO_PASSWORD)
    visited, overflowing, violations, vendored = [], [], [], []
    for url in crawl(page):
        visited.append(url)
        if (overflow := page_overflow(page)) > 0:
            overflowing.append(f"{url}: {overflow} px too wide")
        problems = [f"{url}: {problem}" for problem in axe_violations(page)]
        if VENDORED_MARKUP.search(url):
            vendored += problems
        else:
            violations += problems
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"reflow-{username}.txt").write_text(
        f"{len(visited)} pages at {PHONE_WIDTH} px, {len(overflowing)} scroll sideways, "
        f"{len(violations)} axe violations\n"
        + "".join(f"{url}\n" for url in visited)
        + "".join(f"axe, vendored Swagger UI (not failed): {line}\n" for line in vendored)
    )
    assert len(visited) >= 8, visited  # the crawl really went through the portal
    if username in ARCHIVE_PAGES:
        assert ARCHIVE_PAGES[username] in visited, visited
    assert not overflowing, "\n".join(overflowing)
    assert not violations, "\n".join(violations)
