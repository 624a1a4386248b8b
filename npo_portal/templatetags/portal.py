import re

from django import template
from django.utils.safestring import mark_safe

from npo_portal.charts import chart_html
from npo_portal.formatting import format_euro

register = template.Library()


@register.filter
def euro(amount):
    """{{ amount|euro }} → € 1.234,56"""
    return format_euro(amount)


CSS_PLAIN = re.compile(r"[A-Za-z0-9.,()]")  # no space: CSS eats one after an escape


@register.filter
def css_string(value):
    """Text for inside a double-quoted CSS string (`content: "..."` in a <style> element):
    every other character as a six-digit CSS escape, so quotes, backslashes and "</style>"
    cannot end the string or the element, and the text prints as written (escapejs's
    "\\u0026" is a JavaScript escape, which CSS prints as "u0026")."""
    return mark_safe(  # noqa: S308 - every character that is not plain is escaped
        "".join(char if CSS_PLAIN.fullmatch(char) else f"\\{ord(char):06x}" for char in str(value))
    )


@register.simple_tag
def chart(chart, id):
    """{% chart figures.chart "unique-id" %}: a chart of `npo_portal.charts` as inline SVG."""
    return chart_html(chart, id)
