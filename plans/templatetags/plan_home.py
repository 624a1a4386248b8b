from django import template

from plans import selectors

register = template.Library()


@register.inclusion_tag("plans/includes/home_plan.html", takes_context=True)
def plan_next_step(context):
    """The home page's plan card: the plan's status and the step that comes next."""
    user = context["user"]
    if not user.municipality_id:
        return {"show": False}
    plan = selectors.plan_for_municipality(user=user, municipality_id=user.municipality_id)
    return {"show": True, "plan": plan, "user": user}
