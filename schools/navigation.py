from django.urls import reverse
from django.utils.translation import gettext as _

from npo_portal.navigation import MenuEntry
from schools import permissions


def menu(user) -> list[MenuEntry]:
    entries = []
    if permissions.can_list_rounds(user):
        entries.append(MenuEntry(30, _("Needs reports"), reverse("schools:round-list")))
    if permissions.can_list_schools(user) and not user.is_school_board_user:
        entries.append(MenuEntry(40, _("Schools"), reverse("schools:school-list")))
    return entries
