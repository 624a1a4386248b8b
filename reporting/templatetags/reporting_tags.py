from django import template

from finance.selectors import ELIGIBILITY_LABELS

register = template.Library()


@register.filter
def eligibility_label(code: str) -> str:
    """The reason, in words, for an expenditure's `eligibility` annotation."""
    return str(ELIGIBILITY_LABELS.get(code, code))
