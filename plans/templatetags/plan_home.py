from django import template
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from npo_portal.changelog import logged_changes
from plans import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def plan_next_step(context):
    """The home page's plan card: the plan's status and the step that comes next.

    Rendered once per change of the municipality's plan and kept in the cache: every write
    to a plan adds to the money change log (`insight.MoneyChange`, by name as plans does not
    import insight) for its municipality, which the key holds with the language and role."""
    user = context["user"]
    if not user.municipality_id:
        return ""
    changes = logged_changes(
        apps.get_model("insight", "MoneyChange"), municipality_ids=[user.municipality_id]
    )
    key = f"home-plan-card:{user.municipality_id}:{changes}:{user.role}:{get_language()}"
    card = cache.get(key)
    if card is None:
        plan = selectors.plan_for_municipality(user=user, municipality_id=user.municipality_id)
        card = render_to_string("plans/includes/home_plan.html", {"show": True, "plan": plan})
        cache.set(key, card, settings.FIGURES_CACHE_SECONDS)
    return mark_safe(card)  # noqa: S308 (rendered by our template)
