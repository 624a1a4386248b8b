from django.urls import path

from plans import views

app_name = "plans"

urlpatterns = [
    path("", views.PlanHomeView.as_view(), name="home"),
    path("aanmaken/", views.PlanCreateView.as_view(), name="create"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="detail"),
    path("<int:pk>/bewerken/", views.PlanEditView.as_view(), name="edit"),
    path("<int:pk>/afdrukken/", views.PlanPrintView.as_view(), name="print"),
    path("<int:pk>/pdf/", views.PlanPdfView.as_view(), name="pdf"),
    path("<int:pk>/status/<str:to_status>/", views.PlanTransitionView.as_view(), name="transition"),
    path("<int:pk>/herziening/", views.PlanRevisionView.as_view(), name="revision"),
    path("<int:pk>/raad-geinformeerd/", views.CouncilInformedView.as_view(), name="council"),
    path("<int:pk>/geschiedenis/", views.PlanHistoryView.as_view(), name="history"),
    path("versies/<int:pk>/", views.PlanVersionView.as_view(), name="version"),
    path(
        "<int:pk>/interventies/nieuw/",
        views.InterventionCreateView.as_view(),
        name="intervention-create",
    ),
    path(
        "interventies/<int:pk>/bewerken/",
        views.InterventionEditView.as_view(),
        name="intervention-edit",
    ),
    path(
        "interventies/<int:pk>/voortgang/",
        views.InterventionStatusView.as_view(),
        name="intervention-status",
    ),
    path(
        "interventies/<int:pk>/bereik/",
        views.InterventionReachView.as_view(),
        name="intervention-reach",
    ),
    path(
        "interventies/<int:pk>/verwijderen/",
        views.InterventionDeleteView.as_view(),
        name="intervention-delete",
    ),
    path(
        "<int:pk>/overleg/nieuw/",
        views.ConsultationCreateView.as_view(),
        name="consultation-create",
    ),
    path(
        "overleg/<int:pk>/bewerken/",
        views.ConsultationEditView.as_view(),
        name="consultation-edit",
    ),
    path(
        "overleg/<int:pk>/verwijderen/",
        views.ConsultationDeleteView.as_view(),
        name="consultation-delete",
    ),
]
