from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "npo_portal.admin.PortalAdminSite"

    def ready(self):
        super().ready()
        # Registers the deploy check for the static files manifest.
        from npo_portal import staticfiles  # noqa: F401
