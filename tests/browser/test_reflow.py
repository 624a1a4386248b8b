"""Every page a demo user can reach by clicking fits a 320 px screen and passes axe there.

The crawl starts at the home page of each demo role and follows every link of the portal's
own pages (no downloads, no Django admin, no logout), so a new page is covered as soon as
something links to it.

Each role's crawl is one test per area of the portal (ROLE_PARTS), so that no test lasts long and
the parts spread over the test processes. The first part of a role in a test process finds
the role's whole crawl over HTTP with the browser's own session (`page.request`: the server's
HTML, no rendering, a few seconds); every part then opens the pages of its own area in
Chromium and checks them: every page of the crawl is opened and checked by exactly one part.
`reflow-<role>.txt` in artifacts/ lists the whole crawl, `reflow-<role>-<part>.txt` the pages
a part checked. The parts share one seeded demo per test process (`demo_site`); each starts
from the demo as seeded.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Max
from django.test import TransactionTestCase, override_settings
from pytest_django.live_server_helper import LiveServer

from accounts.demo import DEMO_PASSWORD
from npo_portal.celery import app as celery_app
from tests.browser.conftest import (
    ARTIFACTS,
    PHONE_WIDTH,
    axe_violations,
    fresh_page,
    log_in,
    page_overflow,
)
from tests.reference_data import load_reference_data

User = get_user_model()

pytestmark = pytest.mark.browser

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


@dataclass(frozen=True)
class Rows:
    """What a table holds: how many rows, and how to tell the rows added since."""

    count: int
    last_pk: int | None  # the highest id, for tables with integer ids
    pks: frozenset  # every id, for tables with other ids (sessions)


def rows_now() -> dict[type, Rows]:
    tables = {}
    for model in apps.get_models():
        rows = model._base_manager.all()
        if model._meta.pk.get_internal_type() in ("AutoField", "BigAutoField", "SmallAutoField"):
            last = rows.aggregate(last=Max("pk"))["last"]
            tables[model] = Rows(rows.count(), last or 0, frozenset())
        else:
            pks = frozenset(rows.values_list("pk", flat=True))
            tables[model] = Rows(len(pks), None, pks)
    return tables


def remove_rows_added_since(seeded: dict[type, Rows]) -> None:
    """Delete every row added after the seed (a sign-in's session, its access log and
    session record, a second-factor device a page created); fail if a seeded row is gone."""
    for model, before in seeded.items():
        rows = model._base_manager.all()
        if rows.count() == before.count:
            continue
        added = (
            rows.filter(pk__gt=before.last_pk)
            if before.last_pk is not None
            else rows.exclude(pk__in=before.pks)
        )
        added.delete()
        assert rows.count() == before.count, f"a test removed rows of {model._meta.label}"


@pytest.fixture(autouse=True)
def _nothing_left_behind(demo_site):
    """Each test meets the demo as seeded: what the one before added is removed, and the demo
    users' last sign-in is put back."""
    yield
    remove_rows_added_since(demo_site.seeded)
    for user_id, last_login in demo_site.last_logins.items():
        User.objects.filter(pk=user_id).update(last_login=last_login)


class _SeededOnce(TransactionTestCase):
    """pytest-django's transactional set-up and flush (`transactional_db`), once per file."""

    serialized_rollback = True
    databases = {"default"}


@dataclass
class DemoSite:
    server: LiveServer
    crawls: dict[str, list[str]] = field(default_factory=dict)  # by username, found once
    seeded: dict[type, Rows] = field(default_factory=dict)  # the tables after the seed
    last_logins: dict[int, object] = field(default_factory=dict)


def seed_demo_as_in_a_test() -> None:
    """`seed_demo` as a test's fixture runs it (conftest): no role needs a second factor, so
    nobody gets an authenticator, and the tasks it starts (the demo's reports) run in-process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with override_settings(TWO_FACTOR_REQUIRED_ROLES=[]):
            call_command("seed_demo", force=True, verbosity=0)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """The demo, seeded once for this file's tests in this test process and committed, and a
    live server of its own that reads it (pytest-django's `live_server` would flush the
    database after each test). The file begins and ends as a transactional test does: the
    serialized contents and reference data loaded, the database flushed at the end.
    `_nothing_left_behind` removes what a test wrote before the next one."""
    with django_db_blocker.unblock():
        _SeededOnce._pre_setup()
        load_reference_data()
        seed_demo_as_in_a_test()
        site = DemoSite(
            server=LiveServer("localhost"),
            seeded=rows_now(),
            last_logins=dict(User.objects.values_list("pk", "last_login")),
        )
        site.server._live_server_modified_settings.enable()
    try:
        with django_db_blocker.unblock():
            yield site
    finally:
        with django_db_blocker.unblock():
            site.server._live_server_modified_settings.disable()
            site.server.stop()
            _SeededOnce(methodName="__init__")._post_teardown()


@pytest.fixture
def page(browser, demo_site):
    with fresh_page(browser, demo_site.server.url) as page:
        yield page


@pytest.mark.parametrize(
    ("username", "part"),
    [(username, part) for username in ROLE_PARTS for part in ROLE_PARTS[username]],
)
def test_every_page_a_demo_user_reaches_reflows_at_320_px_without_axe_violations(
    page, demo_site, username, part
):
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 640})
    log_in(page, username, DEMO_PASSWORD)
    if username not in demo_site.crawls:
        demo_site.crawls[username] = crawl(page)
    everything = demo_site.crawls[username]
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
