from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from finance import permissions, selectors
from finance.models import ExpenditureImport, ImportStatus
from insight.figures import cached_finance_totals, figures_key

register = template.Library()

# Where the live list of failed imports goes in the cached card.
IMPORTS_SLOT = "<!-- failed imports -->"


@register.simple_tag(takes_context=True)
def finance_next_steps(context):
    """The home page's money card for a municipality's officers: what is at risk, what lowers
    it, interventions still without spending and imports that did not go through.

    The card is rendered once per change of the grant's books (`figures_key`), language and
    whether the user may record; only the failed imports, which no change log counts, are
    read on every view."""
    user = context["user"]
    municipality = user.municipality
    if municipality is None or not permissions.can_view_finances(user, municipality):
        return ""
    today = timezone.localdate()
    can_record = permissions.can_record_finances(user, municipality)
    key = figures_key(municipality=municipality, on=today)
    cache_key = f"home-money-card:{key}:{get_language()}:{int(can_record)}"
    card = cache.get(cache_key)
    if card is None:
        card = _money_card(municipality, key=key, today=today, can_record=can_record)
        cache.set(cache_key, card, settings.FIGURES_CACHE_SECONDS)
    if not card:
        return ""
    head, tail = card.split(IMPORTS_SLOT)
    failed = failed_imports(user=user, municipality=municipality)
    imports = ""
    if failed:
        imports = render_to_string(
            "finance/includes/home_failed_imports.html",
            {"failed_imports": failed, "municipality": municipality},
        )
    return mark_safe(head + imports + tail)  # noqa: S308 (rendered by our templates)


def _money_card(municipality, *, key: str, today, can_record: bool) -> str:
    if selectors.finance_programme() is None:  # no programme loaded: nothing to add up yet
        return ""
    totals = cached_finance_totals(municipality=municipality, today=today, key=key)
    return render_to_string(
        "finance/includes/home_next_steps.html",
        {
            "municipality": municipality,
            "totals": totals,
            "unspent_interventions": [
                row for row in totals.interventions if not row.spent and row.budget
            ][:5],
            "imports_slot": mark_safe(IMPORTS_SLOT),  # noqa: S308 (a constant)
            "can_record": can_record,
        },
    )


def failed_imports(*, user, municipality) -> list[ExpenditureImport]:
    """The municipality's last three imports that failed or were refused since the latest
    one that went through (all of them, if none did)."""
    finished = (
        ExpenditureImport.objects.for_user(user)
        .filter(
            municipality=municipality,
            status__in=[ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.REJECTED],
        )
        .only("pk", "file_name", "status", "created_at")
        .order_by("-created_at", "-pk")[:3]
    )
    failed = []
    for job in finished:
        if job.status == ImportStatus.DONE:
            break
        failed.append(job)
    return failed
