"""Every link a demo user is shown opens for that user: the menu, the name link, the
breadcrumbs and the links inside pages are decided by the same permission functions as the
pages they lead to (issue 31). Django's test client, not a browser, so the walk stays fast."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from io import StringIO
from urllib.parse import urljoin, urlsplit

from django.core.management import call_command
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


@override_settings(DEBUG=True)
def test_every_link_a_demo_user_is_shown_opens_for_that_user(db, capsys):
    call_command("seed_demo", stdout=StringIO())
    summary, failures, walks = [], [], {}
    for user in demo_logins():
        client = Client()
        client.force_login(user)
        result = walk(client)
        walks[user.username] = result["statuses"]
        statuses = Counter(result["statuses"].values())
        summary.append(
            f"{user.username:<10} {len(result['statuses']):>4} addresses opened, "
            + ", ".join(f"{n} x {code}" for code, n in sorted(statuses.items()))
        )
        failures += [f"{user.username}: {link} (from {page})" for link, page in result["refused"]]
    with capsys.disabled():
        print("\n" + "\n".join(summary))
    assert not failures, "Links that answer 403:\n" + "\n".join(failures)
    assert len(walks) == 7  # every demo role, the auditor included
    # The auditor, like every user, changes its password and ends its sessions (README).
    for page in ("/profiel/", "/profiel/wachtwoord/", "/profiel/sessies/"):
        assert walks["accountant"].get(page) == 200, page
    # Its menu leads to what it reads, not to the officers' pages.
    assert "/plan/" not in walks["accountant"] and "/scholen/" not in walks["accountant"]
    assert walks["accountant"].get("/financien/GM0687/") == 200
    # The archive, from the menu: the administrator and Middelburg's finance officer reach
    # its packages, its archivist (the demo's policy officer) its destruction lists.
    assert walks["beheer"].get("/archief/GM0687/") == 200
    assert walks["financien"].get("/archief/GM0687/") == 200
    assert walks["beleid"].get("/archief/GM0687/vernietiging/") == 200
    assert "/archief/" not in walks["bestuur"] and "/archief/" not in walks["beleid2"]
