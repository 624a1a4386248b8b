from django import template
from django.db.models import Exists, Q, Subquery

from finance import permissions, selectors
from finance.models import ExpenditureImport, ImportStatus
from insight.figures import cached_finance_totals

register = template.Library()


@register.inclusion_tag("finance/includes/home_next_steps.html", takes_context=True)
def finance_next_steps(context):
    """The home page's money card for a municipality's officers: what is at risk, what lowers
    it, interventions still without spending and imports that did not go through."""
    user = context["user"]
    municipality = user.municipality
    if municipality is None or not permissions.can_view_finances(user, municipality):
        return {"user": user, "totals": None}
    if selectors.finance_programme() is None:  # no programme loaded: nothing to add up yet
        return {"user": user, "totals": None}
    totals = cached_finance_totals(municipality=municipality)
    # One query: the failures since the latest import that went through (all, if none did).
    imports = ExpenditureImport.objects.for_user(user).filter(municipality=municipality)
    done = imports.filter(status=ImportStatus.DONE)
    failed = imports.filter(status__in=[ImportStatus.FAILED, ImportStatus.REJECTED]).filter(
        Q(created_at__gt=Subquery(done.order_by("-created_at").values("created_at")[:1]))
        | ~Exists(done)
    )
    return {
        "user": user,
        "municipality": municipality,
        "totals": totals,
        "unspent_interventions": [
            row for row in totals.interventions if not row.spent and row.budget
        ][:5],
        "failed_imports": list(failed.order_by("-created_at")[:3]),
        "can_record": permissions.can_record_finances(user, municipality),
    }
