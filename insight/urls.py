from django.urls import path

from insight import views

app_name = "insight"

urlpatterns = [
    path("monitor/", views.MonitorView.as_view(), name="monitor"),
    path("monitor/xlsx/", views.MonitorXlsxView.as_view(), name="monitor-xlsx"),
    path("<str:code>/", views.GoldenThreadView.as_view(), name="golden-thread"),
    path("<str:code>/xlsx/", views.GoldenThreadXlsxView.as_view(), name="golden-thread-xlsx"),
]
