from django.urls import reverse
from django.utils.translation import gettext as _

from identity import permissions
from npo_portal.navigation import ACCOUNT, MenuEntry


def menu(user) -> list[MenuEntry]:
    allowed, _reason = permissions.can_manage_people(user)
    if not allowed:
        return []
    return [MenuEntry(10, _("People"), reverse("identity:people"), place=ACCOUNT)]
