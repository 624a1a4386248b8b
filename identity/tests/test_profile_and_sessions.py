"""Every user: a profile page with name, e-mail and password, and their sessions to end."""

from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from accounts.factories import TEST_PASSWORD
from identity.models import AccountEvent, UserSession


def logged_in_client(user, agent="Firefox proef") -> Client:
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(reverse("login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


def test_profile_changes_name_and_email(client, world):
    user = world.middelburg.policy_officer
    client.force_login(user)
    response = client.post(
        reverse("identity:profile"),
        {"first_name": "Marieke", "last_name": "de Visser", "email": "m.devisser@middelburg.nl"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.get_full_name(), user.email) == ("Marieke de Visser", "m.devisser@middelburg.nl")
    assert AccountEvent.objects.filter(subject=user, action="profile").exists()


def test_password_change_follows_the_portals_rules(client, world):
    user = world.middelburg.policy_officer
    client.force_login(user)
    weak = client.post(
        reverse("identity:password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": "kort1", "new_password2": "kort1"},
    )
    assert weak.status_code == 200
    # Django's own rule texts (AUTH_PASSWORD_VALIDATORS: at least 12 characters), in Dutch.
    assert weak.context["form"].errors["new_password2"] == [
        "Dit wachtwoord is te kort. Het moet minstens 12 tekens lang zijn."
    ]
    user.refresh_from_db()
    assert user.check_password(TEST_PASSWORD)


def test_password_change_signs_out_the_other_sessions_only(world):
    user = world.middelburg.policy_officer
    laptop, phone = logged_in_client(user, "Laptop"), logged_in_client(user, "Telefoon")
    assert UserSession.objects.filter(user=user).count() == 2
    new = "een nieuw en lang wachtwoord 2026"
    response = laptop.post(
        reverse("identity:password-change"),
        {"old_password": TEST_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert laptop.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).status_code == 302
    assert list(UserSession.objects.filter(user=user).values_list("user_agent", flat=True)) == [
        "Laptop"
    ]


def test_sessions_list_shows_each_sign_in_and_ends_one(world):
    user = world.middelburg.policy_officer
    laptop, phone = logged_in_client(user, "Laptop"), logged_in_client(user, "Telefoon")
    page = laptop.get(reverse("identity:sessions")).content.decode()
    assert "Laptop" in page and "Telefoon" in page and "deze sessie" in page

    other = UserSession.objects.get(user=user, user_agent="Telefoon")
    response = laptop.post(reverse("identity:session-end", kwargs={"pk": other.pk}))
    assert response.status_code == 302
    assert phone.get(reverse("home")).status_code == 302  # signed out there
    assert SESSION_KEY not in phone.session
    assert laptop.get(reverse("home")).status_code == 200
    assert AccountEvent.objects.filter(subject=user, action="session-ended").count() == 1


def test_nobody_ends_another_users_session(world):
    mine = logged_in_client(world.middelburg.policy_officer)
    colleague = logged_in_client(world.middelburg.finance_officer)
    theirs = UserSession.objects.get(user=world.middelburg.finance_officer)
    response = mine.post(reverse("identity:session-end", kwargs={"pk": theirs.pk}))
    assert response.status_code == 404
    assert colleague.get(reverse("home")).status_code == 200


def test_logging_out_removes_the_session_from_the_list(world):
    user = world.middelburg.policy_officer
    client = logged_in_client(user)
    assert UserSession.objects.filter(user=user).count() == 1
    client.post(reverse("logout"))
    assert not UserSession.objects.filter(user=user).exists()
