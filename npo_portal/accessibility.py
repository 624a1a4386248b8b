"""The accessibility statement (toegankelijkheidsverklaring), in the parts of the Dutch model
that the Besluit digitale toegankelijkheid overheid asks for: what it covers, the compliance
status (A to D), the checks behind it with their dates, the known shortcomings with what is
done about them, and how to report a problem. The facts live here, as data; the page and
its test read them. Update the dates when a check is run again."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

STANDARD = "WCAG 2.1, niveau A en AA (EN 301 549)"
# C: first measures taken, shown by automated and manual checks; no full WCAG-EM audit by an
# independent party yet, which status A or B needs.
STATUS = "C"
STATUS_TEXT = _("C – first measures taken")  # noqa: RUF001 - the status as the register writes it; xgettext reads no \N{…}
STATEMENT_DATE = datetime.date(2026, 12, 7)


@dataclass(frozen=True)
class Check:
    what: str
    how: str
    on: datetime.date | None
    result: str


CHECKS = [
    Check(
        _("Automated check of every page a user goes through in the browser journeys"),
        _("axe-core against WCAG 2.1 A and AA, in the browser tests (tests/browser)"),
        datetime.date(2026, 12, 7),
        _("No violations on the pages the journeys visit."),
    ),
    Check(
        _("Reflow at 320 CSS pixels wide (WCAG 1.4.10)"),
        _("Chromium at 320 and 1280 px: the page never scrolls sideways (tests/browser)"),
        datetime.date(2026, 12, 7),
        _("No page scrolls sideways; wide tables scroll inside their own box."),
    ),
    Check(
        _("Every link a user is shown opens for that user"),
        _("A walk over every link of every page for each demo role (tests/test_link_walk.py)"),
        datetime.date(2026, 12, 7),
        _("No link answers 403."),
    ),
    Check(
        _("Tagged PDF documents"),
        _(
            "PDF/UA-1 tagging read back with pikepdf: header cells with /Scope, page furniture "
            "as artifacts, alternative text for figures"
        ),
        datetime.date(2026, 12, 7),
        _("veraPDF cannot be run on the build machines; no full PDF/UA validation yet."),
    ),
]


@dataclass(frozen=True)
class Shortcoming:
    problem: str
    effect: str
    measure: str


SHORTCOMINGS = [
    Shortcoming(
        _("There has been no full audit by an independent party (WCAG-EM)."),
        _("Problems that automated checks do not find may remain."),
        _("An audit is to be commissioned by the organisation that runs the portal."),
    ),
    Shortcoming(
        _("Charts are images."),
        _("A screen reader reads the chart's title and description, not each bar or point."),
        _("Every chart has a table with the same numbers beside it."),
    ),
]


def statement(request):
    """The accessibility statement: public, linked from the footer of every page."""
    return render(
        request,
        "accessibility.html",
        {
            "standard": STANDARD,
            "status": STATUS,
            "status_text": STATUS_TEXT,
            "statement_date": STATEMENT_DATE,
            "checks": CHECKS,
            "shortcomings": SHORTCOMINGS,
        },
    )
