from django.urls import reverse
from django.utils.translation import gettext as _

from finance import permissions
from npo_portal.navigation import MenuEntry


def menu(user) -> list[MenuEntry]:
    if permissions.can_list_allocations(user):
        return [MenuEntry(50, _("Finance"), reverse("finance:allocation-list"))]
    municipality = user.municipality
    if municipality is not None and permissions.can_view_finances(user, municipality):
        return [MenuEntry(50, _("Finance"), reverse("finance:dashboard", args=[municipality.code]))]
    return []
