from django import template

from schools import selectors

register = template.Library()


@register.inclusion_tag("schools/includes/home_card.html", takes_context=True)
def needs_rounds_card(context):
    """The home page's card: open rounds with what a board still has to do."""
    user = context["user"]
    return {
        "user": user,
        "board_rounds": selectors.board_open_rounds(user=user),
        "municipal_rounds": selectors.open_rounds_with_unreported(user=user),
    }
