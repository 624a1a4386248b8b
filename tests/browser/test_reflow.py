"""Every page a demo user can reach by clicking fits a 320 px screen and passes axe there.

The crawl starts at the home page of each demo role and follows every link of the portal's
own pages (no downloads, no Django admin, no logout), so a new page is covered as soon as
something links to it.

Each role's crawl is one test per area of the portal (ROLE_PARTS), so that no test lasts long and
the parts spread over the test processes. Every part first finds the role's whole crawl over
HTTP with the browser's own session (`page.request`: the server's HTML, no rendering, a few
seconds), then opens the pages of its own area in Chromium and checks them: every page of the
crawl is opened and checked by exactly one part. `reflow-<role>.txt` in artifacts/ lists the
whole crawl, `reflow-<role>-<part>.txt` the pages a part checked.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

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


class _Links(HTMLParser):
    """The `href` of every `<a href>` without `download`, as the browser's DOM has them
    (`a[href]:not([download])`): not inside `<template>` or `<noscript>`, whose content is
    no element of the document in a browser that runs scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []
        self.inert = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("template", "noscript"):
            self.inert += 1
        elif tag == "a" and not self.inert:
            names = dict(attrs)
            if "href" in names and "download" not in names:
                self.hrefs.append(names["href"] or "")

    def handle_endtag(self, tag):
        if tag in ("template", "noscript") and self.inert:
            self.inert -= 1


def links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser.hrefs


def crawl(page, start: str = "/") -> list[str]:
    """Every page reachable from `start` by following the portal's links, in the order a
    breadth-first walk finds them. Read over HTTP with the browser's session (cookies): each
    answer's HTML is parsed here, nothing is rendered."""
    queue, seen, shapes, pages = [start], set(), {}, []
    while queue:
        url = queue.pop(0)
        if url in seen or shapes.get(shape(url), 0) >= SAME_SHAPE_LIMIT:
            continue
        seen.add(url)
        shapes[shape(url)] = shapes.get(shape(url), 0) + 1
        response = page.request.get(url)
        # A link whose answer is a file (Content-Disposition: attachment) is a download, not a
        # page; the crawl does not open files.
        if response.headers.get("content-disposition", "").startswith("attachment"):
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status < 500, f"{url} answered {response.status}"
        pages.append(url)
        for href in links(response.text()):
            href = href.split("#")[0]
            own = href.startswith("/") and not href.startswith("//")
            if own and href not in seen and not NOT_A_PAGE.search(urlsplit(href).path):
                queue.append(href)
    return pages


# The parts of a crawl, by the first segment of a page's path, so that each part opens at most
# about 25 pages (a page costs Chromium about half a second with axe). Each role's parts
# name the segments of all but its last part; the last ("overig") takes every other page.
ROLE_PARTS = {
    "beleid": {"plan": ("plan",), "scholen-en-financien": ("scholen", "financien"), "overig": ()},
    "financien": {"financien-en-plan": ("financien", "plan"), "overig": ()},
    "bestuur": {"overig": ()},
    "beheer": {
        "plan-en-scholen": ("plan", "scholen"),
        "financien": ("financien",),
        "verantwoording": ("verantwoording", "vaststelling", "archief", "inzicht", "accountant"),
        "overig": (),
    },
    "financien3": {"financien": ("financien",), "overig": ()},
}


def part_of(url: str, parts: dict[str, tuple[str, ...]]) -> str:
    first = urlsplit(url).path.strip("/").split("/")[0]
    return next((part for part, segments in parts.items() if first in segments), "overig")


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


@pytest.mark.parametrize(
    ("username", "part"),
    [(username, part) for username in ROLE_PARTS for part in ROLE_PARTS[username]],
)
def test_every_page_a_demo_user_reaches_reflows_at_320_px_without_axe_violations(
    page, demo, username, part
):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 640})
    log_in(page, username, DEMO_PASSWORD)
    everything = crawl(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"reflow-{username}.txt").write_text(
        f"{len(everything)} pages in the crawl\n" + "".join(f"{url}\n" for url in everything)
    )
    assert len(everything) >= 8, everything  # the crawl really went through the portal
    if username in ARCHIVE_PAGES:
        assert ARCHIVE_PAGES[username] in everything, everything
    mine = [url for url in everything if part_of(url, ROLE_PARTS[username]) == part]
    assert mine, f"{username}'s crawl has no page in part {part}: {everything}"

    visited, overflowing, violations, vendored = [], [], [], []
    for url in mine:
        response = page.goto(url)
        assert response is not None, url
        assert response.status < 500, f"{url} answered {response.status}"
        visited.append(url)
        if (overflow := page_overflow(page)) > 0:
            overflowing.append(f"{url}: {overflow} px too wide")
        problems = [f"{url}: {problem}" for problem in axe_violations(page)]
        if VENDORED_MARKUP.search(url):
            vendored += problems
        else:
            violations += problems
    (ARTIFACTS / f"reflow-{username}-{part}.txt").write_text(
        f"{len(visited)} pages at {PHONE_WIDTH} px, {len(overflowing)} scroll sideways, "
        f"{len(violations)} axe violations\n"
        + "".join(f"{url}\n" for url in visited)
        + "".join(f"axe, vendored Swagger UI (not failed): {line}\n" for line in vendored)
    )
    assert not overflowing, "\n".join(overflowing)
    assert not violations, "\n".join(violations)
