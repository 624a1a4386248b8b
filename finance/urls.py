from django.urls import path

from finance import views

app_name = "finance"

urlpatterns = [
    path("", views.index, name="index"),
    path("toekenningen/", views.AllocationListView.as_view(), name="allocation-list"),
    path(
        "toekenningen/importeren/",
        views.AllocationImportView.as_view(),
        name="allocation-import",
    ),
    path("<str:code>/", views.DashboardView.as_view(), name="dashboard"),
    path("<str:code>/uitgaven/", views.ExpenditureListView.as_view(), name="expenditure-list"),
    path(
        "<str:code>/uitgaven/export.<str:fmt>",
        views.ExpenditureExportView.as_view(),
        name="expenditure-export",
    ),
    path(
        "<str:code>/uitgaven/nieuw/",
        views.ExpenditureCreateView.as_view(),
        name="expenditure-create",
    ),
    path(
        "<str:code>/uitgaven/<int:pk>/wijzigen/",
        views.ExpenditureUpdateView.as_view(),
        name="expenditure-update",
    ),
    path(
        "<str:code>/uitgaven/<int:pk>/verwijderen/",
        views.ExpenditureDeleteView.as_view(),
        name="expenditure-delete",
    ),
    path("<str:code>/uitgaven/importeren/", views.ImportView.as_view(), name="import"),
    path(
        "<str:code>/uitgaven/importeren/sjabloon.<str:fmt>",
        views.ImportTemplateView.as_view(),
        name="import-template",
    ),
    path(
        "<str:code>/uitgaven/importeren/<int:pk>/",
        views.ImportDetailView.as_view(),
        name="import-detail",
    ),
    path(
        "<str:code>/uitgaven/importeren/<int:pk>/afbreken/",
        views.ImportAbandonView.as_view(),
        name="import-abandon",
    ),
    path("<str:code>/geschiedenis/", views.HistoryView.as_view(), name="history"),
    path("<str:code>/betalingen/", views.PaymentListView.as_view(), name="payment-list"),
    path("<str:code>/betalingen/nieuw/", views.PaymentCreateView.as_view(), name="payment-create"),
]
