from django.urls import reverse
from django.utils.translation import gettext as _

from npo_portal.navigation import MenuEntry
from reporting import permissions


def menu(user) -> list[MenuEntry]:
    if permissions.can_run_batches(user):
        return [MenuEntry(60, _("Report batches"), reverse("reporting:batch-list"))]
    municipality = user.municipality
    # The officers reach their reports from the finance pages; the auditor, who reads little
    # else, gets them in the menu.
    if (
        user.is_auditor
        and municipality is not None
        and permissions.can_view_reports(user, municipality)
    ):
        url = reverse("reporting:report-list", args=[municipality.code])
        return [MenuEntry(60, _("Accountability reports"), url)]
    return []
