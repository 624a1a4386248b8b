from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.index, name="index"),
    path("reeksen/", views.BatchListView.as_view(), name="batch-list"),
    path("reeksen/<int:pk>/", views.BatchDetailView.as_view(), name="batch-detail"),
    path("reeksen/<int:pk>/status/", views.BatchStatusView.as_view(), name="batch-status"),
    path("reeksen/<int:pk>/opnieuw/", views.BatchRetryView.as_view(), name="batch-retry"),
    path("<str:code>/", views.ReportListView.as_view(), name="report-list"),
    path(
        "<str:code>/voorbeeld/<int:year>/", views.ReportPreviewView.as_view(), name="report-preview"
    ),
    path("<str:code>/<int:pk>/status/", views.ReportStatusView.as_view(), name="report-status"),
    path(
        "<str:code>/<int:pk>/pdf/",
        views.ReportDownloadView.as_view(file_field="pdf"),
        name="report-pdf",
    ),
    path(
        "<str:code>/<int:pk>/xlsx/",
        views.ReportDownloadView.as_view(file_field="xlsx"),
        name="report-xlsx",
    ),
    path(
        "<str:code>/<int:pk>/controledossier/",
        views.ReportDossierView.as_view(),
        name="report-dossier",
    ),
    path(
        "<str:code>/<int:pk>/controledossier.xlsx",
        views.ReportDossierXlsxView.as_view(),
        name="report-dossier-xlsx",
    ),
    path(
        "<str:code>/<int:pk>/definitief/",
        views.ReportFinaliseView.as_view(),
        name="report-finalise",
    ),
    path("<str:code>/<int:pk>/heropenen/", views.ReportReopenView.as_view(), name="report-reopen"),
]
