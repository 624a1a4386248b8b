"""A closed programme is read-only (issue 30): every page of the closed municipality, as
each role of the demo, offers no form that writes, and every POST is refused and changes
nothing.

The walk takes every view of the portal from the isolation suite (which discovers them
from the URL resolver), pointed at Middelburg's own objects.
"""

import re

import pytest
from django.urls import reverse

from accounts.factories import UserFactory
from accounts.models import Role
from settlement.factories import ClosureFactory
from settlement.models import Settlement
from tests.test_isolation import REFUSED, auditor_with_access, own_cases, row_counts

# Views about the person or their access, not the programme: signing out, the language,
# their own account, second factor and sessions; a key user's colleagues; the
# municipality's API tokens and auditor access (a token cannot write in a closed
# programme, the auditor reads the closed books); the organisation's house style, which is
# how its pages look and no record of the grant (stored documents keep the look they were
# made with). The administrator's reopening is the one write a closed programme allows
# (tested in settlement/tests).
NOT_THE_PROGRAMME = {
    "logout",
    "set_language",
    "identity:verify",
    "identity:profile",
    "identity:password-change",
    "identity:two-factor-setup",
    "identity:recovery-codes",
    "identity:two-factor-remove",
    "identity:sessions",
    "identity:session-end",
    "identity:people",
    "identity:person-edit",
    "identity:person-invite",
    "identity:person-deactivate",
    "identity:person-activate",
    "api-tokens:list",
    "api-tokens:revoke",
    "auditing:grants",
    "auditing:revoke",
    "settlement:reopen",
    "theme-edit",
}
# The functional administrator's national registers and batches, not one municipality's
# programme: a batch leaves closed municipalities out (reporting.services.start_batch).
NATIONAL = {
    "schools:school-import",
    "finance:allocation-import",
    "reporting:batch-list",
    "reporting:batch-retry",
    "insight:monitor",
    "insight:monitor-xlsx",
}
# The archive comes after closing: building the closed programme's package and approving
# its destruction are what a closed programme is for (archive/, tested there).
AFTER_CLOSING = {
    "archive:index",
    "archive:package-list",
    "archive:package-download",
    "archive:destruction-index",
    "archive:destruction-list",
    "archive:destruction-detail",
}
# Derived figures a page may compute and keep (the monitor's cache), not the programme's.
DERIVED = {"insight.MonitorFigures"}


def programme_rows() -> dict[str, int]:
    return {label: count for label, count in row_counts().items() if label not in DERIVED}


FORM_TAG = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
POSTS = re.compile(r"\bmethod=[\"']?post", re.IGNORECASE)


def writing_forms(html: str) -> list[str]:
    """The opening tags of the forms on a page that post, but the sign-out and language
    forms every page carries."""
    return [
        tag
        for tag in FORM_TAG.findall(html)
        if POSTS.search(tag) and reverse("logout") not in tag and reverse("set_language") not in tag
    ]


def user_for(world, role: str):
    return {
        "beleid": lambda: world.middelburg.policy_officer,
        "financien": lambda: world.middelburg.finance_officer,
        "bestuur": lambda: world.middelburg.board_user,
        "beheer": lambda: world.functional_admin,
        "accountant": lambda: auditor_with_access(world),
        "monitor": lambda: UserFactory(
            username="monitor", role=Role.MONITOR, municipality=None, school_board=None
        ),
    }[role]()


@pytest.mark.parametrize(
    "role", ["beleid", "financien", "bestuur", "beheer", "accountant", "monitor"]
)
def test_every_page_of_a_closed_programme_is_read_only(client, world, role):
    cases = [
        (name, kwargs)
        for name, kwargs in own_cases(world)  # makes Middelburg's objects of every view
        if name not in NOT_THE_PROGRAMME | NATIONAL | AFTER_CLOSING
    ]
    settlement = Settlement.objects.get(municipality=world.middelburg.municipality)
    ClosureFactory(settlement=settlement, municipality=world.middelburg.municipality)
    client.force_login(user_for(world, role))
    before = programme_rows()
    offered, accepted, pages = [], [], 0
    for name, kwargs in cases:
        url = reverse(name, kwargs=kwargs)
        page = client.get(url)
        html = (
            page.content.decode()
            if page.status_code == 200
            and not page.streaming
            and page["Content-Type"].startswith("text/html")
            else ""
        )
        pages += bool(html)
        if forms := writing_forms(html):
            offered.append(f"{name}: {forms}")
        posted = client.post(url, {"year": 2022, "reason": "x", "amount": "1,00"})
        # Refused; or a page that only reads and answers any method as it answers GET
        # (it offers no writing form, above, and nothing changes, below).
        if posted.status_code not in REFUSED | {405} and posted.status_code != page.status_code:
            accepted.append(f"POST {name}: {posted.status_code} (GET {page.status_code})")
    assert not offered, "\n".join(offered)
    assert not accepted, "\n".join(accepted)
    assert programme_rows() == before
    # The walk saw pages, not only refusals (the monitor reads national figures only).
    assert pages >= (0 if role == "monitor" else 5)
