from django.urls import path

from archive import views

app_name = "archive"

urlpatterns = [
    path("", views.index, name="index"),
    path("vernietiging/", views.destruction_index, name="destruction-index"),
    path("<str:code>/", views.PackageListView.as_view(), name="package-list"),
    path(
        "<str:code>/<int:pk>/download/",
        views.PackageDownloadView.as_view(),
        name="package-download",
    ),
    path("<str:code>/vernietiging/", views.DestructionListView.as_view(), name="destruction-list"),
    path(
        "<str:code>/vernietiging/<int:pk>/",
        views.DestructionDetailView.as_view(),
        name="destruction-detail",
    ),
]
