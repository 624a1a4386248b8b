"""The expenditure list's table rows, rendered in Python.

The list shows 50 rows of eight cells each; as template tags (filters, `{% translate %}`,
`{% url %}` and `{% if %}` per cell) they cost about two thirds of the page's CPU (issue 32,
`bench/profile_mix.py`). Here the texts that are the same on every row are translated and
the links reversed once per page, and each row is one string: the same HTML, every value
escaped as the template escaped it."""

from html import escape

from django import template
from django.urls import reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from npo_portal.formatting import format_euro

register = template.Library()

# Stands in for the expenditure's id in a link reversed once per page.
_PK = 2147483647


@register.simple_tag
def expenditure_rows(rows, *, municipality, can_record: bool, closed_years) -> str:
    # Each value is escaped as `format_html` escapes it (`html.escape` of its text), but
    # directly: Django's `escape` and `conditional_escape` check every argument for lazy
    # texts and wrap each result, which cost more than the rows themselves (issue 32).
    eligible = format_html('<span class="badge text-bg-success">{}</span>', gettext("Eligible"))
    not_eligible = format_html(
        '<span class="badge text-bg-danger">{}</span>', gettext("Not eligible")
    )
    invoice = escape(gettext("invoice"))
    short_date = get_format("SHORT_DATE_FORMAT")
    if can_record:
        edit_url = reverse("finance:expenditure-update", args=[municipality.code, _PK])
        delete_url = reverse("finance:expenditure-delete", args=[municipality.code, _PK])
        edit, delete = escape(gettext("Edit")), escape(gettext("Delete"))
        closed = set(closed_years or ())
    verdicts = {}
    html = []
    for expenditure in rows:
        amount = expenditure.amount
        supplier, number = expenditure.supplier, expenditure.invoice_number
        source = escape(supplier)
        if supplier and number:
            source += " · "
        if number:
            source += f"{invoice} {escape(number)}"
        if expenditure.eligibility == "ok":
            verdict = eligible
        else:
            verdict = verdicts.get(expenditure.eligibility)
            if verdict is None:
                label = escape(str(expenditure.eligibility_label))
                verdict = verdicts[expenditure.eligibility] = (
                    f'{not_eligible}<br><span class="small">{label}</span>'
                )
        actions = ""
        if can_record:
            year = expenditure.date.year
            if year in closed:
                text = escape(gettext("%(year)s closed") % {"year": f"{year:d}"})
                inner = f'<span class="text-body-secondary">{text}</span>'
            else:
                pk = str(expenditure.pk)
                inner = (
                    f'<a href="{escape(edit_url.replace(str(_PK), pk))}">{edit}</a>\n'
                    f'        · <a href="{escape(delete_url.replace(str(_PK), pk))}">{delete}</a>'
                )
            actions = f'<td class="text-nowrap small">\n        {inner}\n      </td>'
        date = escape(dateformat.format(expenditure.date, short_date))
        goal = escape(str(expenditure.goal))
        intervention = escape(expenditure.intervention.code) if expenditure.intervention_id else ""
        html.append(
            "<tr>\n"
            f'      <td class="text-nowrap">{date}</td>\n'
            f'      <td class="text-end text-nowrap{" text-danger" if amount < 0 else ""}">'
            f"{escape(format_euro(amount))}</td>\n"
            f'      <td class="small">{goal}</td>\n'
            f'      <td class="text-nowrap">{intervention}</td>\n'
            f"      <td>{escape(expenditure.description)}<br>"
            f'<span class="small text-body-secondary">{source}</span></td>\n'
            f"      <td>{verdict}</td>\n"
            f"      {actions}\n"
            "    </tr>"
        )
    return mark_safe("\n    ".join(html))  # noqa: S308 - every value escaped above
