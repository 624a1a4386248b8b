from django.urls import reverse
from django.utils.translation import gettext as _

from npo_portal.navigation import MenuEntry
from plans import permissions


def menu(user) -> list[MenuEntry]:
    if not permissions.can_open_plan_home(user):
        return []
    return [
        MenuEntry(20, _("Plans") if user.is_functional_admin else _("Plan"), reverse("plans:home"))
    ]
