import datetime

from django import template

register = template.Library()


@register.filter
def labels(codes, choices: dict) -> str:
    """{{ intervention.target_groups|labels:target_group_labels }} → "po, vo" in words."""
    return ", ".join(str(choices.get(code, code)) for code in codes or [])


@register.filter
def at(sequence, index):
    """{{ amounts|at:forloop.counter0 }}: an item of a list by position."""
    try:
        return sequence[index]
    except (IndexError, KeyError, TypeError):
        return ""


@register.filter
def isodate(value: str):
    """A date kept as ISO text in a version's snapshot, back as a date for |date."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value
