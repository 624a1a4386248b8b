from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from api import docs, views

app_name = "api-v1"

urlpatterns = [
    path("uitgaven/", views.ExpenditureListView.as_view(), name="expenditure-list"),
    path("uitgaven/bulk/", views.ExpenditureBulkView.as_view(), name="expenditure-bulk"),
    path("uitgaven/<int:pk>/", views.ExpenditureDetailView.as_view(), name="expenditure-detail"),
    path("betalingen/", views.PaymentListView.as_view(), name="payment-list"),
    path("totalen/", views.TotalsView.as_view(), name="totals"),
    path("eindpositie/", views.FinalPositionView.as_view(), name="final-position"),
    path("vaststelling/", views.SettlementView.as_view(), name="settlement"),
    path("verantwoordingen/", views.ReportListView.as_view(), name="report-list"),
    path("verantwoordingen/<int:pk>/", views.ReportDetailView.as_view(), name="report-detail"),
    path(
        "verantwoordingen/<int:pk>/<str:kind>/",
        views.ReportFileView.as_view(),
        name="report-file",
    ),
    path("behoeftepeilingen/", views.RoundListView.as_view(), name="round-list"),
    path("behoeftepeilingen/<int:pk>/", views.PictureView.as_view(), name="round-picture"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", docs.SwaggerView.as_view(url_name="api-v1:schema"), name="docs"),
    path("redoc/", docs.RedocView.as_view(url_name="api-v1:schema"), name="redoc"),
    # Unnamed on purpose: not an endpoint, the problem+json answer to every other path.
    re_path(r"^.*$", views.NotFoundView.as_view()),
]
