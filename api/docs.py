"""The API's documentation pages, under the portal's CSP: Swagger UI and Redoc from the
vendored drf-spectacular-sidecar files, the Swagger UI start script served as a file (no
inline script, no CDN)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    title = _("NPO Portal API: documentation")


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
    title = _("NPO Portal API: reference")

    @classmethod
    def as_view(cls, **initkwargs):
        # Redoc styles itself with <style> elements it creates at run time and renders in a
        # worker from a blob: URL; scripts stay limited to our own files.
        return csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})(
            super().as_view(**initkwargs)
        )
