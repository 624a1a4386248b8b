from django.urls import path

from identity import oidc, views

app_name = "identity"

urlpatterns = [
    path("inloggen/code/", views.verify, name="verify"),
    path("inloggen/organisatie/terug/", oidc.callback, name="oidc-callback"),
    path("inloggen/organisatie/<slug:slug>/", oidc.start, name="oidc-start"),
    path("profiel/", views.profile, name="profile"),
    path("profiel/wachtwoord/", views.password_change, name="password-change"),
    path("profiel/tweestapsverificatie/", views.two_factor_setup, name="two-factor-setup"),
    path("profiel/tweestapsverificatie/herstelcodes/", views.recovery_codes, name="recovery-codes"),
    path(
        "profiel/tweestapsverificatie/uitzetten/", views.two_factor_remove, name="two-factor-remove"
    ),
    path("profiel/sessies/", views.sessions, name="sessions"),
    path("profiel/sessies/<int:pk>/beeindigen/", views.session_end, name="session-end"),
    path("organisatie/mensen/", views.people, name="people"),
    path("organisatie/mensen/uitnodigen/", views.invite, name="invite"),
    path("organisatie/mensen/<int:pk>/deactiveren/", views.deactivate, name="deactivate"),
    path("organisatie/mensen/<int:pk>/activeren/", views.reactivate, name="reactivate"),
]
