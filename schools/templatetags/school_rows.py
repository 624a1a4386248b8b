"""The rows of the schools' lists of the round detail and the needs picture, rendered in Python.

A page of 25 schools as template tags (an include for the status badge, `{% url %}`, the date
filter and `{% if %}` per cell) cost the round detail about 0.5 ms a row, so that a page of 25
still cost half again as much as a municipality with a handful of schools (issue 32,
`bench/profile_pages.py`). As in `finance/templatetags/expenditure_rows.py`, the texts that are
the same on every row are translated and the links reversed once per page, and each row is one
`format_html`: the same HTML, every value escaped as the template escaped it."""

from html import escape

from django import template
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import date_format, localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from schools.models import AnswerStatus, Domain, Sector
from schools.selectors import RESPONSE_LABELS

register = template.Library()

# Stands in for the answer's id in a link reversed once per page.
_PK = 2147483647
_BADGE = {AnswerStatus.SUBMITTED: "text-bg-success", AnswerStatus.DRAFT: "text-bg-warning"}


class _Cells:
    """What every row of a page shares: the badges per status, the sectors' names, the link."""

    def __init__(self):
        self.badges = {
            status: format_html(
                '<span class="badge {}">{}</span>',
                _BADGE.get(status, "text-bg-secondary"),
                label,
            )
            for status, label in RESPONSE_LABELS.items()
        }
        self.reopen = format_html(
            ' <span class="badge text-bg-info">{}</span>', gettext("reopening requested")
        )
        self.sectors = {value: str(label) for value, label in Sector.choices}
        self.answer_url = reverse("schools:answer-detail", args=[_PK])

    def school(self, response) -> str:
        name = escape(response.school.name)
        if response.answer_id:
            url = self.answer_url.replace(str(_PK), str(response.answer_id))
            return f'<a href="{url}">{name}</a>'
        return name

    def status(self, response) -> str:
        badge = self.badges[response.status]
        return badge + self.reopen if response.reopen_requested else badge


# The rows are put together from escaped values (`html.escape`, which gives the same
# entities as Django's, or HTML built by `format_html` above), as in the template they
# replace; `format_html` per cell cost twice as much (see finance's expenditure_rows).


@register.simple_tag
def round_response_rows(responses) -> str:
    """The round detail's rows: school, BRIN, sector, board, status, submitted at."""
    cells = _Cells()
    rows = []
    for response in responses:
        school = response.school
        submitted = response.submitted_at
        when = (
            escape(date_format(template_localtime(submitted), "SHORT_DATETIME_FORMAT"))
            if submitted
            else "—"
        )
        sector = escape(school.sector)
        rows.append(
            "<tr>\n"
            f"      <td>{cells.school(response)}</td>\n"
            f"      <td>{escape(school.code)}</td>\n"
            f'      <td><abbr title="{escape(cells.sectors.get(school.sector, school.sector))}">'
            f"{sector}</abbr></td>\n"
            f"      <td>{escape(school.board.name)}</td>\n"
            f"      <td>{cells.status(response)}</td>\n"
            f'      <td class="text-nowrap">{when}</td>\n'
            "    </tr>"
        )
    return mark_safe("\n    ".join(rows))  # noqa: S308 - every value escaped above


@register.simple_tag
def picture_response_rows(responses) -> str:
    """The needs picture's rows: board, school, sector, status."""
    cells = _Cells()
    return mark_safe(  # noqa: S308 - every value escaped
        "\n        ".join(
            f"<tr><td>{escape(response.school.board.name)}</td><td>{cells.school(response)}</td>"
            f"<td>{escape(cells.sectors.get(response.school.sector, response.school.sector))}"
            f"</td><td>{cells.badges[response.status]}</td></tr>"
            for response in responses
        )
    )


@register.simple_tag
def quoted_texts(items) -> str:
    """The picture's texts in the schools' own words, each with its school."""
    return format_html_join(
        "",
        '<blockquote class="border-start ps-3 mb-2"><p class="mb-0">{}</p>'
        '<footer class="small text-body-secondary">{}</footer></blockquote>',
        ((linebreaksbr(item.description, autoescape=True), item.school.name) for item in items),
    )


class _Localised(dict):
    """A number as the template showed it (localised and escaped), worked out once per value."""

    def __call__(self, value) -> str:
        key = (type(value), value)  # Decimal("5") == 5, and each type is shown its own way
        if key not in self:
            self[key] = escape(localize(value))
        return self[key]


@register.simple_tag
def delay_table_rows(delay_rows) -> str:
    """The needs picture's delays per domain and sector (six domains by at most three
    sectors): the domain named on its first row, the sector, the schools, the schools per
    severity and the mean share of pupils; numbers localised as the template did, each
    number once (the table's hundred cells hold a few dozen, mostly small counts)."""
    number = _Localised()
    domains = {value: escape(label) for value, label in Domain.choices}
    sectors = {value: escape(label) for value, label in Sector.choices}
    rows, previous = [], None
    for row in delay_rows:
        domain = domains[row.domain] if row.domain != previous else ""
        previous = row.domain
        counts = "".join(
            f'<td class="text-end">{number(count)}</td>' for count in row.severity_counts
        )
        rows.append(
            "\n        <tr>\n"
            f"          <td>{domain}</td>\n"
            f'          <td class="text-nowrap">{sectors[row.sector]}</td>\n'
            f'          <td class="text-end">{number(row.schools)}</td>\n'
            f"          {counts}\n"
            f'          <td class="text-end">{number(row.average_share)}%</td>\n'
            "        </tr>\n      "
        )
    return mark_safe("".join(rows))  # noqa: S308 - every value escaped
