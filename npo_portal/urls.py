from django.contrib import admin
from django.urls import include, path

from npo_portal.health import health

# problem+json under /api/, the portal's 400 page elsewhere.
handler400 = "api.problems.bad_request"

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include("identity.urls")),
    path("scholen/", include("schools.urls")),
    path("plan/", include("plans.urls")),
    path("financien/<str:code>/api-tokens/", include("api.pages_urls")),
    path("financien/", include("finance.urls")),
    path("verantwoording/", include("reporting.urls")),
    path("vaststelling/", include("settlement.urls")),
    path("api/v1/", include("api.urls")),
    path("inzicht/", include("insight.urls")),
    path("accountant/", include("auditing.urls")),
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
]
