"""The notice at the top of every page of a municipality whose programme is closed."""

from django import template

from settlement.closed import is_closed_id

register = template.Library()

# Objects a page may be about that name their municipality, in the order they are tried.
_HOLDERS = ("plan", "needs_round", "round", "report")


def _municipality_id(context) -> int | None:
    municipality = context.get("municipality")
    if municipality is not None and not isinstance(municipality, str):
        return municipality.pk
    for name in _HOLDERS:
        found = getattr(context.get(name), "municipality_id", None)
        if found is not None:
            return found
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user.municipality_id
    return None


@register.inclusion_tag("settlement/closed_notice.html", takes_context=True)
def closed_notice(context):
    municipality_id = _municipality_id(context)
    if not is_closed_id(municipality_id):
        return {"closed": False}
    from accounts.models import Municipality

    return {"closed": True, "closed_municipality": Municipality.objects.get(pk=municipality_id)}
