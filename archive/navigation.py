from django.urls import reverse
from django.utils.translation import gettext as _

from archive import permissions
from npo_portal.navigation import MenuEntry


def menu(user) -> list[MenuEntry]:
    if permissions.can_open_archive(user):
        return [MenuEntry(70, _("Archive"), reverse("archive:index"))]
    return []
