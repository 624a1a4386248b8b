"""The menu entries for the organisations' pages, by the pages' own permission functions."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import permissions
from npo_portal.navigation import MenuEntry


def menu(user) -> list[MenuEntry]:
    if user.is_functional_admin:
        if permissions.can_list_municipalities(user):
            return [MenuEntry(10, _("Municipalities"), reverse("municipality-list"))]
        return []
    if user.municipality is not None:
        if permissions.can_view_municipality(user, user.municipality):
            url = reverse("municipality-detail", args=[user.municipality.code])
            return [MenuEntry(10, _("My municipality"), url)]
        return []
    if user.school_board is not None and permissions.can_view_school_board(user, user.school_board):
        url = reverse("school-board-detail", args=[user.school_board.number])
        return [MenuEntry(10, _("My school board"), url)]
    return []
