from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import PasswordResetRequestForm
from identity import views as identity_views

urlpatterns = [
    path("", views.home, name="home"),
    path("inloggen/", identity_views.LoginView.as_view(), name="login"),
    path("uitloggen/", identity_views.logout, name="logout"),
    path(
        "wachtwoord-vergeten/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetRequestForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "wachtwoord-vergeten/verzonden/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "wachtwoord-instellen/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-instellen/klaar/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("gemeenten/", views.MunicipalityListView.as_view(), name="municipality-list"),
    path("gemeenten/<str:code>/", views.municipality_detail, name="municipality-detail"),
    path("besturen/<str:number>/", views.school_board_detail, name="school-board-detail"),
    path("huisstijl/<str:kind>/<str:key>/", views.theme_edit, name="theme-edit"),
    path("huisstijl/<str:kind>/<str:key>/stijl.css", views.theme_stylesheet, name="theme-css"),
    path("huisstijl/<str:kind>/<str:key>/logo/", views.theme_logo, name="theme-logo"),
]
