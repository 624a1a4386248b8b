from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """The Django admin, open only to functional administrators."""

    site_header = _("NPO Portal administration")
    site_title = _("NPO Portal")
    index_title = _("Functional administration")

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_functional_admin)
