"""The expenditure list's table rows, rendered in Python.

The list shows 50 rows of eight cells each; as template tags (filters, `{% translate %}`,
`{% url %}` and `{% if %}` per cell) they cost about two thirds of the page's CPU (issue 32,
`bench/profile_mix.py`). Here the texts that are the same on every row are translated and
the links reversed once per page, and each row is one `format_html`: the same HTML, every
value escaped as the template escaped it."""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from npo_portal.formatting import format_euro

register = template.Library()

# Stands in for the expenditure's id in a link reversed once per page.
_PK = 2147483647


@register.simple_tag
def expenditure_rows(rows, *, municipality, can_record: bool, closed_years) -> str:
    eligible = format_html('<span class="badge text-bg-success">{}</span>', gettext("Eligible"))
    not_eligible = format_html(
        '<span class="badge text-bg-danger">{}</span>', gettext("Not eligible")
    )
    invoice = gettext("invoice")
    if can_record:
        edit_url = reverse("finance:expenditure-update", args=[municipality.code, _PK])
        delete_url = reverse("finance:expenditure-delete", args=[municipality.code, _PK])
        edit, delete = gettext("Edit"), gettext("Delete")
        closed = set(closed_years or ())
    html = []
    for expenditure in rows:
        amount = expenditure.amount
        supplier, number = expenditure.supplier, expenditure.invoice_number
        source = conditional_escape(supplier)
        if supplier and number:
            source += " · "
        if number:
            source += format_html("{} {}", invoice, number)
        if expenditure.eligibility == "ok":
            verdict = eligible
        else:
            verdict = format_html(
                '{}<br><span class="small">{}</span>', not_eligible, expenditure.eligibility_label
            )
        actions = ""
        if can_record:
            year = expenditure.date.year
            if year in closed:
                inner = format_html(
                    '<span class="text-body-secondary">{}</span>',
                    gettext("%(year)s closed") % {"year": f"{year:d}"},
                )
            else:
                pk = str(expenditure.pk)
                inner = format_html(
                    '<a href="{}">{}</a>\n        · <a href="{}">{}</a>',
                    edit_url.replace(str(_PK), pk),
                    edit,
                    delete_url.replace(str(_PK), pk),
                    delete,
                )
            actions = format_html('<td class="text-nowrap small">\n        {}\n      </td>', inner)
        html.append(
            format_html(
                "<tr>\n"
                '      <td class="text-nowrap">{}</td>\n'
                '      <td class="text-end text-nowrap{}">{}</td>\n'
                '      <td class="small">{}</td>\n'
                '      <td class="text-nowrap">{}</td>\n'
                '      <td>{}<br><span class="small text-body-secondary">{}</span></td>\n'
                "      <td>{}</td>\n"
                "      {}\n"
                "    </tr>",
                date_format(expenditure.date, "SHORT_DATE_FORMAT"),
                " text-danger" if amount < 0 else "",
                format_euro(amount),
                str(expenditure.goal),
                expenditure.intervention.code if expenditure.intervention_id else "",
                expenditure.description,
                mark_safe(source),  # noqa: S308 - built from escaped parts above
                verdict,
                actions,
            )
        )
    return mark_safe("\n    ".join(html))  # noqa: S308 - every row went through format_html
