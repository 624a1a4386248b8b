from django.urls import path

from api import pages

app_name = "api-tokens"

urlpatterns = [
    path("", pages.TokenListView.as_view(), name="list"),
    path("<int:pk>/intrekken/", pages.TokenRevokeView.as_view(), name="revoke"),
]
