"""Every link a demo user is shown opens for that user: the menu, the name link, the
breadcrumbs and the links inside pages are decided by the same permission functions as the
pages they lead to (issue 31). Django's test client, not a browser, so the walk stays fast.
One test per demo role, on one seeded demo (`seeded_demo`)."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from io import StringIO
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, resolve

from accounts.demo import demo_logins

HREF = re.compile(r'<a\s[^>]*?href="([^"]+)"', re.IGNORECASE)
# Not followed: the admin (Django's own pages, gated by is_staff), files and other sites.
SKIP_PREFIXES = ("/beheer/", "/static/", "/media/", "/api/docs", "/api/schema")
# A page of a long list is like its first page: at most this many distinct addresses per
# view are opened (each one's links are followed); every link found is still resolved.
PER_VIEW = 2


def _links(base: str, html: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        href = unescape(href)
        if href.startswith(("mailto:", "tel:", "#", "javascript:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.netloc not in ("", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walk(client: Client, start: str = "/") -> dict:
    """Breadth-first over the links of every page reached from `start`."""
    queue, seen, opened = [start], {start}, Counter()
    statuses: dict[str, int] = {}
    refused: list[tuple[str, str]] = []  # (link, the page that showed it)
    origin = {start: "(start)"}
    while queue:
        url = queue.pop(0)
        view = view_name(url)
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code == 403:
            refused.append((url, origin[url]))
        if response.status_code in (301, 302):
            target = response["Location"]
            if target not in seen and not target.startswith(SKIP_PREFIXES):
                seen.add(target)
                origin[target] = url
                queue.append(target)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        opened[view] += 1
        for link in _links(url, response.content.decode()):
            if link in seen or link.startswith(SKIP_PREFIXES):
                continue
            link_view = view_name(link)
            if link_view == "logout":
                continue
            seen.add(link)
            origin[link] = url
            if opened[link_view] + queue_count(queue, link_view) < PER_VIEW:
                queue.append(link)
    return {"statuses": statuses, "refused": refused}


def view_name(url: str) -> str:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return "?"


def queue_count(queue: list[str], view: str) -> int:
    return sum(view_name(url) == view for url in queue)


# Every demo role, the auditor included, in the order seed_demo makes them.
DEMO_ROLES = ["beleid", "financien", "bestuur", "beleid2", "financien3", "beheer", "accountant"]


@pytest.fixture(scope="module")
def seeded_demo(django_db_setup, django_db_blocker):
    """The demo, seeded once for this file's tests inside a transaction that is rolled back
    after the last of them. Each test runs in a savepoint of it (pytest-django's `db`), so
    what one test writes (its session) is gone before the next; the walks only read."""
    # As in every test here (conftest), no role needs a second factor, so the demo gives
    # nobody an authenticator.
    with django_db_blocker.unblock(), override_settings(TWO_FACTOR_REQUIRED_ROLES=[]):
        outer = transaction.atomic()
        outer.__enter__()
        call_command("seed_demo", force=True, stdout=StringIO())
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_the_walk_covers_every_demo_role(db, seeded_demo):
    assert [user.username for user in demo_logins()] == DEMO_ROLES


@override_settings(DEBUG=True)
@pytest.mark.parametrize("username", DEMO_ROLES)
def test_every_link_a_demo_user_is_shown_opens_for_that_user(db, seeded_demo, capsys, username):
    user = next(user for user in demo_logins() if user.username == username)
    client = Client()
    client.force_login(user)
    result = walk(client)
    walked = result["statuses"]
    statuses = Counter(walked.values())
    with capsys.disabled():
        print(
            f"\n{username:<10} {len(walked):>4} addresses opened, "
            + ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items()))
        )
    failures = [f"{username}: {link} (from {page})" for link, page in result["refused"]]
    assert not failures, "Links that answer 403:\n" + "\n".join(failures)
    if username == "accountant":
        # The auditor, like every user, changes its password and ends its sessions (README).
        for page in ("/profiel/", "/profiel/wachtwoord/", "/profiel/sessies/"):
            assert walked.get(page) == 200, page
        # Its menu leads to what it reads, not to the officers' pages.
        assert "/plan/" not in walked and "/scholen/" not in walked
        assert walked.get("/financien/GM0687/") == 200
    # The archive, from the menu: the administrator and Middelburg's finance officer reach
    # its packages, its archivist (the demo's policy officer) its destruction lists.
    if username in ("beheer", "financien"):
        assert walked.get("/archief/GM0687/") == 200
    if username == "beleid":
        assert walked.get("/archief/GM0687/vernietiging/") == 200
    if username in ("bestuur", "beleid2"):
        assert "/archief/" not in walked
