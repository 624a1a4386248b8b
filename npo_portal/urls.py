from django.contrib import admin
from django.urls import include, path

from npo_portal import health
from npo_portal.accessibility import statement
from npo_portal.metrics import metrics

# problem+json under /api/, the portal's 400 page elsewhere.
handler400 = "api.problems.bad_request"
handler500 = "npo_portal.views.server_error"

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
    path("archief/", include("archive.urls")),
    path("toegankelijkheid/", statement, name="accessibility"),
    path("health/", health.health, name="health"),
    path("health/live/", health.live, name="health-live"),
    path("metrics", metrics, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("beheer/", admin.site.urls),
]
