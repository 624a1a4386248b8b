from django import template

from npo_portal.formatting import format_euro

register = template.Library()


@register.filter
def euro(amount):
    """{{ amount|euro }} → € 1.234,56"""
    return format_euro(amount)
