from django.urls import path

from auditing import views

app_name = "auditing"

urlpatterns = [
    path("", views.home, name="home"),
    path("<str:code>/", views.GrantListView.as_view(), name="grants"),
    path("<str:code>/<int:pk>/intrekken/", views.RevokeView.as_view(), name="revoke"),
]
