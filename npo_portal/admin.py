from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    """The Django admin, open only to functional administrators."""

    site_header = _("NPO Portal administration")
    site_title = _("NPO Portal")
    index_title = _("Functional administration")

    index_template = "admin/npo_index.html"

    def index(self, request, extra_context=None):
        """The index also shows what waits on each queue, so a stalled worker is seen."""
        from npo_portal.health import queues_state

        return super().index(request, {"queues": queues_state(), **(extra_context or {})})

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_authenticated and user.is_functional_admin)


def year_column(model, field_name: str):
    """A list column that shows a year as 2024; as a number the admin would write 2.024."""

    @admin.display(description=model._meta.get_field(field_name).verbose_name, ordering=field_name)
    def column(obj):
        value = getattr(obj, field_name)
        return "" if value is None else str(value)

    column.__name__ = f"{field_name}_as_year"
    return column
